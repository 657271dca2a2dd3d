"""Peak memory and speed of gencomp.open writing then reading a large stream, beside gzip.open, in one run.

Each measurement runs in its own process, which writes SIZE bytes of real text (1 MiB slices of
the shared corpus at varying offsets, made as they are written) through the file object, reads
them back 1 MiB at a time checking each slice, and reports its peak resident memory (VmHWM) and
seconds. gzip.open (Python's own, level 9) is the peer.

    python benchmarks/open_memory.py [--bytes 1073741824] [--codecs gzip]

Writes benchmarks/results/open_memory.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

WORKER = """
import gzip, hashlib, sys, time
import gencomp
from gencomp.data.corpus import shared_data_dir

codec, size, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
text = (shared_data_dir() / "corpus" / "debian-handbook-en.txt").read_bytes()[: 8 << 20]
step = 1 << 20

def block(i):  # 1 MiB of real text starting at a varying offset
    at = (i * 7919 * 4099) % (len(text) - step)
    return text[at : at + step]

opened = (lambda mode: gzip.open(path, mode, compresslevel=9)) if codec == "gzip.open" else \\
         (lambda mode: gencomp.open(path, mode, codec=codec))
start = time.perf_counter()
with opened("wb") as f:
    for i in range(size // step):
        f.write(block(i))
written = time.perf_counter()
with opened("rb") as f:
    for i in range(size // step):
        assert f.read(step) == block(i), i
    assert f.read() == b""
done = time.perf_counter()
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) // 1024
print(peak, written - start, done - written, __import__("os").path.getsize(path))
"""


def measure(codec: str, size: int) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        out = subprocess.run([sys.executable, "-c", WORKER, codec, str(size), os.path.join(scratch, "x")],
                             check=True, capture_output=True, text=True).stdout.split()
    peak, write_s, read_s, archive = int(out[0]), float(out[1]), float(out[2]), int(out[3])
    return {"codec": codec, "bytes": size, "peak_mib": peak, "write_mb_per_s": size / write_s / 1e6,
            "read_mb_per_s": size / read_s / 1e6, "archive_bytes": archive}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bytes", type=int, default=1 << 30)
    parser.add_argument("--codecs", default="gzip", help="gencomp codecs, comma-separated (gzip.open always runs)")
    args = parser.parse_args()
    rows = [measure(codec, args.bytes) for codec in ["gzip.open", *args.codecs.split(",")]]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "open_memory.json").write_text(json.dumps({"cores": os.cpu_count(), "rows": rows}, indent=1) + "\n")
    lines = [f"# gencomp.open against gzip.open: {args.bytes:,} bytes written then read (benchmarks/open_memory.py, "
             f"{os.cpu_count()} cores, one run)", "",
             "| file object | peak memory (MiB) | write MB/s | read MB/s | archive, % of the input |", "|---|---|---|---|---|"]
    for r in rows:
        name = r["codec"] if r["codec"] == "gzip.open" else f"gencomp.open, codec {r['codec']}"
        lines.append(f"| {name} | {r['peak_mib']} | {r['write_mb_per_s']:.1f} | {r['read_mb_per_s']:.1f} | "
                     f"{100 * r['archive_bytes'] / r['bytes']:.2f} |")
    (RESULTS / "open_memory.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
