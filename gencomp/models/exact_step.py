"""The integer-exact transformer's forward pass as one compiled kernel, for any number of rows
and positions at a time.

ExactTransformer (gencomp.models.exact_transformer) defines the arithmetic: exact integer dot
products (in int32 through pmaddwd where they provably fit, else in float64, exact in any order),
then correctly rounded +, ×, ÷, sqrt and round-half-to-even, in a fixed order. `feed` runs it
for B rows × P positions through the KV cache: encoding feeds 64 positions at a time, decoding
one, and each position's arithmetic is the same either way. The activation and score grids are
defined here.

Weights come packed by ExactTransformer._pack (layer-stacked int16 matrices in pairs of inputs,
(⌈in/2⌉, out, 2)); the KV cache holds keys in pairs of dimensions and values as (L, B, H, hd, C):
each sum runs along contiguous memory.
"""

from __future__ import annotations

import numpy as np
from numba import types
from numba.extending import overload

from gencomp.coding.range_coder import decode_symbol
from gencomp.jit import CACHE
from gencomp.models import simd
from gencomp.models.sync import load_acquire
from gencomp.native import njit

ACT_FRAC_BITS = 10  # matmul inputs: multiples of 2^-10 …
ACT_LIMIT = 1024.0  # … clamped to ±1024, so |integer| <= 2^20
SCORE_FRAC_BITS = 8  # attention scores and logits: multiples of 1/256 nat
ACT_SCALE = 2.0**ACT_FRAC_BITS
SCORE_SCALE = 2.0**SCORE_FRAC_BITS


@njit(cache=CACHE)
def _round_half_even(x):
    """np.round's rounding (half to even), one instruction."""
    return np.rint(x)


@njit(cache=CACHE)
def _grid(x, out):
    """out = round(clip(x, ±1024) · 1024): the activation grid (ExactTransformer._to_grid_)."""
    for i in range(x.shape[0]):
        out[i] = _round_half_even(min(max(x[i], -ACT_LIMIT), ACT_LIMIT) * ACT_SCALE)


@njit(cache=CACHE, fastmath={"reassoc", "contract"})
def _exact_dot(a, b):
    """Σ a[i] b[i] for integer-valued a and b whose sums stay below 2^53: exact in any order, which
    is what lets the compiler reorder and vectorize it (fastmath here and in the two kernels below
    it, and only there)."""
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


@njit(cache=CACHE, fastmath={"reassoc", "contract"})
def _exact_scores(q, k_pairs, lo, hi, out):
    """out[j] = Σ_d q[d] k[d, lo + j] for j < hi − lo, keys in pairs of dimensions: k[d, i] is
    k_pairs[d // 2, i, d % 2] (integer-valued: exact, see _exact_dot). Two pairs per pass over out.
    Rows are sliced first and indexed from 0: an index numba cannot prove non-negative gets a
    wraparound check, which keeps LLVM from vectorizing (4× slower)."""
    n, hd = hi - lo, q.shape[0]
    for j in range(n):
        out[j] = 0.0
    for p in range(0, k_pairs.shape[0], 2):
        r0 = k_pairs[p][lo:hi]
        r1 = k_pairs[min(p + 1, k_pairs.shape[0] - 1)][lo:hi]
        q0, q1 = q[2 * p], q[2 * p + 1] if 2 * p + 1 < hd else 0.0
        q2 = q[2 * p + 2] if p + 1 < k_pairs.shape[0] else 0.0
        q3 = q[2 * p + 3] if 2 * p + 3 < hd else 0.0
        for j in range(n):
            out[j] += (q0 * np.float64(r0[j, 0]) + q1 * np.float64(r0[j, 1])
                       + q2 * np.float64(r1[j, 0]) + q3 * np.float64(r1[j, 1]))


@njit(cache=CACHE, fastmath={"reassoc", "contract"})
def _exact_weighted_sum(weights, v_t, lo, hi, out):
    """out[d] = Σ_j weights[j] v_t[d, lo + j] for j < hi − lo (integer-valued: exact, see _exact_dot)."""
    n = hi - lo
    for d in range(out.shape[0]):
        row = v_t[d][lo:hi]
        s = 0.0
        for j in range(n):
            s += weights[j] * np.float64(row[j])
        out[d] = s


MAX_PAIRS = 512  # inputs a pmaddwd pass sums: 1024 × 2047 × 1024 < 2^31, so a split pass never overflows


