"""Where a gencomp codec and paq8px -8 spend their bits, byte by byte: each byte's code length under both, summed by
how sure paq8px was of the byte. A gap on the bytes paq8px codes in under 0.01 bits is a gap in confidence (how near
certainty the model dares to go); one on the bytes it codes in 3 bits or more, in knowledge. The costs are also summed
by where in the file they fall (SPANS): `mix` starts from its prime and a trained transformer, paq8px from nothing, so
a file's first tens of KB show what priors bring, the rest how well each learns from the file itself. With the suite's
concatenation and its nine files in one run (--files all), each file inside the concatenation against alone: what each
codec gains from the files before.

    python benchmarks/byte_costs.py [--codec mix] [--bytes-revision N] [--skip 15000] [--out byte_costs]
                                    [--files data.json system-log.log release-notes.md | --files all]

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
from suite import SINGLE_FILES, SOURCES, collect  # benchmarks/suite.py

import gencomp
from gencomp.compressors import get_compressor
from gencomp.compressors.cm import ContextMixingCompressor
from gencomp.models.context_mixing import Bytes

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PAQ8PX_COSTS = HERE / "peers" / "bin" / "paq8px-costs"
BIN_EDGES = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, float("inf"))  # bits a byte, by paq8px's cost
SPANS = (0, 5_000, 20_000, 50_000, 100_000, None)  # where in the file, bytes from its start
STEADY_BYTES = 50_000  # the summary's split: a file's start (priors pay) and the rest (learning from the file)
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


def spans(ours: np.ndarray, theirs: np.ndarray) -> list[dict]:
    """Per span of the file (SPANS; the last to the end): its bytes and each codec's bytes (bits / 8) on them."""
    edges = [e if e is not None else len(ours) for e in SPANS]
    return [{"start": start, "stop": stop, "ours": float(ours[start:stop].sum() / 8),
             "paq8px": float(theirs[start:stop].sum() / 8)} for start, stop in zip(edges, edges[1:]) if start < stop]


def summary(results: list[dict], codec: str) -> list[str]:
    """Markdown: per file, the codec's bytes over paq8px's in its first STEADY_BYTES and after."""
    lines = [f"## Where in the file: `{codec}`'s bytes over paq8px's", "",
             f"| file | first {STEADY_BYTES:,} bytes | the rest | whole |", "|---|---|---|---|"]
    for r in results:
        head = [s for s in r["spans"] if s["stop"] <= STEADY_BYTES]
        rest = [s for s in r["spans"] if s["start"] >= STEADY_BYTES]
        ratio = [sum(s["ours"] for s in part) / sum(s["paq8px"] for s in part) for part in (head, rest)]
        lines.append(f"| {r['file']} | {ratio[0]:.3f} | {ratio[1]:.3f} | {r['ours'] / r['paq8px']:.3f} |")
    return lines + [""]


def members(costs: dict) -> list[dict]:
    """Each single file as coded inside the suite's concatenation (costs: file name -> (ours, paq8px) bits a byte)
    against alone: its bytes under both codecs both ways. Empty unless the run had the concatenation and its files."""
    names = [entry.name for entry, _ in SOURCES[:SINGLE_FILES]]
    if "suite-concatenated" not in costs or not all(name in costs for name in names):
        return []
    joined, at, rows = costs["suite-concatenated"], 0, []
    for name in names:
        alone = costs[name]
        size = len(alone[0])
        rows.append({"file": name, "ours_alone": float(alone[0].sum() / 8), "paq8px_alone": float(alone[1].sum() / 8),
                     "ours_joined": float(joined[0][at : at + size].sum() / 8),
                     "paq8px_joined": float(joined[1][at : at + size].sum() / 8)})
        at += size
    return rows


def member_lines(rows: list[dict], codec: str) -> list[str]:
    """Markdown: the members table (`members`), with each codec's gain from the files before."""
    if not rows:
        return []
    lines = ["## Each file inside the concatenated suite, against alone (bytes)", "", f"| file | `{codec}` alone | "
             "in the suite | gain | paq8px -8 alone | in the suite | gain |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['file']} | {r['ours_alone']:,.0f} | {r['ours_joined']:,.0f} | "
                     f"{1 - r['ours_joined'] / r['ours_alone']:.1%} | {r['paq8px_alone']:,.0f} | "
                     f"{r['paq8px_joined']:,.0f} | {1 - r['paq8px_joined'] / r['paq8px_alone']:.1%} |")
    return lines + [""]


