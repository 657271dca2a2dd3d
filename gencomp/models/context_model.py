"""An adaptive context model: no weights, it learns the data as it codes it.

Orders 0 … max_order byte contexts (the last k bytes) each keep symbol counts;
predictions blend the orders from low to high by Witten–Bell interpolation, as in
PPM's blending:

    p_k(x) = (c_k(x) + w_k · p_{k−1}(x)) / (n_k + w_k),    p_{−1} = uniform,

where, in the current order-k context, c_k(x) counts x, n_k all symbols, u_k the
distinct ones and the escape weight w_k = 4 u_k (Witten–Bell has w = u; 4 u was
measured best on 64 KiB of both Wikipedia and Shakespeare, orders 4 and 5 alike).
Each order has 2^table_bits buckets: a context that fits is its own bucket, longer
ones are hashed. The state is integer counts, and the same compiled code updates it in encoder and
decoder. The blend uses only float +, ×, ÷ (correctly rounded, elementwise, in a fixed order;
no exp or log) and ends in integer weights floor(p · 2^40), so every machine gets the same
weights (gencomp.coding.exact). Counts are halved at COUNT_LIMIT so the model keeps adapting.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from numba import njit

from gencomp.jit import CACHE
from gencomp.models.predictor import Predictor

COUNT_LIMIT = 1 << 12
WEIGHT_SCALE = float(1 << 40)  # integer weights: floor(p · 2^40), a row sums to at most 2^40
_HASH_MULT = 0x9E3779B97F4A7C15 >> 1  # odd 63-bit multiplier (int64-safe)


@njit(cache=CACHE)
def _buckets(history, pos, max_order, table_bits, out):
    """Bucket of each order's context at position pos (history[:pos] known)."""
    mask = (1 << table_bits) - 1
    h = 0
    out[0] = 0
    for k in range(1, max_order + 1):
        byte = history[pos - k] + 1 if pos - k >= 0 else 0  # 0 marks "before the start"
        h = h * 257 + byte
        if k <= 2 and table_bits >= 8 * k + 1:
            out[k] = h & mask
        else:
            out[k] = ((h * _HASH_MULT) >> 20) & mask


@njit(cache=CACHE)
def _predict(counts, totals, distinct, buckets, escape, pmf, weights):
    """weights (256,) int64 of the next byte, blending orders 0 … K from low to high (pmf: scratch)."""
    for i in range(256):
        pmf[i] = 1.0 / 256.0
    for k in range(counts.shape[0]):
        b = buckets[k]
        n = totals[k, b]
        if n == 0:
            continue
        w = escape[0] * distinct[k, b] + escape[1]
        inv = 1.0 / (n + w)
        for i in range(256):
            pmf[i] = (counts[k, b, i] + w * pmf[i]) * inv
    for i in range(256):
        weights[i] = np.int64(pmf[i] * WEIGHT_SCALE)


@njit(cache=CACHE)
def _update(counts, totals, distinct, buckets, symbol):
    for k in range(counts.shape[0]):
        b = buckets[k]
        if counts[k, b, symbol] == 0:
            distinct[k, b] += 1
        counts[k, b, symbol] += 1
        totals[k, b] += 1
        if np.int64(counts[k, b, symbol]) >= COUNT_LIMIT:
            n = 0
            u = 0
            for i in range(256):
                c = (np.int64(counts[k, b, i]) + 1) // 2
                counts[k, b, i] = c
                n += c
                u += 1 if c > 0 else 0
            totals[k, b] = n
            distinct[k, b] = u


@njit(cache=CACHE)
def _empty_tables(max_order, table_bits):
    """An empty model: counts (K+1, buckets, 256) uint16, totals and distinct counts (K+1, buckets)."""
    shape = (max_order + 1, 1 << table_bits)
    return np.zeros(shape + (256,), np.uint16), np.zeros(shape, np.int64), np.zeros(shape, np.int64)


@njit(cache=CACHE)
def _run(symbols, length, max_order, table_bits, escape, out):
    """out[t] = weights of symbols[t] given symbols[:t], for t < length, from an empty model."""
    counts, totals, distinct = _empty_tables(max_order, table_bits)
    buckets = np.zeros(max_order + 1, np.int64)
    pmf = np.empty(256, np.float64)
    for t in range(length):
        _buckets(symbols, t, max_order, table_bits, buckets)
        _predict(counts, totals, distinct, buckets, escape, pmf, out[t])
        _update(counts, totals, distinct, buckets, symbols[t])


class _State:
    """Per context: counts (K+1, buckets, 256), totals and distinct counts, and the bytes so far."""

    def __init__(self, batch_size: int, max_order: int, table_bits: int, capacity: int):
        self.tables = [_empty_tables(max_order, table_bits) for _ in range(batch_size)]
        self.history = np.zeros((batch_size, capacity), np.int64)
        self.length = 0


class ContextModel(Predictor):
    """Order-0 … max_order Witten–Bell blend over bytes; see the module docstring."""

    def __init__(self, max_order: int = 4, table_bits: int = 15, escape_per_distinct: float = 4.0,
                 escape_base: float = 0.0):
        """Escape weight of a context = escape_per_distinct · (distinct symbols) + escape_base."""
        self.max_order, self.table_bits = max_order, table_bits
        self._escape = np.array([escape_per_distinct, escape_base], np.float64)

    @property
    def name(self) -> str:
        return f"context-model-o{self.max_order}"

    def identity(self) -> dict:
        return {"name": self.name, "weights": "floor-2^40", "table_bits": self.table_bits, "count_limit": COUNT_LIMIT,
                "escape": self._escape.tolist()}

    def weights(self, symbols: np.ndarray) -> np.ndarray:
        symbols = np.ascontiguousarray(symbols, dtype=np.int64)
        out = np.empty(symbols.shape + (256,), np.int64)
        for row in range(symbols.shape[0]):
            _run(symbols[row], symbols.shape[1], self.max_order, self.table_bits, self._escape, out[row])
        return out

    def start(self, batch_size: int) -> _State:
        return _State(batch_size, self.max_order, self.table_bits, 1024)

    def step(self, state: _State, previous: Optional[np.ndarray]) -> np.ndarray:
        buckets = np.zeros(self.max_order + 1, np.int64)
        pmf = np.empty(256, np.float64)
        out = np.empty((len(state.tables), 256), np.int64)
        if previous is not None:
            if state.length == state.history.shape[1]:
                state.history = np.concatenate([state.history, np.zeros_like(state.history)], axis=1)
            state.history[:, state.length] = previous
        for row, (counts, totals, distinct) in enumerate(state.tables):
            if previous is not None:
                _buckets(state.history[row], state.length, self.max_order, self.table_bits, buckets)
                _update(counts, totals, distinct, buckets, previous[row])
            _buckets(state.history[row], state.length + (previous is not None), self.max_order, self.table_bits, buckets)
            _predict(counts, totals, distinct, buckets, self._escape, pmf, out[row])
        if previous is not None:
            state.length += 1
        return out