@njit(cache=CACHE)
def linear_scratch(inputs, padded_outputs):
    """_linear's working arrays: two int16 input vectors (a row's halves, or two rows), two int32 sums per output."""
    return (np.zeros(inputs + 1, np.int16), np.zeros(inputs + 1, np.int16),
            np.empty(padded_outputs, np.int32), np.empty(padded_outputs, np.int32))


@njit(cache=CACHE)
def _to_int16(x, out):
    """out[: len(x)] = x, integers that fit int16."""
    for i in range(x.shape[0]):
        out[i] = np.int16(x[i])


@njit(cache=CACHE)
def _halves(x, high, low):
    """x's two int16 halves, x = 1024 high + low (|x| <= 2^20)."""
    for i in range(x.shape[0]):
        h = np.floor(x[i] * (1.0 / ACT_SCALE))
        high[i], low[i] = np.int16(h), np.int16(x[i] - h * ACT_SCALE)


@njit(cache=CACHE)
def _linear(x_int, w_pairs, scale, passes, out, scratch):
    """out = (x_int wᵀ) · scale for rows x_int (N, I) on the activation grid (|x| <= 2^20) and integer
    weights w in pairs of inputs (⌈I/2⌉, O padded, 2) int16 (ExactTransformer._pack): the exact sum,
    then one rounding.

    The sums run in int32 through pmaddwd (gencomp.models.simd), MAX_PAIRS pairs a pass: with passes == 2
    over x's high and low halves (x = 1024 x_hi + x_lo, each fits int16 and each sum int32 whatever x
    is); with passes == 1 over x itself, two rows at a time, which _pack allows only where it proved x
    fits int16 and the sums int32 (the norms' outputs, for every shipped model). Either way the integer
    is Σ x w exactly."""
    N, I = x_int.shape
    O, pairs, padded = out.shape[1], w_pairs.shape[0], w_pairs.shape[1]
    x_a, x_b, sum_a, sum_b = scratch
    if sum_a.shape[0] < padded or x_a.shape[0] < 2 * pairs or w_pairs.shape[2] != 2 or not w_pairs.flags.c_contiguous:
        raise ValueError("_linear: scratch smaller than the layer, or weights not in pairs")  # simd reads raw memory
    stride, blocks = padded * 2, padded // simd.BLOCK
    n = 0
    while n < N:  # two int16 vectors a pass, which share each weight read: a row's halves, or two rows
        two_rows = passes == 1 and n + 1 < N
        if passes == 1:
            _to_int16(x_int[n], x_a)
            if two_rows:
                _to_int16(x_int[n + 1], x_b)
        else:
            _halves(x_int[n], x_a, x_b)
        rows = 2 if two_rows else 1
        for r in range(rows):
            for o in range(O):
                out[n + r, o] = 0.0
        for first in range(0, pairs, MAX_PAIRS):
            count = min(MAX_PAIRS, pairs - first)
            weights = w_pairs.ctypes.data + first * padded * 4
            if passes == 1 and not two_rows:
                simd.pair_scores(sum_a.ctypes.data, weights, stride, x_a.ctypes.data + first * 4, count, blocks)
            else:
                simd.pair_scores2(sum_a.ctypes.data, sum_b.ctypes.data, weights, stride, x_a.ctypes.data + first * 4,
                                  x_b.ctypes.data + first * 4, count, blocks)
            for o in range(O):
                if passes == 2:
                    out[n, o] += np.float64(sum_a[o]) * ACT_SCALE + np.float64(sum_b[o])
                else:
                    out[n, o] += np.float64(sum_a[o])
                    if two_rows:
                        out[n + 1, o] += np.float64(sum_b[o])
        for r in range(rows):
            for o in range(O):
                out[n + r, o] = out[n + r, o] * scale[o]
        n += rows


@njit(cache=CACHE)
def _norm(x, weight, eps_int, x_int, out):
    """out = the RMS-normalized x on the activation grid (ExactTransformer._RMSNorm)."""
    _grid(x, x_int)
    mean_square = _exact_dot(x_int, x_int) / x.shape[0]
    root = np.sqrt(mean_square + eps_int)
    for i in range(x.shape[0]):
        out[i] = x_int[i] / root * weight[i]
    _grid(out, out)


