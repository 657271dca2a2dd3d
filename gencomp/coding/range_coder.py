"""The one arithmetic (range) coder: exact integer coding with a new distribution at every step.

Input: integer weights (N, V) int64, one row per symbol (gencomp.coding.exact states the
contract and why it is integers). Every row is quantized to integer frequencies summing to
TOTAL = 2**PRECISION_BITS (24 bits) by `weights_to_frequencies`, in integer arithmetic, giving
every symbol at least 1, so any symbol of an alphabet of 2 … 65,536 stays codable.

Loss versus the ideal code length −log2 p, per symbol, worst case:
  * quantization: freq_i >= p_i * (TOTAL − V) (weights summing to 2^32 or more lose their
    low bits first, < 2^-24 relative for a symbol holding ≥ 2^-8 of the mass), so the cost is at
    most −log2 p_i − log2(1 − V / TOTAL): 2.2e-5 bits for V = 256, 0.0056 bits for V = 65,536;
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

from gencomp.errors import GencompError
from gencomp.jit import CACHE
from gencomp.native import njit

PRECISION_BITS = 24
TOTAL = 1 << PRECISION_BITS
MAX_ALPHABET = 1 << 16
_TOP = 1 << 48  # renormalize (emit a byte) while range < _TOP
_MASK48 = (1 << 48) - 1
_MASK56 = (1 << 56) - 1
_STATE_BYTES = 7  # bytes of `code` the decoder primes itself with
_SUM_LIMIT = 1 << 32  # weights are shifted until their row sums below this: w · (TOTAL − V) < 2^56


@njit(cache=CACHE)
def _quantize_row(weights, freq):
    """weights (V,) int64 (>= 0, sum < 2^62) -> freq (V,) int64 in place: every entry >= 1, sum == TOTAL.

    Integer arithmetic only (see gencomp.coding.exact): rows summing to 2^32 or more are first
    shifted right until they do not; then freq_i = 1 + ⌊w_i (TOTAL − V) / S⌋ with S the row's
    sum, computed exactly by a reciprocal and one correction. An all-zero row becomes uniform.
    The remainder goes to the first most frequent symbol.
    """
    V = weights.shape[0]
    spread = TOTAL - V
    total = 0
    for i in range(V):
        freq[i] = weights[i]
        total += weights[i]
    if total <= 0:
        for i in range(V):
            freq[i] = 1
        total = V
    if total >= _SUM_LIMIT:
        shift = 0
        while (total >> shift) >= _SUM_LIMIT:
            shift += 1
        total = 0
        for i in range(V):
            freq[i] >>= shift
            total += freq[i]
        if total == 0:  # every weight below 2^shift but one row of them: treat as uniform
            for i in range(V):
                freq[i] = 1
            total = V
    reciprocal = (spread << 38) // total  # w · reciprocal < spread · 2^38 < 2^62
    used = 0
    for i in range(V):
        q = (freq[i] * reciprocal) >> 38  # ⌊w · spread / S⌋ or one less
        if (q + 1) * total <= freq[i] * spread:
            q += 1
        freq[i] = 1 + q
        used += 1 + q
    best = 0
    for i in range(1, V):
        if freq[i] > freq[best]:
            best = i
    freq[best] += TOTAL - used


@njit(cache=CACHE)
def _quantize_rows(weights, out):
    for n in range(weights.shape[0]):
        _quantize_row(weights[n], out[n])


@njit(cache=CACHE)
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


@njit(cache=CACHE)
def _encode_rows(weights, symbols, counts, state, ideal_bits, out, out_starts, out_ends):
    """Continue stream s with the next counts[s] rows (rows are grouped by stream, in order).

    state[s] = (low, range, cache, cache_size) carries over between calls; the bytes
    stream s emits go to out[out_starts[s]:out_ends[s]].
    """
    V = weights.shape[1]
    freq = np.empty(V, np.int64)
    n = 0
    for s in range(counts.shape[0]):
        low, rng, cache, cache_size = state[s, 0], state[s, 1], state[s, 2], state[s, 3]
        pos = out_starts[s]
        bits = 0.0
        for _ in range(counts[s]):
            _quantize_row(weights[n], freq)
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


@njit(cache=CACHE, native="i8[:,:] u1[:,:] i8[:] ->")
def _flush(state, out, counts):
    """End every stream: pick the value in [low, low + range) with the most trailing
    zero bits and emit it; out[s] receives stream s's last bytes, counts[s] their count."""
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


@njit(cache=CACHE)
def _next_byte(buf, pos, end):
    return buf[pos] if pos < end else 0


@njit(cache=CACHE)
def decode_symbol(weights_row, freq, buf, state, s):
    """Decode one symbol of stream s under weights_row (V,) (freq: (V,) int64 scratch); state[s] =
    (code, range, pos, end, corrupt). For compiled decoding loops: StreamDecoder.arrays gives buf
    and state."""
    _quantize_row(weights_row, freq)
    code, rng, pos, end = state[s, 0], state[s, 1], state[s, 2], state[s, 3]
    r = rng >> PRECISION_BITS
    target = code // r
    if target >= TOTAL or target < 0:
        state[s, 4] = 1
        target = TOTAL - 1 if target >= TOTAL else 0
    cum = 0
    sym = 0
    for i in range(weights_row.shape[0]):
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


