"""Where a gencomp codec and paq8px -8 spend their bits, byte by byte: each byte's code length under both, summed by
how sure paq8px was of the byte. A gap on the bytes paq8px codes in under 0.01 bits is a gap in confidence (how near
certainty the model dares to go); one on the bytes it codes in 3 bits or more, in knowledge.

    python benchmarks/byte_costs.py [--codec mix] [--bytes-revision N] [--skip 15000] [--out byte_costs]
                                    [--files data.json system-log.log release-notes.md]

The codec's lengths are ContextMixingCompressor.byte_code_lengths (its coder's −log2 p, as it codes a whole file);
paq8px's come from benchmarks/peers/bin/paq8px-costs, paq8px v216 with its coder writing each byte's (built by
`benchmarks/build_paq8px.sh --costs`). --bytes-revision runs the codec on another revision of the byte model (8:
`mix` as gencomp 0.31 made it; results/byte_costs_rev8.md). --skip leaves the first bytes of each file out of the bins (the codecs learn
there; `mix` starts from its prime). The suite's files (benchmarks/suite.py) are written first.

Writes benchmarks/results/OUT.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from suite import collect  # benchmarks/suite.py

import gencomp
from gencomp.compressors import get_compressor
from gencomp.compressors.cm import ContextMixingCompressor
from gencomp.models.context_mixing import Bytes

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PAQ8PX_COSTS = HERE / "peers" / "bin" / "paq8px-costs"
BIN_EDGES = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, float("inf"))  # bits a byte, by paq8px's cost
HEADER_BYTES = 64  # paq8px codes its archive header through the same coder before the file: at most this many bytes


def paq8px_code_lengths(path: Path, data: bytes) -> np.ndarray:
    """(len(data),) float64 bits: paq8px -8's cost of each byte of the file at path (which holds data)."""
    with tempfile.TemporaryDirectory() as tmp:
        costs = Path(tmp) / "costs"
        subprocess.run([str(PAQ8PX_COSTS), "-8", str(path), str(Path(tmp) / "archive.paq8px")], check=True,
                       capture_output=True, env={**os.environ, "PAQ_COSTS": str(costs)})
        records = np.fromfile(costs, np.uint8)
    records = records[: len(records) // 5 * 5].reshape(-1, 5)
    bits, coded = records[:, :4].copy().view(np.float32).ravel(), records[:, 4]
    want = np.frombuffer(data, np.uint8)
    for offset in range(min(HEADER_BYTES, len(coded) - len(want)) + 1):
        if np.array_equal(coded[offset : offset + len(want)], want):
            return bits[offset : offset + len(want)].astype(np.float64)
    raise RuntimeError(f"paq8px-costs did not code {path.name}'s bytes as they are (a transform?)")


def bins(ours: np.ndarray, theirs: np.ndarray) -> list[dict]:
    """Per bin of paq8px's cost: bytes in it, and each codec's bytes (bits / 8) on them."""
    rows = []
    for low, high in zip(BIN_EDGES, BIN_EDGES[1:]):
        chosen = (theirs >= low) & (theirs < high)
        rows.append({"low": low, "high": high, "bytes": int(chosen.sum()), "ours": float(ours[chosen].sum() / 8),
                     "paq8px": float(theirs[chosen].sum() / 8)})
    return rows


def report(results: list[dict], codec: str, skip: int) -> str:
    """Markdown: each file's totals, then its bins."""
    lines = [f"# `{codec}` against paq8px -8, byte by byte (benchmarks/byte_costs.py; gencomp {gencomp.__version__})",
             "", f"Code lengths (−log2 p of each byte as the coder codes it), in bytes; bins by paq8px's cost of the "
             f"byte, past each file's first {skip:,} bytes.", ""]
    for r in results:
        lines += [f"## {r['file']} ({r['bytes']:,} bytes): `{codec}` {r['ours'] / 8:,.0f}, paq8px -8 "
                  f"{r['paq8px'] / 8:,.0f}; the first {skip:,} bytes {r['head_ours'] / 8:,.0f} and "
                  f"{r['head_paq8px'] / 8:,.0f}", "",
                  f"| paq8px's bits a byte | bytes | `{codec}` | paq8px -8 | difference |", "|---|---|---|---|---|"]
        for b in r["bins"]:
            high = "" if b["high"] == float("inf") else f"{b['high']:g}"
            lines.append(f"| {b['low']:g}–{high} | {b['bytes']:,} | {b['ours']:,.1f} | {b['paq8px']:,.1f} | "
                         f"{b['ours'] - b['paq8px']:+,.1f} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codec", default="mix")
    parser.add_argument("--files", nargs="+", default=["data.json", "system-log.log", "release-notes.md"])
    parser.add_argument("--bytes-revision", type=int, help="the byte model's revision (default: the codec's own)")
    parser.add_argument("--skip", type=int, default=15_000, help="bytes at each file's start left out of the bins")
    parser.add_argument("--out", default="byte_costs", help="results file stem under benchmarks/results/")
    args = parser.parse_args()
    if not PAQ8PX_COSTS.exists():
        sys.exit(f"{PAQ8PX_COSTS} is missing: build it with benchmarks/build_paq8px.sh --costs")
    codec = get_compressor(args.codec)
    if args.bytes_revision is not None:
        codec = ContextMixingCompressor(codec.name, codec.transformer, model=Bytes(revision=args.bytes_revision),
                                        prime=codec.prime)
    label = args.codec + (f" (byte model revision {args.bytes_revision})" if args.bytes_revision is not None else "")
    results = []
    for entry, _ in collect():
        if entry.name not in args.files:
            continue
        data = entry.path.read_bytes()
        ours, theirs = codec.byte_code_lengths(data), paq8px_code_lengths(entry.path, data)
        results.append({"file": entry.name, "bytes": len(data), "ours": float(ours.sum()), "paq8px": float(theirs.sum()),
                        "head_ours": float(ours[: args.skip].sum()), "head_paq8px": float(theirs[: args.skip].sum()),
                        "bins": bins(ours[args.skip :], theirs[args.skip :])})
        print(f"{entry.name}: {label} {ours.sum() / 8:,.0f} bytes, paq8px {theirs.sum() / 8:,.0f}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"codec": label, "gencomp": gencomp.__version__,
                                                          "skip": args.skip, "files": results}, indent=1) + "\n")
    (RESULTS / f"{args.out}.md").write_text(report(results, label, args.skip) + "\n")


if __name__ == "__main__":
    main()