@njit(cache=CACHE, fastmath={"nnan", "ninf"})
def _max(x, n):
    """max(x[:n]), n >= 1, for finite x: exact in any order, so eight running maxima, not one chain
    of dependent compares (4.7× faster over 256 scores)."""
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = x[0]
    j = 0
    while j + 8 <= n:
        m0, m1, m2, m3 = max(m0, x[j]), max(m1, x[j + 1]), max(m2, x[j + 2]), max(m3, x[j + 3])
        m4, m5, m6, m7 = max(m4, x[j + 4]), max(m5, x[j + 5]), max(m6, x[j + 6]), max(m7, x[j + 7])
        j += 8
    for i in range(j, n):
        m0 = max(m0, x[i])
    return max(max(max(m0, m1), max(m2, m3)), max(max(m4, m5), max(m6, m7)))


@njit(cache=CACHE)
def _reach(q, q_norm2, k_newest, key_norm2, slope, score_scale, last_table):
    """How many positions back (the newest included) a head's attention weights can be non-zero:
    further back, the ALiBi bias alone puts a score at least last_table below the newest position's
    (so below the row's best), where the table's weight is 0. The bound on a score, |q·k| ≤ ‖q‖ ‖k‖
    with ‖k‖² ≤ key_norm2 (the largest of the keys written), carries a margin for its roundings: a
    position left out has weight 0 exactly, so the sums, and the integers, are those of the whole window."""
    newest = _round_half_even(_exact_dot(q, k_newest) * score_scale)
    bound = np.sqrt(q_norm2) * np.sqrt(key_norm2) * score_scale * (1.0 + 2.0**-40) + 2.0
    distance = (bound - newest + last_table) / slope  # any position at least this far back weighs 0
    return np.int64(min(distance, 2.0**62)) + 1


@njit(cache=CACHE)
def attention_scratch(window, head_dim):
    """_attend's working arrays for `window` positions: scores and weights (float64), scores (int32),
    the query (int16), the weights' two halves (int16), padded to whole simd blocks, the weighted
    sums of the values by those halves (int32), and the sums of the halves (int32 (2,))."""
    padded = window + simd.BLOCK
    return (np.empty(window), np.empty(padded, np.int32), np.zeros(head_dim + 1, np.int16),
            np.empty(padded, np.int16), np.empty(padded, np.int16), np.empty(2 * head_dim, np.int32),
            np.zeros(2, np.int32))


def _int16_cache(cache):
    """Whether the KV cache holds int16 (known when a kernel compiles, so the other path is dropped)."""


@overload(_int16_cache, jit_options={"cache": CACHE})
def _int16_cache_impl(cache):
    flag = cache.dtype == types.int16
    return lambda cache: flag


