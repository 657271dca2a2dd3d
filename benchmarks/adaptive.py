"""cm and mix against xz, brotli, bzip3, zstd, zpaq and paq8px on the files people bring (benchmarks/suite.py).

Every file is compressed whole by every codec in one run; gencomp's archives are checked to round-trip
and counted in full (header included). Speeds are KB/s of original bytes, measured in this process
after one warm-up run (numba's compiled code loaded), the faster of two runs where they are short,
on whatever cores the machine has.

    python benchmarks/adaptive.py                  # writes benchmarks/results/adaptive.{json,md}
    python benchmarks/adaptive.py --codecs cm      # gencomp codecs to run (default: cm mix, mix being mix:tiny-v2)
    python benchmarks/adaptive.py --codecs mix:small-v3 mix:small8 --peers --no-decode --out adaptive_mix_small8 \
        --files manual-en.txt docs-markdown.md ...   # no peers, sizes only, some files

Peers: `xz -9e`, `brotli -q 11 -w 24` (python brotli), `bzip3` (16 MiB blocks), `zstd --ultra -22`,
`zpaq a -m5` (the archive file's size), `paq8px -8` (v216, built by benchmarks/build_paq8px.sh); zpaq's
and paq8px's speeds are measured too (one run each, the program started per file, as a user runs it).
Debian: apt-get install xz-utils bzip3 zstd zpaq. A peer that is not installed is skipped, by name.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import brotli
from peers import program  # benchmarks/peers.py, beside this script

import gencomp
from gencomp.compressors import get_compressor

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def external(name: str, data: bytes) -> dict | None:
    """{"bytes": compressed size} by a peer program (archivers: also compress / decompress KB/s, checked
    to round-trip), or None when it is not installed."""
    commands = {"xz -9e": ["xz", "-9e", "-c"], "bzip3": ["bzip3", "-e", "-c"], "zstd -22": ["zstd", "--ultra", "-22", "-c"]}
    if name == "brotli -11":
        return {"bytes": len(brotli.compress(data, quality=11, lgwin=24))}
    if name == "zpaq -m5":
        return shutil.which("zpaq") and _archiver(data, ["zpaq", "a", "f.zpaq", "f", "-m5"],
                                                  ["zpaq", "x", "f.zpaq", "-to", "back"], "f.zpaq", "back/f", repeats=2)
    if name == "paq8px -8":
        paq8px = program("paq8px")
        return paq8px and _archiver(data, [paq8px, "-8", "f", "f.paq8px"], [paq8px, "-d", "f.paq8px", "back"],
                                    "f.paq8px", "back")
    command = commands[name]
    if not shutil.which(command[0]):
        return None
    return {"bytes": len(subprocess.run(command, input=data, check=True, capture_output=True).stdout)}


def _archiver(data: bytes, compress: list[str], decompress: list[str], archive: str, restored: str,
              repeats: int = 1) -> dict:
    """An archiver run on `data` as file f in a scratch folder: archive size and KB/s both ways (the
    faster of `repeats` runs each way, each in a fresh folder)."""
    seconds = {"compress": [], "decompress": []}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "f").write_bytes(data)
            for way, command in (("compress", compress), ("decompress", decompress)):
                started = time.perf_counter()
                subprocess.run(command, cwd=folder, check=True, capture_output=True)
                seconds[way].append(time.perf_counter() - started)
            assert (Path(folder) / restored).read_bytes() == data, f"{compress[0]} did not round-trip"
            size = (Path(folder) / archive).stat().st_size
    return {"bytes": size, "compress_kbs": len(data) / min(seconds["compress"]) / 1e3,
            "decompress_kbs": len(data) / min(seconds["decompress"]) / 1e3}


PEERS = ["xz -9e", "brotli -11", "bzip3", "zstd -22", "zpaq -m5", "paq8px -8"]
TIMED_PEERS = ["zpaq -m5", "paq8px -8"]  # the speeds issue 35's goals compare with


def gencomp_codec(spec: str, data: bytes, repeats: int = 2, decode: bool = True) -> dict:
    """Archive size and compress / decompress speed (KB/s, the faster of `repeats` runs where a run both ways
    takes under 20 s: single runs here varied by ±30 %, and a 1.4 MB file's first `cm` run by 10–20 %; zpaq
    is timed the same way), verified to round-trip; without decode, the size and compress speed of one run."""
    codec = get_compressor(spec)
    times = {"compress": [], "decompress": []}
    for _ in range(repeats):
        started = time.perf_counter()
        blob = codec.compress(data)
        times["compress"].append(time.perf_counter() - started)
        if not decode:
            return {"bytes": len(blob), "compress_kbs": len(data) / times["compress"][0] / 1e3}
        started = time.perf_counter()
        back = gencomp.decompress(blob)
        times["decompress"].append(time.perf_counter() - started)
        assert back == data, f"{spec} did not round-trip"
        if times["compress"][-1] + times["decompress"][-1] > 20:
            break
    return {"bytes": len(blob), "compress_kbs": len(data) / min(times["compress"]) / 1e3,
            "decompress_kbs": len(data) / min(times["decompress"]) / 1e3}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codecs", nargs="+", default=["cm", "mix"])
    parser.add_argument("--peers", nargs="*", default=PEERS, choices=PEERS,
                        help=f"peers to run (default: {', '.join(PEERS)})")
    parser.add_argument("--out", default="adaptive", help="results file stem under benchmarks/results/")
    parser.add_argument("--no-decode", action="store_true", help="sizes and compress speed only (slow models)")
    parser.add_argument("--files", nargs="+", help="only these files of the suite (default: all)")
    parser.add_argument("--steady-bytes", type=int, default=2_000_000,
                        help="cm's speed is also measured on this much of ../shared/data/corpus/python-docs.txt")
    args = parser.parse_args(argv)

    from suite import collect  # benchmarks/suite.py

    from gencomp.data.corpus import shared_data_dir

    files = [(entry, digest) for entry, digest in collect() if not args.files or entry.name in args.files]
    for spec in args.codecs:  # warm up: load every compiled kernel once
        gencomp_codec(spec, files[0][0].path.read_bytes()[:5000])
    rows = []
    for entry, digest in files:
        data = entry.path.read_bytes()
        row = {"file": entry.name, "kind": entry.kind, "source": entry.source, "sha256": digest, "bytes": len(data)}
        for peer in args.peers:
            row[peer] = external(peer, data) or None
            if row[peer] is None and not rows:
                print(f"{peer}: not installed, skipped (paq8px: benchmarks/build_paq8px.sh)", flush=True)
        for spec in args.codecs:
            row[spec] = gencomp_codec(spec, data, decode=not args.no_decode)
            print(f"{entry.name:18} {spec:9} {100 * row[spec]['bytes'] / len(data):6.2f} %  "
                  f"{row[spec]['compress_kbs']:6.1f} / {row[spec].get('decompress_kbs', 0):6.1f} KB/s", flush=True)
        rows.append(row)
    corpus = (shared_data_dir() / "corpus" / "python-docs.txt").read_bytes()[: args.steady_bytes]
    steady = {"file": "corpus/python-docs.txt", "bytes": len(corpus), "cm": gencomp_codec("cm", corpus)}
    result = {"machine": platform.processor() or platform.machine(), "cores": os.cpu_count(),
              "gencomp": gencomp.__version__, "codecs": args.codecs, "peers": args.peers, "files": rows, "steady": steady}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(result, indent=1) + "\n")
    (RESULTS / f"{args.out}.md").write_text(markdown(result))
    print(markdown(result))
    return 0


def markdown(result: dict) -> str:
    """The result table: size as % of the original per file, best in bold; then speeds."""
    codecs, peers = result["codecs"], result["peers"]
    lines = [f"Whole-file compressed size, % of the original (lower is better); gencomp {result['gencomp']}, "
             f"{result['cores']} cores. Files: benchmarks/suite.py.", "",
             "| file | kind | bytes | " + " | ".join([f"`{c}`" for c in codecs] + peers) + " |",
             "|---|---|---|" + "---|" * (len(codecs) + len(peers))]
    for row in result["files"]:
        sizes = {name: row[name]["bytes"] for name in codecs + peers if row.get(name)}
        best = min(sizes.values())
        cells = []
        for name in codecs + peers:
            if not row.get(name):
                cells.append("–")
                continue
            text = f"{100 * row[name]['bytes'] / row['bytes']:.2f}"
            cells.append(f"**{text}**" if row[name]["bytes"] == best else text)
        lines.append(f"| {row['file']} | {row['kind']} | {row['bytes']:,} | " + " | ".join(cells) + " |")
    timed = [p for p in TIMED_PEERS if p in peers]
    lines += ["", "Speed, KB/s of original bytes (compress / decompress); gencomp in one process after a warm-up "
              "(best of two runs where a run both ways takes under 20 s: one run for `mix` on the 1.4 MB files), zpaq "
              "best of two runs, paq8px one run:", "",
              "| file | " + " | ".join([f"`{c}`" for c in codecs] + timed) + " |",
              "|---|" + "---|" * (len(codecs) + len(timed))]
    for row in result["files"]:
        lines.append(f"| {row['file']} | " + " | ".join(
            f"{row[c]['compress_kbs']:.0f} / {row[c].get('decompress_kbs', 0):.0f}" if row.get(c) and "compress_kbs" in row[c]
            else "–" for c in codecs + timed) + " |")
    steady = result["steady"]
    lines += ["", f"`cm` on {steady['bytes']:,} bytes of {steady['file']}: {100 * steady['cm']['bytes'] / steady['bytes']:.2f} %, "
              f"{steady['cm']['compress_kbs']:.0f} KB/s compressing, {steady['cm']['decompress_kbs']:.0f} KB/s decompressing.", ""]
    for name in codecs:
        wins = {other: sum(1 for r in result["files"] if r.get(other) and r[name]["bytes"] < r[other]["bytes"])
                for other in [c for c in codecs if c != name] + peers}
        lines.append(f"`{name}` is smaller than " + ", ".join(f"{peer} on {n}/{len(result['files'])}" for peer, n in wins.items())
                     + " files.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
