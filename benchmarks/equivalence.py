"""The equivalence both ways, on held-out Wikipedia text, in one run.

For each compressor C and a slice of held-out text x (one stream, every byte scored on all
bytes before it in the slice):

  own      C's code length of x, bits per byte: 8 · len(C(x)) / len(x)
  model    log-loss of the model C induces, bits per byte: Σ_t −log2 P(x_t | x_<t) / len(x)
  coded    the model plugged back into the arithmetic coder (compressor -> model -> compressor),
           payload bits per byte, after checking that it round-trips
  s/byte   seconds per scored byte (256 candidates, or the seen bytes + 1 with "unseen once")
  log2 Z   mean over t of log2 Σ_y 2^-(ℓ(x_<t·y) − ℓ(x_<t)): the gap's source. Telescoping,
           model = own − ℓ(empty)/len(x) + mean log2 Z, so the model matches the codec exactly
           when every Z_t is 1 (a code with no redundancy over next bytes).

    python benchmarks/equivalence.py [--bytes 1024] [--slow-bytes 256]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from gencomp.compressors import get_compressor
from gencomp.compressors.lm import LMCompressor
from gencomp.data.corpus import text_corpus
from gencomp.sampling.compressor_model import CompressorModel

SLOW = {"lzma", "brotli", "bz2"}  # hundreds of µs per compression: scored on a shorter slice


def evaluate(spec: str, resolution: str, unseen_once: bool, text: bytes) -> dict:
    compressor = get_compressor(spec)
    model = CompressorModel(compressor, max_context_bytes=len(text), resolution=resolution, score_unseen_once=unseen_once)
    start = time.perf_counter()
    bits = np.stack([model.candidate_bits(text[:t]) for t in range(len(text))])  # (T, 256)
    seconds = time.perf_counter() - start
    shifted = bits - bits.min(axis=1, keepdims=True)
    log2_z_plus_min = np.log2(np.exp2(-shifted).sum(axis=1)) - bits.min(axis=1)  # log2 Σ_y 2^-ℓ(x_<t·y)
    chosen = bits[np.arange(len(text)), np.frombuffer(text, np.uint8)]
    loss = (chosen + log2_z_plus_min).sum()  # Σ −log2 P(x_t | x_<t)
    previous = np.r_[8.0 * len(compressor.encode(b"")), chosen[:-1]]  # ℓ(x_<t), from the same scores
    log2_z = (log2_z_plus_min + previous).mean()
    coder = LMCompressor(model, f"{spec}-model", len(text), batch_chunks=1)
    assert coder.decompress(coder.compress(text)) == text, f"{spec}: the induced model does not round-trip"
    return {"codec": spec, "resolution": resolution + (", unseen once" if unseen_once else ""), "bytes": len(text),
            "own": 8.0 * len(compressor.encode(text)) / len(text), "model": loss / len(text),
            "coded": coder.code_length_bits(text) / len(text), "log2_z": log2_z, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bytes", type=int, default=1024, help="slice scored for fast codecs")
    parser.add_argument("--slow-bytes", type=int, default=256, help=f"slice scored for {', '.join(sorted(SLOW))}")
    parser.add_argument("--codecs", default="gzip,zstd,bz2,lzma,brotli")
    args = parser.parse_args()
    heldout = text_corpus("heldout")["wikitext2-valid.txt"]
    text = heldout[10_000 : 10_000 + args.bytes]
    print("held-out wikitext, one stream from offset 10000; bits per byte\n")
    print(f"{'codec':<8} {'lengths':<19} {'bytes':>5} {'own':>6} {'model':>6} {'coded':>6} {'gap':>6} {'log2 Z':>7} {'s/byte':>7}")
    runs = [("gzip", "exact", False), ("gzip", "exact", True)]
    runs += [(c, "bytes", once) for c in args.codecs.split(",") for once in (False, True)]
    for spec, resolution, once in runs:
        row = evaluate(spec, resolution, once, text[: args.slow_bytes] if spec in SLOW else text)
        print(f"{row['codec']:<8} {row['resolution']:<19} {row['bytes']:>5} {row['own']:6.3f} {row['model']:6.3f} "
              f"{row['coded']:6.3f} {row['model'] - row['own']:+6.3f} {row['log2_z']:+7.3f} {row['seconds'] / row['bytes']:7.4f}",
              flush=True)


if __name__ == "__main__":
    main()
