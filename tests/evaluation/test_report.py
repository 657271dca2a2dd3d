"""Table 1 in parallel equals the serial measurement; adjusted rates and crossovers are exact; the
quick report writes every file."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from gencomp.cli.main import main
from gencomp.compressors import get_compressor
from gencomp.evaluation.bench import adjusted_rate
from gencomp.evaluation.parallel import run_tasks, split_tasks
from gencomp.evaluation.report import ReportSettings, scaling
from tests.conftest import SEEDS, rng_for


@pytest.mark.parametrize("seed", SEEDS)
def test_parallel_rates_equal_the_serial_ones(seed, wiki_heldout):
    rng = rng_for(seed)
    start = int(rng.integers(0, len(wiki_heldout) - 70_000))
    text, noise = wiki_heldout[start : start + 70_000], rng.bytes(5000)
    tasks = split_tasks("gzip", 2048, "text", text) + split_tasks("zstd", 0, "text", text) + split_tasks("cm", 2048, "random", noise)
    assert len(tasks) == 3 + 1 + 1
    with ThreadPoolExecutor(2) as pool:  # any executor with map(): a process pool, Dask, Ray
        threaded = run_tasks(tasks, pool)
    processes = run_tasks(tasks, workers=2)
    for rows in (threaded, processes):
        by_key = {(r["codec"], r["chunk_size_bytes"]): r for r in rows}
        for (codec, chunk), data in ((("gzip", 2048), text), (("zstd", 0), text), (("cm", 2048), noise)):
            compressor = get_compressor(codec, chunk)
            serial = sum(map(len, compressor.encode_chunks(compressor.split(data))))
            row = by_key[codec, chunk]
            assert (row["compressed_bytes"], row["raw_bytes"]) == (serial, len(data)), f"{codec} seed {seed}"
            assert row["rate"] == serial / len(data)


def test_adjusted_rate_counts_the_model_over_the_dataset():
    row = {"rate": 0.25, "parameters": 1_000_000, "raw_bytes": 4096}
    assert adjusted_rate(row, 1e9) == 0.25 + 2e6 / 1e9
    assert adjusted_rate(row) == 0.25 + 2e6 / 4096
    assert adjusted_rate(row, 1e9, bytes_per_parameter=4) == 0.25 + 4e6 / 1e9


def test_scaling_crossover_is_where_the_bigger_model_pays_for_itself():
    rows = [{"codec": "lm:a", "modality": "text", "chunk_size_bytes": 2048, "parameters": 200_000, "rate": 0.30},
            {"codec": "lm:b", "modality": "text", "chunk_size_bytes": 2048, "parameters": 800_000, "rate": 0.28},
            {"codec": "gzip", "modality": "text", "chunk_size_bytes": 2048, "parameters": 0, "rate": 0.48}]
    result = scaling(rows, ReportSettings(out_dir=None))
    crossover = result["crossovers"][0]["dataset_bytes"]
    assert crossover == pytest.approx(2 * 600_000 / 0.02)
    a, b = (0.30 + 2 * 200_000 / crossover), (0.28 + 2 * 800_000 / crossover)
    assert a == pytest.approx(b)
    assert result["best_classic"] == {"codec": "gzip", "rate": 0.48}


def test_quick_report_writes_tables_json_and_plots(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["bench", "--quick", "--codecs", "gzip", "png", "cm", "lm:tiny", "--report", str(out),
                 "--tokenizer-budget", "2"]) == 0
    printed = capsys.readouterr().out
    assert "| gzip | stream |" in printed and "| lm:tiny | 2048 B chunks | 230,016 |" in printed
    for name in ("table1.md", "table1.csv", "report.json", "scaling.png", "scaling.csv", "context.png", "context.csv",
                 "tokenization.png", "tokenization.csv"):
        assert (out / name).stat().st_size > 0, name
    report = json.loads((out / "report.json").read_text())
    chunkings = {(r["codec"], r["chunk_size_bytes"]) for r in report["table1"]}
    assert ("gzip", 0) in chunkings and ("gzip", 2048) in chunkings and ("lm:tiny", 0) not in chunkings
    assert {r["modality"] for r in report["table1"]} == {"text", "image", "audio", "random"}
    assert set(report["context"]["bits_per_byte"]) == {"lm:tiny", "cm", "gzip"}
    assert len(report["context"]["bits_per_byte"]["gzip"]) == 2048
    assert [r["tokenizer"] for r in report["tokenization"]] == ["bytes", "bpe-512"]


def test_a_local_hugging_face_model_gets_a_table1_row(hf_model_dir):
    from gencomp.evaluation.report import table1

    settings = ReportSettings(out_dir=None, max_bytes=4096, modalities=["text"], hf_model=str(hf_model_dir),
                              codecs=["gzip", f"hf:{hf_model_dir}"], workers=1)
    rows = table1(settings)
    hf = [r for r in rows if r["codec"].startswith("hf:")]
    assert len(hf) == 1 and hf[0]["chunk_size_bytes"] == 2048 and hf[0]["parameters"] > 0
    assert hf[0]["adjusted_rate"] == pytest.approx(hf[0]["rate"] + 2 * hf[0]["parameters"] / 1e9)
