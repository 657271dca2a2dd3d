"""A trained ByteTransformer run with integer-exact arithmetic, for arithmetic coding.

A float forward pass over a whole chunk and a step-by-step pass with a KV cache give
different roundings, and so do different batch sizes and thread counts (BLAS blocks
its sums differently). The decoder must reproduce the encoder's probabilities bit
for bit, so this module keeps every value that enters a sum on an integer grid:

* every matmul input is rounded to a multiple of 2**-ACT_FRAC_BITS and every weight to
  a per-channel integer (WEIGHT_BITS); the float64 matmul of integers below 2**53 is
  exact in any summation order, so any BLAS, batch size or thread count gives the
  same result;
* softmax uses no exp at run time: scores are rounded to 1/256 nat and looked up in an
  integer table built without libm (gencomp.coding.exact), and the normalizing sums add
  integers; the output is the table's integer weights, which the coder takes as they are;
* everything else is elementwise and correctly rounded (+, ×, ÷, sqrt, round).

So `weights` (one pass over whole chunks, used to encode) and `step` (KV cache,
used to decode) agree exactly. The grids are fine enough that the rate moves by
well under 0.01 bits per byte against the float model (see tests). The full pass runs in
NumPy (its matmuls batch well); a step runs as one compiled kernel (gencomp.models.exact_step)
with the same operations, since in NumPy its ~700 small array operations cost ~2 µs each.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from typing import Optional

import numpy as np
import torch

from gencomp.coding import exact
from gencomp.models import exact_step
from gencomp.models.exact_step import ACT_LIMIT, ACT_SCALE, SCORE_SCALE
from gencomp.models.predictor import Predictor
from gencomp.models.transformer import ByteTransformer, TransformerConfig, alibi_slopes

WEIGHT_BITS = 12  # weights: |integer| <= 2047 per output channel
ATTN_TABLE_BITS = 20  # attention weights: integers in [0, 2^20]
LOGIT_TABLE_BITS = 30  # output weights: integers in [1, 2^30]
LOGIT_RANGE_NATS = 12  # no symbol gets less than e^-12 of the top one (text: -0.001 bits/byte vs 30; unseen bytes: 17 bits, not 43)
QUERY_BLOCK = 64  # queries per attention block in the full pass (bounds memory and masked work)


_ATTN_TABLE = exact.exp_table("e", ATTN_TABLE_BITS, int(SCORE_SCALE * (ATTN_TABLE_BITS + 1) * math.log(2)) + 2
                              ).astype(np.float64)  # integers, as float64 for the exact matmul
_ATTN_TABLE[-1] = 0.0  # scores further below the row's max (and masked keys) weigh nothing
_LOGIT_TABLE = exact.exp_table("e", LOGIT_TABLE_BITS, int(SCORE_SCALE * LOGIT_RANGE_NATS) + 1, floor=1)


def _on_grid(x: np.ndarray) -> np.ndarray:
    """Activations as integer-valued float64 (units of 2^-ACT_FRAC_BITS)."""
    return _to_grid_(np.clip(x, -ACT_LIMIT, ACT_LIMIT))


def _to_grid_(x: np.ndarray) -> np.ndarray:
    """_on_grid in place, for a temporary the caller owns (saves two passes and two copies)."""
    np.clip(x, -ACT_LIMIT, ACT_LIMIT, out=x)
    x *= ACT_SCALE
    return np.round(x, out=x)


def _float64(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(torch.float64).numpy().copy()


class _Linear:
    """y = x W^T with W rounded per output channel and x on the activation grid."""

    def __init__(self, weight: torch.Tensor):
        w = _float64(weight)  # (out, in)
        scale = np.maximum(np.abs(w).max(axis=1), 1e-12) / (2 ** (WEIGHT_BITS - 1) - 1)  # (out,)
        self.w_int_t = np.ascontiguousarray(np.round(w / scale[:, None]).T)  # (in, out)
        self.out_scale = scale / ACT_SCALE  # (out,)

    def __call__(self, x_int: np.ndarray) -> np.ndarray:
        # one 2-D matmul (NumPy runs a 3-D one as many small ones, 4x slower); exact sum, one rounding
        y = x_int.reshape(-1, x_int.shape[-1]) @ self.w_int_t
        return y.reshape(x_int.shape[:-1] + (y.shape[-1],)) * self.out_scale


class _RMSNorm:
    def __init__(self, weight: torch.Tensor, eps: float):
        self.weight = _float64(weight)
        self.eps_int = eps * ACT_SCALE**2

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Normalized x, returned on the activation grid (ready for a matmul)."""
        x_int = _on_grid(x)
        mean_square = np.einsum("...i,...i->...", x_int, x_int)[..., None] / x.shape[-1]  # exact integer sum
        y = x_int / np.sqrt(mean_square + self.eps_int)
        y *= self.weight
        return _to_grid_(y)


