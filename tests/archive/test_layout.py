"""Flipped and truncated archives give a clear GencompError or the exact original, never anything else."""

import io

import pytest

from gencomp.archive.layout import READABLE_VERSIONS, StreamReader
from gencomp.compressors import decompress, get_compressor
from gencomp.errors import GencompError
from tests.conftest import SEEDS, rng_for

FUZZ_CODECS = ["gzip", "lzma", "bz2", "brotli", "zstd", "png", "flac", "cm", "lm"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("codec", FUZZ_CODECS)
def test_fuzzed_archives_fail_clearly_or_decode_exactly(codec, seed, wiki_heldout):
    rng = rng_for(seed)
    data = wiki_heldout[: int(rng.integers(500, 5000))]
    blob = get_compressor(codec, 1024).compress(data)
    for trial in range(25):
        damaged = bytearray(blob)
        if trial % 3 == 0:
            damaged = damaged[: int(rng.integers(0, len(blob)))]
        else:
            for _ in range(int(rng.integers(1, 4))):
                damaged[int(rng.integers(len(damaged)))] ^= 1 << int(rng.integers(8))
        try:
            out = decompress(bytes(damaged))
        except GencompError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert out == data, f"{codec} seed {seed} trial {trial}: wrong output instead of an error"


def test_header_errors_name_the_problem():
    blob = get_compressor("gzip").compress(b"hello world" * 100)
    with pytest.raises(GencompError, match="not a gencomp archive"):
        decompress(b"PK\x03\x04 a zip file")
    with pytest.raises(GencompError, match="truncated"):
        decompress(blob[:-5])
    with pytest.raises(GencompError, match="trailing"):
        decompress(blob + b"x")
    with pytest.raises(GencompError, match="version"):
        decompress(blob[:4] + bytes([max(READABLE_VERSIONS) + 1]) + blob[5:])
    with pytest.raises(GencompError):
        decompress(b"")


def test_archive_made_with_another_codec_or_model_is_refused():
    blob = get_compressor("gzip").compress(b"abc" * 50)
    with pytest.raises(GencompError, match="made with codec 'gzip'"):
        get_compressor("lzma").decompress(blob)
    cm_blob = get_compressor("cm").compress(b"abc" * 50)
    header = StreamReader(io.BytesIO(cm_blob)).header()
    assert header.codec == "cm" and header.identity["model"] == "context-mixing-v1"
    other = get_compressor("cm")
    other.identity = lambda: {"model": "another model"}
    with pytest.raises(GencompError, match="needs cm with"):
        other.decompress(cm_blob)


def test_identity_is_deflated_against_the_format_dictionary():
    """Formats 7 and 8 store the identity deflated: a mix archive of one byte is under 80 bytes (328 in
    format 4), and an identity the dictionary has never seen still round-trips."""
    from gencomp.archive.layout import FORMAT_VERSION, StreamHeader, pack_stream_header

    mix_blob = get_compressor("mix").compress(b"x")
    assert mix_blob[4] == FORMAT_VERSION == 7 and len(mix_blob) < 80
    assert decompress(mix_blob) == b"x"
    unseen = {"model": "another model", "weights_sha256": "ab" * 32, "nested": {"list": [1, 2, 3]}}
    packed = pack_stream_header(StreamHeader("cm", unseen, 0, 1 << 20))
    assert StreamReader(io.BytesIO(packed)).header().identity == unseen


def test_unreadable_deflated_identity_is_named():
    """A header whose checksum holds but whose identity is no DEFLATE stream (or has bytes after it)."""
    import zlib

    from gencomp.archive.layout import encode_varint

    def header_with(identity_raw: bytes) -> bytes:
        fields = b"GCZ\x1a\x07" + encode_varint(2) + b"cm" + encode_varint(len(identity_raw)) + identity_raw \
            + encode_varint(0) + encode_varint(1 << 20)
        return fields + zlib.crc32(fields).to_bytes(4, "big")

    for raw in (b"\xff\xff\xff", zlib.compress(b"{}")[2:-4] + b"tail"):
        with pytest.raises(GencompError, match="unreadable codec description"):
            decompress(header_with(raw))
