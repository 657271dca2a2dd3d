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
  integer table, and the normalizing sums add integers;
* everything else is elementwise and correctly rounded (+, ×, ÷, sqrt, round).

So `log_probs` (one pass over whole chunks, used to encode) and `step` (KV cache,
used to decode) agree exactly. The grids are fine enough that the rate moves by
well under 0.01 bits per byte against the float model (see tests).
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np
import torch

from gencomp.models.predictor import Predictor
from gencomp.models.transformer import ByteTransformer, TransformerConfig, alibi_bias, alibi_slopes

ACT_FRAC_BITS = 10  # matmul inputs: multiples of 2^-10 …
ACT_LIMIT = 1024.0  # … clamped to ±1024, so |integer| <= 2^20
WEIGHT_BITS = 12  # weights: |integer| <= 2047 per output channel
SCORE_FRAC_BITS = 8  # attention scores and logits: multiples of 1/256 nat
ATTN_TABLE_BITS = 20  # attention weights: integers in [0, 2^20]
LOGIT_TABLE_BITS = 30  # output weights: integers in [1, 2^30]
LOGIT_RANGE_NATS = 30  # a symbol is never given less than e^-30 of the top one
QUERY_BLOCK = 64  # queries per attention block in the full pass (bounds memory and masked work)

_ACT_SCALE = 2.0**ACT_FRAC_BITS
_SCORE_SCALE = 2.0**SCORE_FRAC_BITS


def _exp_table(bits: int, length: int, floor: float) -> torch.Tensor:
    """round(2^bits · e^(−d/256)) for d = 0 … length−1, at least `floor`, as float64 integers."""
    d = torch.arange(length, dtype=torch.float64)
    return torch.round(torch.exp(-d / _SCORE_SCALE) * 2.0**bits).clamp_min(floor)


_ATTN_TABLE = _exp_table(ATTN_TABLE_BITS, int(_SCORE_SCALE * (ATTN_TABLE_BITS + 1) * math.log(2)) + 2, 0.0)
_ATTN_TABLE[-1] = 0.0  # scores further below the row's max (and masked keys) weigh nothing
_LOGIT_TABLE = _exp_table(LOGIT_TABLE_BITS, int(_SCORE_SCALE * LOGIT_RANGE_NATS) + 1, 1.0)
_LOG_LOGIT_TABLE = torch.log(_LOGIT_TABLE)


def _on_grid(x: torch.Tensor) -> torch.Tensor:
    """Activations as integer-valued float64 (units of 2^-ACT_FRAC_BITS)."""
    return torch.round(x.clamp(-ACT_LIMIT, ACT_LIMIT) * _ACT_SCALE)


class _Linear:
    """y = x W^T with W rounded per output channel and x on the activation grid."""

    def __init__(self, weight: torch.Tensor):
        w = weight.detach().double()  # (out, in)
        scale = w.abs().amax(dim=1).clamp_min(1e-12) / (2 ** (WEIGHT_BITS - 1) - 1)  # (out,)
        self.w_int_t = torch.round(w / scale[:, None]).t().contiguous()  # (in, out)
        self.out_scale = scale / _ACT_SCALE  # (out,)

    def __call__(self, x_int: torch.Tensor) -> torch.Tensor:
        return (x_int @ self.w_int_t) * self.out_scale  # exact sum, one rounding


