"""mix's prime (gencomp.compressors.priming): learned before every stream longer than 16 KiB, by the encoder
and the decoder alike; archives of 0.21–0.25 (unprimed) still decode; a damaged prime or a crafted name is a
clear error."""

import hashlib

import numpy as np
import pytest

import gencomp
from gencomp.compressors import get_compressor, priming
from gencomp.compressors.cm import SHORT_STREAM_BYTES, ContextMixingCompressor
from gencomp.data.corpus import text_corpus
from gencomp.errors import GencompError
from tests.conftest import SEEDS, rng_for


@pytest.fixture(scope="module")
def mix():
    return get_compressor("mix:tiny-v2")


@pytest.fixture(scope="module")
def unprimed(mix):
    """mix:tiny-v2 as 0.21–0.25 made it: the same model learning no prime."""
    return ContextMixingCompressor(mix.name, mix.transformer, None, mix.model, prime=None)


def test_the_shipped_prime_is_the_released_one():
    data = priming.prime_bytes("text-v1")
    assert len(data) == 64_700
    assert hashlib.sha256(data).hexdigest() == priming.PRIMES["text-v1"]
    assert b"def " in data and b"#include" in data and "Debian".encode() in data  # code and prose


@pytest.mark.parametrize("source", ["corpus/data-json-xml-csv.txt", "corpus/code-python.txt", "corpus/man-pages.txt"])
def test_a_long_stream_codes_smaller_primed_and_both_decode(mix, unprimed, source):
    data = text_corpus("heldout", (source,))[source][:24_000]
    assert mix.identity() == unprimed.identity() | {"prime": "text-v1"}
    blob, old_blob = mix.compress(data), unprimed.compress(data)
    assert gencomp.decompress(blob) == data
    assert gencomp.decompress(old_blob) == data  # an unprimed archive, as 0.21–0.25 wrote: archive.legacy
    assert len(blob) < 0.985 * len(old_blob)  # measured 0.94–0.98 on 17 KB of the suite's files


def test_a_short_stream_learns_no_prime(mix, unprimed, wiki_heldout):
    data = wiki_heldout[:SHORT_STREAM_BYTES]
    assert mix.encode_chunks([data]) == unprimed.encode_chunks([data])
    longer = wiki_heldout[: SHORT_STREAM_BYTES + 1]
    assert mix.encode_chunks([longer]) != unprimed.encode_chunks([longer])


@pytest.mark.parametrize("seed", SEEDS)
def test_primed_streams_round_trip_fresh_random_inputs(mix, seed, wiki_heldout):
    """Text with random bytes and a random byte alphabet inside, whole and in 20,000-byte chunks (each primed)."""
    rng = rng_for(seed)
    start = int(rng.integers(0, len(wiki_heldout) - 30_000))
    data = (wiki_heldout[start : start + 17_000] + rng.bytes(2000)
            + bytes(rng.integers(0, 4, 3000, dtype=np.uint8) + 97) + wiki_heldout[start : start + 500])
    assert gencomp.decompress(mix.compress(data)) == data
    chunked = get_compressor("mix:tiny-v2", 20_000)
    assert gencomp.decompress(chunked.compress(data)) == data


def test_a_prime_no_release_wrote_is_named(mix):
    crafted = ContextMixingCompressor(mix.name, mix.transformer, None, mix.model, prime="text-v9")
    with pytest.raises(GencompError, match="text-v9"):
        crafted.compress(b"x" * (SHORT_STREAM_BYTES + 1))


def test_a_damaged_prime_is_an_error_not_wrong_output(tmp_path, monkeypatch):
    (tmp_path / "primes").mkdir()
    shipped = priming.prime_bytes("text-v1")
    (tmp_path / "primes" / "text-v1.txt").write_bytes(shipped[:-1] + b"!")
    monkeypatch.setattr(priming, "assets_dir", lambda: tmp_path)
    priming.prime_bytes.cache_clear()
    try:
        with pytest.raises(GencompError, match="not the file gencomp shipped"):
            priming.prime_bytes("text-v1")
        (tmp_path / "primes" / "text-v1.txt").unlink()
        with pytest.raises(GencompError, match="missing"):
            priming.prime_bytes("text-v1")
    finally:
        priming.prime_bytes.cache_clear()
