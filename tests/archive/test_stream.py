"""Framed archives (format 3): many frames round-trip, memory stays bounded, truncation and
corruption are named by frame, and the archive is the same however its frames were run."""

import io
import subprocess
import sys
import zlib

import pytest

from gencomp.archive.stream import (
    FRAME_TARGET_BYTES,
    ONE_STREAM_FRAME_BYTES,
    compress_stream,
    decompress_stream,
    frame_bytes,
)
from gencomp.compressors import decompress, get_compressor
from gencomp.errors import GencompError
from tests.conftest import SEEDS, rng_for


def test_frame_sizes_follow_the_chunking():
    assert frame_bytes(get_compressor("lm:tiny")) == FRAME_TARGET_BYTES
    assert frame_bytes(get_compressor("gzip", 3000)) == (FRAME_TARGET_BYTES // 3000) * 3000
    assert frame_bytes(get_compressor("gzip", 200_000)) == 200_000  # a frame holds at least one chunk
    assert frame_bytes(get_compressor("cm", 200_000)) == 4 * 200_000  # cm: 4, coded side by side
    assert frame_bytes(get_compressor("gzip")) == ONE_STREAM_FRAME_BYTES


@pytest.mark.parametrize("seed", SEEDS)
def test_many_frames_round_trip_from_streams(seed, wiki_heldout):
    rng = rng_for(seed)
    data = (wiki_heldout * 3)[: int(rng.integers(150_000, 300_000))] + rng.bytes(int(rng.integers(0, 5000)))
    compressor = get_compressor("gzip", 1024)
    sink = io.BytesIO()
    assert compress_stream(compressor, io.BytesIO(data), sink) == len(data)
    blob = sink.getvalue()
    assert blob == compressor.compress(data)  # the stream and in-memory paths write the same archive
    out = io.BytesIO()
    assert decompress_stream(io.BytesIO(blob), out, get_compressor) == len(data)
    assert out.getvalue() == data and decompress(blob) == data, f"seed {seed}"


def frame_ends(blob: bytes) -> list[int]:
    """Byte offset where each frame of a format-3 archive ends."""
    from gencomp.archive.layout import EndRecord, StreamReader

    reader = StreamReader(io.BytesIO(blob))
    header, ends = reader.header(), []
    while not isinstance(reader.next(header), EndRecord):
        ends.append(reader.pos)
    return ends


def test_truncation_and_corruption_name_the_frame(wiki_heldout):
    data = (wiki_heldout * 2)[:200_000]
    blob = get_compressor("gzip", 1024).compress(data)
    ends = frame_ends(blob)
    assert len(ends) == 4
    with pytest.raises(GencompError, match=r"truncated: it ends at byte \d+, inside the payloads of frame 1"):
        decompress(blob[: ends[1] - 10])
    with pytest.raises(GencompError, match="truncated.*end record"):
        decompress(blob[:-3])
    damaged = bytearray(blob)
    damaged[ends[2] - 100] ^= 0x10  # inside frame 2's payloads
    with pytest.raises(GencompError, match=r"frame 2"):
        decompress(bytes(damaged))
    with pytest.raises(GencompError, match="trailing bytes"):
        decompress(blob + b"\0")


def test_partial_output_is_only_the_frames_before_the_error(wiki_heldout):
    data = (wiki_heldout * 2)[:200_000]
    blob = bytearray(get_compressor("gzip", 1024).compress(data))
    blob[frame_ends(bytes(blob))[2] - 100] ^= 0x10
    out = io.BytesIO()
    with pytest.raises(GencompError):
        decompress_stream(io.BytesIO(bytes(blob)), out, get_compressor)
    assert out.getvalue() == data[: 2 * FRAME_TARGET_BYTES]  # frames 0 and 1, each checked by its CRC32


MEMORY_PROBE = """
import io, sys
from gencomp.compressors import get_compressor
from gencomp.archive.stream import compress_stream, decompress_stream

class Source(io.RawIOBase):  # {size} bytes of varied text, made as they are read
    def __init__(self, block, size):
        self.block, self.left = block, size
    def readable(self):
        return True
    def read(self, n=-1):
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return (self.block * (n // len(self.block) + 2))[:n]

class Sink:  # counts what it is given
    def __init__(self):
        self.n = 0
    def write(self, b):
        self.n += len(b)

def peak_kib():  # this process's own peak: VmHWM starts afresh at exec, where ru_maxrss keeps the parent's
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))

block = open(sys.argv[1], "rb").read()[:1_000_003]
before = peak_kib()
sink, archive = Sink(), io.BytesIO()
compress_stream(get_compressor("gzip"), Source(block, {size}), archive)
archive.seek(0)
assert decompress_stream(archive, sink, get_compressor) == {size}
print((peak_kib() - before) // 1024)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_memory_is_bounded_by_frames_not_input(data_dir):
    """96 MB through gzip in 8 MiB frames: peak memory grows by a few frames, not by the input."""
    size = 96 << 20
    probe = MEMORY_PROBE.replace("{size}", str(size))
    done = subprocess.run([sys.executable, "-c", probe, str(data_dir / "text" / "wikitext2-valid.txt")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    grown_mb = int(done.stdout.strip())
    assert grown_mb < 150, f"peak memory grew by {grown_mb} MB for a {size >> 20} MB input"


def test_format_2_whole_archives_still_decode_from_streams():
    from pathlib import Path

    golden = Path(__file__).resolve().parents[1] / "golden" / "v2"
    blob = (golden / "zstd.text.gcz").read_bytes()
    assert blob[4] == 2
    out = io.BytesIO()
    decompress_stream(io.BytesIO(blob), out, get_compressor)
    assert zlib.crc32(out.getvalue()) == zlib.crc32(decompress(blob))
