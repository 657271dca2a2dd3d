"""Does a longer attention window pay? Bits/byte of a byte transformer by the window it attends to.

The models train on 512-byte windows and attend to the last 256 bytes; ALiBi lets the same weights
run with a shorter or longer window without retraining. Each window is rated on 2048-byte chunks
(each from an empty context, the paper's set-up) of held-out text where long-range copies are
common (source code, JSON, man pages, English and other languages' prose), beside the time a
byte takes, which grows with the window. A window is worth it where it lowers bits/byte on the
kinds of text that repeat over longer spans (indentation, identifiers) by more than noise.

    python benchmarks/context_window.py [--model tiny-v2] [--chunks 16] [--out context_window] [--files FILE ...]

Writes benchmarks/results/OUT.{json,md} (context_window.{json,md} by default).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from gencomp.data.corpus import text_corpus
from gencomp.models.zoo import DEFAULT_MODEL, load_byte_transformer

RESULTS = Path(__file__).resolve().parent / "results"
SOURCES = ("corpus/code-python.txt", "corpus/code-javascript.txt", "corpus/data-json-xml-csv.txt",
           "corpus/man-pages.txt", "corpus/debian-handbook-en.txt", "corpus/debian-handbook-other-languages.txt",
           "wikitext2-valid.txt")
WINDOWS = (32, 64, 128, 256, 512, 1024, 2048)
CHUNK = 2048


def chunks_of(data: bytes, count: int) -> np.ndarray:
    """(count, CHUNK) int64 chunks spread evenly over data."""
    n = len(data) // CHUNK
    picks = np.linspace(0, n - 1, min(n, count)).round().astype(int)
    return np.stack([np.frombuffer(data[i * CHUNK : (i + 1) * CHUNK], np.uint8) for i in picks]).astype(np.int64)


def bits_per_byte(model, symbols: np.ndarray) -> float:
    """Σ −log2 p of the integer-exact model over symbols (B, T), per byte."""
    log_probs = model.log_probs(symbols)
    return float(-np.take_along_axis(log_probs, symbols[..., None], -1).sum() / np.log(2) / symbols.size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--chunks", type=int, default=16)
    parser.add_argument("--out", default="context_window", help="results file stem under benchmarks/results/")
    parser.add_argument("--files", nargs="*", type=Path, default=[],
                        help="rate these files instead of the held-out sources (e.g. benchmarks/suite-files/system-log.log)")
    args = parser.parse_args()
    model = load_byte_transformer(args.model)
    if args.files:
        data = {path.stem: chunks_of(path.read_bytes(), args.chunks) for path in args.files}
    else:
        heldout = text_corpus("heldout", SOURCES)
        data = {Path(name).stem: chunks_of(heldout[name], args.chunks) for name in SOURCES}
    table, seconds = {}, {}
    for window in WINDOWS:
        narrow = model.with_window(window)
        start = time.perf_counter()
        table[window] = {name: bits_per_byte(narrow, symbols) for name, symbols in data.items()}
        seconds[window] = time.perf_counter() - start
        print(f"window {window}: " + ", ".join(f"{k} {v:.3f}" for k, v in table[window].items()))
    total_bytes = sum(s.size for s in data.values())
    result = {"model": args.model, "trained_window": model.cfg.attention_window, "chunk_bytes": CHUNK,
              "chunks_per_source": args.chunks, "bits_per_byte": table,
              "us_per_byte": {w: 1e6 * s / total_bytes for w, s in seconds.items()}}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(result, indent=1))
    (RESULTS / f"{args.out}.md").write_text(report(result))
    print(report(result))


def report(r: dict) -> str:
    windows = list(r["bits_per_byte"])
    sources = list(r["bits_per_byte"][windows[0]])
    lines = [f"# Bits/byte of lm:{r['model']} by attention window (trained at {r['trained_window']}; "
             f"{r['chunk_bytes']}-byte chunks, {r['chunks_per_source']} a source)", "",
             "| window | " + " | ".join(sources) + " | mean | µs/byte |", "|---" * (len(sources) + 3) + "|"]
    for w in windows:
        row = r["bits_per_byte"][w]
        lines.append(f"| {w} | " + " | ".join(f"{row[s]:.3f}" for s in sources)
                     + f" | {np.mean(list(row.values())):.3f} | {r['us_per_byte'][w]:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