def report(results: list[dict], codec: str, skip: int, joined: list[dict]) -> str:
    """Markdown: where in the files the codec gains or loses, then each file's totals, bins and spans."""
    lines = [f"# `{codec}` against paq8px -8, byte by byte (benchmarks/byte_costs.py; gencomp {gencomp.__version__})",
             "", f"Code lengths (−log2 p of each byte as the coder codes it), in bytes; bins by paq8px's cost of the "
             f"byte, past each file's first {skip:,} bytes.", ""]
    lines += summary(results, codec) + member_lines(joined, codec)
    for r in results:
        lines += [f"## {r['file']} ({r['bytes']:,} bytes): `{codec}` {r['ours'] / 8:,.0f}, paq8px -8 "
                  f"{r['paq8px'] / 8:,.0f}; the first {skip:,} bytes {r['head_ours'] / 8:,.0f} and "
                  f"{r['head_paq8px'] / 8:,.0f}", "",
                  f"| paq8px's bits a byte | bytes | `{codec}` | paq8px -8 | difference |", "|---|---|---|---|---|"]
        for b in r["bins"]:
            high = "" if b["high"] == float("inf") else f"{b['high']:g}"
            lines.append(f"| {b['low']:g}–{high} | {b['bytes']:,} | {b['ours']:,.1f} | {b['paq8px']:,.1f} | "
                         f"{b['ours'] - b['paq8px']:+,.1f} |")
        lines += ["", f"| bytes of the file | `{codec}` | paq8px -8 | ratio |", "|---|---|---|---|"]
        lines += [f"| {s['start']:,}–{s['stop']:,} | {s['ours']:,.1f} | {s['paq8px']:,.1f} | "
                  f"{s['ours'] / s['paq8px']:.3f} |" for s in r["spans"]]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codec", default="mix")
    parser.add_argument("--files", nargs="+", default=["data.json", "system-log.log", "release-notes.md"],
                        help="suite files by name, or all")
    parser.add_argument("--bytes-revision", type=int, help="the byte model's revision (default: the codec's own)")
    parser.add_argument("--skip", type=int, default=15_000, help="bytes at each file's start left out of the bins")
    parser.add_argument("--out", default="byte_costs", help="results file stem under benchmarks/results/")
    args = parser.parse_args()
    if args.files == ["all"]:
        args.files = [entry.name for entry, _ in SOURCES]
    if not PAQ8PX_COSTS.exists():
        sys.exit(f"{PAQ8PX_COSTS} is missing: build it with benchmarks/build_paq8px.sh --costs")
    codec = get_compressor(args.codec)
    if args.bytes_revision is not None:
        codec = ContextMixingCompressor(codec.name, codec.transformer, model=Bytes(revision=args.bytes_revision),
                                        prime=codec.prime)
    label = args.codec + (f" (byte model revision {args.bytes_revision})" if args.bytes_revision is not None else "")
    results, costs = [], {}
    for entry, _ in collect():
        if entry.name not in args.files:
            continue
        data = entry.path.read_bytes()
        try:
            theirs = paq8px_code_lengths(entry.path, data)
        except RuntimeError as exc:  # paq8px parses a tarball into blocks it codes apart: no byte-aligned costs
            print(f"skipped {entry.name}: {exc}", flush=True)
            continue
        ours = codec.byte_code_lengths(data)
        costs[entry.name] = ours, theirs
        results.append({"file": entry.name, "bytes": len(data), "ours": float(ours.sum()), "paq8px": float(theirs.sum()),
                        "head_ours": float(ours[: args.skip].sum()), "head_paq8px": float(theirs[: args.skip].sum()),
                        "bins": bins(ours[args.skip :], theirs[args.skip :]), "spans": spans(ours, theirs)})
        print(f"{entry.name}: {label} {ours.sum() / 8:,.0f} bytes, paq8px {theirs.sum() / 8:,.0f}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    joined = members(costs)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"codec": label, "gencomp": gencomp.__version__,
                                                          "skip": args.skip, "files": results, "members": joined},
                                                         indent=1) + "\n")
    (RESULTS / f"{args.out}.md").write_text(report(results, label, args.skip, joined) + "\n")


if __name__ == "__main__":
    main()
