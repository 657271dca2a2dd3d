"""gencomp bench [--modality …] [--codecs …] [--chunk-size 2048|0] [--max-bytes N] [--json]"""

from __future__ import annotations

import argparse
import json

from tqdm import tqdm

from gencomp.compressors import COMPRESSORS, get_compressor
from gencomp.data.modalities import MODALITIES
from gencomp.evaluation.bench import rate_row
from gencomp.evaluation.datasets import DEFAULT_MAX_BYTES, modality_bytes


def format_table(rows: list[dict]) -> str:
    """Codecs down, modalities across, raw rate in percent."""
    modalities = list(dict.fromkeys(r["modality"] for r in rows))
    codecs = list(dict.fromkeys(r["codec"] for r in rows))
    rate = {(r["codec"], r["modality"]): r["rate"] for r in rows}
    lines = [f"{'codec':<14}" + "".join(f"{m:>10}" for m in modalities)]
    for c in codecs:
        lines.append(f"{c:<14}" + "".join(f"{100 * rate[c, m]:>9.1f}%" for m in modalities))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gencomp bench", description="Raw compression rate = compressed / raw.")
    parser.add_argument("--modality", nargs="+", choices=MODALITIES, default=list(MODALITIES))
    parser.add_argument("--codecs", nargs="+", default=None,
                        help=f"default: {' '.join(COMPRESSORS.standalone_names())} (add e.g. hf:MODEL_DIR)")
    parser.add_argument("--chunk-size", type=int, default=2048, help="independent chunks of N bytes; 0: one stream")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="bytes of data per modality")
    parser.add_argument("--json", action="store_true", help="print rows of JSON instead of the table")
    args = parser.parse_args(argv)

    codecs = args.codecs or COMPRESSORS.standalone_names()
    compressors = {c: get_compressor(c, args.chunk_size) for c in codecs}  # unknown codecs fail before any data loads
    datasets = {m: modality_bytes(m, args.max_bytes) for m in args.modality}
    total = len(codecs) * sum(map(len, datasets.values()))
    rows = []
    with tqdm(total=total, unit="B", unit_scale=True, desc="bench", leave=False) as bar:
        for codec, compressor in compressors.items():
            for modality, data in datasets.items():
                bar.set_postfix(codec=codec, modality=modality)
                rows.append(rate_row(codec, compressor, modality, data, bar.update))
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        chunking = f"{args.chunk_size}-byte chunks" if args.chunk_size else "one stream"
        print(f"raw compression rate (compressed / raw), {chunking}, up to {args.max_bytes} bytes per modality")
        print(format_table(rows))
    return 0
