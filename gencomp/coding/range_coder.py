"""The one arithmetic (range) coder: exact integer coding with a new pmf at every step.

Precision: every pmf row is quantized to integer frequencies summing to
TOTAL = 2**PRECISION_BITS (24 bits) by `pmf_to_frequencies`, which gives every
symbol at least 1, so any symbol of an alphabet of 2 … 65,536 stays codable.

Loss versus the ideal code length −log2 p, per symbol, worst case:
  * quantization: freq_i >= p_i * (TOTAL − V), so the cost is at most
    −log2 p_i − log2(1 − V / TOTAL): 2.2e-5 bits for V = 256, 0.0056 bits for V = 65,536;
  * coder arithmetic: the range is kept in [2**48, 2**56), so truncating
    range / TOTAL wastes less than 2**-24 of it: < 1e-7 bits;
  * per stream: the final flush writes the shortest byte string inside the last
    interval and trailing zero bytes are dropped (the decoder reads zeros past
    the end), so a stream costs ceil(ideal bits / 8) + at most 2 bytes.

The state is LZMA's range coder widened from 32 to 56 bits (low keeps a carry
bit 56, the byte in `cache` and a run of pending 0xFF bytes absorb the carry).
All arithmetic fits in int64. The kernels are compiled with numba: the per-symbol
loop runs at native speed, one Python call per batch of streams.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from gencomp.errors import GencompError

PRECISION_BITS = 24
TOTAL = 1 << PRECISION_BITS
MAX_ALPHABET = 1 << 16
_TOP = 1 << 48  # renormalize (emit a byte) while range < _TOP
_MASK48 = (1 << 48) - 1
_MASK56 = (1 << 56) - 1
_STATE_BYTES = 7  # bytes of `code` the decoder primes itself with


@njit(cache=True)
def _quantize_row(pmf_row, freq):
    """pmf_row (V,) float -> freq (V,) int64 in place: every entry >= 1, sum == TOTAL.

    Non-finite and negative entries count as 0; an all-zero row becomes uniform.
    The remainder of the rounding goes to the first most frequent symbol. The sum
    runs in four interleaved partial sums in a fixed order (fast, and the same on
    every machine: no fast-math reassociation).
    """
    V = pmf_row.shape[0]
    s0 = s1 = s2 = s3 = 0.0
    for i in range(0, V - 3, 4):
        s0 += _valid(pmf_row[i])
        s1 += _valid(pmf_row[i + 1])
        s2 += _valid(pmf_row[i + 2])
        s3 += _valid(pmf_row[i + 3])
    for i in range(V - V % 4, V):
        s0 += _valid(pmf_row[i])
    s = (s0 + s1) + (s2 + s3)
    uniform = not s > 0.0
    scale = (TOTAL - V) / (V if uniform else s)
    total = 0
    for i in range(V):
        f = np.int64((1.0 if uniform else _valid(pmf_row[i])) * scale) + 1
        freq[i] = f
        total += f
    best = 0
    for i in range(1, V):
        if freq[i] > freq[best]:
            best = i
    freq[best] += TOTAL - total


@njit(cache=True, inline="always")
def _valid(p):
    """p as float64 if finite and positive, else 0."""
    return np.float64(p) if p > 0.0 and p < np.inf else 0.0


@njit(cache=True)
def _quantize_rows(pmf, out):
    for n in range(pmf.shape[0]):
        _quantize_row(pmf[n], out[n])


@njit(cache=True)
def _shift_low(low, cache, cache_size, out, pos):
    """Move the top byte of the 56-bit window out of `low` (LZMA's ShiftLow)."""
    if low < (0xFF << 48) or low > _MASK56:
        carry = low >> 56
        temp = cache
        while True:
            out[pos] = (temp + carry) & 0xFF
            pos += 1
            temp = 0xFF
            cache_size -= 1
            if cache_size == 0:
                break
        cache = (low >> 48) & 0xFF
    cache_size += 1
    low = (low & _MASK48) << 8
    return low, cache, cache_size, pos


@njit(cache=True)
def _encode_rows(pmf, symbols, counts, state, ideal_bits, out, out_starts, out_ends):
    """Continue stream s with the next counts[s] rows (rows are grouped by stream, in order).

    state[s] = (low, range, cache, cache_size) carries over between calls; the bytes
    stream s emits go to out[out_starts[s]:out_ends[s]].
    """
    V = pmf.shape[1]
    freq = np.empty(V, np.int64)
    n = 0
    for s in range(counts.shape[0]):
        low, rng, cache, cache_size = state[s, 0], state[s, 1], state[s, 2], state[s, 3]
        pos = out_starts[s]
        bits = 0.0
        for _ in range(counts[s]):
            _quantize_row(pmf[n], freq)
            sym = symbols[n]
            n += 1
            cum = 0
            for i in range(sym):
                cum += freq[i]
            r = rng >> PRECISION_BITS
            low += r * cum
            rng = r * freq[sym]
            bits -= math.log2(freq[sym] / TOTAL)
            while rng < _TOP:
                rng <<= 8
                low, cache, cache_size, pos = _shift_low(low, cache, cache_size, out, pos)
        state[s, 0], state[s, 1], state[s, 2], state[s, 3] = low, rng, cache, cache_size
        ideal_bits[s] += bits
        out_ends[s] = pos


@njit(cache=True)
def _flush(state, out):
    """End every stream: pick the value in [low, low + range) with the most trailing
    zero bits and emit it; out[s] receives stream s's last bytes, the count is returned."""
    counts = np.zeros(state.shape[0], np.int64)
    for s in range(state.shape[0]):
        low, rng, cache, cache_size = state[s, 0], state[s, 1], state[s, 2], state[s, 3]
        for k in range(57, -1, -1):
            step = np.int64(1) << k
            v = (low + step - 1) & ~(step - 1)
            if v < low + rng:
                low = v
                break
        pos = 0
        for _ in range(_STATE_BYTES + 1):
            low, cache, cache_size, pos = _shift_low(low, cache, cache_size, out[s], pos)
        counts[s] = pos
    return counts


@njit(cache=True)
def _next_byte(buf, pos, end):
    return buf[pos] if pos < end else 0


@njit(cache=True)
def _decode_one(pmf_row, freq, buf, state, s):
    """Decode one symbol of stream s; state[s] = (code, range, pos, end, corrupt)."""
    _quantize_row(pmf_row, freq)
    code, rng, pos, end = state[s, 0], state[s, 1], state[s, 2], state[s, 3]
    r = rng >> PRECISION_BITS
    target = code // r
    if target >= TOTAL or target < 0:
        state[s, 4] = 1
        target = TOTAL - 1 if target >= TOTAL else 0
    cum = 0
    sym = 0
    for i in range(pmf_row.shape[0]):
        if cum + freq[i] > target:
            sym = i
            break
        cum += freq[i]
    code -= r * cum
    rng = r * freq[sym]
    while rng < _TOP:
        code = ((code << 8) & _MASK56) | _next_byte(buf, pos, end)
        pos += 1
        rng <<= 8
    state[s, 0], state[s, 1], state[s, 2] = code, rng, pos
    return sym


@njit(cache=True)
def _init_state(buf, bounds, state):
    for s in range(bounds.shape[0] - 1):
        pos, end = bounds[s], bounds[s + 1]
        code = 0
        for _ in range(_STATE_BYTES):
            code = (code << 8) | _next_byte(buf, pos, end)
            pos += 1
        state[s, 0], state[s, 1], state[s, 2], state[s, 3], state[s, 4] = code, _MASK56, pos, end, 0


@njit(cache=True)
def _decode_step(pmf, streams, buf, state, out):
    """One symbol for each stream in `streams`, row i of pmf for streams[i]."""
    freq = np.empty(pmf.shape[1], np.int64)
    for i in range(streams.shape[0]):
        out[i] = _decode_one(pmf[i], freq, buf, state, streams[i])


@njit(cache=True)
def _decode_streams(pmf, starts, buf, state, out):
    freq = np.empty(pmf.shape[1], np.int64)
    for s in range(starts.shape[0] - 1):
        for n in range(starts[s], starts[s + 1]):
            out[n] = _decode_one(pmf[n], freq, buf, state, s)


def _check_pmf(pmf: np.ndarray) -> np.ndarray:
    pmf = np.ascontiguousarray(pmf)
    if pmf.ndim != 2 or pmf.dtype not in (np.float32, np.float64):
        raise ValueError(f"pmf must be a 2-D float32/float64 array (N, V), got {pmf.dtype} {pmf.shape}")
    if not 2 <= pmf.shape[1] <= MAX_ALPHABET:
        raise ValueError(f"alphabet size must be 2 … {MAX_ALPHABET}, got {pmf.shape[1]}")
    return pmf


def pmf_to_frequencies(pmf: np.ndarray) -> np.ndarray:
    """(N, V) float pmfs -> (N, V) int64 frequencies, each >= 1, each row summing to TOTAL.

    The same compiled function the encoder and decoder call on every row.
    """
    pmf = _check_pmf(pmf)
    out = np.empty(pmf.shape, np.int64)
    _quantize_rows(pmf, out)
    return out


def _starts(stream_lengths) -> np.ndarray:
    lengths = np.asarray(stream_lengths, dtype=np.int64)
    if lengths.ndim != 1 or (lengths < 0).any():
        raise ValueError("stream_lengths must be a 1-D array of non-negative counts")
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


@dataclass(frozen=True)
class EncodedStreams:
    """blobs[s] codes stream s; ideal_bits[s] = Σ −log2(freq/TOTAL) over its symbols."""

    blobs: list[bytes]
    ideal_bits: np.ndarray


class StreamEncoder:
    """Codes several independent streams, fed in blocks of rows, e.g. as a model produces pmfs."""

    def __init__(self, n_streams: int):
        self._state = np.zeros((n_streams, 4), np.int64)
        self._state[:, 1] = _MASK56
        self._state[:, 3] = 1
        self._ideal_bits = np.zeros(n_streams, np.float64)
        self._bytes = [bytearray() for _ in range(n_streams)]

    def encode(self, pmf: np.ndarray, symbols: np.ndarray, counts) -> None:
        """pmf (N, V) float and symbols (N,) ints in [0, V): the next counts[s] symbols of
        each stream s, grouped by stream in order; counts (n_streams,) sums to N."""
        pmf = _check_pmf(pmf)
        symbols = np.ascontiguousarray(symbols, dtype=np.int64)
        counts = np.ascontiguousarray(counts, dtype=np.int64)
        if counts.shape != (len(self._bytes),) or (counts < 0).any() or counts.sum() != pmf.shape[0]:
            raise ValueError(f"counts must be {len(self._bytes)} non-negative numbers summing to {pmf.shape[0]} rows")
        if symbols.shape != (pmf.shape[0],):
            raise ValueError(f"{pmf.shape[0]} pmf rows but symbols of shape {symbols.shape}")
        if symbols.size and (symbols.min() < 0 or symbols.max() >= pmf.shape[1]):
            raise ValueError(f"symbols must lie in [0, {pmf.shape[1]})")
        # A symbol emits at most 4 bytes; bytes held back for a carry (cache_size) come on top.
        capacity = 4 * counts + 16 + self._state[:, 3]
        out_starts = np.concatenate([[0], np.cumsum(capacity)[:-1]]).astype(np.int64)
        out = np.empty(int(capacity.sum()), np.uint8)
        out_ends = np.empty_like(out_starts)
        _encode_rows(pmf, symbols, counts, self._state, self._ideal_bits, out, out_starts, out_ends)
        for buf, a, b in zip(self._bytes, out_starts, out_ends):
            buf += out[a:b].tobytes()

    def finish(self) -> EncodedStreams:
        tails = np.zeros((len(self._bytes), _STATE_BYTES + 8 + int(self._state[:, 3].max(initial=0))), np.uint8)
        counts = _flush(self._state, tails)
        # Byte 0 of a stream is always 0 (the code value lies below the initial range),
        # and the decoder reads zeros past the end: neither needs storing.
        blobs = [bytes(buf + tail[:n].tobytes())[1:].rstrip(b"\0") for buf, tail, n in zip(self._bytes, tails, counts)]
        return EncodedStreams(blobs, self._ideal_bits.copy())


def encode(pmf: np.ndarray, symbols: np.ndarray, stream_lengths) -> EncodedStreams:
    """Code independent streams in one call.

    pmf: (N, V) float, row n the distribution symbol n was drawn from;
    symbols: (N,) ints in [0, V); stream_lengths: (S,) symbols per stream, in order, summing to N.
    """
    lengths = np.asarray(stream_lengths, dtype=np.int64)
    encoder = StreamEncoder(len(lengths))
    encoder.encode(pmf, symbols, lengths)
    return encoder.finish()


class StreamDecoder:
    """Decodes several streams in lockstep, one symbol per active stream per `step`.

    For a model that needs symbol t before it can give the pmf of symbol t+1.
    """

    def __init__(self, blobs: list[bytes]):
        self._buf = np.frombuffer(b"".join(blobs), dtype=np.uint8) if blobs else np.zeros(0, np.uint8)
        bounds = np.concatenate([[0], np.cumsum([len(b) for b in blobs])]).astype(np.int64)
        self._state = np.zeros((len(blobs), 5), np.int64)
        _init_state(self._buf, bounds, self._state)

    def step(self, pmf: np.ndarray, streams: np.ndarray) -> np.ndarray:
        """pmf (A, V) for the A streams listed in `streams` (A,) -> their next symbols (A,) int64."""
        pmf = _check_pmf(pmf)
        streams = np.ascontiguousarray(streams, dtype=np.int64)
        out = np.empty(len(streams), np.int64)
        _decode_step(pmf, streams, self._buf, self._state, out)
        return out

    def check(self) -> None:
        """Raise GencompError if any stream's data was not a valid code for its pmfs."""
        bad = np.flatnonzero(self._state[:, 4])
        if len(bad):
            raise GencompError(f"corrupt coded data: stream {int(bad[0])} left its coding interval")


def decode(blobs: list[bytes], pmf: np.ndarray, stream_lengths) -> np.ndarray:
    """Inverse of `encode` when every pmf row is known up front: (N,) int64 symbols."""
    pmf = _check_pmf(pmf)
    starts = _starts(stream_lengths)
    if len(blobs) != len(starts) - 1 or starts[-1] != pmf.shape[0]:
        raise ValueError(f"{len(blobs)} blobs for {len(starts) - 1} streams of {pmf.shape[0]} rows")
    decoder = StreamDecoder(blobs)
    out = np.empty(pmf.shape[0], np.int64)
    _decode_streams(pmf, starts, decoder._buf, decoder._state, out)
    decoder.check()
    return out
