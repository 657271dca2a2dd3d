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
