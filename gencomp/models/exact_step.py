"""One decoding step of the integer-exact transformer as a compiled kernel.

The same arithmetic as ExactTransformer's NumPy forward pass (gencomp.models.exact_transformer),
operation for operation: integer-valued float64 dot products (exact in any order, so they may be
summed in any order and vectorized), then the same correctly rounded +, ×, ÷, sqrt and
round-half-to-even, in the same order. In NumPy a step is ~700 small array operations whose
per-call overhead dominates; this runs the whole step in one call. The activation and score grids
are defined here, for both forms.

Weights come packed by ExactTransformer._pack (layer-stacked, (out, in) matrices); the KV cache is
keys (L, B, H, C, hd) and values (L, B, H, hd, C): each sum runs along contiguous memory.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from gencomp.jit import CACHE

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
    is what lets the compiler reorder and vectorize it (fastmath here, and only here)."""
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


@njit(cache=CACHE, fastmath={"reassoc", "contract"})
def _exact_scores(q, k, lo, hi, out):
    """out[j − lo] = q · k[j] for j in [lo, hi) (integer-valued: exact, see _exact_dot)."""
    for j in range(lo, hi):
        s = 0.0
        for d in range(q.shape[0]):
            s += q[d] * k[j, d]
        out[j - lo] = s


@njit(cache=CACHE, fastmath={"reassoc", "contract"})
def _exact_weighted_sum(weights, v_t, lo, hi, out):
    """out[d] = Σ_j weights[j − lo] v_t[d, j] for j in [lo, hi) (integer-valued: exact, see _exact_dot)."""
    for d in range(out.shape[0]):
        row = v_t[d]
        s = 0.0
        for j in range(lo, hi):
            s += weights[j - lo] * row[j]
        out[d] = s


@njit(cache=CACHE)
def _linear(x_int, w, scale, out):
    """out = (w x_int) · scale, w (out, in) float32 (integer weights, held exactly; float32 halves what is read)."""
    for o in range(out.shape[0]):
        out[o] = _exact_dot(x_int, w[o]) * scale[o]


@njit(cache=CACHE)
def _norm(x, weight, eps_int, x_int, out):
    """out = the RMS-normalized x on the activation grid (ExactTransformer._RMSNorm)."""
    _grid(x, x_int)
    mean_square = _exact_dot(x_int, x_int) / x.shape[0]
    root = np.sqrt(mean_square + eps_int)
    for i in range(x.shape[0]):
        out[i] = x_int[i] / root * weight[i]
    _grid(out, out)


@njit(cache=CACHE)
def _attend(qkv, k_cache, v_cache, index, lo, slopes, score_scale, attn_table, weights, a):
    """One row's attention output a (D,) from its qkv (3D,) after storing its key and value at
    cache slot `index`; keys from slot lo on are attended (ExactTransformer's _mix)."""
    H, hd = k_cache.shape[0], k_cache.shape[2]
    D = H * hd
    last_table = attn_table.shape[0] - 1
    for head in range(H):
        q0 = head * hd
        for d in range(hd):
            k_cache[head, index, d] = qkv[D + q0 + d]
            v_cache[head, d, index] = qkv[2 * D + q0 + d]
        _exact_scores(qkv[q0 : q0 + hd], k_cache[head], lo, index + 1, weights)
        best = -np.inf
        for j in range(index + 1 - lo):
            score = _round_half_even(weights[j] * score_scale) + -slopes[head] * (index - lo - j)
            weights[j] = score
            best = max(best, score)
        total = 0.0
        for j in range(index + 1 - lo):
            w = attn_table[min(np.int64(best - weights[j]), last_table)]
            weights[j] = w
            total += w
        _exact_weighted_sum(weights, v_cache[head], lo, index + 1, a[q0 : q0 + hd])
        for d in range(hd):
            a[q0 + d] = a[q0 + d] / total / ACT_SCALE


@njit(cache=CACHE, nogil=True)
def step_rows(tokens, embed, norms, eps, qkv_w, qkv_s, proj_w, proj_s, up_w, up_s, down_w, down_s,
              out_norm, out_eps, head_w, head_s, slopes, score_scale, attn_table, logit_table,
              keys, values, index, lo, out):
    """Feed tokens (B,) at cache slot `index` (keys from slot lo on are attended) and write the next
    symbol's integer weights to out (B, V) int64. Layer by layer over all rows, so each layer's
    weights are read from cache once per step."""
    B, L, D = tokens.shape[0], norms.shape[0], embed.shape[1]
    F, V = up_w.shape[1], head_w.shape[0]
    x = np.empty((B, D))
    x_int, h, a = np.empty(D), np.empty(D), np.empty(D)
    qkv, hidden = np.empty(3 * D), np.empty(F)
    weights = np.empty(index + 1 - lo)
    logits = np.empty(V)
    for b in range(B):
        for i in range(D):
            x[b, i] = embed[tokens[b], i]
    for layer in range(L):
        for b in range(B):
            row = x[b]
            _norm(row, norms[layer, 0], eps[layer, 0], x_int, h)
            _linear(h, qkv_w[layer], qkv_s[layer], qkv)
            _grid(qkv, qkv)
            _attend(qkv, keys[layer, b], values[layer, b], index, lo, slopes, score_scale, attn_table, weights, a)
            _grid(a, a)
            _linear(a, proj_w[layer], proj_s[layer], h)
            for i in range(D):
                row[i] = row[i] + h[i]
            _norm(row, norms[layer, 1], eps[layer, 1], x_int, h)
            _linear(h, up_w[layer], up_s[layer], hidden)
            for i in range(F):
                hidden[i] = max(hidden[i], 0.0)
            _grid(hidden, hidden)
            _linear(hidden, down_w[layer], down_s[layer], h)
            for i in range(D):
                row[i] = row[i] + h[i]
    last = logit_table.shape[0] - 1
    for b in range(B):
        _norm(x[b], out_norm, out_eps, x_int, h)
        _linear(h, head_w, head_s, logits)
        top = -np.inf
        for v in range(V):
            logits[v] = _round_half_even(logits[v] * SCORE_SCALE)
            top = max(top, logits[v])
        for v in range(V):
            out[b, v] = logit_table[min(np.int64(top - logits[v]), last)]


@njit(cache=CACHE, nogil=True)
def advance(tokens, packed, keys, values, meta, window, out):
    """Feed tokens (B,) at the next position and write the next symbol's weights to out (B, V) int64.

    meta (2,) int64: [positions fed so far, position held at cache index 0]. The cache holds
    2 × window positions; when full, the newest window − 1 move to the front."""
    pos = meta[0]
    if pos - meta[1] >= values.shape[4]:
        keep = window - 1
        start = pos - meta[1] - keep
        keys[:, :, :, :keep] = keys[:, :, :, start : start + keep].copy()
        values[:, :, :, :, :keep] = values[:, :, :, :, start : start + keep].copy()
        meta[1] = pos - keep
    step_rows(tokens, *packed, keys, values, pos - meta[1], max(0, pos - window + 1) - meta[1], out)
    meta[0] = pos + 1
