"""How `mix` should run its transformer: bits/byte and speed by attention window and start weights.

`mix:NAME` mixes the transformer's next-byte distribution into the context model. Each setting
W/P/S runs the same transformer at attention window W, its 4096-byte segments starting from the P
bytes before them, with the context model's inputs starting at weight S/65536 beside the
transformer's 1 in a short stream (cm.new_model), over held-out streams (the last 10 % of corpus
sources, SIZE bytes each) coded whole, one stream per file as `gencomp compress -c mix` codes a file,
and in 2048-byte chunks (Table 1's set-up, short streams), and over held-out WikiText in 2048-byte
chunks; `cm` alone and `lm` (its default model, always in 2048-byte chunks) are the peers, in the same run.
Speed: compress and decompress of the first stream in KB/s, round trip checked (mix codes a stream on
one core; lm's chunks run on every core).

    python benchmarks/mix_window.py [--model tiny-v2] [--settings 32/128/16384,256/256/4096] [--out mix_window]

Writes benchmarks/results/OUT.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from gencomp.compressors import get_compressor
from gencomp.compressors.cm import ContextMixingCompressor
from gencomp.data.corpus import text_corpus
from gencomp.models.zoo import DEFAULT_MODEL, load_byte_transformer

RESULTS = Path(__file__).resolve().parent / "results"
SOURCES = ("corpus/man-pages.txt", "corpus/code-python.txt", "corpus/debian-handbook-other-languages.txt",
           "corpus/data-json-xml-csv.txt", "corpus/perl-docs.txt")
SIZE = 65536
CHUNK = 2048


def data() -> tuple[dict[str, bytes], list[bytes]]:
    """The held-out streams by source, and WikiText's held-out chunks."""
    streams = {name: text[:SIZE] for name, text in text_corpus("heldout", SOURCES).items()}
    wiki = text_corpus("heldout", ("wikitext2-valid.txt",))["wikitext2-valid.txt"][:SIZE]
    return streams, pieces(wiki)


def pieces(stream: bytes) -> list[bytes]:
    """A stream in CHUNK-byte chunks."""
    return [stream[i : i + CHUNK] for i in range(0, len(stream), CHUNK)]


def measure(label: str, codec, streams: dict[str, bytes], chunks: list[bytes], chunked_streams: bool = False) -> dict:
    """bits/byte on each stream (whole, or in 2048-byte chunks), on the streams in chunks and on the chunks;
    speed on the first stream."""
    def bits(parts: list[bytes]) -> float:
        return float(codec.chunk_code_length_bits(parts).sum())

    def split(stream: bytes) -> list[bytes]:
        return pieces(stream) if chunked_streams else [stream]

    row = {"codec": label, "streams": {name: bits(split(s)) / len(s) for name, s in streams.items()},
           "streams_chunked": sum(bits(pieces(s)) for s in streams.values()) / sum(map(len, streams.values())),
           "wiki_chunks": bits(chunks) / sum(map(len, chunks))}
    first = next(iter(streams.values()))
    parts = split(first)
    codec.encode_chunks(parts[:1])  # compiled code loaded
    start = time.perf_counter()
    payloads = codec.encode_chunks(parts)
    encode = time.perf_counter() - start
    start = time.perf_counter()
    back = codec.decode_chunks(payloads, [len(p) for p in parts])
    decode = time.perf_counter() - start
    assert b"".join(back) == first, f"{label} does not round-trip"
    row |= {"compress_kbps": len(first) / encode / 1e3, "decompress_kbps": len(first) / decode / 1e3}
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="tiny-v2")
    parser.add_argument("--settings", default="32/128/16384,64/256/16384,128/128/16384,256/256/16384,256/1024/16384,"
                        "256/256/4096", help="window/prefix/weight triples, comma-separated (bytes, bytes, 1/65536)")
    parser.add_argument("--out", default="mix_window", help="results file stem under benchmarks/results/")
    args = parser.parse_args()
    streams, chunks = data()
    transformer = load_byte_transformer(args.model)
    lm = get_compressor(f"lm:{DEFAULT_MODEL}")
    rows = [measure("cm", get_compressor("cm"), streams, chunks),
            measure(f"lm:{DEFAULT_MODEL} (2048-byte chunks)", lm, streams, chunks, chunked_streams=True)]
    for setting in args.settings.split(","):
        window, prefix, weight = (int(x) for x in setting.split("/"))
        codec = ContextMixingCompressor(f"mix:{args.model}", transformer.with_window(window), prefix_bytes=prefix,
                                        short_inputs_weight=weight)
        rows.append(measure(f"mix:{args.model} window {window}, prefix {prefix}, short {weight / 65536:g}", codec,
                            streams, chunks) | {"window": window, "prefix": prefix, "short_inputs_weight": weight})
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"size": SIZE, "sources": SOURCES, "rows": rows}, indent=1))
    (RESULTS / f"{args.out}.md").write_text(report(rows))
    print(report(rows))


def report(rows: list[dict]) -> str:
    names = [s.split("/")[-1].removesuffix(".txt") for s in SOURCES]
    lines = [f"# mix's transformer: bits/byte on held-out streams ({SIZE:,} bytes each) whole and in {CHUNK}-byte "
             f"chunks, and on held-out WikiText in {CHUNK}-byte chunks; speed on the first stream", "",
             "| codec | " + " | ".join(names) + " | mean | streams in chunks | WikiText chunks | compress KB/s "
             "| decompress KB/s |", "|---|" + "---|" * (len(names) + 5)]
    for r in rows:
        values = list(r["streams"].values())
        lines.append(f"| {r['codec']} | " + " | ".join(f"{v:.3f}" for v in values) + f" | {np.mean(values):.3f} | "
                     f"{r['streams_chunked']:.3f} | {r['wiki_chunks']:.3f} | {r['compress_kbps']:.1f} | "
                     f"{r['decompress_kbps']:.1f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
