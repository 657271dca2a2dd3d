"""Where the integer-exact transformer's time goes, per byte on one core: linear layers, attention, the rest.

Decoding feeds one position of 2 streams at a time (LMCompressor.batch_chunks), encoding 64
positions of a stream (exact_transformer.FEED_BLOCK). Each is timed over held-out text after 300
positions of context, with the model's attention window and with a window of 1 (attention then
reads one position: the difference is attention's share); the linear layers are timed alone on
the same number of rows. The rest (norms, grids, the output table) is what is left.

    python benchmarks/exact_profile.py [--models tiny-v2,small-v2] [--windows 256,1024] [--out exact_profile]

Writes benchmarks/results/OUT.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from numba import njit

from gencomp.data.corpus import text_corpus
from gencomp.models import exact_step
from gencomp.models.zoo import load_byte_transformer

RESULTS = Path(__file__).resolve().parent / "results"
SOURCE = "corpus/man-pages.txt"
CONTEXT, TIMED = 300, 512  # positions fed before timing, and timed


def feed_seconds(model, text: np.ndarray, rows: int, block: int) -> float:
    """Seconds a byte to feed `rows` streams `block` positions at a time (best of 3)."""
    best = float("inf")
    for _ in range(3):
        state = model.start(rows)
        out = np.empty((rows, block, 256), np.int64)
        streams = np.stack([np.roll(text, 97 * r)[: CONTEXT + TIMED] for r in range(rows)])
        for t in range(0, CONTEXT, block):
            exact_step.advance(np.ascontiguousarray(streams[:, t : t + block]), model.packed, *state.arrays,
                               model.cfg.attention_window, out, exact_step.NEVER, 0)
        start = time.perf_counter()
        for t in range(CONTEXT, CONTEXT + TIMED, block):
            exact_step.advance(np.ascontiguousarray(streams[:, t : t + block]), model.packed, *state.arrays,
                               model.cfg.attention_window, out, exact_step.NEVER, 0)
        best = min(best, (time.perf_counter() - start) / (rows * TIMED))
    return best


def linear_seconds(model, rows: int) -> float:
    """Seconds a byte in the linear layers (every layer's four and the output layer), `rows` rows at a time."""
    (_, _, _, qkv_w, qkv_s, proj_w, proj_s, up_w, up_s, down_w, down_s, _, _, head_w, head_s, passes) = model.packed[:16]
    rng = np.random.default_rng(0)
    total = 0.0
    layers = [(qkv_w[0], qkv_s[0], passes[0]), (proj_w[0], proj_s[0], passes[1]), (up_w[0], up_s[0], passes[2]),
              (down_w[0], down_s[0], passes[3])]
    for weights, scales, kind in layers:
        total += model.cfg.n_layers * _time_linear(rng, weights, scales, kind, rows)
    return total + _time_linear(rng, head_w, head_s, passes[4], rows)


def _time_linear(rng, weights: np.ndarray, scales: np.ndarray, passes: int, rows: int) -> float:
    inputs = 2 * weights.shape[0]  # pairs of inputs (an odd count is padded)
    x = np.round(rng.normal(0, 2000, (rows, inputs)))
    out = np.empty((rows, len(scales)))
    scratch = exact_step.linear_scratch(inputs, weights.shape[1])
    _repeat_linear(x, weights, scales, passes, out, scratch, 1)
    reps = 2000
    start = time.perf_counter()
    _repeat_linear(x, weights, scales, passes, out, scratch, reps)
    return (time.perf_counter() - start) / (reps * rows)


@njit
def _repeat_linear(x, weights, scales, passes, out, scratch, reps):
    """exact_step._linear `reps` times in one compiled loop: a call from Python costs as much as a small layer."""
    for _ in range(reps):
        exact_step._linear(x, weights, scales, passes, out, scratch)


def profile(name: str, window: int, text: np.ndarray) -> dict:
    model = load_byte_transformer(name).with_window(window)
    row = {"model": name, "window": window}
    for path, rows, block in (("decode", 2, 1), ("encode", 1, 64)):
        total = feed_seconds(model, text, rows, block)
        attention = total - feed_seconds(model.with_window(1), text, rows, block)
        linear = linear_seconds(model, rows * block)
        row[path] = {"total": 1e6 * total, "attention": 1e6 * attention, "linear": 1e6 * linear,
                     "rest": 1e6 * (total - attention - linear)}
    print(json.dumps(row))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="tiny-v2,small-v2")
    parser.add_argument("--windows", default="256", help="attention windows, comma-separated")
    parser.add_argument("--out", default="exact_profile", help="results file stem under benchmarks/results/")
    args = parser.parse_args()
    text = np.frombuffer(text_corpus("heldout", (SOURCE,))[SOURCE][: CONTEXT + TIMED + 4 * 97], np.uint8).astype(np.int64)
    rows = [profile(name, int(w), text) for name in args.models.split(",") for w in args.windows.split(",")]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"source": SOURCE, "rows": rows}, indent=1))
    (RESULTS / f"{args.out}.md").write_text(report(rows))
    print(report(rows))


def report(rows: list[dict]) -> str:
    lines = [f"# Exact transformer, µs a byte on one core (held-out {SOURCE}; decode: 2 streams, 1 position "
             "a step; encode: 64 positions a step)", "",
             "| model | window | path | total | linear | attention | rest |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        for path in ("decode", "encode"):
            p = r[path]
            lines.append(f"| {r['model']} | {r['window']} | {path} | {p['total']:.1f} | {p['linear']:.1f} "
                         f"({p['linear'] / p['total']:.0%}) | {p['attention']:.1f} ({p['attention'] / p['total']:.0%}) "
                         f"| {p['rest']:.1f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
