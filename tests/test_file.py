"""gencomp.open behaves as gzip.open for the same calls, streams frame by frame, and seeks."""

import gzip
import io
import subprocess
import sys

import pytest

import gencomp
from gencomp.errors import GencompError
from tests.conftest import SEEDS, rng_for


def _opened(module, path, mode, **kwargs):
    return module.open(path, mode, **kwargs)


@pytest.fixture
def text(wiki_heldout) -> bytes:
    return wiki_heldout[:60_000]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_same_calls_give_what_gzip_open_gives(tmp_path, text, seed):
    rng = rng_for(seed)
    cuts = sorted(rng.integers(0, len(text), 5).tolist())
    pieces = [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]
    results = []
    for module, codec in ((gzip, {}), (gencomp, {"codec": "zstd"})):
        path = tmp_path / f"x.{module.__name__}"
        with _opened(module, path, "wb", **codec) as f:
            for piece in pieces:
                assert f.write(piece) == len(piece)
            assert f.writable() and not f.readable()
        with _opened(module, path, "rb") as f:
            first = f.read(1000)
            line = f.readline()
            at = f.tell()
            f.seek(12_345)
            middle = f.read(777)
            f.seek(at)
            again = f.readline()
            rest = f.read()
            assert f.read() == b"" and f.readable() and not f.writable()
        with _opened(module, path, "rb") as f:
            lines = list(f)
        results.append((first, line, at, middle, again, rest, lines))
    assert results[0] == results[1], f"seed {seed}"
    assert b"".join(results[1][-1]) == text


def test_text_mode_and_file_objects_as_gzip(tmp_path):
    words = "ünïcode lines\nand more\r\nend"
    for module in (gzip, gencomp):
        buffer = io.BytesIO()
        with module.open(buffer, "wt", encoding="utf-8", newline="") as f:
            f.write(words)
        assert not buffer.closed  # a file object given is left open
        buffer.seek(0)
        with module.open(buffer, "rt", encoding="utf-8", newline="") as f:
            assert f.read() == words
    with pytest.raises(ValueError, match="appending"):
        gencomp.open(tmp_path / "a.gcz", "ab")
    with pytest.raises(ValueError, match="text modes only"):
        gencomp.open(tmp_path / "a.gcz", "wb", encoding="utf-8")


def test_the_archive_is_the_one_compress_makes_and_reads_back_any_archive(tmp_path, text):
    path = tmp_path / "x.gcz"
    with gencomp.open(path, "wb", codec="gzip") as f:
        f.write(text[:100])
        f.write(memoryview(text)[100:])
    assert path.read_bytes() == gencomp.compress(text, "gzip")
    (tmp_path / "y.gcz").write_bytes(gencomp.compress(text[:9000], "cm"))
    with gencomp.open(tmp_path / "y.gcz") as f:
        assert f.read() == text[:9000]


def test_errors_are_clear(tmp_path, text):
    path = tmp_path / "x.gcz"
    path.write_bytes(b"not an archive at all")
    with pytest.raises(GencompError, match="not a gencomp archive"):
        gencomp.open(path)
    path.write_bytes(gencomp.compress(text[:5000], "gzip")[:-9])  # cut inside the end record
    with gencomp.open(path) as f, pytest.raises(GencompError, match="truncated"):
        f.read()
    with gencomp.open(tmp_path / "w.gcz", "wb", codec="gzip") as f:
        with pytest.raises(io.UnsupportedOperation):
            f.read()
    with pytest.raises(ValueError, match="closed"):
        f.write(b"late")
    (tmp_path / "exists.gcz").write_bytes(b"")
    with pytest.raises(FileExistsError):
        gencomp.open(tmp_path / "exists.gcz", "xb")


def test_seeking_skips_frames_without_decoding_them(tmp_path, monkeypatch):
    """Frames record their sizes: a seek to the third frame decodes that frame alone (frames of 1 MiB here, not
    8: zstd -22 takes 30 s for three of 8 MiB)."""
    from gencomp.archive import stream

    frame = 1 << 20
    monkeypatch.setattr(stream, "ONE_STREAM_FRAME_BYTES", frame)
    data = rng_for(3).integers(0, 4, 3 * frame // 4 * 4 + 1000, dtype="uint8").tobytes()
    path = tmp_path / "x.gcz"
    with gencomp.open(path, "wb", codec="zstd") as f:
        f.write(data)
    decoded = []
    real = stream.FrameReader.decode
    monkeypatch.setattr(stream.FrameReader, "decode", lambda self, frame, progress=None: decoded.append(
        frame.original_bytes) or real(self, frame, progress))
    target = 2 * frame + 17
    with gencomp.open(path) as f:
        f.seek(target)
        assert f.read(100) == data[target : target + 100]
        assert decoded == [frame]
        f.seek(5)  # backwards: from the first frame again
        assert f.read(10) == data[5:15]


MEMORY_PROBE = """
import sys
import gencomp
size, block = int(sys.argv[1]), bytes(range(256)) * 4096  # 1 MiB of a repeating pattern
with gencomp.open(sys.argv[2], "wb", codec="gzip") as f:
    for _ in range(size >> 20):
        f.write(block)
total = 0
with gencomp.open(sys.argv[2]) as f:
    while chunk := f.read(1 << 20):
        assert chunk == block
        total += len(chunk)
assert total == size
# the peak of this process's own memory: VmHWM starts afresh at exec, where ru_maxrss keeps the parent's
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) // 1024)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_a_large_stream_is_written_and_read_in_bounded_memory(tmp_path):
    """64 MiB through gencomp.open with gzip: peak memory stays that of a few frames (the 1 GB figure:
    benchmarks/open_memory.py)."""
    done = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(64 << 20), str(tmp_path / "big.gcz")],
                          capture_output=True, text=True, check=True)
    assert int(done.stdout) < 100, f"{done.stdout} MiB"  # 43 MiB seen; Python and numpy alone take ~30
