"""Coding speed of the byte transformers, this checkout against an earlier revision, in one run.

Each codec compresses and decompresses the same text (held-out parts of the corpus, several
kinds, 2048-byte chunks, all cores), after a warm-up that loads the compiled kernels; the faster
of two runs counts. With --baseline REV the same measurement runs again in a subprocess on a git
worktree of REV (its own package and models), and the table gives the speed-up. The archives of
both revisions are compared byte for byte: the same bytes mean the same rate, exactly.

    python benchmarks/lm_speed.py [--codecs lm:tiny,mix:tiny] [--bytes 131072] [--baseline 8ccaec5]
                                  [--group-sizes 1,2,4,8] [--out lm_speed]

--group-sizes also decodes the first codec's archive with lockstep groups of each size
(LMCompressor.batch_chunks; the archive is the same whatever the size), in this checkout.

A codec the baseline revision cannot build (a model it did not ship) is measured in this checkout only.

Writes benchmarks/results/OUT.{json,md} (lm_speed.{json,md} by default).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from worktree import worktree  # benchmarks/worktree.py

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SOURCES = ("corpus/man-pages.txt", "corpus/code-python.txt", "corpus/debian-handbook-en.txt", "wikitext2-valid.txt")


def sample_text(n_bytes: int) -> bytes:
    """n_bytes from the held-out parts of SOURCES, an equal share of each."""
    from gencomp.data.corpus import text_corpus

    heldout = text_corpus("heldout", SOURCES)
    share = n_bytes // len(SOURCES)
    return b"".join(heldout[name][:share] for name in SOURCES)


def measure(codecs: list[str], data: bytes) -> list[dict]:
    """Per codec: compress and decompress bytes/s (best of two after a warm-up), archive size and SHA-256."""
    from gencomp.compressors import decompress, get_compressor

    rows = []
    for codec in codecs:
        try:
            compressor = get_compressor(codec)
        except Exception as exc:  # a model an earlier revision did not ship
            print(f"{codec}: {exc}", file=sys.stderr)
            continue
        decompress(compressor.compress(data[:4096]))  # warm-up: kernels compiled or loaded
        best_c = best_d = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            blob = compressor.compress(data)
            best_c = min(best_c, time.perf_counter() - start)
            start = time.perf_counter()
            if decompress(blob) != data:
                raise SystemExit(f"{codec}: the archive did not round-trip")
            best_d = min(best_d, time.perf_counter() - start)
        rows.append({"codec": codec, "bytes": len(data), "archive_bytes": len(blob),
                     "archive_sha256": hashlib.sha256(blob).hexdigest(),
                     "compress_bytes_per_s": len(data) / best_c, "decompress_bytes_per_s": len(data) / best_d})
        print(f"{codec}: {rows[-1]['compress_bytes_per_s'] / 1e3:.1f} / {rows[-1]['decompress_bytes_per_s'] / 1e3:.1f} KB/s",
              file=sys.stderr)
    return rows


def measure_group_sizes(codec: str, data: bytes, sizes: list[int]) -> dict[str, float]:
    """Decompress bytes/s of `codec`'s archive of data with each lockstep group size (best of two, in turn)."""
    from gencomp.compressors import get_compressor

    compressor = get_compressor(codec)
    blob = compressor.compress(data)
    best = {size: float("inf") for size in sizes}
    for _ in range(2):
        for size in sizes:
            compressor.batch_chunks = size
            start = time.perf_counter()
            if compressor.decompress(blob) != data:
                raise SystemExit(f"{codec}: the archive did not round-trip with groups of {size}")
            best[size] = min(best[size], time.perf_counter() - start)
    return {str(size): len(data) / seconds for size, seconds in best.items()}


def measure_revision(revision: str, codecs: list[str], data: bytes) -> list[dict]:
    """`measure` run by this file on a git worktree of `revision` (its package first on the path)."""
    with worktree(revision) as tree, tempfile.TemporaryDirectory() as tmp:
        data_file = Path(tmp) / "data.bin"
        data_file.write_bytes(data)
        env = os.environ | {"PYTHONPATH": str(tree)}
        out = subprocess.run([sys.executable, __file__, "--worker", str(data_file), "--codecs", ",".join(codecs)],
                             env=env, cwd=tree, check=True, stdout=subprocess.PIPE, text=True)
        return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codecs", default="lm:tiny,mix:tiny")
    parser.add_argument("--bytes", type=int, default=131072)
    parser.add_argument("--baseline", help="a git revision to measure beside this checkout")
    parser.add_argument("--group-sizes", help="decode the first codec with lockstep groups of these sizes, e.g. 1,2,4,8")
    parser.add_argument("--out", default="lm_speed", help="results file stem under benchmarks/results/")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)  # measure this file's bytes, print JSON
    args = parser.parse_args()
    codecs = args.codecs.split(",")
    if args.worker:
        print(json.dumps(measure(codecs, args.worker.read_bytes())))
        return
    data = sample_text(args.bytes)
    result = {"bytes": len(data), "sources": SOURCES, "cores": os.cpu_count(), "rows": measure(codecs, data)}
    if args.group_sizes:
        result["group_sizes"] = {"codec": codecs[0], "decompress_bytes_per_s":
                                 measure_group_sizes(codecs[0], data, [int(x) for x in args.group_sizes.split(",")])}
    if args.baseline:
        result["baseline"] = args.baseline
        result["baseline_rows"] = measure_revision(args.baseline, codecs, data)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(result, indent=1))
    (RESULTS / f"{args.out}.md").write_text(report(result))
    print(report(result))


def report(r: dict) -> str:
    lines = [f"# Coding speed, KB/s of original bytes ({r['bytes']:,} bytes of held-out text from "
             + ", ".join(r["sources"]) + f"; {r['cores']} cores)", ""]
    base = {row["codec"]: row for row in r.get("baseline_rows", [])}
    header = "| codec | compress | decompress |"
    if base:
        header += f" compress at {r['baseline']} | decompress at {r['baseline']} | speed-up | same archive |"
    lines += [header, "|---" * (header.count("|") - 1) + "|"]
    for row in r["rows"]:
        cells = [row["codec"], f"{row['compress_bytes_per_s'] / 1e3:.1f}", f"{row['decompress_bytes_per_s'] / 1e3:.1f}"]
        if row["codec"] in base:
            old = base[row["codec"]]
            cells += [f"{old['compress_bytes_per_s'] / 1e3:.1f}", f"{old['decompress_bytes_per_s'] / 1e3:.1f}",
                      f"{row['compress_bytes_per_s'] / old['compress_bytes_per_s']:.2f}× / "
                      f"{row['decompress_bytes_per_s'] / old['decompress_bytes_per_s']:.2f}×",
                      "yes" if row["archive_sha256"] == old["archive_sha256"] else
                      f"no ({row['archive_bytes']:,} vs {old['archive_bytes']:,} bytes)"]
        elif base:
            cells += ["—", "—", "—", "not in that revision"]
        lines.append("| " + " | ".join(cells) + " |")
    if "group_sizes" in r:
        speeds = r["group_sizes"]["decompress_bytes_per_s"]
        lines += ["", f"Decompress KB/s of {r['group_sizes']['codec']} by chunks stepped in lockstep per group "
                  "(LMCompressor.batch_chunks; groups run on all cores):", "",
                  "| " + " | ".join(speeds) + " |", "|---" * len(speeds) + "|",
                  "| " + " | ".join(f"{v / 1e3:.1f}" for v in speeds.values()) + " |"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
