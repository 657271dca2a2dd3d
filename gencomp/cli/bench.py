"""gencomp bench: the paper's Table 1 (raw and adjusted rates, both chunkings), and with --report DIR
the studies too (scaling, context, tokenization), as Markdown, CSV, JSON and plots."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tqdm import tqdm

from gencomp.compressors import get_compressor
from gencomp.data.modalities import MODALITIES
from gencomp.evaluation.datasets import DEFAULT_MAX_BYTES
from gencomp.evaluation.report import (
    ReportSettings,
    default_codecs,
    is_transformer,
    table1,
    table1_markdown,
    write_report,
)
from gencomp.models.zoo import DEFAULT_MODEL, use_device

QUICK_CODECS = ["gzip", "lzma", "zstd", "png", "flac", "cm", "image", "audio", f"lm:{DEFAULT_MODEL}"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gencomp bench", description=__doc__.split("\n")[0])
    parser.add_argument("--codecs", nargs="+", default=None, help=f"default: {' '.join(default_codecs())} (and hf:DIR with --hf-model)")
    parser.add_argument("--modality", nargs="+", choices=MODALITIES, default=list(MODALITIES))
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help=f"bytes per modality (default {DEFAULT_MAX_BYTES})")
    parser.add_argument("--dataset-bytes", type=float, default=1e9, help="dataset size the adjusted rate assumes (default 1e9)")
    parser.add_argument("--hf-model", help="also evaluate a local Hugging Face causal LM (directory)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: every core)")
    parser.add_argument("--cluster", metavar="ADDRESS",
                        help="run Table 1's tasks on a Dask cluster (tcp://host:8786, or local:N worker processes)")
    parser.add_argument("--report", type=Path, help="write table1.{md,csv}, report.json and the studies' plots here")
    parser.add_argument("--tokenizer-budget", type=float, default=300.0,
                        help="seconds of training per tokenizer in the tokenization study (0: skip; default 300)")
    parser.add_argument("--quick", action="store_true", help="a small subset in well under a minute (for CI)")
    parser.add_argument("--json", action="store_true", help="print Table 1's rows as JSON instead of Markdown")
    parser.add_argument("--device", help="where lm runs its transformer: cpu (default), cuda (one process: --workers 1)")
    args = parser.parse_args(argv)
    if args.device:
        use_device(args.device)
        args.workers = 1 if args.device != "cpu" else args.workers

    settings = ReportSettings(out_dir=args.report or Path("."), max_bytes=args.max_bytes, codecs=args.codecs,
                              modalities=args.modality, hf_model=args.hf_model, dataset_bytes=args.dataset_bytes,
                              workers=args.workers, tokenizer_budget_seconds=args.tokenizer_budget)
    if args.quick:
        settings.max_bytes = min(settings.max_bytes, 8192)
        settings.codecs = settings.codecs or QUICK_CODECS
        settings.context_chunks, settings.tokenizer_vocab_sizes = 2, [0, 512]
        settings.tokenizer_budget_seconds = min(settings.tokenizer_budget_seconds, 5.0)
    if args.report:
        settings.tokenizer_cache = args.report / "tokenization-models"
    codecs = settings.codec_list()
    for codec in codecs:
        get_compressor(codec)  # an unknown codec or model fails before any work
    total = sum(1 if is_transformer(c) else 2 for c in codecs) * settings.max_bytes * len(settings.modalities)
    with tqdm(total=total, unit="B", unit_scale=True, desc="Table 1", leave=False) as bar:
        if args.cluster:
            from gencomp.cluster import executor

            with executor(args.cluster) as on_cluster:
                rows = table1(settings, on_cluster, progress=bar.update)
        else:
            rows = table1(settings, progress=bar.update)
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(table1_markdown(rows, settings))
    if args.report:
        write_report(settings, rows, log=lambda line: print(line, flush=True))
    return 0