@njit(cache=CACHE, native="u1[:] i8[:] i8[:,:] ->")
def _init_state(buf, bounds, state):
    for s in range(bounds.shape[0] - 1):
        pos, end = bounds[s], bounds[s + 1]
        code = 0
        for _ in range(_STATE_BYTES):
            code = (code << 8) | _next_byte(buf, pos, end)
            pos += 1
        state[s, 0], state[s, 1], state[s, 2], state[s, 3], state[s, 4] = code, _MASK56, pos, end, 0


@njit(cache=CACHE)
def _decode_step(weights, streams, buf, state, out):
    """One symbol for each stream in `streams`, row i of weights for streams[i]."""
    freq = np.empty(weights.shape[1], np.int64)
    for i in range(streams.shape[0]):
        out[i] = decode_symbol(weights[i], freq, buf, state, streams[i])


@njit(cache=CACHE)
def _decode_streams(weights, starts, buf, state, out):
    freq = np.empty(weights.shape[1], np.int64)
    for s in range(starts.shape[0] - 1):
        for n in range(starts[s], starts[s + 1]):
            out[n] = decode_symbol(weights[n], freq, buf, state, s)


BIT_PRECISION_BITS = 16  # binary decisions: P(bit = 1) in units of 2^-16, in [1, 2^16 - 1]


@njit(cache=CACHE)
def encode_bit(state, p1, bit, out, pos):
    """Code one binary decision with P(bit = 1) = p1 / 2^16 into the stream whose encoder state is
    state (4,) (as StreamEncoder keeps it); bytes go to out[pos:], the new pos is returned.

    The same interval arithmetic as a 2-symbol alphabet, for bitwise models (gencomp.models.context_mixing)."""
    low, rng, cache, cache_size = state[0], state[1], state[2], state[3]
    split = (rng >> BIT_PRECISION_BITS) * p1
    if bit:
        rng = split
    else:
        low += split
        rng -= split
    while rng < _TOP:
        rng <<= 8
        low, cache, cache_size, pos = _shift_low(low, cache, cache_size, out, pos)
    state[0], state[1], state[2], state[3] = low, rng, cache, cache_size
    return pos


@njit(cache=CACHE)
def decode_bit(state, p1, buf):
    """The binary decision encode_bit coded with the same p1; state (5,) as StreamDecoder keeps it."""
    code, rng, pos, end = state[0], state[1], state[2], state[3]
    split = (rng >> BIT_PRECISION_BITS) * p1
    if code < split:
        bit = 1
        rng = split
    else:
        bit = 0
        code -= split
        rng -= split
        if code >= rng:
            state[4] = 1
    while rng < _TOP:
        code = ((code << 8) & _MASK56) | _next_byte(buf, pos, end)
        pos += 1
        rng <<= 8
    state[0], state[1], state[2] = code, rng, pos
    return bit


def encoder_states(n_streams: int) -> np.ndarray:
    """(n_streams, 4) int64: fresh encoder states (low, range, cache, cache_size)."""
    state = np.zeros((n_streams, 4), np.int64)
    state[:, 1] = _MASK56
    state[:, 3] = 1
    return state


def finish_streams(state: np.ndarray, bodies: list) -> list[bytes]:
    """End each stream: its body (the bytes emitted so far) plus the flushed tail, as stored.

    Byte 0 of a stream is always 0 (the code value lies below the initial range), and the
    decoder reads zeros past the end: neither is stored."""
    tails = np.zeros((len(bodies), _STATE_BYTES + 8 + int(state[:, 3].max(initial=0))), np.uint8)
    counts = np.zeros(len(bodies), np.int64)
    _flush(state, tails, counts)
    return [(bytes(body) + tail[:n].tobytes())[1:].rstrip(b"\0") for body, tail, n in zip(bodies, tails, counts)]


