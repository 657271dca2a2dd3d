"""A Hugging Face causal LM as a compressor: the tiny random GPT-2 of conftest.hf_model_dir."""

import pytest

from gencomp.compressors import decompress, get_compressor
from gencomp.errors import GencompError


def test_round_trips_text_and_bytes_that_are_not_text(hf_model_dir, wiki_heldout):
    compressor = get_compressor(f"hf:{hf_model_dir}", 512)
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


def test_chunks_longer_than_the_context_slide_the_window_instead_of_being_stored(hf_model_dir, wiki_heldout, tmp_path):
    """The same GPT-2 with 48 positions: a 600-byte chunk (~200 tokens) is coded through the
    sliding window, round-trips, and the compressor names the chunks it stored and why."""
    import shutil

    import transformers

    folder = tmp_path / "short-gpt2"
    shutil.copytree(hf_model_dir, folder)
    config = transformers.GPT2Config.from_pretrained(folder)
    config.n_positions = 48
    transformers.set_seed(1)
    transformers.GPT2LMHeadModel(config).save_pretrained(folder, safe_serialization=True)
    compressor = get_compressor(f"hf:{folder}", 600)
    data = wiki_heldout[:600] + b"\xff\xfe not text" + bytes(589)  # two chunks: text, then not text
    blob = compressor.compress(data)
    assert decompress(blob) == data
    assert compressor.encode_chunks(compressor.split(wiki_heldout[:600]))[0][-1] != 0, "coded, not stored"
    compressor.compress(data)
    assert compressor.notes == ["1 of 2 chunks stored as they are: not text the tokenizer gives back exactly"]
    assert "float32" in compressor.portability_note
