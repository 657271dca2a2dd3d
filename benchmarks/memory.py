"""Peak resident memory of `gencomp compress` and `gencomp decompress` per codec at two input sizes,
each run in its own process: framed archives keep it bounded by the frame and the codec's state,
whatever the input size.

    python benchmarks/memory.py [--codecs gzip zstd ...] [--json out.json]

Inputs are the shared corpus's text, concatenated and repeated to the size. The sizes per codec
follow its speed (gzip gets 1 GiB; a model codec at ~10 KB/s gets a few hundred KB).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gencomp.data.corpus import shared_data_dir

MiB = 1 << 20
SIZES = {"gzip": [64 * MiB, 1024 * MiB], "bz2": [64 * MiB, 256 * MiB], "zstd": [16 * MiB, 64 * MiB],
         "lzma": [16 * MiB, 64 * MiB], "brotli": [16 * MiB, 64 * MiB], "cm": [8 * MiB, 24 * MiB],
         "lm:tiny": [64 << 10, 256 << 10], "mix:tiny": [256 << 10, MiB]}


def make_input(path: Path, size: int) -> None:
    corpus = b"".join(p.read_bytes() for p in sorted((shared_data_dir() / "corpus").glob("*.txt")))
    with path.open("wb") as f:
        written = 0
        while written < size:
            part = corpus[: size - written]
            f.write(part)
            written += len(part)


# Linux carries a process's peak RSS across exec, so a child forked from this (large) process would
# report at least this process's size: a small launcher forks the command and reports its peak.
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "gencomp.cli.main"] + sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def peak_mib(args: list[str]) -> tuple[float, float]:
    """(peak resident MiB, seconds) of one gencomp command in its own process."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *args], capture_output=True, text=True)
    peak_kib, code = map(int, done.stdout.split())
    if code != 0:
        raise RuntimeError(f"gencomp {' '.join(args)} failed: {done.stderr[-500:]}")
    return peak_kib / 1024, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codecs", nargs="+", default=list(SIZES))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for codec in args.codecs:
            for size in SIZES[codec]:
                source, archive, back = folder / "in.txt", folder / "in.gcz", folder / "back.txt"
                make_input(source, size)
                c_mib, c_s = peak_mib(["compress", str(source), "-k", "-f", "-q", "-c", codec, "-o", str(archive)])
                d_mib, d_s = peak_mib(["decompress", str(archive), "-k", "-f", "-q", "-o", str(back)])
                assert back.stat().st_size == size
                rows.append({"codec": codec, "input_bytes": size, "archive_bytes": archive.stat().st_size,
                             "compress_peak_mib": c_mib, "decompress_peak_mib": d_mib,
                             "compress_s": c_s, "decompress_s": d_s})
                print(f"{codec:<8} {size / MiB:>8.2f} MiB in: compress peak {c_mib:6.0f} MiB ({c_s:5.0f} s), "
                      f"decompress peak {d_mib:6.0f} MiB ({d_s:5.0f} s)", flush=True)
                for path in (source, archive, back):
                    path.unlink()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
