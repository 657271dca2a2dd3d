"""The paper's Table 1 and its studies, written as a report: Markdown, CSV, JSON and plots.

Table 1: raw and adjusted compression rates of every codec per modality, in both chunkings
(one stream per modality, and independent 2048-byte chunks). Transformers (lm:*, mix:*, hf:*) code
2048-byte chunks only: their context is 2048 bytes. The adjusted rate counts the model at
BYTES_PER_PARAMETER bytes per parameter over a dataset of `dataset_bytes` (default 1 GB, the
paper's set-up), extrapolated from the rate measured here: adjusted = raw + size / dataset.

Studies: scaling (rate vs parameters, and the dataset size where a bigger model starts to pay
for itself), context (bits per byte vs position in the chunk) and tokenization (bytes vs BPE).

Each part writes its rows as JSON first; the plots read only that JSON.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy as np

from gencomp.compressors import COMPRESSORS, get_compressor
from gencomp.compressors.deflate_bits import DeflateBits
from gencomp.data.modalities import MODALITIES
from gencomp.evaluation.bench import BYTES_PER_PARAMETER, adjusted_rate
from gencomp.evaluation.datasets import DEFAULT_MAX_BYTES, modality_bytes
from gencomp.evaluation.parallel import run_tasks, split_tasks
from gencomp.models.zoo import shipped_models

CHUNK_BYTES = 2048
EMPTY_DEFLATE_BITS = 10  # an empty DEFLATE stream: a fixed-Huffman block header (3 bits) and end-of-block (7)


@dataclass
class ReportSettings:
    out_dir: Path
    max_bytes: int = DEFAULT_MAX_BYTES  # per modality
    modalities: list[str] = field(default_factory=lambda: list(MODALITIES))
    codecs: Optional[list[str]] = None  # default: every classic codec, cm, each shipped model, hf_model
    hf_model: Optional[str] = None
    dataset_bytes: float = 1e9
    bytes_per_parameter: float = BYTES_PER_PARAMETER
    workers: Optional[int] = None
    context_chunks: int = 16
    tokenizer_vocab_sizes: list[int] = field(default_factory=lambda: [0, 512, 1024, 2048])  # 0: bytes
    tokenizer_budget_seconds: float = 300.0  # per tokenizer; 0 skips the study
    tokenizer_cache: Path = Path("runs/tokenization")

    def codec_list(self) -> list[str]:
        """The codecs asked for, or every one (default_codecs)."""
        return self.codecs or default_codecs(self.hf_model)


TRANSFORMER_KINDS = ("lm", "mix")  # codecs named KIND:MODEL for a byte transformer MODEL


def transformer_codecs(models: Iterable[str]) -> list[str]:
    """Each byte transformer (a shipped name or a file) alone (lm:) and mixed with a context model (mix:)."""
    return [f"{kind}:{m}" for kind in TRANSFORMER_KINDS for m in models]


def default_codecs(hf_model: Optional[str] = None) -> list[str]:
    """Every classic codec, the context model, each shipped transformer alone and mixed with a context
    model, and hf:DIR if given."""
    classic = [c for c in COMPRESSORS.standalone_names() if c not in (*TRANSFORMER_KINDS, "cm")]
    return classic + ["cm"] + transformer_codecs(shipped_models()) + ([f"hf:{hf_model}"] if hf_model else [])


def is_transformer(codec: str) -> bool:
    return codec.split(":")[0] in (*TRANSFORMER_KINDS, "hf")


# --- Table 1 ----------------------------------------------------------------------------------
def table1(s: ReportSettings, executor=None, progress: Optional[Callable[[int], None]] = None) -> list[dict]:
    codecs = s.codec_list()
    data = {m: modality_bytes(m, s.max_bytes) for m in s.modalities}
    tasks = []
    for codec in codecs:
        for chunk in ((CHUNK_BYTES,) if is_transformer(codec) else (0, CHUNK_BYTES)):
            for modality, payload in data.items():
                tasks += split_tasks(codec, chunk, modality, payload)
    rows = run_tasks(tasks, executor, s.workers, progress)
    order = {c: i for i, c in enumerate(codecs)}
    rows.sort(key=lambda r: (r["chunk_size_bytes"], order[r["codec"]], MODALITIES.index(r["modality"])))
    for row in rows:
        row["chunking"] = "stream" if row["chunk_size_bytes"] == 0 else f"{row['chunk_size_bytes']} B chunks"
        row["adjusted_rate"] = adjusted_rate(row, s.dataset_bytes, s.bytes_per_parameter)
    return rows


def table1_markdown(rows: list[dict], s: ReportSettings) -> str:
    lines = [f"Raw and adjusted compression rates (%, lower is better). Adjusted: model at "
             f"{s.bytes_per_parameter:g} bytes per parameter over a dataset of {s.dataset_bytes:.3g} bytes, "
             f"extrapolated from the raw rate measured on {s.max_bytes} bytes per modality.", ""]
    header = "| codec | chunking | parameters | " + " | ".join(f"{m} raw | {m} adjusted" for m in s.modalities) + " |"
    lines += [header, "|" + "---|" * (3 + 2 * len(s.modalities))]
    cells: dict[tuple, dict] = {}
    for r in rows:
        cells.setdefault((r["codec"], r["chunking"]), {})[r["modality"]] = r
    for (codec, chunking), by_modality in cells.items():
        params = next(iter(by_modality.values()))["parameters"]
        values = " | ".join(f"{100 * by_modality[m]['rate']:.1f} | {100 * by_modality[m]['adjusted_rate']:.1f}"
                            if m in by_modality else "— | —" for m in s.modalities)
        lines.append(f"| {codec} | {chunking} | {params:,} | {values} |")
    return "\n".join(lines)


# --- Scaling ----------------------------------------------------------------------------------
def scaling(rows: list[dict], s: ReportSettings) -> dict:
    """Text rates of the shipped transformers vs parameters, adjusted rates vs dataset size, and the
    dataset size from which each bigger model beats the next smaller one (adjusted)."""
    text = [r for r in rows if r["modality"] == "text" and r["chunk_size_bytes"] == CHUNK_BYTES]
    models = sorted((r for r in text if r["codec"].startswith("lm:")), key=lambda r: r["parameters"])
    classic = min((r for r in text if not r["parameters"]), key=lambda r: r["rate"], default=None)
    sizes = np.logspace(4, 11, 57)
    curves = [{"codec": r["codec"], "parameters": r["parameters"], "rate": r["rate"],
               "adjusted": [r["rate"] + r["parameters"] * s.bytes_per_parameter / d for d in sizes]} for r in models]
    crossovers = []
    for small, big in zip(models, models[1:]):
        gain = small["rate"] - big["rate"]
        extra = (big["parameters"] - small["parameters"]) * s.bytes_per_parameter
        crossovers.append({"smaller": small["codec"], "bigger": big["codec"],
                           "dataset_bytes": extra / gain if gain > 0 else None})
    return {"dataset_bytes": sizes.tolist(), "models": curves, "crossovers": crossovers,
            "best_classic": {"codec": classic["codec"], "rate": classic["rate"]} if classic else None}


# --- Context ----------------------------------------------------------------------------------
def context_curves(s: ReportSettings, codecs: list[str]) -> dict:
    """Mean bits per byte at each position 0 … 2047 of held-out text chunks, per model; gzip from its
    exact code-length increments ℓ(x_≤t) − ℓ(x_<t) (libz)."""
    text = modality_bytes("text", s.max_bytes)
    n = min(s.context_chunks, len(text) // CHUNK_BYTES)
    symbols = np.frombuffer(text[: n * CHUNK_BYTES], np.uint8).astype(np.int64).reshape(n, CHUNK_BYTES)
    curves = {}
    for codec in codecs:
        compressor = get_compressor(codec, CHUNK_BYTES)
        if compressor.byte_predictor is None:
            continue
        log_probs = np.concatenate([compressor.byte_predictor.log_probs(symbols[i : i + 4]) for i in range(0, n, 4)])
        curves[codec] = (-np.take_along_axis(log_probs, symbols[..., None], -1)[..., 0] / np.log(2)).mean(0).tolist()
    deflate = DeflateBits(workers=1)
    totals = np.array([[deflate(row[:t].astype(np.uint8).tobytes(), row[t : t + 1].astype(np.uint8))[0]
                        for t in range(CHUNK_BYTES)] for row in symbols], dtype=np.float64)  # (n, T) ℓ(x_≤t)
    if n:
        curves["gzip"] = np.diff(np.c_[np.full(n, EMPTY_DEFLATE_BITS), totals]).mean(0).tolist()
    return {"chunks": n, "chunk_bytes": CHUNK_BYTES, "bits_per_byte": curves}


# --- Writing ----------------------------------------------------------------------------------
def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_report(s: ReportSettings, rows: list[dict], log: Callable[[str], None] = print) -> dict:
    """Write Table 1 (rows from `table1`), run the studies, write them under s.out_dir and return the
    report's JSON."""
    from gencomp.evaluation import plots

    s.out_dir.mkdir(parents=True, exist_ok=True)
    (s.out_dir / "table1.md").write_text(table1_markdown(rows, s) + "\n")
    write_csv(s.out_dir / "table1.csv", rows)

    report = {"settings": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(s).items()}, "table1": rows}
    report["scaling"] = scaling(rows, s)
    report["context"] = context_curves(s, s.codec_list())
    if s.tokenizer_budget_seconds > 0:
        from gencomp.evaluation import tokenization

        report["tokenization"] = tokenization.run(s.tokenizer_vocab_sizes, s.tokenizer_budget_seconds, s.tokenizer_cache,
                                                  max_chunks=s.context_chunks)
    path = s.out_dir / "report.json"
    path.write_text(json.dumps(report, indent=1))
    for name in plots.write_all(path, s.out_dir):
        log(f"wrote {name}")
    return report
