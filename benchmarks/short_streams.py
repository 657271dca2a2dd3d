"""`mix` in short streams: its byte model (compressors.cm.MIX_BYTES_REVISION) against an earlier revision, 6 by
default (gencomp 0.27 to 0.29). Revision 6's second layer chooses its weights by the partial byte (256 sets) in every
stream; 7 on choose them by the bit position (8 sets) in a stream of at most 16 KiB
(compressors.cm.SHORT_STREAM_BYTES), as Table 1's 2048-byte chunks and small files are. --against 9: revision 10's
decaying mixers against 9's fixed rates (results/short_streams_10.md).

Each modality's evaluation data (gencomp.evaluation.datasets: held-out WikiText, patches of the photographs,
speech as 16-bit PCM) and the suite's files (benchmarks/suite.py, their first 32 KiB each, in a row) are cut into
chunks of each length and coded chunk by chunk; sizes are the coder's code lengths (Σ −log2 p, which the payloads
match within a few bytes a chunk), so one run suffices.

    python benchmarks/short_streams.py [--model tiny-v2] [--against 6] [--bytes 131072] [--out short_streams]

Writes benchmarks/results/OUT.{json,md}.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from suite import collect  # benchmarks/suite.py
from tqdm import tqdm

from gencomp.compressors import get_compressor
from gencomp.compressors.cm import MIX_BYTES_REVISION, SHORT_STREAM_BYTES, ContextMixingCompressor
from gencomp.evaluation.datasets import modality_bytes
from gencomp.models.context_mixing import Bytes

RESULTS = Path(__file__).resolve().parent / "results"
LENGTHS = (1024, 2048, 4096, 8192, 16384, 65536)
SUITE_SLICE = 32 << 10


def sources(max_bytes: int) -> dict[str, bytes]:
    """Each modality's evaluation data and the suite's files' first SUITE_SLICE bytes in a row, max_bytes each."""
    suite = b"".join(entry.path.read_bytes()[:SUITE_SLICE] for entry, _ in collect() if entry.name != "suite-concatenated")
    return {m: modality_bytes(m, max_bytes) for m in ("text", "image", "audio")} | {"suite files": suite[:max_bytes]}


def code_length_bytes(codec, data: bytes, length: int) -> float:
    """Σ of the code lengths, in bytes, of data's whole chunks of `length` bytes, each coded alone."""
    chunks = [data[i : i + length] for i in range(0, len(data) - length + 1, length)]
    return float(codec.chunk_code_length_bits(chunks).sum()) / 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="tiny-v2", help="mix's transformer (default: tiny-v2, mix's default)")
    parser.add_argument("--against", type=int, default=6, help="the earlier revision (default 6)")
    parser.add_argument("--bytes", type=int, default=1 << 17, help="bytes of each source (default 131072)")
    parser.add_argument("--out", default="short_streams", help="results file stem under benchmarks/results/")
    args = parser.parse_args()
    mix = get_compressor(f"mix:{args.model}")
    earlier = ContextMixingCompressor(mix.name, mix.transformer, model=Bytes(revision=args.against), prime=mix.prime)
    old, new = f"revision {args.against}", f"revision {MIX_BYTES_REVISION}"
    data = sources(args.bytes)
    rows = []
    for length in tqdm(LENGTHS, desc="chunk lengths"):
        for name, source in data.items():
            used = len(source) // length * length
            row = {"length": length, "source": name, "bytes": used, old: code_length_bytes(earlier, source, length),
                   new: code_length_bytes(mix, source, length)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(rows, indent=1))
    lines = [f"`mix:{args.model}` coding each source in chunks of a length, each chunk alone: code length, % of the "
             f"original (benchmarks/short_streams.py; one run), with the byte model's {new} and {old} (streams of at most "
             f"{SHORT_STREAM_BYTES:,} bytes are short).", "",
             f"| chunk bytes | source | bytes | {old} | {new} | {MIX_BYTES_REVISION} / {args.against} |", "|---|---|---|---|---|---|"]
    for row in rows:
        before, now = row[old], row[new]
        lines.append(f"| {row['length']:,} | {row['source']} | {row['bytes']:,} | {100 * before / row['bytes']:.2f} | "
                     f"{100 * now / row['bytes']:.2f} | {now / before:.4f} |")
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
