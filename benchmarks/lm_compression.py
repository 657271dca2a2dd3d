"""Predictors as compressors, against the classic codecs, in one run:

1. raw compression rate on held-out English text in 2048-byte chunks (the held-out last 10 %
   of wikitext2-valid.txt, plus English text unlike anything trained on: Python's Language
   Reference as every Python ships it, Debian's copies of three licences where present, and any
   --text FILE), each model beside gzip, lzma, brotli on the same chunks;
2. images (32×64 patches) and audio (16-bit PCM) through the same models, beside PNG and FLAC;
3. throughput, compress and decompress, and where the time goes (model vs coder) per byte.

    python benchmarks/lm_compression.py [--max-bytes 65536] [--text FILE ...] [--model FILE ...] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from gencomp.compressors import decompress, get_compressor
from gencomp.coding import StreamEncoder
from gencomp.evaluation.bench import rate_row
from gencomp.evaluation.datasets import modality_bytes
from gencomp.evaluation.report import transformer_codecs
from gencomp.models.zoo import shipped_models

LICENCES = Path("/usr/share/common-licenses")  # Debian's: English no model here trained on


def unseen_english(max_bytes: int, extra: list[Path]) -> dict[str, bytes]:
    """English text from neither training file, up to max_bytes each."""
    from pydoc_data.topics import topics

    texts = {"python-ref": "\n".join(topics[k] for k in sorted(topics)).encode()}
    texts |= {name: (LICENCES / name).read_bytes() for name in ("GPL-3", "Apache-2.0", "MPL-2.0")
              if (LICENCES / name).exists()}
    texts |= {path.name: path.read_bytes() for path in extra}
    return {name: data[:max_bytes] for name, data in texts.items()}


def model_codecs(extra_models: list[Path]) -> list[str]:
    """lm: and mix: of each shipped model and each extra .safetensors file, then cm."""
    return transformer_codecs(list(shipped_models()) + [str(p) for p in extra_models]) + ["cm"]


def rates(datasets: dict[str, bytes], codecs: list[str]) -> list[dict]:
    compressors = {codec: get_compressor(codec, 2048) for codec in codecs}
    return [rate_row(codec, compressors[codec], name, data) for name, data in datasets.items() for codec in codecs]


def model_own_rate(codec: str, modality: str, data: bytes) -> dict:
    """Σ −log2 p / 8 per byte of the model alone, before the codec stores chunks it would expand."""
    compressor = get_compressor(codec, 2048)
    chunks = [c for c in compressor.split(data) if len(c) == 2048]
    symbols = np.frombuffer(b"".join(chunks), np.uint8).astype(np.int64).reshape(len(chunks), 2048)
    bits = 0.0
    for start in range(0, len(symbols), compressor.batch_chunks):
        batch = symbols[start : start + compressor.batch_chunks]
        log_probs = compressor.predictor.log_probs(batch)
        bits -= np.take_along_axis(log_probs, batch[..., None], -1).sum() / np.log(2)
    return {"codec": codec, "modality": modality, "model_rate": bits / 8 / symbols.size}


def throughput(codec: str, data: bytes) -> dict:
    """Bytes/s both ways, and the seconds the model alone takes in each direction."""
    compressor = get_compressor(codec, 2048)
    start = time.perf_counter()
    blob = compressor.compress(data)
    t_compress = time.perf_counter() - start
    start = time.perf_counter()
    assert decompress(blob) == data
    t_decompress = time.perf_counter() - start

    chunks = compressor.split(data)
    predictor, batch = compressor.predictor, compressor.batch_chunks
    symbols = [np.frombuffer(c, np.uint8).astype(np.int64)[None] for c in chunks]
    t_model_encode = t_coder_encode = t_model_decode = 0.0
    for group in range(0, len(chunks), batch):
        rows = [s for s in symbols[group : group + batch] if s.shape[1] == len(chunks[0])]
        if not rows:
            continue
        stacked = np.concatenate(rows)  # (B, T)
        start = time.perf_counter()
        weights = predictor.weights(stacked)
        t_model_encode += time.perf_counter() - start
        start = time.perf_counter()
        encoder = StreamEncoder(len(rows))
        encoder.encode(weights.reshape(-1, 256), stacked.reshape(-1), [stacked.shape[1]] * len(rows))
        encoder.finish()
        t_coder_encode += time.perf_counter() - start
        start = time.perf_counter()
        state, previous = predictor.start(len(rows)), None
        for t in range(stacked.shape[1]):
            predictor.step(state, previous)
            previous = stacked[:, t]
        t_model_decode += time.perf_counter() - start
    n = len(data)
    return {
        "codec": codec, "bytes": n, "threads": torch.get_num_threads(),
        "compress_bytes_per_s": n / t_compress, "decompress_bytes_per_s": n / t_decompress,
        "encode_model_us_per_byte": 1e6 * t_model_encode / n, "encode_coder_us_per_byte": 1e6 * t_coder_encode / n,
        "decode_model_us_per_byte": 1e6 * t_model_decode / n,
        "decode_coder_and_glue_us_per_byte": 1e6 * max(0.0, t_decompress - t_model_decode) / n,
    }


def print_rates(title: str, rows: list[dict]) -> None:
    datasets = list(dict.fromkeys(r["modality"] for r in rows))
    codecs = list(dict.fromkeys(r["codec"] for r in rows))
    rate = {(r["codec"], r["modality"]): r["rate"] for r in rows}
    width = max(map(len, codecs)) + 2
    print(f"\n{title}\n{'codec':<{width}}" + "".join(f"{d:>13}" for d in datasets))
    for c in codecs:
        print(f"{c:<{width}}" + "".join(f"{100 * rate[c, d]:>12.1f}%" for d in datasets))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-bytes", type=int, default=65536, help="bytes per image/audio set and for throughput")
    parser.add_argument("--text", type=Path, nargs="*", default=[], help="more English text files to rate")
    parser.add_argument("--model", type=Path, nargs="*", default=[], help="unshipped model files to rate too")
    parser.add_argument("--json", type=Path, help="also write all rows here")
    args = parser.parse_args()
    for option, paths in (("--text", args.text), ("--model", args.model)):
        for path in paths:
            if not path.is_file():
                parser.error(f"{option}: no such file: {path}")
    codecs = model_codecs(args.model)

    text = {"wikitext": modality_bytes("text", 1 << 30)} | unseen_english(args.max_bytes, args.text)
    text_rows = rates(text, codecs + ["gzip", "lzma", "brotli"])
    print_rates("raw compression rate, English text, independent 2048-byte chunks", text_rows)

    media = {m: modality_bytes(m, args.max_bytes) for m in ("image", "audio")}
    media_rows = rates(media, codecs + ["png", "flac", "gzip"])
    print_rates("raw compression rate, images and audio, independent 2048-byte chunks", media_rows)
    own_rows = [model_own_rate(c, m, d) for c in codecs for m, d in media.items()]
    print("the models' own code length before stored chunks (compressed / raw):")
    for r in own_rows:
        print(f"  {r['codec']:<12}{r['modality']:<8}{100 * r['model_rate']:>7.1f}%")

    speed_rows = [throughput(c, text["wikitext"][: args.max_bytes]) for c in codecs]
    print(f"\nthroughput on {args.max_bytes} bytes of text, {torch.get_num_threads()} threads (µs per byte)")
    width = max(map(len, codecs)) + 2
    print(f"{'codec':<{width}}{'compress B/s':>14}{'decompress B/s':>16}{'enc model':>11}{'enc coder':>11}"
          f"{'dec model':>11}{'dec coder+glue':>16}")
    for r in speed_rows:
        print(f"{r['codec']:<{width}}{r['compress_bytes_per_s']:>14,.0f}{r['decompress_bytes_per_s']:>16,.0f}"
              f"{r['encode_model_us_per_byte']:>11.1f}{r['encode_coder_us_per_byte']:>11.1f}"
              f"{r['decode_model_us_per_byte']:>11.1f}{r['decode_coder_and_glue_us_per_byte']:>16.1f}")
    if args.json:
        args.json.write_text(json.dumps({"text": text_rows, "media": media_rows, "media_model_own": own_rows, "speed": speed_rows}, indent=1))


if __name__ == "__main__":
    main()
