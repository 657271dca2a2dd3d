"""Start-up: wall time of compressing and decompressing a 1 KB file, gencomp's codecs beside xz and zstd, in one run.

Each command runs REPEATS times (after one untimed run that fills numba's cache and the OS's file
cache); the table gives the fastest, as hyperfine's min. gencomp runs as a user runs it, its
gzip-like interface (`gencomp -k --codec C FILE`, `gencomp -dc FILE.gcz`); the peers as theirs
(`xz -k -9e`, `zstd -k -19`). Also `python -c "import gencomp"` and the peak memory of each gencomp run.

    python benchmarks/startup.py [--codecs gzip,zstd,lzma,cm,mix,lm] [--repeats 5]

Writes benchmarks/results/startup.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
GENCOMP = str(Path(sys.executable).parent / "gencomp")


def timed(command: list[str], repeats: int, cwd: str) -> tuple[float, int]:
    """(fastest seconds, peak resident KiB of the fastest) of a command run `repeats` times after a warm-up."""
    best, peak = float("inf"), 0
    for i in range(repeats + 1):
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=cwd, capture_output=True)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{command} failed: {done.stderr.decode()[-500:]}")
        if i and seconds < best:
            best, peak = seconds, int(done.stderr.decode().strip().splitlines()[-1])
    return best, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codecs", default="gzip,zstd,lzma,cm,mix,lm")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from gencomp.data.corpus import shared_data_dir

    text = (shared_data_dir() / "text" / "wikitext2-valid.txt").read_bytes()[:1000]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "one.txt").write_bytes(text)

        def run(name: str, compress: list[str], archive: str, decompress: list[str]) -> None:
            packed = timed(compress, args.repeats, work)
            unpacked = timed(decompress, args.repeats, work)
            rows.append({"command": name, "compress_s": packed[0], "decompress_s": unpacked[0],
                         "compress_peak_kib": packed[1], "decompress_peak_kib": unpacked[1]})
            Path(work, archive).unlink()

        for codec in args.codecs.split(","):
            run(f"gencomp --codec {codec}", [GENCOMP, "-k", "-f", "-q", "--codec", codec, "one.txt"], "one.txt.gcz",
                ["sh", "-c", f"{GENCOMP} -dc one.txt.gcz > /dev/null"])
        if shutil.which("xz"):
            run("xz -9e", ["xz", "-k", "-f", "-9e", "one.txt"], "one.txt.xz", ["sh", "-c", "xz -dc one.txt.xz > /dev/null"])
        if shutil.which("zstd"):
            run("zstd -19", ["zstd", "-q", "-k", "-f", "-19", "one.txt"], "one.txt.zst",
                ["sh", "-c", "zstd -q -dc one.txt.zst > /dev/null"])
        imported = timed([sys.executable, "-c", "import gencomp"], args.repeats, work)
    RESULTS.mkdir(exist_ok=True)
    result = {"cores": os.cpu_count(), "repeats": args.repeats, "rows": rows, "import_gencomp_s": imported[0]}
    (RESULTS / "startup.json").write_text(json.dumps(result, indent=1) + "\n")
    lines = [f"# Start-up on a 1 KB file (benchmarks/startup.py; fastest of {args.repeats} runs, {os.cpu_count()} cores, "
             "peers in the same run)", "",
             "| command | compress (s) | decompress (s) | peak memory compressing (MiB) |", "|---|---|---|---|"]
    lines += [f"| `{r['command']}` | {r['compress_s']:.3f} | {r['decompress_s']:.3f} | {r['compress_peak_kib'] // 1024} |"
              for r in rows]
    lines += ["", f"`python -c \"import gencomp\"`: {imported[0]:.3f} s."]
    (RESULTS / "startup.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