class _RMSNorm:
    def __init__(self, weight: torch.Tensor, eps: float):
        self.weight = weight.detach().double()
        self.eps_int = eps * _ACT_SCALE**2

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Normalized x, returned on the activation grid (ready for a matmul)."""
        x_int = _on_grid(x)
        mean_square = (x_int * x_int).sum(-1, keepdim=True) / x.shape[-1]  # exact integer sum
        return _on_grid(x_int / torch.sqrt(mean_square + self.eps_int) * self.weight)


def _mix(scores_int: torch.Tensor, values_int: torch.Tensor, bias_units: torch.Tensor,
         score_scale: float) -> torch.Tensor:
    """softmax(scores + ALiBi) @ values with table weights; exact up to the final division.

    scores_int (B, H, Q, K) integer dot products (overwritten); values_int (B, H, K, hd);
    bias_units (H, Q, K) integer ALiBi bias in score units, -inf where masked.
    """
    scores = scores_int.mul_(score_scale).round_().add_(bias_units)  # (B, H, Q, K) score units
    distance = torch.sub(scores.amax(-1, keepdim=True), scores, out=scores).clamp_(max=len(_ATTN_TABLE) - 1)
    weights = _ATTN_TABLE[distance.long()]  # (B, H, Q, K) integers
    return (weights @ values_int) / weights.sum(-1, keepdim=True) / _ACT_SCALE  # (B, H, Q, hd)


class _Block:
    def __init__(self, block, cfg: TransformerConfig):
        self.cfg = cfg
        self.norm_attn = _RMSNorm(block.norm_attn.weight, block.norm_attn.eps)
        self.qkv = _Linear(block.qkv.weight)
        self.proj = _Linear(block.proj.weight)
        self.norm_mlp = _RMSNorm(block.norm_mlp.weight, block.norm_mlp.eps)
        self.up = _Linear(block.up.weight)
        self.down = _Linear(block.down.weight)

    def qkv_int(self, x: torch.Tensor):
        B, T, D = x.shape
        H, hd = self.cfg.n_heads, self.cfg.head_dim
        q, k, v = self.qkv(self.norm_attn(x)).split(D, dim=-1)
        return (_on_grid(t).view(B, T, H, hd).transpose(1, 2) for t in (q, k, v))  # (B, H, T, hd) each

    def finish(self, x: torch.Tensor, attended: torch.Tensor) -> torch.Tensor:
        """Residual adds around the attention output (B, H, T, hd) and the MLP."""
        B, T, D = x.shape
        x = x + self.proj(_on_grid(attended.transpose(1, 2).reshape(B, T, D)))
        return x + self.down(_on_grid(torch.relu(self.up(self.norm_mlp(x)))))


class _Cache:
    """Per layer, integer-valued keys and values (B, H, capacity, hd) of the positions so far."""

    def __init__(self, batch_size: int):
        self.batch_size, self.length = batch_size, 0
        self.keys: list[torch.Tensor] = []
        self.values: list[torch.Tensor] = []

    def reserve(self, length: int, cfg: TransformerConfig) -> None:
        capacity = self.keys[0].shape[2] if self.keys else 0
        if length <= capacity:
            return
        new = max(256, 2 * capacity, length)
        shape = (self.batch_size, cfg.n_heads, new, cfg.head_dim)
        grow = lambda old: torch.cat([old, torch.zeros(shape[:2] + (new - capacity,) + shape[3:], dtype=torch.float64)], 2)
        if self.keys:
            self.keys = [grow(k) for k in self.keys]
            self.values = [grow(v) for v in self.values]
        else:
            self.keys = [torch.zeros(shape, dtype=torch.float64) for _ in range(cfg.n_layers)]
            self.values = [torch.zeros(shape, dtype=torch.float64) for _ in range(cfg.n_layers)]


class ExactTransformer(Predictor):
    """Predictor over bytes from ByteTransformer weights; see the module docstring."""

    def __init__(self, model: ByteTransformer, name: str, weights_sha256: str):
        self.cfg = model.cfg
        self._name, self._sha = name, weights_sha256
        self._params = model.num_parameters()
        self.bos = model.bos
        self.embed = model.embed.weight.detach().double()
        self.blocks = [_Block(b, model.cfg) for b in model.blocks]
        self.norm_out = _RMSNorm(model.norm_out.weight, model.norm_out.eps)
        self.head = _Linear(model.head.weight)
        self.score_scale = _SCORE_SCALE / (_ACT_SCALE**2 * math.sqrt(model.cfg.head_dim))
        self.slope_units = alibi_slopes(model.cfg.n_heads).double() * _SCORE_SCALE  # (H,) integers
        assert torch.equal(self.slope_units, torch.round(self.slope_units)), "ALiBi slopes must be exact in score units"

    @property
    def name(self) -> str:
        return self._name

    def identity(self) -> dict:
        return {"name": self._name, "weights_sha256": self._sha, "arithmetic": "exact-v1"}

    def num_parameters(self) -> int:
        return self._params

    def _bias(self, query_pos: torch.Tensor, key_pos: torch.Tensor) -> torch.Tensor:
        """(H, Q, K) ALiBi bias in score units (integers), -inf outside the causal window."""
        return alibi_bias(self.cfg.n_heads, query_pos, key_pos, self.cfg.attention_window, torch.float64) * _SCORE_SCALE

    def _log_probs_from_hidden(self, x: torch.Tensor) -> np.ndarray:
        """(..., D) last hidden state -> (..., V) float64 log-probs via the integer table."""
        logits = self.head(self.norm_out(x))
        units = torch.round(logits * _SCORE_SCALE)
        distance = (units.amax(-1, keepdim=True) - units).clamp(max=len(_LOGIT_TABLE) - 1).long()
        total = _LOGIT_TABLE[distance].sum(-1)  # (...,) exact integer sums
        # math.log on each total: a scalar libm call, the same whatever the batch shape.
        log_total = torch.tensor([math.log(t) for t in total.reshape(-1).tolist()], dtype=torch.float64)
        return (_LOG_LOGIT_TABLE[distance] - log_total.view(total.shape)[..., None]).numpy()

    @torch.no_grad()
    def log_probs(self, symbols: np.ndarray) -> np.ndarray:
        symbols = torch.as_tensor(np.asarray(symbols, dtype=np.int64))
        B, T = symbols.shape
        inputs = torch.cat([torch.full((B, 1), self.bos), symbols[:, :-1]], dim=1)  # (B, T)
        x = self.embed[inputs]  # (B, T, D)
        positions = torch.arange(T)
        for block in self.blocks:
            q, k, v = block.qkv_int(x)  # (B, H, T, hd)
            attended = torch.empty_like(q)
            for start in range(0, T, QUERY_BLOCK):
                stop = min(T, start + QUERY_BLOCK)
                first = max(0, start - self.cfg.attention_window + 1)  # oldest key any query here sees
                scores = q[:, :, start:stop] @ k[:, :, first:stop].transpose(-1, -2)  # (B, H, Q, K)
                bias = self._bias(positions[start:stop], positions[first:stop])
                attended[:, :, start:stop] = _mix(scores, v[:, :, first:stop], bias, self.score_scale)
            x = block.finish(x, attended)
        return self._log_probs_from_hidden(x)  # (B, T, V)

    def start(self, batch_size: int) -> _Cache:
        return _Cache(batch_size)

    @torch.no_grad()
    def step(self, state: _Cache, previous: Optional[np.ndarray]) -> np.ndarray:
        if (previous is None) != (state.length == 0):
            raise ValueError("pass previous=None on the first step only")
        token = torch.full((state.batch_size, 1), self.bos) if previous is None else \
            torch.as_tensor(np.asarray(previous, dtype=np.int64)).view(-1, 1)  # (B, 1)
        x = self.embed[token]  # (B, 1, D)
        pos = state.length
        state.reserve(pos + 1, self.cfg)
        first = max(0, pos - self.cfg.attention_window + 1)
        query_pos, key_pos = torch.arange(pos, pos + 1), torch.arange(first, pos + 1)
        for layer, block in enumerate(self.blocks):
            q, k, v = block.qkv_int(x)  # (B, H, 1, hd)
            state.keys[layer][:, :, pos] = k[:, :, 0]
            state.values[layer][:, :, pos] = v[:, :, 0]
            keys, values = state.keys[layer][:, :, first : pos + 1], state.values[layer][:, :, first : pos + 1]
            scores = q @ keys.transpose(-1, -2)  # (B, H, 1, K)
            x = block.finish(x, _mix(scores, values, self._bias(query_pos, key_pos), self.score_scale))
        state.length += 1
        return self._log_probs_from_hidden(x[:, 0])  # (B, V)
