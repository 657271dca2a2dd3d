from gencomp.data.corpus import detokenize_wikitext, split_train_heldout


def test_split_holds_out_the_last_tenth():
    train, heldout = split_train_heldout(bytes(range(100)) * 10)
    assert len(heldout) == 100 and train + heldout == bytes(range(100)) * 10


def test_detokenize_wikitext():
    raw = b" The dog 's bone , 1 @,@ 000 @-@ year ( big ) ; 0 @.@ 7 kg . It does n't . \n"
    assert detokenize_wikitext(raw) == b" The dog's bone, 1,000-year (big); 0.7 kg. It doesn't. \n"