@njit(cache=CACHE)
def _attend(q, k_newest, k_pairs, v_cache, bounds, index, lo, slopes, score_scale, attn_halves, scratch, a):
    """One query's attention output a (D,) from q (D,) over cache slots lo … index: keys k_pairs
    (H, ⌈hd/2⌉, C, 2) (exact_transformer._Cache), values (H, hd, C), bounds (H, 2) the largest ‖k‖²
    and |v| written to each head, k_newest (D,) the key at index. Per head: each score q·k rounded
    to score units plus the ALiBi bias, its weight the exp table's entry for its distance below the
    best score (each entry w = 1024 high + low held as attn_halves = high << 16 | low, int32), then
    Σ w v / Σ w in real units. Positions further back than _reach weigh 0 and are skipped.

    An int16 cache takes the pmaddwd kernels (gencomp.models.simd) wherever a bound shows the true
    sum fits int32 (|q·k| <= ‖q‖ ‖k‖; |Σ w v| <= Σ w · max |v|, the 20-bit weights split into two
    10-bit halves): the same integers as the float64 sums (scores 4×, weighted sums 1.4× faster)."""
    weights, scores, q16, w_hi, w_lo, sums, halves_sums = scratch
    H, hd = v_cache.shape[0], v_cache.shape[1]
    compact = _int16_cache(k_pairs)
    last_table = attn_halves.shape[0] - 1
    for head in range(H):
        q0 = head * hd
        qh, slope = q[q0 : q0 + hd], slopes[head]
        q_norm2, key_norm2, value_max = _exact_dot(qh, qh), bounds[head, 0], bounds[head, 1]
        first = max(lo, index + 1 - _reach(qh, q_norm2, k_newest[q0 : q0 + hd], key_norm2, slope, score_scale,
                                           last_table))
        n = index + 1 - first
        blocks = (n + simd.BLOCK - 1) // simd.BLOCK
        if (scores.shape[0] < blocks * simd.BLOCK or first + blocks * simd.BLOCK > v_cache.shape[2]
                or sums.shape[0] < 2 * hd):
            raise ValueError("_attend: scratch or cache without room for whole simd blocks")  # simd reads raw memory
        if compact and np.sqrt(q_norm2) * np.sqrt(key_norm2) * (1.0 + 2.0**-40) < 2.0**31:
            for d in range(hd):
                q16[d] = np.int16(qh[d])
            keys = k_pairs[head]
            simd.pair_scores(scores.ctypes.data, keys.ctypes.data + first * 4, keys.shape[1] * 2, q16.ctypes.data,
                             keys.shape[0], blocks)
            for j in range(n):  # score units, ALiBi bias by distance n − 1 − j
                weights[j] = _round_half_even(np.float64(scores[j]) * score_scale) + -slope * (n - 1 - j)
        else:
            _exact_scores(qh, k_pairs[head], first, index + 1, weights)
            for j in range(n):
                weights[j] = _round_half_even(weights[j] * score_scale) + -slope * (n - 1 - j)
        best = _max(weights, n)
        whole = n - n % 8  # each weight from the table by its distance below the best score: 8 a gather, then the rest
        simd.table_weights(weights.ctypes.data, whole, best, np.float64(last_table), attn_halves.ctypes.data,
                           w_hi.ctypes.data, w_lo.ctypes.data, halves_sums.ctypes.data)
        sum_hi, sum_lo = np.int64(halves_sums[0]), np.int64(halves_sums[1])
        for j in range(whole, n):
            entry = attn_halves[np.uint64(np.int64(min(best - weights[j], last_table)))]  # unsigned: no wraparound
            w_hi[j], w_lo[j] = np.int16(entry >> 16), np.int16(entry & 0xFFFF)
            sum_hi += entry >> 16
            sum_lo += entry & 0xFFFF
        total = sum_hi * 1024 + sum_lo
        out = a[q0 : q0 + hd]
        if compact and max(sum_hi, sum_lo) * np.int64(value_max) < 2**31:
            for j in range(n, blocks * simd.BLOCK):
                w_hi[j] = w_lo[j] = 0
            values = v_cache[head]
            simd.weighted_rows(sums.ctypes.data, values.ctypes.data + first * 2, values.shape[1], w_hi.ctypes.data,
                               w_lo.ctypes.data, hd, blocks)
            for d in range(hd):
                out[d] = np.float64(sums[2 * d]) * 1024.0 + np.float64(sums[2 * d + 1])
        else:
            for j in range(n):
                weights[j] = np.float64(w_hi[j]) * 1024.0 + np.float64(w_lo[j])
            _exact_weighted_sum(weights, v_cache[head], first, index + 1, out)
        for d in range(hd):
            out[d] = out[d] / np.float64(total) / ACT_SCALE


