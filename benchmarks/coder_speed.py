"""Symbols per second of gencomp's range coder beside a pure-Python per-symbol coder
(the shape of the paper's reference `arithmetic_coder.py`) and beside constriction,
all on the same 256-way pmfs in one run, printed as ratios to gencomp.

    python benchmarks/coder_speed.py [--symbols 1000000] [--json]

Every coder's output is decoded and checked against the input before it is timed.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from gencomp.coding import decode, encode, exact, weights_to_frequencies

_TOP, _MASK48, _MASK56, _P = 1 << 48, (1 << 48) - 1, (1 << 56) - 1, 24


def python_encode(weights: np.ndarray, symbols: np.ndarray) -> bytes:
    """A straightforward coder: one Python iteration per symbol, numpy cdf per row."""
    out, low, rng, cache, pending = bytearray(), 0, _MASK56, 0, 1

    def shift(low, cache, pending):
        if low < (0xFF << 48) or low > _MASK56:
            carry, temp = low >> 56, cache
            for _ in range(pending):
                out.append((temp + carry) & 0xFF)
                temp = 0xFF
            pending, cache = 0, (low >> 48) & 0xFF
        return (low & _MASK48) << 8, cache, pending + 1

    for row, sym in zip(weights, symbols):
        cdf = np.concatenate([[0], np.cumsum(weights_to_frequencies(row[None])[0])])
        r = rng >> _P
        low += r * int(cdf[sym])
        rng = r * int(cdf[sym + 1] - cdf[sym])
        while rng < _TOP:
            rng <<= 8
            low, cache, pending = shift(low, cache, pending)
    for _ in range(8):
        low, cache, pending = shift(low, cache, pending)
    return bytes(out)


def python_decode(blob: bytes, weights: np.ndarray) -> np.ndarray:
    data = blob + bytes(8)
    code, rng, pos = int.from_bytes(data[1:8], "big"), _MASK56, 8
    out = np.empty(len(weights), np.int64)
    for n, row in enumerate(weights):
        cdf = np.concatenate([[0], np.cumsum(weights_to_frequencies(row[None])[0])])
        r = rng >> _P
        sym = int(np.searchsorted(cdf, code // r, side="right")) - 1
        code -= r * int(cdf[sym])
        rng = r * int(cdf[sym + 1] - cdf[sym])
        while rng < _TOP:
            code = ((code << 8) & _MASK56) | (data[pos] if pos < len(data) else 0)
            pos, rng = pos + 1, rng << 8
        out[n] = sym
    return out


def sample_pmfs(n: int, alphabet: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """LM-like peaked pmfs (N, V) float32 and symbols drawn from them."""
    rng = np.random.default_rng(seed)
    logits = (rng.standard_normal((n, alphabet)) * 3).astype(np.float32)
    pmf = np.exp(logits - logits.max(1, keepdims=True))
    pmf /= pmf.sum(1, keepdims=True)
    symbols = (pmf.cumsum(1) < rng.random((n, 1), dtype=np.float32)).sum(1).clip(0, alphabet - 1)
    return pmf, symbols.astype(np.int64)


def _time(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run(n_symbols: int, n_python: int, seed: int) -> list[dict]:
    pmf, symbols = sample_pmfs(n_symbols, 256, seed)
    weights = exact.weights_from_log_probs(np.log(pmf))  # gencomp's coders take integer weights
    rows = []
    lengths = [n_symbols]
    encode(weights[:100], symbols[:100], [100])  # compile outside the timing
    t_enc, enc = _time(lambda: encode(weights, symbols, lengths))
    t_dec, dec = _time(lambda: decode(enc.blobs, weights, lengths))
    assert np.array_equal(dec, symbols)
    rows.append({"coder": "gencomp", "symbols": n_symbols, "encode_sym_per_s": n_symbols / t_enc,
                 "decode_sym_per_s": n_symbols / t_dec, "bytes": len(enc.blobs[0]),
                 "ideal_bytes": float(enc.ideal_bits[0] / 8)})

    p, s = weights[:n_python], symbols[:n_python]
    t_enc, blob = _time(lambda: python_encode(p, s))
    t_dec, dec = _time(lambda: python_decode(blob, p))
    assert np.array_equal(dec, s)
    rows.append({"coder": "pure-python per symbol", "symbols": n_python, "encode_sym_per_s": n_python / t_enc,
                 "decode_sym_per_s": n_python / t_dec, "bytes": len(blob)})

    try:
        import constriction
    except ImportError:
        print("constriction not installed (pip install constriction): skipped")
        return rows
    family = constriction.stream.model.Categorical(perfect=False)
    sym32 = symbols.astype(np.int32)
    pmf64 = pmf.astype(np.float64)  # constriction takes float64 tables

    def c_encode():
        encoder = constriction.stream.queue.RangeEncoder()
        encoder.encode(sym32, family, pmf64)
        return encoder.get_compressed()

    t_enc, words = _time(c_encode)
    t_dec, dec = _time(lambda: constriction.stream.queue.RangeDecoder(words).decode(family, pmf64))
    assert np.array_equal(dec, sym32)
    rows.append({"coder": "constriction", "symbols": n_symbols, "encode_sym_per_s": n_symbols / t_enc,
                 "decode_sym_per_s": n_symbols / t_dec, "bytes": int(words.nbytes)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=1_000_000)
    parser.add_argument("--python-symbols", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = run(args.symbols, args.python_symbols, args.seed)
    base = rows[0]
    for row in rows:
        row["encode_vs_gencomp"] = row["encode_sym_per_s"] / base["encode_sym_per_s"]
        row["decode_vs_gencomp"] = row["decode_sym_per_s"] / base["decode_sym_per_s"]
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'coder':<24}{'symbols':>10}{'encode sym/s':>14}{'decode sym/s':>14}{'enc ×':>8}{'dec ×':>8}{'bytes':>10}")
    for r in rows:
        print(f"{r['coder']:<24}{r['symbols']:>10}{r['encode_sym_per_s']:>14,.0f}{r['decode_sym_per_s']:>14,.0f}"
              f"{r['encode_vs_gencomp']:>8.3f}{r['decode_vs_gencomp']:>8.3f}{r['bytes']:>10}")
    print(f"gencomp ideal (quantized) size: {base['ideal_bytes']:.1f} bytes; coded: {base['bytes']} bytes")


if __name__ == "__main__":
    main()
