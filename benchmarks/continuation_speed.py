"""Audio continuations timed against another commit's package, in one run: seconds to sample 1 s after the kept
second of each shared speech clip, this checkout against `--baseline`'s (a temporary worktree), the two
alternating in fresh processes, `--rounds` times each; and whether both sampled the same clip (sha256).

    python benchmarks/continuation_speed.py --baseline COMMIT [--codecs audio,cm] [--rounds 2] [--out NAME]

Each process samples a 10 ms continuation first, untimed (kernels compiled or loaded, as the app's warm-up does).
Writes benchmarks/results/NAME.{json,md} (default continuation_speed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import report  # benchmarks/report.py
from worktree import REPO, worktree

WORKER = """
import hashlib, json, sys, time
import numpy as np
from gencomp.compressors import get_compressor
from gencomp.media.audio import continue_audio, read_pcm16
codec, path, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
pcm, rate = read_pcm16(path)
samples = np.frombuffer(pcm, "<i2").astype(np.int16)
list(continue_audio(get_compressor(codec), samples, rate, 1.0, 0.01))
start = time.perf_counter()
clip = list(continue_audio(get_compressor(codec), samples, rate, 1.0, seconds))[-1]
print(json.dumps({"seconds": time.perf_counter() - start, "sha256": hashlib.sha256(clip.tobytes()).hexdigest()}))
"""


def sample(tree: Path, codec: str, clip: Path, seconds: float) -> dict:
    """One fresh process of the package at `tree`: {"seconds", "sha256"}."""
    env = dict(os.environ) | {"PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", WORKER, codec, str(clip), str(seconds)], env=env, cwd=tree,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="a commit (or tag) to measure against")
    parser.add_argument("--codecs", default="audio,cm")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds of audio to sample")
    parser.add_argument("--out", default="continuation_speed")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from gencomp.data.corpus import shared_data_dir

    clips = sorted(p for p in (shared_data_dir() / "audio").iterdir() if p.suffix in (".wav", ".flac"))
    rows = []
    with ExitStack() as stack:
        trees = {"this": REPO, "baseline": stack.enter_context(worktree(args.baseline))}
        for codec in args.codecs.split(","):
            for clip in clips:
                runs = {name: [] for name in trees}
                for _ in range(args.rounds):
                    for name, tree in trees.items():
                        runs[name].append(sample(tree, codec, clip, args.seconds))
                row = {"codec": codec, "clip": clip.name,
                       **{f"{name}_seconds": min(r["seconds"] for r in rs) for name, rs in runs.items()},
                       "same_clip": len({r["sha256"] for rs in runs.values() for r in rs}) == 1}
                rows.append(row)
                print(json.dumps(row), flush=True)
    meta = {"baseline": args.baseline, "rounds": args.rounds, "seconds": args.seconds, "cores": os.cpu_count()}
    lines = [f"# Audio continuations: this checkout against {args.baseline} (benchmarks/continuation_speed.py, "
             f"{args.seconds:g} s sampled after 1 s kept, the best of {args.rounds} alternating runs each, "
             f"{os.cpu_count()} cores)", "",
             "| codec | clip | baseline (s) | this (s) | speed-up | same clip |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['codec']} | {r['clip']} | {r['baseline_seconds']:.2f} | {r['this_seconds']:.2f} | "
              f"{r['baseline_seconds'] / r['this_seconds']:.2f}× | {'yes' if r['same_clip'] else 'NO'} |" for r in rows]
    report.write(args.out, meta, rows, lines)


if __name__ == "__main__":
    main()
