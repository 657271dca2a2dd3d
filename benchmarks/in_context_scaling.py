"""How `mix`, `cm` and paq8px -8 gain from what they have already seen: the suite's C++ source tree
(benchmarks/suite.py's tarball, its members' contents back to back, without tar's headers and padding) coded
whole and in prefixes, each from a fresh model. Per prefix: the compressed size, % of the original; per stretch
between prefixes: the bytes it added, % of its length (what the stretch costs after all before it).

`mix` leads paq8px on single files of 100-200 KB (benchmarks/results/adaptive.md) and trails it on the tarball;
this shows where: a stretch late in a long input costs paq8px less than it costs `mix`, whose transformer
brings the same to every stretch while paq8px's models keep learning from the input.

    python benchmarks/in_context_scaling.py [--prefixes 150000 450000]

Writes benchmarks/results/in_context_scaling.{json,md}. paq8px: built by benchmarks/build_paq8px.sh (skipped
with a note where it is not).
"""

from __future__ import annotations

import argparse
import json
import tarfile
from pathlib import Path

from adaptive import external, gencomp_codec  # benchmarks/adaptive.py
from suite import FOLDER, collect  # benchmarks/suite.py

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TARBALL = "source-tree.tar"
CODECS = ["mix", "cm"]
PEER = "paq8px -8"


def members(tarball: Path) -> bytes:
    """The regular files' contents of a tarball, in its order, back to back."""
    with tarfile.open(tarball) as tar:
        return b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())


def sizes(data: bytes) -> dict[str, int | None]:
    """Compressed bytes of `data` by each codec and the peer (None: peer not installed)."""
    out = {spec: gencomp_codec(spec, data, repeats=1, decode=False)["bytes"] for spec in CODECS}
    peer = external(PEER, data)
    out[PEER] = peer["bytes"] if peer else None
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefixes", type=int, nargs="+", default=[150_000, 450_000])
    args = parser.parse_args(argv)
    collect()
    data = members(FOLDER / TARBALL)
    lengths = sorted({n for n in args.prefixes if n < len(data)} | {len(data)})
    rows = []
    for n in lengths:
        print(f"{n:,} bytes …", flush=True)
        rows.append({"bytes": n, "sizes": sizes(data[:n])})
        print(json.dumps(rows[-1]), flush=True)
    result = {"source": f"{TARBALL} members' contents ({len(data):,} bytes)", "rows": rows}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "in_context_scaling.json").write_text(json.dumps(result, indent=1) + "\n")
    (RESULTS / "in_context_scaling.md").write_text(markdown(result))
    print(markdown(result))
    return 0


def markdown(result: dict) -> str:
    names = CODECS + [PEER]
    lines = [f"# In-context learning: {result['source']}, coded in prefixes from fresh models", "",
             *_header("prefix, bytes", names)]
    for row in result["rows"]:
        cells = [_pct(row["sizes"][n], row["bytes"]) for n in names]
        lines.append(f"| {row['bytes']:,} | " + " | ".join(cells) + f" | {_ratio(row['sizes'], 'mix')} |")
    lines += ["", "Each stretch between prefixes: what it added to the archive, % of its length", "",
              *_header("stretch, bytes", names)]
    previous = {"bytes": 0, "sizes": {n: 0 for n in names}}
    for row in result["rows"]:
        span = row["bytes"] - previous["bytes"]
        added = {n: None if row["sizes"][n] is None else row["sizes"][n] - previous["sizes"][n] for n in names}
        cells = [_pct(added[n], span) for n in names]
        lines.append(f"| {previous['bytes']:,}–{row['bytes']:,} | " + " | ".join(cells)
                     + f" | {_ratio(added, 'mix')} |")
        previous = row
    return "\n".join(lines) + "\n"


def _header(first: str, names: list[str]) -> list[str]:
    """A table's header row and rule: `first`, then each codec's and the peer's %, then mix over the peer."""
    cells = [f"`{n}` %" if n in CODECS else f"{n} %" for n in names]
    return [f"| {first} | " + " | ".join(cells) + f" | `mix` / {PEER} |", "|---" * (len(names) + 2) + "|"]


def _pct(size: int | None, length: int) -> str:
    return "—" if size is None else f"{100 * size / length:.2f}"


def _ratio(sizes: dict, codec: str) -> str:
    return "—" if sizes[PEER] is None else f"{sizes[codec] / sizes[PEER]:.3f}"


if __name__ == "__main__":
    raise SystemExit(main())
