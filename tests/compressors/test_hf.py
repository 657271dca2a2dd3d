"""A Hugging Face causal LM as a compressor: a tiny randomly initialised GPT-2 with a BPE
tokenizer, both built here, saved to a temp dir and loaded back offline."""

import pytest

transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

from gencomp.compressors import decompress, get_compressor  # noqa: E402
from gencomp.errors import GencompError  # noqa: E402


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, wiki_heldout):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    folder = tmp_path_factory.mktemp("tiny-gpt2")
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator([wiki_heldout.decode()[:50_000]], trainer)
    tokenizer = transformers.PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<|endoftext|>",
                                                     eos_token="<|endoftext|>")
    tokenizer.save_pretrained(folder)
    config = transformers.GPT2Config(vocab_size=len(tokenizer), n_positions=1024, n_embd=32, n_layer=2, n_head=2,
                                     bos_token_id=0, eos_token_id=0)
    transformers.set_seed(0)
    transformers.GPT2LMHeadModel(config).save_pretrained(folder, safe_serialization=True)
    return folder


def test_round_trips_text_and_bytes_that_are_not_text(model_dir, wiki_heldout):
    compressor = get_compressor(f"hf:{model_dir}", 512)
    cases = {
        "text": wiki_heldout[:1500],
        "invalid utf-8": b"caf\xe9 \xff\xfe" + wiki_heldout[:300],
        "unicode": "naïve café – 東京 😀".encode() * 5,
        "empty": b"",
    }
    for label, data in cases.items():
        blob = compressor.compress(data)
        assert decompress(blob) == data, label
    text_payloads = compressor.encode_chunks(compressor.split(wiki_heldout[:1024]))
    assert all(p[-1] != 0 for p in text_payloads), "valid text is coded, not stored"


def test_wrong_folders_fail_clearly(tmp_path):
    with pytest.raises(GencompError, match="not a folder"):
        get_compressor(f"hf:{tmp_path / 'missing'}")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(GencompError, match="not a loadable causal LM"):
        get_compressor(f"hf:{tmp_path}")