def _mix(scores_int: np.ndarray, values_int: np.ndarray, bias_units: np.ndarray, score_scale: float) -> np.ndarray:
    """softmax(scores + ALiBi) @ values with table weights; exact up to the final division.

    scores_int (B, H, Q, K) integer dot products (overwritten); values_int (B, H, K, hd);
    bias_units (H, Q, K) integer ALiBi bias in score units, -inf where masked.
    """
    scores = np.round(scores_int * score_scale, out=scores_int)
    scores += bias_units  # (B, H, Q, K) score units
    distance = np.subtract(scores.max(-1, keepdims=True), scores, out=scores)
    index = np.minimum(distance, len(_ATTN_TABLE) - 1).astype(np.int64)
    weights = _ATTN_TABLE[index]  # (B, H, Q, K) integers
    return (weights @ values_int) / weights.sum(-1, keepdims=True) / ACT_SCALE  # (B, H, Q, hd)


class _Block:
    def __init__(self, block, cfg: TransformerConfig):
        self.cfg = cfg
        self.norm_attn = _RMSNorm(block.norm_attn.weight, block.norm_attn.eps)
        self.qkv = _Linear(block.qkv.weight)
        self.proj = _Linear(block.proj.weight)
        self.norm_mlp = _RMSNorm(block.norm_mlp.weight, block.norm_mlp.eps)
        self.up = _Linear(block.up.weight)
        self.down = _Linear(block.down.weight)

    def qkv_int(self, x: np.ndarray):
        B, T, D = x.shape
        H, hd = self.cfg.n_heads, self.cfg.head_dim
        qkv = _to_grid_(self.qkv(self.norm_attn(x))).reshape(B, T, 3, H, hd)
        return (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))  # (B, H, T, hd) each

    def finish(self, x: np.ndarray, attended: np.ndarray) -> np.ndarray:
        """Residual adds around the attention output (B, H, T, hd) and the MLP."""
        B, T, D = x.shape
        x = x + self.proj(_to_grid_(attended.transpose(0, 2, 1, 3).reshape(B, T, D)))
        hidden = self.up(self.norm_mlp(x))
        return x + self.down(_to_grid_(np.maximum(hidden, 0.0, out=hidden)))


class _Cache:
    """Integer-valued keys (L, B, H, capacity, hd) and values (L, B, H, hd, capacity) of the last
    positions, and meta = [positions fed, position at index 0] (exact_step.advance keeps them).

    Attention sees at most `window` positions, so the cache holds 2 × window of them and, when
    full, moves the newest window − 1 to the front: memory stays bounded however long the
    sequence (32 streams of lm:tiny: 67 MB instead of 268 MB at 2048 bytes)."""

    def __init__(self, batch_size: int, cfg: TransformerConfig):
        self.batch_size = batch_size
        shape = (cfg.n_layers, batch_size, cfg.n_heads, cfg.head_dim, 2 * cfg.attention_window)
        # float32 holds these integers (|k|, |v| <= 2^20) exactly, in half the memory a step reads
        self.keys, self.values = np.zeros(shape, np.float32).swapaxes(3, 4).copy(), np.zeros(shape, np.float32)
        self.meta = np.zeros(2, np.int64)

    @property
    def length(self) -> int:
        return int(self.meta[0])


