"""mix's decoding on two cores against one, in one run: each suite file's archive decoded with the transformer a step
ahead on the second core (gencomp.compressors.mix_stepping.decode_speculating) and with one thread
(decode_stepping), alternating, `--rounds` times each, and how often the guess the second core steps on was the
byte decoded (the match model's byte where it has one, else the transformer's likeliest).

    python benchmarks/speculation.py [--codec mix] [--rounds 2] [--files data.json ...] [--out speculation]

Writes benchmarks/results/NAME.{json,md} (default speculation). Needs two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import report  # benchmarks/report.py
from numba import njit
from suite import SINGLE_FILES, SOURCES, collect

import gencomp
from gencomp import jit
from gencomp.compressors import get_compressor, mix_stepping
from gencomp.models import context_mixing as cmx
from gencomp.models import exact_step


@njit
def _guesses(model, history, start, stop, coder, buf, packed, keys, values, key_norms, meta, window, ext, hits):
    """decode_stepping, counting in hits[0] the bytes decode_speculating's guess names and in hits[1] all."""
    token, fed, never = np.empty((1, 1), np.int64), ext.reshape((1, 1, ext.shape[1])), np.zeros(0, np.int64)
    for pos in range(start, stop):
        guess = mix_stepping.guessed_byte(model[5], ext)
        cmx.decode_bytes(*model, history, cmx.SQUASH, cmx.STRETCH, ext, pos, pos + 1, coder, buf)
        hits[0] += history[pos] == guess
        hits[1] += 1
        if pos + 1 < stop:
            token[0, 0] = history[pos]
            exact_step.advance(token, packed, keys, values, key_norms, meta, window, fed, never, 0)


def hit_rate(blob: bytes) -> float:
    """The share of bytes whose guess was right, decoding `blob` once through _guesses."""
    hits, plain = np.zeros(2, np.int64), mix_stepping.decode

    def counting(model, history, start, stop, coder, buf, packed, cache, window, ext, threads):
        _guesses(model, history, start, stop, coder, buf, packed, *cache, window, ext, hits)

    mix_stepping.decode = counting
    try:
        gencomp.decompress(blob)
    finally:
        mix_stepping.decode = plain
    return float(hits[0] / hits[1])


def decode_seconds(blob: bytes, data: bytes, threads: int) -> float:
    jit.limit_threads(threads)
    start = time.perf_counter()
    if gencomp.decompress(blob) != data:
        raise SystemExit("decoded bytes differ from the input")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codec", default="mix")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--files", nargs="+", default=[entry.name for entry, _ in SOURCES[:SINGLE_FILES]])
    parser.add_argument("--out", default="speculation")
    args = parser.parse_args()
    if jit.threads() < 2 or not mix_stepping.SPECULATES:
        raise SystemExit("speculation needs two cores on a POSIX system")
    files = {entry.name: entry for entry, _ in collect() if entry.name in args.files}
    codec, rows = get_compressor(args.codec), []
    gencomp.decompress(codec.compress(b"warm up " * 3000))
    for name in args.files:
        data = files[name].path.read_bytes()
        blob = codec.compress(data)
        seconds = {1: [], 2: []}
        for _ in range(args.rounds):
            for threads in (1, 2):
                seconds[threads].append(decode_seconds(blob, data, threads))
        row = {"file": name, "bytes": len(data), "one_thread_kbs": len(data) / min(seconds[1]) / 1000,
               "two_threads_kbs": len(data) / min(seconds[2]) / 1000, "hit_rate": hit_rate(blob)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    meta = {"codec": codec.name, "gencomp": gencomp.__version__, "rounds": args.rounds, "cores": os.cpu_count()}
    lines = [f"# `{args.codec}` decoding on two cores against one (benchmarks/speculation.py, gencomp "
             f"{gencomp.__version__}, the best of {args.rounds} alternating runs each, {os.cpu_count()} cores)", "",
             "Whole files, the prime's learning included; guessed: the share of bytes the second core stepped on",
             "ahead.", "", "| file | bytes | one thread (KB/s) | two (KB/s) | speed-up | guessed |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['file']} | {r['bytes']:,} | {r['one_thread_kbs']:.1f} | {r['two_threads_kbs']:.1f} | "
              f"{r['two_threads_kbs'] / r['one_thread_kbs']:.2f}× | {100 * r['hit_rate']:.0f} % |" for r in rows]
    report.write(args.out, meta, rows, lines)


if __name__ == "__main__":
    main()
