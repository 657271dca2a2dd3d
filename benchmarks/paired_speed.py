"""Two codecs' speed measured side by side, for a machine whose speed drifts: two processes at once, one a
core, each coding the same file RUNS / 2 times both ways with its own codec, so that both see the same spells of
slowness; then again with the cores swapped. Per file: each codec's median KB/s of original bytes (compress / decompress) and the median over runs
of B's speed over A's in the same run (the paired ratio), with the archives' sizes; the round trip is checked.

Single runs here drifted by up to ±30 % within a minute (not this process's doing: its CPU time drifted with the
wall clock), enough to hide a 5 % change. Side by side, `cm` against itself (results/paired_speed_cm_itself.md)
came out at 0.93–1.26 on single files, 1.00–1.01 as the median over the files: read a change from that median,
and a file's ratio only beyond that spread.

    python benchmarks/paired_speed.py A B [--runs 10] [--files NAME ...] [--out NAME]

A and B: codec specs (`gencomp codecs`); `cm@0.28`, `cm` as gencomp 0.28 made it (every mixer learning
from every bit); or `SPEC@COMMIT`, the codec as the package at that git commit runs it (a temporary worktree of
this repository, benchmarks/worktree.py): a change that keeps the archives, such as a faster kernel, measured
against the code before it. Files: benchmarks/suite.py's (default: every single file and the tarball).
Writes benchmarks/results/NAME.{json,md} (default paired_speed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from suite import FOLDER, collect  # benchmarks/suite.py
from worktree import worktree  # benchmarks/worktree.py

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def codec(name: str):
    """The codec a name stands for (SPEC@COMMIT: SPEC, the worker running that commit's package)."""
    from gencomp.compressors import get_compressor
    from gencomp.compressors.cm import ContextMixingCompressor
    from gencomp.models.context_mixing import Bytes

    if name == "cm@0.28":
        return ContextMixingCompressor("cm", model=Bytes(revision=3, settle=True))
    return get_compressor(name.split("@")[0])


def environments(names: tuple[str, str], stack: ExitStack) -> dict[str, dict]:
    """The environment each codec's worker runs in: for SPEC@COMMIT, PYTHONPATH at a worktree of COMMIT (closed
    with `stack`)."""
    return {name: dict(os.environ) | ({"PYTHONPATH": str(stack.enter_context(worktree(name.split("@", 1)[1])))}
                                      if "@" in name and name != "cm@0.28" else {})
            for name in names}


def worker(name: str, path: str, runs: int, core: int) -> None:
    """Code the file `runs` times both ways with codec `name` on CPU `core` (where the system lets a process
    choose); print one JSON line of seconds and bytes."""
    import os

    import gencomp

    if hasattr(os, "sched_setaffinity") and core in os.sched_getaffinity(0):
        os.sched_setaffinity(0, {core})

    chosen, data = codec(name), Path(path).read_bytes()
    gencomp.decompress(chosen.compress(b"warm up " * 1000))  # compiled code loaded
    seconds = {"compress": [], "decompress": []}
    for _ in range(runs):
        start = time.perf_counter()
        blob = chosen.compress(data)
        seconds["compress"].append(time.perf_counter() - start)
        start = time.perf_counter()
        back = gencomp.decompress(blob)
        seconds["decompress"].append(time.perf_counter() - start)
        assert back == data, f"{name} did not round-trip {path}"
    print(json.dumps({"bytes": len(blob), **seconds}))


def side_by_side(a: str, b: str, path: Path, runs: int, envs: dict[str, dict]) -> dict:
    """Both workers at once on `path`, A on core 0 and B on core 1 for half the runs, then the other way round (the
    cores need not be alike), each in its environment (`environments`); their results, keyed by label (`B (again)`
    where B is A)."""
    labels = label_pair(a, b)
    out = {label: {"compress": [], "decompress": []} for label in labels}
    for cores in ((0, 1), (1, 0)):
        procs = [subprocess.Popen([sys.executable, __file__, "--worker", name, str(path), str(max(runs // 2, 1)),
                                   str(core)], stdout=subprocess.PIPE, text=True, cwd=HERE, env=envs[name])
                 for name, core in zip((a, b), cores)]
        for label, proc in zip(labels, procs):
            stdout, _ = proc.communicate()
            if proc.returncode:
                raise SystemExit(f"{label} failed on {path.name}")
            result = json.loads(stdout.strip().splitlines()[-1])
            out[label]["bytes"] = result["bytes"]
            for way in ("compress", "decompress"):
                out[label][way] += result[way]
    return out


def label_pair(a: str, b: str) -> tuple[str, str]:
    """The two codecs' labels: their names, B's marked when it is A (a check of the method)."""
    return (a, b) if a != b else (a, f"{b} (again)")


def summary(a: str, b: str, size: int, result: dict) -> dict:
    """Medians (KB/s) and paired ratios (B over A, median over runs) both ways."""
    row = {"bytes": size, a: {"archive": result[a]["bytes"]}, b: {"archive": result[b]["bytes"]}}
    for way in ("compress", "decompress"):
        for name in (a, b):
            row[name][way] = size / statistics.median(result[name][way]) / 1e3
        row[f"{way}_ratio"] = statistics.median(x / y for x, y in zip(result[a][way], result[b][way]))
    return row


def markdown(a: str, b: str, runs: int, rows: dict) -> str:
    lines = [f"`{b}` against `{a}` (benchmarks/paired_speed.py): both at once, one a core, {runs} runs each way "
             "a file; KB/s of original bytes, medians; paired ratio: the median over runs of "
             f"`{b}`'s speed over `{a}`'s in the same run.", "",
             f"| file | bytes | `{a}` archive | `{b}` archive | `{a}` KB/s | `{b}` KB/s | paired ratio compress | "
             "paired ratio decompress |", "|---|---|---|---|---|---|---|---|"]
    for name, row in rows.items():
        lines.append(f"| {name} | {row['bytes']:,} | {row[a]['archive']:,} | {row[b]['archive']:,} | "
                     f"{row[a]['compress']:.0f} / {row[a]['decompress']:.0f} | "
                     f"{row[b]['compress']:.0f} / {row[b]['decompress']:.0f} | "
                     f"{row['compress_ratio']:.3f} | {row['decompress_ratio']:.3f} |")
    ratios = {way: [row[f"{way}_ratio"] for row in rows.values()] for way in ("compress", "decompress")}
    spans = [f"{way} {min(r):.3f}–{max(r):.3f} (median {statistics.median(r):.3f})" for way, r in ratios.items()]
    lines += ["", f"Paired ratio over the files: {', '.join(spans)}."]
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--files", nargs="*", help="suite file names (default: all but the concatenation)")
    parser.add_argument("--out", default="paired_speed")
    args = parser.parse_args()
    collected = [entry.name for entry, _ in collect()]  # writes the suite's files
    names = args.files or [name for name in collected if name != "suite-concatenated"]
    a, b = label_pair(args.a, args.b)
    rows = {}
    with ExitStack() as stack:
        envs = environments((args.a, args.b), stack)
        for name in names:
            path = FOLDER / name
            rows[name] = summary(a, b, path.stat().st_size, side_by_side(args.a, args.b, path, args.runs, envs))
            print(name, json.dumps(rows[name]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"a": a, "b": b, "runs": args.runs, "files": rows}, indent=1))
    report = markdown(a, b, args.runs, rows)
    (RESULTS / f"{args.out}.md").write_text(report + "\n")
    print(report)


if __name__ == "__main__":
    main()