@njit(cache=CACHE, nogil=True)
def feed(tokens, embed, norms, eps, qkv_w, qkv_s, proj_w, proj_s, up_w, up_s, down_w, down_s,
         out_norm, out_eps, head_w, head_s, passes, slopes, score_scale, attn_halves, logit_table,
         keys, values, key_norms, slot, window, out, cancel, word):
    """Feed tokens (B, P) at cache slots slot … slot + P − 1 (each query attends to the `window`
    slots ending at its own, none before slot 0) and write each next symbol's integer weights to
    out (B, P, V) int64. Layer by layer over all B·P rows. cancel: (0,) int64, or (1,) whose value
    (read with acquire ordering before each layer) other than `word` calls the rest off, out unwritten."""
    B, P = tokens.shape
    N, L, D = B * P, norms.shape[0], embed.shape[1]
    F, V, H = up_s.shape[1], head_s.shape[0], keys.shape[2]
    hd = D // H
    x, h, a = np.empty((N, D)), np.empty((N, D)), np.empty((N, D))
    x_int, qkv, hidden = np.empty(D), np.empty((N, 3 * D)), np.empty((N, F))
    scratch = attention_scratch(window, hd)
    widest = max(max(qkv_w.shape[2], up_w.shape[2]), max(down_w.shape[2], head_w.shape[1]))  # outputs, padded
    lin = linear_scratch(max(D, F), widest)
    for b in range(B):
        for p in range(P):
            x[b * P + p] = embed[tokens[b, p]]
    for layer in range(L):
        if cancel.shape[0] and load_acquire(cancel, 0) != word:
            return
        for n in range(N):
            _norm(x[n], norms[layer, 0], eps[layer, 0], x_int, h[n])
        _linear(h, qkv_w[layer], qkv_s[layer], passes[0], qkv, lin)
        for n in range(N):
            _grid(qkv[n], qkv[n])
        for b in range(B):
            k_cache, v_cache = keys[layer, b], values[layer, b]
            bounds = key_norms[layer, b]
            for p in range(P):
                for head in range(H):
                    k = qkv[b * P + p, D + head * hd : D + (head + 1) * hd]
                    v = qkv[b * P + p, 2 * D + head * hd : 2 * D + (head + 1) * hd]
                    bounds[head, 0] = max(bounds[head, 0], _exact_dot(k, k))
                    for d in range(hd):
                        k_cache[head, d // 2, slot + p, d % 2] = k[d]
                        v_cache[head, d, slot + p] = v[d]
                        bounds[head, 1] = max(bounds[head, 1], abs(v[d]))
            for p in range(P):
                n, index = b * P + p, slot + p
                _attend(qkv[n], qkv[n, D : 2 * D], k_cache, v_cache, bounds, index, max(0, index - window + 1), slopes,
                        score_scale, attn_halves, scratch, a[n])
                _grid(a[n], a[n])
        _linear(a, proj_w[layer], proj_s[layer], passes[1], h, lin)
        for n in range(N):
            for i in range(D):
                x[n, i] = x[n, i] + h[n, i]
            _norm(x[n], norms[layer, 1], eps[layer, 1], x_int, h[n])
        _linear(h, up_w[layer], up_s[layer], passes[2], hidden, lin)
        for n in range(N):
            for i in range(F):
                hidden[n, i] = max(hidden[n, i], 0.0)
            _grid(hidden[n], hidden[n])
        _linear(hidden, down_w[layer], down_s[layer], passes[3], h, lin)
        for n in range(N):
            for i in range(D):
                x[n, i] = x[n, i] + h[n, i]
    for n in range(N):
        _norm(x[n], out_norm, out_eps, x_int, h[n])
    logits = np.empty((N, V))
    _linear(h, head_w, head_s, passes[4], logits, lin)
    last = logit_table.shape[0] - 1
    for b in range(B):
        for p in range(P):
            row = logits[b * P + p]
            for v in range(V):
                row[v] = _round_half_even(row[v] * SCORE_SCALE)
            top = _max(row, V)
            for v in range(V):
                out[b, p, v] = logit_table[min(np.int64(top - row[v]), last)]


NEVER = np.zeros(0, np.int64)  # advance's cancel for a step nobody calls off


@njit(cache=CACHE, nogil=True)
def advance(tokens, packed, keys, values, key_norms, meta, window, out, cancel, word):
    """Feed tokens (B, P) at the next P positions and write each next symbol's weights to
    out (B, P, V) int64 (cancel, word: as feed's).

    meta (2,) int64: [positions fed so far, position held at cache slot 0]. When the P positions
    do not fit behind the cache's last one, its newest window − 1 move to the front."""
    pos, P = meta[0], tokens.shape[1]
    capacity = values.shape[4] - simd.BLOCK  # the last BLOCK slots only pad the simd kernels' reads
    if pos - meta[1] + P > capacity:
        keep = min(window - 1, pos - meta[1])
        start = pos - meta[1] - keep
        keys[:, :, :, :, :keep] = keys[:, :, :, :, start : start + keep].copy()
        values[:, :, :, :, :keep] = values[:, :, :, :, start : start + keep].copy()
        meta[1] = pos - keep
        if keep + P > capacity:
            raise ValueError("more positions at once than the cache holds")
    feed(tokens, *packed, keys, values, key_norms, pos - meta[1], window, out, cancel, word)
    meta[0] = pos + P


@njit(cache=CACHE, nogil=True)
def decode_streams(bos, packed, keys, values, key_norms, meta, window, lengths, buf, state, symbols):
    """Decode B streams in lockstep from an empty cache into symbols (B, T): stream b's first
    lengths[b] symbols, each under the weights `advance` gives for it (range_coder.decode_symbol
    on buf and state). One compiled loop: no Python, and no GIL, between symbols."""
    B, T = symbols.shape
    V = packed[14].shape[0]  # the output layer's scales, one a symbol (ExactTransformer._pack's order)
    tokens, weights, freq = np.full((B, 1), bos, np.int64), np.empty((B, 1, V), np.int64), np.empty(V, np.int64)
    never = np.zeros(0, np.int64)
    for t in range(T):
        advance(tokens, packed, keys, values, key_norms, meta, window, weights, never, 0)
        for b in range(B):
            if t < lengths[b]:
                symbols[b, t] = decode_symbol(weights[b, 0], freq, buf, state, b)
            tokens[b, 0] = symbols[b, t]