class ExactTransformer(Predictor):
    """Predictor over bytes from ByteTransformer weights; see the module docstring."""

    def __init__(self, model: ByteTransformer, name: str, weights_sha256: str):
        self.cfg = model.cfg
        self._trained_window = model.cfg.attention_window
        self._name, self._sha = name, weights_sha256
        self._params = model.num_parameters()
        self.bos = model.bos
        self.embed = _float64(model.embed.weight)
        self.blocks = [_Block(b, model.cfg) for b in model.blocks]
        self.norm_out = _RMSNorm(model.norm_out.weight, model.norm_out.eps)
        self.head = _Linear(model.head.weight)
        self.score_scale = SCORE_SCALE / (ACT_SCALE**2 * math.sqrt(model.cfg.head_dim))
        self.slope_units = alibi_slopes(model.cfg.n_heads).double().numpy() * SCORE_SCALE  # (H,) integers
        assert np.array_equal(self.slope_units, np.round(self.slope_units)), "ALiBi slopes must be exact in score units"
        self.packed = self._pack()  # the weights as exact_step takes them

    def _pack(self) -> tuple:
        """The weights as exact_step.step_rows takes them, stacked by layer."""
        def stack(get):
            return np.ascontiguousarray(np.stack([get(b) for b in self.blocks]))

        return (self.embed,
                stack(lambda b: np.stack([b.norm_attn.weight, b.norm_mlp.weight])),
                stack(lambda b: np.array([b.norm_attn.eps_int, b.norm_mlp.eps_int])),
                stack(lambda b: b.qkv.w_int_t.T.astype(np.float32)), stack(lambda b: b.qkv.out_scale),
                stack(lambda b: b.proj.w_int_t.T.astype(np.float32)), stack(lambda b: b.proj.out_scale),
                stack(lambda b: b.up.w_int_t.T.astype(np.float32)), stack(lambda b: b.up.out_scale),
                stack(lambda b: b.down.w_int_t.T.astype(np.float32)), stack(lambda b: b.down.out_scale),
                self.norm_out.weight, float(self.norm_out.eps_int),
                np.ascontiguousarray(self.head.w_int_t.T.astype(np.float32)), self.head.out_scale,
                self.slope_units, float(self.score_scale), _ATTN_TABLE, _LOGIT_TABLE)

    @property
    def name(self) -> str:
        return self._name

    def identity(self) -> dict:
        identity = {"name": self._name, "weights_sha256": self._sha, "arithmetic": "exact-v2"}
        if self.cfg.attention_window != self._trained_window:
            identity["attention_window"] = self.cfg.attention_window
        return identity

    def with_window(self, attention_window: int) -> "ExactTransformer":
        """The same model attending to at most `attention_window` positions (ALiBi lets it run
        shorter than it was trained; attention cost falls in proportion)."""
        narrow = copy.copy(self)
        narrow.cfg = dataclasses.replace(self.cfg, attention_window=attention_window)
        return narrow

    def num_parameters(self) -> int:
        return self._params

    def _bias(self, first_query: int, n_queries: int, first_key: int, n_keys: int) -> np.ndarray:
        """(H, Q, K) ALiBi bias in score units (integers), -inf outside the causal window."""
        distance = (np.arange(first_query, first_query + n_queries)[:, None]
                    - np.arange(first_key, first_key + n_keys)[None, :]).astype(np.float64)  # (Q, K)
        bias = -self.slope_units[:, None, None] * distance
        bias[:, (distance < 0) | (distance >= self.cfg.attention_window)] = -np.inf
        return bias

    def _weights_from_hidden(self, x: np.ndarray) -> np.ndarray:
        """(..., D) last hidden state -> (..., V) int64 weights: logits in 1/256 nat through the exp table."""
        return exact.weights_from_units(np.round(self.head(self.norm_out(x)) * SCORE_SCALE), _LOGIT_TABLE)

    def weights(self, symbols: np.ndarray) -> np.ndarray:
        symbols = np.asarray(symbols, dtype=np.int64)
        B, T = symbols.shape
        inputs = np.concatenate([np.full((B, 1), self.bos), symbols[:, :-1]], axis=1)  # (B, T)
        x = self.embed[inputs]  # (B, T, D)
        for block in self.blocks:
            q, k, v = block.qkv_int(x)  # (B, H, T, hd)
            attended = np.empty_like(q)
            for start in range(0, T, QUERY_BLOCK):
                stop = min(T, start + QUERY_BLOCK)
                first = max(0, start - self.cfg.attention_window + 1)  # oldest key any query here sees
                scores = q[:, :, start:stop] @ k[:, :, first:stop].transpose(0, 1, 3, 2)  # (B, H, Q, K)
                bias = self._bias(start, stop - start, first, stop - first)
                attended[:, :, start:stop] = _mix(scores, v[:, :, first:stop], bias, self.score_scale)
            x = block.finish(x, attended)
        return self._weights_from_hidden(x)  # (B, T, V)

    def start(self, batch_size: int) -> _Cache:
        return _Cache(batch_size, self.cfg)

    def step(self, state: _Cache, previous: Optional[np.ndarray]) -> np.ndarray:
        """One position for every row, in one compiled call (gencomp.models.exact_step): the same
        arithmetic as `weights`, so the same integers."""
        if (previous is None) != (state.length == 0):
            raise ValueError("pass previous=None on the first step only")
        token = np.full(state.batch_size, self.bos) if previous is None else np.asarray(previous, dtype=np.int64)
        out = np.empty((state.batch_size, self.cfg.vocab_size), np.int64)
        exact_step.advance(np.ascontiguousarray(token, dtype=np.int64), self.packed, state.keys, state.values,
                           state.meta, self.cfg.attention_window, out)
        return out
