"""The integer-exact transformer's arithmetic in torch, on any device: a GPU codes what the CPU decodes.

ExactTransformer (gencomp.models.exact_transformer) defines the arithmetic and exact_step runs it on
the CPU. This module runs the same steps as torch float64 tensor operations, so that a GPU gives the
same integers, and so the same archives, both ways:

* every sum (matrix products, norms' squares, attention's weighted values) adds integers whose sums
  stay below 2^53, so float64 gets them exactly in any order, as cuBLAS and MKL take them;
* everything else is one correctly rounded IEEE operation a tensor op (+, ×, ÷, sqrt, round half to
  even, min, max), in exact_step's order; divisors are tensors on the device, never Python numbers
  (CUDA multiplies by the reciprocal of a CPU scalar divisor, which can differ in the last bit);
* attention weighs every position of the window: exact_step skips only positions whose weight is
  provably 0.

The KV cache lives on the device; encoding feeds FEED_BLOCK positions of every chunk at a time,
decoding one, with the range decoder on the CPU (B rows of 256 weights a step come back).
Imports torch: only `--device` (gencomp.models.zoo.use_device) brings it here.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch

from gencomp.errors import GencompError
from gencomp.models.exact_step import ACT_LIMIT, ACT_SCALE, SCORE_SCALE
from gencomp.models.exact_transformer import ExactTransformer
from gencomp.models.predictor import Predictor

FEED_BLOCK = 256  # positions a pass when encoding: bounds the (B, H, P, keys) scores


def _unpaired(w_pairs: np.ndarray, outputs: int, inputs: int) -> np.ndarray:
    """exact_transformer._in_pairs undone: (..., ⌈I/2⌉, O padded, 2) int16 -> (..., O, I) integers."""
    lead = w_pairs.shape[:-3]
    even = np.moveaxis(w_pairs, -3, -2).reshape(*lead, w_pairs.shape[-2], -1)  # (..., O padded, 2⌈I/2⌉)
    return even[..., :outputs, :inputs]


class _Cache:
    """Integer-valued keys and values (L, B, H, window + FEED_BLOCK, hd) float64 on the device; `held`
    positions are in it (the newest), `fed` have been fed. When the next ones do not fit, the newest
    window − 1 move to the front."""

    def __init__(self, batch_size: int, layers: int, heads: int, head_dim: int, window: int, device):
        shape = (layers, batch_size, heads, window + FEED_BLOCK, head_dim)
        self.keys = torch.zeros(shape, dtype=torch.float64, device=device)
        self.values = torch.zeros(shape, dtype=torch.float64, device=device)
        self.held, self.fed, self.batch_size = 0, 0, batch_size


class TorchExactTransformer(Predictor):
    """`exact`'s model on `device` ("cuda", "cpu", …): the same weights, identity and integers."""

    def __init__(self, exact: ExactTransformer, device: str):
        check_device(device)
        self.exact, self.cfg, self.bos = exact, exact.cfg, exact.bos
        self.device = torch.device(device)
        (embed, norms, eps, qkv_w, qkv_s, proj_w, proj_s, up_w, up_s, down_w, down_s, out_norm, out_eps,
         head_w, head_s, _passes, slopes, score_scale, attn_halves, logit_table) = exact.packed
        D, F, V = self.cfg.d_model, self.cfg.d_ff, self.cfg.vocab_size

        def tensor(a) -> torch.Tensor:
            return torch.as_tensor(np.asarray(a, np.float64), device=self.device)

        self.embed, self.norms, self.eps = tensor(embed), tensor(norms), tensor(eps)  # (V+1, D), (L, 2, D), (L, 2)
        self.linears = {name: (tensor(_unpaired(w, o, i)), tensor(s)) for name, w, s, o, i in (
            ("qkv", qkv_w, qkv_s, 3 * D, D), ("proj", proj_w, proj_s, D, D), ("up", up_w, up_s, F, D),
            ("down", down_w, down_s, D, F))}  # (L, O, I) integers, (L, O) scales
        self.head = (tensor(_unpaired(head_w, V, D)), tensor(head_s))
        self.out_norm, self.out_eps = tensor(out_norm), tensor(out_eps)
        self.slopes = tensor(slopes)[:, None, None]  # (H, 1, 1) score units a position back
        self.score_scale = tensor(score_scale)
        self.attn_table = torch.as_tensor((attn_halves >> 16).astype(np.int64) * 1024 + (attn_halves & 0xFFFF),
                                          device=self.device)
        self.logit_table = torch.as_tensor(logit_table, device=self.device)
        self.act_scale, self.act_limit, self.width = tensor(ACT_SCALE), float(ACT_LIMIT), tensor(D)

    @property
    def name(self) -> str:
        return self.exact.name

    def identity(self) -> dict:
        return self.exact.identity()  # the same arithmetic: its archives are ExactTransformer's

    def num_parameters(self) -> int:
        return self.exact.num_parameters()

    @property
    def max_context_symbols(self) -> int:
        return self.exact.max_context_symbols

    def for_generation(self) -> Predictor:
        return self.exact.for_generation()

    def _grid(self, x: torch.Tensor) -> torch.Tensor:
        """round(clip(x, ±1024) · 1024): exact_step._grid."""
        return torch.round(torch.clamp(x, -self.act_limit, self.act_limit) * self.act_scale)

    def _norm(self, x: torch.Tensor, gain: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        """exact_step._norm over the last axis."""
        x_int = self._grid(x)
        mean_square = (x_int * x_int).sum(-1, keepdim=True) / self.width
        return self._grid(x_int / torch.sqrt(mean_square + eps) * gain)

    @staticmethod
    def _linear(x_int: torch.Tensor, weight: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        """(Σ x w) · scale: the exact integer sum, then one rounding (exact_step._linear)."""
        w, scale = weight
        return (x_int @ w.transpose(-1, -2)) * scale

    def _attend(self, q: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, distance: torch.Tensor) -> torch.Tensor:
        """q (B, H, P, hd), keys and values (B, H, K, hd), distance (P, K) positions back (outside the
        window: -1) -> (B, H, P, hd) in real units (exact_step._attend, every position weighed)."""
        scores = torch.round((q @ keys.transpose(-1, -2)) * self.score_scale) + -self.slopes * distance  # (B, H, P, K)
        scores = scores.masked_fill(distance < 0, float("-inf"))
        last = len(self.attn_table) - 1
        rows = torch.clamp(scores.amax(-1, keepdim=True) - scores, max=last).long()
        weights = self.attn_table[rows]  # (B, H, P, K) int64
        total = weights.sum(-1, keepdim=True).double()
        return (weights.double() @ values) / total / self.act_scale

    def _feed(self, cache: _Cache, tokens: torch.Tensor) -> torch.Tensor:
        """Feed tokens (B, P) on the device; (B, P, V) int64 next-symbol weights (exact_step.feed)."""
        cfg = self.cfg
        B, P = tokens.shape
        H, hd, D, window = cfg.n_heads, cfg.head_dim, cfg.d_model, cfg.attention_window
        if cache.held + P > cache.keys.shape[3]:
            keep = min(window - 1, cache.held)
            cache.keys[:, :, :, :keep] = cache.keys[:, :, :, cache.held - keep : cache.held].clone()
            cache.values[:, :, :, :keep] = cache.values[:, :, :, cache.held - keep : cache.held].clone()
            cache.held = keep
        start, end = cache.held, cache.held + P
        first = max(0, start - window + 1)
        slots = torch.arange(first, end, device=self.device)
        distance = (torch.arange(start, end, device=self.device)[:, None] - slots[None, :]).double()  # (P, K)
        distance = distance.masked_fill((distance < 0) | (distance >= window), -1.0)
        x = self.embed[tokens]  # (B, P, D)
        qkv_w, up_w, proj_w, down_w = (self.linears[k] for k in ("qkv", "up", "proj", "down"))
        for layer in range(cfg.n_layers):
            h = self._norm(x, self.norms[layer, 0], self.eps[layer, 0])
            qkv = self._grid(self._linear(h, (qkv_w[0][layer], qkv_w[1][layer])))
            q, k, v = (t.reshape(B, P, H, hd).transpose(1, 2) for t in qkv.split(D, dim=-1))  # (B, H, P, hd)
            cache.keys[layer, :, :, start:end], cache.values[layer, :, :, start:end] = k, v
            a = self._attend(q, cache.keys[layer, :, :, first:end], cache.values[layer, :, :, first:end], distance)
            a = self._grid(a.transpose(1, 2).reshape(B, P, D))
            x = x + self._linear(a, (proj_w[0][layer], proj_w[1][layer]))
            h = self._norm(x, self.norms[layer, 1], self.eps[layer, 1])
            hidden = self._grid(torch.clamp(self._linear(h, (up_w[0][layer], up_w[1][layer])), min=0.0))
            x = x + self._linear(hidden, (down_w[0][layer], down_w[1][layer]))
        logits = torch.round(self._linear(self._norm(x, self.out_norm, self.out_eps), self.head) * SCORE_SCALE)
        last = len(self.logit_table) - 1
        rows = torch.clamp(logits.amax(-1, keepdim=True) - logits, max=last).long()
        cache.held, cache.fed = end, cache.fed + P
        return self.logit_table[rows]

    def start(self, batch_size: int) -> _Cache:
        cfg = self.cfg
        return _Cache(batch_size, cfg.n_layers, cfg.n_heads, cfg.head_dim, cfg.attention_window, self.device)

    @torch.inference_mode()
    def weights(self, symbols: np.ndarray) -> np.ndarray:
        symbols = np.asarray(symbols, dtype=np.int64)
        inputs = torch.as_tensor(self.exact._inputs(symbols), device=self.device)
        cache = self.start(len(symbols))
        parts = [self._feed(cache, inputs[:, i : i + FEED_BLOCK]).cpu() for i in range(0, inputs.shape[1], FEED_BLOCK)]
        return torch.cat(parts, dim=1).numpy() if parts else np.zeros(symbols.shape + (self.cfg.vocab_size,), np.int64)

    @torch.inference_mode()
    def step(self, state: _Cache, previous: Optional[np.ndarray]) -> np.ndarray:
        if (previous is None) != (state.fed == 0):
            raise ValueError("pass previous=None on the first step only")
        token = np.full(state.batch_size, self.bos) if previous is None else np.asarray(previous, dtype=np.int64)
        return self._feed(state, torch.as_tensor(token[:, None], device=self.device))[:, 0].cpu().numpy()


def check_device(device: str) -> None:
    """GencompError unless this torch can run exact coding on `device`."""
    try:
        kind = torch.device(device).type
    except RuntimeError:
        raise GencompError(f"--device {device!r} is not a torch device (cpu, cuda, cuda:1)") from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise GencompError(f"--device {device}: this torch build sees no CUDA device")
    if kind == "cuda" and (torch.device(device).index or 0) >= torch.cuda.device_count():
        raise GencompError(f"--device {device}: there are {torch.cuda.device_count()} CUDA devices")
    if kind not in ("cpu", "cuda"):
        raise GencompError(f"--device {device}: exact coding needs float64 on a CPU or a CUDA GPU")