def decoder_states(blobs: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(buf, state): the blobs joined as uint8 and (len(blobs), 5) int64 decoder states primed on them."""
    buf = np.frombuffer(b"".join(blobs), dtype=np.uint8) if blobs else np.zeros(0, np.uint8)
    bounds = np.concatenate([[0], np.cumsum([len(b) for b in blobs])]).astype(np.int64)
    state = np.zeros((len(blobs), 5), np.int64)
    _init_state(buf, bounds, state)
    return buf, state


def _check_weights(weights: np.ndarray) -> np.ndarray:
    """(N, V) int64 weights as the coder takes them (see gencomp.coding.exact), or ValueError."""
    weights = np.asarray(weights)
    if weights.ndim != 2 or weights.dtype.kind not in "iu":
        raise ValueError(f"weights must be a 2-D integer array (N, V), got {weights.dtype} {weights.shape}; "
                         "turn float probabilities into integers with gencomp.coding.exact first")
    if not 2 <= weights.shape[1] <= MAX_ALPHABET:
        raise ValueError(f"alphabet size must be 2 … {MAX_ALPHABET}, got {weights.shape[1]}")
    weights = np.ascontiguousarray(weights, dtype=np.int64)
    if weights.size and weights.min() < 0:
        raise ValueError("weights must be >= 0")
    return weights


def weights_to_frequencies(weights: np.ndarray) -> np.ndarray:
    """(N, V) int64 weights -> (N, V) int64 frequencies, each >= 1, each row summing to TOTAL.

    The same compiled function the encoder and decoder call on every row.
    """
    weights = _check_weights(weights)
    out = np.empty(weights.shape, np.int64)
    _quantize_rows(weights, out)
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
    """Codes several independent streams, fed in blocks of rows, e.g. as a model produces distributions."""

    def __init__(self, n_streams: int):
        self._state = encoder_states(n_streams)
        self._ideal_bits = np.zeros(n_streams, np.float64)
        self._bytes = [bytearray() for _ in range(n_streams)]

    def encode(self, weights: np.ndarray, symbols: np.ndarray, counts) -> None:
        """weights (N, V) int64 and symbols (N,) ints in [0, V): the next counts[s] symbols of
        each stream s, grouped by stream in order; counts (n_streams,) sums to N."""
        weights = _check_weights(weights)
        symbols = np.ascontiguousarray(symbols, dtype=np.int64)
        counts = np.ascontiguousarray(counts, dtype=np.int64)
        if counts.shape != (len(self._bytes),) or (counts < 0).any() or counts.sum() != weights.shape[0]:
            raise ValueError(f"counts must be {len(self._bytes)} non-negative numbers summing to {weights.shape[0]} rows")
        if symbols.shape != (weights.shape[0],):
            raise ValueError(f"{weights.shape[0]} weights rows but symbols of shape {symbols.shape}")
        if symbols.size and (symbols.min() < 0 or symbols.max() >= weights.shape[1]):
            raise ValueError(f"symbols must lie in [0, {weights.shape[1]})")
        # A symbol emits at most 4 bytes; bytes held back for a carry (cache_size) come on top.
        capacity = 4 * counts + 16 + self._state[:, 3]
        out_starts = np.concatenate([[0], np.cumsum(capacity)[:-1]]).astype(np.int64)
        out = np.empty(int(capacity.sum()), np.uint8)
        out_ends = np.empty_like(out_starts)
        _encode_rows(weights, symbols, counts, self._state, self._ideal_bits, out, out_starts, out_ends)
        for buf, a, b in zip(self._bytes, out_starts, out_ends):
            buf += out[a:b].tobytes()

    def finish(self) -> EncodedStreams:
        return EncodedStreams(finish_streams(self._state, self._bytes), self._ideal_bits.copy())


def encode(weights: np.ndarray, symbols: np.ndarray, stream_lengths) -> EncodedStreams:
    """Code independent streams in one call.

    weights: (N, V) int64, row n the distribution symbol n was drawn from;
    symbols: (N,) ints in [0, V); stream_lengths: (S,) symbols per stream, in order, summing to N.
    """
    lengths = np.asarray(stream_lengths, dtype=np.int64)
    encoder = StreamEncoder(len(lengths))
    encoder.encode(weights, symbols, lengths)
    return encoder.finish()


class StreamDecoder:
    """Decodes several streams in lockstep, one symbol per active stream per `step`.

    For a model that needs symbol t before it can give the distribution of symbol t+1.
    """

    def __init__(self, blobs: list[bytes]):
        self._buf, self._state = decoder_states(blobs)

    @property
    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(buf, state) for decode_symbol in a compiled loop."""
        return self._buf, self._state

    def step(self, weights: np.ndarray, streams: np.ndarray) -> np.ndarray:
        """weights (A, V) for the A streams listed in `streams` (A,) -> their next symbols (A,) int64."""
        weights = _check_weights(weights)
        streams = np.ascontiguousarray(streams, dtype=np.int64)
        out = np.empty(len(streams), np.int64)
        _decode_step(weights, streams, self._buf, self._state, out)
        return out

    def check(self) -> None:
        """Raise GencompError if any stream's data was not a valid code for its distributions."""
        bad = np.flatnonzero(self._state[:, 4])
        if len(bad):
            raise GencompError(f"corrupt coded data: stream {int(bad[0])} left its coding interval")


def decode(blobs: list[bytes], weights: np.ndarray, stream_lengths) -> np.ndarray:
    """Inverse of `encode` when every weights row is known up front: (N,) int64 symbols."""
    weights = _check_weights(weights)
    starts = _starts(stream_lengths)
    if len(blobs) != len(starts) - 1 or starts[-1] != weights.shape[0]:
        raise ValueError(f"{len(blobs)} blobs for {len(starts) - 1} streams of {weights.shape[0]} rows")
    decoder = StreamDecoder(blobs)
    out = np.empty(weights.shape[0], np.int64)
    _decode_streams(weights, starts, decoder._buf, decoder._state, out)
    decoder.check()
    return out
