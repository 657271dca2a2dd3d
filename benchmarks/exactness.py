"""Rate and speed of every model codec before and after a change to the probability path, in one run.

Checks out BASELINE (a git revision, default: the commit before the integer-exact path) and
REVISION (default HEAD) into temporary worktrees and runs the same measurement in both, codec by
codec, alternating, each in its own process: compressed size as % of the input (the payloads:
headers differ), the ideal code length Σ −log2 p per byte with the coder's own frequencies (what a
change to the probability path moves), and compress / decompress bytes per second (the fastest of
REPEATS runs), on held-out Wikipedia, man pages, image patches and speech.

    python benchmarks/exactness.py [--baseline REV] [--revision REV] [--max-bytes 16384] [--codecs cm lm:tiny ...] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from worktree import worktree  # benchmarks/worktree.py

DEFAULT_BASELINE = "e91b12d"  # last commit whose coder took np.exp of float log-probabilities
DEFAULT_CODECS = ["cm", "lm:tiny", "mix:tiny", "lm:small", "mix:small"]
REPEATS = 3


def datasets(max_bytes: int) -> dict[str, bytes]:
    from gencomp.data.corpus import shared_data_dir
    from gencomp.evaluation.datasets import modality_bytes

    def middle(data: bytes) -> bytes:  # past the silence that opens the speech files
        return data[len(data) // 2 :][:max_bytes]

    man = (shared_data_dir() / "corpus" / "man-pages.txt").read_bytes()
    return {"wikitext": modality_bytes("text", max_bytes), "man-pages": middle(man),
            "image": middle(modality_bytes("image", 1 << 20)), "audio": middle(modality_bytes("audio", 1 << 20))}


def measure(codec: str, max_bytes: int) -> list[dict]:
    """Run inside the tree under test: one row per dataset."""
    import gencomp

    try:  # framed archives (format 3) and whole ones alike
        from gencomp.archive.stream import summarize

        def payload_bytes(blob: bytes) -> int:
            return summarize(blob).payload_bytes
    except ImportError:  # a revision from before format 3
        from gencomp.archive.legacy import unpack

        def payload_bytes(blob: bytes) -> int:
            return sum(map(len, unpack(blob).payloads))

    if not Path(gencomp.__file__).is_relative_to(Path.cwd()):
        raise RuntimeError(f"measuring {gencomp.__file__}, not the tree in {Path.cwd()}")
    rows = []
    for name, data in datasets(max_bytes).items():
        compressor = gencomp.get_compressor(codec)
        gencomp.decompress(compressor.compress(data[:4096]))  # compile and load outside the timing
        t_compress = t_decompress = float("inf")
        for _ in range(REPEATS):  # the fastest of a few runs: the machine's noise only slows runs down
            start = time.perf_counter()
            blob = compressor.compress(data)
            t_compress = min(t_compress, time.perf_counter() - start)
            start = time.perf_counter()
            assert gencomp.decompress(blob) == data, f"{codec} failed to round-trip {name}"
            t_decompress = min(t_decompress, time.perf_counter() - start)
        ideal_bits = compressor.code_length_bits(data)  # Σ −log2 p with the coder's own frequencies
        rows.append({"codec": codec, "data": name, "bytes": len(data), "rate_percent": 100 * payload_bytes(blob) / len(data),
                     "ideal_bits_per_byte": ideal_bits / len(data),
                     "compress_bytes_per_s": len(data) / t_compress, "decompress_bytes_per_s": len(data) / t_decompress})
    return rows


def run_in(tree: Path, codec: str, max_bytes: int) -> list[dict]:
    from gencomp.data.corpus import shared_data_dir

    env = dict(os.environ, PYTHONPATH=str(tree), GENCOMP_DATA=str(shared_data_dir()))
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure", codec, "--max-bytes", str(max_bytes)],
                         cwd=tree, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=DEFAULT_BASELINE)
    parser.add_argument("--revision", default="HEAD")
    parser.add_argument("--codecs", nargs="+", default=DEFAULT_CODECS)
    parser.add_argument("--max-bytes", type=int, default=16384)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.max_bytes)))
        return
    rows = []
    with worktree(args.baseline) as before, worktree(args.revision) as after:  # each loads its own shipped models
        for codec in args.codecs:
            for label, tree in (("before", before), ("after", after)):
                rows += [dict(r, version=label) for r in run_in(tree, codec, args.max_bytes)]
                print(f"measured {codec} {label}", file=sys.stderr)
    table = {(r["codec"], r["data"], r["version"]): r for r in rows}
    print(f"{args.baseline} (before) vs {args.revision} (after), {args.max_bytes} bytes per dataset; "
          "rate = payload bytes / input bytes")
    print(f"{'codec':<11}{'data':<11}{'rate before':>12}{'rate after':>11}{'Δ ideal bits/byte':>18}"
          f"{'compress B/s before':>20}{'after':>12}{'decompress B/s before':>22}{'after':>12}")
    for codec in args.codecs:
        for data in datasets_names(rows, codec):
            b, a = table[codec, data, "before"], table[codec, data, "after"]
            delta = a["ideal_bits_per_byte"] - b["ideal_bits_per_byte"]
            print(f"{codec:<11}{data:<11}{b['rate_percent']:>11.3f}%{a['rate_percent']:>10.3f}%{delta:>+18.6f}"
                  f"{b['compress_bytes_per_s']:>20,.0f} {a['compress_bytes_per_s']:>11,.0f}"
                  f"{b['decompress_bytes_per_s']:>22,.0f} {a['decompress_bytes_per_s']:>11,.0f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


def datasets_names(rows: list[dict], codec: str) -> list[str]:
    return list(dict.fromkeys(r["data"] for r in rows if r["codec"] == codec))


if __name__ == "__main__":
    main()
