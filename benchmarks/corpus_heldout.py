"""Byte transformers on the held-out part of every training source, beside brotli -11 and gzip -9,
in 2048-byte chunks each coded alone (the paper's set-up), in one run: the model card's table.

Sources: text/wikitext2-valid.txt, text/tinyshakespeare.txt and every corpus/*.txt; the held-out
part is the last 10 % of each file (gencomp.data.corpus), never trained on. A second table rates the
same codecs on files of the same kinds that are in no training data at all (benchmarks/suite.py:
manuals, Markdown, source code, a log, JSON, German and Russian prose, each from a package on this
machine). Up to --chunks chunks a source or file, spread evenly over it. Models: shipped names or .safetensors files; each is
rated by its coder's ideal code length (Σ −log2 p of the integer-exact model), in bits per byte.

    python benchmarks/corpus_heldout.py [--models tiny,small,runs/x/tiny.safetensors] [--chunks 32]

Writes benchmarks/results/corpus_heldout.{json,md}.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from tqdm import tqdm

from gencomp.compressors import get_compressor
from gencomp.data.corpus import TRAINING_FILES, text_corpus

RESULTS = Path(__file__).resolve().parent / "results"
CHUNK = 2048


def spread_chunks(data: bytes, max_chunks: int) -> list[bytes]:
    """Up to max_chunks whole CHUNK-byte chunks of data, spread evenly over it."""
    n = len(data) // CHUNK
    picks = np.linspace(0, n - 1, min(n, max_chunks)).round().astype(int)
    return [data[i * CHUNK : (i + 1) * CHUNK] for i in picks]


def heldout_chunks(max_chunks: int) -> dict[str, list[bytes]]:
    return {Path(name).stem: spread_chunks(data, max_chunks) for name, data in text_corpus("heldout", TRAINING_FILES).items()}


def unseen_chunks(max_chunks: int) -> dict[str, list[bytes]]:
    from suite import collect  # benchmarks/suite.py

    return {entry.name: spread_chunks(entry.path.read_bytes(), max_chunks) for entry, _ in collect()}


def bits_per_byte(codec: str, chunks: list[bytes]) -> float:
    compressor = get_compressor(codec, CHUNK)
    if codec.startswith("lm:"):
        bits = compressor.chunk_code_length_bits(chunks).sum()
    else:
        bits = 8 * sum(len(compressor.encode(c)) for c in chunks)
    return float(bits) / (CHUNK * len(chunks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="tiny,small", help="comma-separated shipped names or checkpoint files")
    parser.add_argument("--chunks", type=int, default=32)
    parser.add_argument("--out", default="corpus_heldout", help="results file stem under benchmarks/results/")
    args = parser.parse_args()
    codecs = [f"lm:{m}" for m in args.models.split(",")] + ["brotli", "gzip"]
    result = {"chunk_bytes": CHUNK, "chunks_per_source": args.chunks, "codecs": codecs}
    for key, sources in (("bits_per_byte", heldout_chunks(args.chunks)), ("unseen_bits_per_byte", unseen_chunks(args.chunks))):
        table = result[key] = {}
        for source, chunks in tqdm(sources.items(), desc=key):
            table[source] = {codec: bits_per_byte(codec, chunks) for codec in codecs}
            tqdm.write(f"{source}: " + ", ".join(f"{c} {v:.3f}" for c, v in table[source].items()))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(result, indent=1))
    (RESULTS / f"{args.out}.md").write_text(report(result))
    print(report(result))


def report(r: dict) -> str:
    lines = [f"# Held-out bits/byte per source ({r['chunk_bytes']}-byte chunks, up to {r['chunks_per_source']} a source)", ""]
    lines += _table(r["codecs"], r["bits_per_byte"], "source")
    if "unseen_bits_per_byte" in r:
        lines += ["", "# Files in no training data (benchmarks/suite.py), bits/byte, the same chunks for every codec", ""]
        lines += _table(r["codecs"], r["unseen_bits_per_byte"], "file")
    return "\n".join(lines) + "\n"


def _table(codecs: list[str], rows: dict[str, dict[str, float]], label: str) -> list[str]:
    lines = [f"| {label} | " + " | ".join(codecs) + " |", "|---|" + "---|" * len(codecs)]
    for source, row in rows.items():
        best = min(row.values())
        cells = [f"**{row[c]:.3f}**" if row[c] == best else f"{row[c]:.3f}" for c in codecs]
        lines.append(f"| {source} | " + " | ".join(cells) + " |")
    means = {c: np.mean([row[c] for row in rows.values()]) for c in codecs}
    lines.append("| **mean** | " + " | ".join(f"{means[c]:.3f}" for c in codecs) + " |")
    wins = {c: sum(row[c] < row["brotli"] for row in rows.values()) for c in codecs if c.startswith("lm:")}
    lines.append("| **beats brotli on** | " + " | ".join(f"{wins[c]} of {len(rows)}" if c in wins else "" for c in codecs) + " |")
    return lines


if __name__ == "__main__":
    main()
