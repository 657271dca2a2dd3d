"""mix primed against mix unprimed (as 0.21–0.25 coded), and cm so primed against cm: the suite's files whole
and slices of them.

The prime (gencomp/compressors/priming.py) is learned before every stream longer than 16 KiB; a shorter
one is coded as before. Each file of benchmarks/suite.py (the concatenated suite and the tarball left out:
18 minutes more) is coded whole and as slices of SLICES bytes from its middle, by every codec in one run.
`cm` learns no prime (it keeps zpaq -m5's speed); "cm primed" is cm with mix's prime, for comparison.

    python benchmarks/priming.py [--model tiny-v2] [--out priming]

Writes benchmarks/results/OUT.{json,md}.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from byte_revisions import measure  # benchmarks/byte_revisions.py: payload bytes, KB/s both ways
from suite import collect  # benchmarks/suite.py

from gencomp.compressors import get_compressor
from gencomp.compressors.cm import ContextMixingCompressor
from gencomp.compressors.priming import TEXT_PRIME

RESULTS = Path(__file__).resolve().parent / "results"
SLICES = (4096, 17_000, 32_768)
SKIPPED = ("suite-concatenated", "source-tree.tar")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny-v2")
    parser.add_argument("--out", default="priming")
    args = parser.parse_args()
    primed = get_compressor(f"mix:{args.model}")
    unprimed = ContextMixingCompressor(primed.name, primed.transformer, None, primed.model, prime=None)
    pairs = {"mix": (primed, unprimed), "cm": (ContextMixingCompressor("cm", prime=TEXT_PRIME), get_compressor("cm"))}
    for codec, _ in pairs.values():
        codec.compress(b"warm up " * 3000)
    rows = []
    for item, _ in collect():
        if item.name in SKIPPED:
            continue
        full = item.path.read_bytes()
        middle = len(full) // 2
        for size in (*SLICES, len(full)):
            data = full if size == len(full) else full[middle : middle + size]
            for label, (with_prime, without) in pairs.items():
                row = {"codec": label, "file": item.name, "bytes": len(data),
                       "primed": measure(with_prime, data), "unprimed": measure(without, data)}
                row["ratio"] = row["primed"]["bytes"] / row["unprimed"]["bytes"]
                rows.append(row)
                print(f"{label:3s} {item.name:20s} {len(data):8,d} primed {row['primed']['bytes']:7,d} unprimed "
                      f"{row['unprimed']['bytes']:7,d} ratio {row['ratio']:.3f}", flush=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"model": args.model, "rows": rows}, indent=1) + "\n")
    (RESULTS / f"{args.out}.md").write_text(markdown(rows, primed.name) + "\n")


def markdown(rows: list[dict], name: str) -> str:
    lines = [f"Primed against unprimed, payload bytes primed / unprimed (below 1 favours the prime): `mix` is "
             f"`{name}` (primed from gencomp 0.26; unprimed as 0.21–0.25), `cm` primed with the same prime for "
             "comparison (`cm` itself is not primed). benchmarks/priming.py, one run, 2 cores. Streams of 16 KiB or "
             "less learn no prime (the 4,096-byte slices: 1.000 by construction)."]
    files = list(dict.fromkeys(r["file"] for r in rows))
    for codec in dict.fromkeys(r["codec"] for r in rows):
        mine = [r for r in rows if r["codec"] == codec]
        lines += ["", f"`{codec}`:", "", "| file | " + " | ".join(f"{s:,} B" for s in SLICES) + " | whole file |",
                  "|---|" + "---|" * (len(SLICES) + 1)]
        lines += [f"| {file} | " + " | ".join(f"{r['ratio']:.3f}" for r in mine if r["file"] == file) + " |"
                  for file in files]
        lines += ["", f"`{codec}`, whole files: payload bytes, and KB/s of original bytes (compress / decompress; "
                  "the prime's learning included):", "",
                  "| file | bytes | primed | unprimed | primed KB/s | unprimed KB/s |", "|---|---|---|---|---|---|"]
        for file in files:
            r = [r for r in mine if r["file"] == file][-1]
            p, u = r["primed"], r["unprimed"]
            lines.append(f"| {file} | {r['bytes']:,} | {p['bytes']:,} | {u['bytes']:,} | {p['compress_kbps']:.1f} / "
                         f"{p['decompress_kbps']:.1f} | {u['compress_kbps']:.1f} / {u['decompress_kbps']:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
