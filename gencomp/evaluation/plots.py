"""Plots of a report, drawn from its report.json alone (PNG, matplotlib), each with a CSV beside it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _save(figure, path: Path) -> str:
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path.name


def _csv(path: Path, header: list[str], rows: list[list]) -> str:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path.name


def scaling(report: dict, out: Path) -> list[str]:
    data = report["scaling"]
    if not data["models"]:
        return []
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    params = [m["parameters"] for m in data["models"]]
    left.loglog(params, [100 * m["rate"] for m in data["models"]], "o-", label="raw")
    dataset = report["settings"]["dataset_bytes"]
    at_dataset = [100 * (m["rate"] + m["parameters"] * report["settings"]["bytes_per_parameter"] / dataset)
                  for m in data["models"]]
    left.loglog(params, at_dataset, "s--", label=f"adjusted, {dataset:.3g} B of data")
    for m in data["models"]:
        left.annotate(m["codec"], (m["parameters"], 100 * m["rate"]), textcoords="offset points", xytext=(4, 4))
    left.set(xlabel="parameters", ylabel="rate, % (held-out text, 2048-byte chunks)", title="Scaling")
    for formatter in (left.yaxis.set_major_formatter, left.yaxis.set_minor_formatter):  # 26, not 2.6×10^1
        formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    left.set_xticks(sorted(set(params)), [f"{p / 1e6:.2g}M" for p in sorted(set(params))])  # the models' sizes
    left.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    left.legend()
    sizes = np.array(data["dataset_bytes"])
    for m in data["models"]:
        right.loglog(sizes, 100 * np.array(m["adjusted"]), label=m["codec"])
    if data["best_classic"]:
        right.axhline(100 * data["best_classic"]["rate"], color="0.5", ls=":", label=data["best_classic"]["codec"])
    for c in data["crossovers"]:
        if c["dataset_bytes"]:
            right.axvline(c["dataset_bytes"], color="0.8", lw=0.8)
    right.axhline(100, color="0.7", lw=0.8)
    right.set(xlabel="dataset size, bytes", ylabel="adjusted rate, %", title="Model size paid for by the data",
              ylim=(10, 1e4))
    right.legend()
    names = [_save(figure, out / "scaling.png")]
    rows = [[m["codec"], m["parameters"], m["rate"]] + m["adjusted"] for m in data["models"]]
    names.append(_csv(out / "scaling.csv", ["codec", "parameters", "raw_rate"] + [f"adjusted_at_{d:.3g}" for d in sizes], rows))
    return names


def context(report: dict, out: Path) -> list[str]:
    curves = report["context"]["bits_per_byte"]
    if not curves:
        return []
    figure, ax = plt.subplots(figsize=(8, 4))
    edges = np.unique(np.geomspace(1, report["context"]["chunk_bytes"], 40).astype(int))
    for codec, bits in curves.items():
        bits = np.asarray(bits)
        means = [bits[a - 1 : b - 1].mean() for a, b in zip(edges, edges[1:])]
        ax.semilogx(edges[:-1], means, label=codec)
    ax.set(xlabel="position in the 2048-byte chunk (bytes of context)", ylabel="bits per byte",
           title=f"In-context learning ({report['context']['chunks']} held-out chunks)")
    ax.legend()
    names = [_save(figure, out / "context.png")]
    codecs = list(curves)
    names.append(_csv(out / "context.csv", ["position"] + codecs,
                      [[t] + [curves[c][t] for c in codecs] for t in range(len(curves[codecs[0]]))]))
    return names


def tokenization(report: dict, out: Path) -> list[str]:
    rows = report.get("tokenization")
    if not rows:
        return []
    figure, ax = plt.subplots(figsize=(6, 4))
    labels = [r["tokenizer"] for r in rows]
    ax.bar(labels, [100 * r["rate"] for r in rows])
    for i, r in enumerate(rows):
        ax.annotate(f"{r['parameters'] / 1e3:.0f}K params\n{r['steps']} steps", (i, 100 * r["rate"]),
                    ha="center", va="bottom", fontsize=8)
    ax.set(ylabel="rate, % of the original bytes", title=f"Tokenization, {rows[0]['budget_seconds']:.0f} s of training each")
    names = [_save(figure, out / "tokenization.png")]
    names.append(_csv(out / "tokenization.csv", list(rows[0]), [list(r.values()) for r in rows]))
    return names


def write_all(report_json: Path, out: Path) -> list[str]:
    """Every plot (and its CSV) of the report at report_json, written to out; their file names."""
    report = json.loads(report_json.read_text())
    return scaling(report, out) + context(report, out) + tokenization(report, out)
