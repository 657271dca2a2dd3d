"""Byte-level decoder-only transformer (training form, float32).

Read top to bottom: config, blocks, model. The architecture is chosen so that
`gencomp.models.exact_transformer` can run the same weights with integer-exact
arithmetic: RMSNorm (no mean subtraction), ReLU MLP, ALiBi attention biases
(no position embeddings, so a model trained on short windows still runs on
2048-byte chunks).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gencomp.models.config import RMS_EPS, SIZES, TransformerConfig, alibi_slope_values

__all__ = ["SIZES", "ByteTransformer", "TransformerConfig", "alibi_bias", "alibi_slopes"]


def alibi_slopes(n_heads: int) -> torch.Tensor:
    """ALiBi slopes 2^(-8 h / H), h = 1..H (float32): powers of two, so biases stay exact."""
    return torch.tensor(alibi_slope_values(n_heads))


def alibi_bias(n_heads: int, query_pos: torch.Tensor, key_pos: torch.Tensor, window: int,
               dtype=torch.float32) -> torch.Tensor:
    """(H, Q, K) additive attention bias: -slope * (q - k) for q - window < k <= q, -inf elsewhere."""
    distance = (query_pos[:, None] - key_pos[None, :]).to(dtype)  # (Q, K)
    bias = -alibi_slopes(n_heads).to(distance)[:, None, None] * distance  # (H, Q, K)
    return bias.masked_fill((distance < 0) | (distance >= window), float("-inf"))


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = RMS_EPS):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Block(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.cfg = cfg
        self.norm_attn = RMSNorm(cfg.d_model)
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model, bias=False)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model, bias=False)
        self.norm_mlp = RMSNorm(cfg.d_model)
        self.up = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.down = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        B, T, D = x.shape
        H, hd = self.cfg.n_heads, self.cfg.head_dim
        q, k, v = self.qkv(self.norm_attn(x)).split(D, dim=-1)
        q, k, v = (t.view(B, T, H, hd).transpose(1, 2) for t in (q, k, v))  # (B, H, T, hd)
        att = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)  # (B, H, T, hd)
        x = x + self.proj(att.transpose(1, 2).reshape(B, T, D))
        return x + self.down(F.relu(self.up(self.norm_mlp(x))))


class ByteTransformer(nn.Module):
    """forward(tokens (B, T) int64) -> log-probs (B, T, V) of the NEXT symbol at every position.

    Position t predicts token t+1; the caller prepends a BOS symbol (index 0 of
    the embedding is shared with byte 0, so the prediction of the first byte is
    conditioned on a fixed start token).
    """

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size + 1, cfg.d_model)  # +1: BOS
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.norm_out = RMSNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.apply(self._init)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)

    @property
    def bos(self) -> int:
        return self.cfg.vocab_size

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        pos = torch.arange(tokens.shape[1], device=tokens.device)
        # (1, H, T, T): with a 4-D mask torch runs its fused (flash) attention on the CPU, 3x faster
        # than the 3-D one's unfused softmax (measured on 2 cores, training windows of 512 bytes)
        bias = alibi_bias(self.cfg.n_heads, pos, pos, self.cfg.attention_window)[None]
        x = self.embed(tokens)  # (B, T, D)
        for block in self.blocks:
            x = block(x, bias)
        return F.log_softmax(self.head(self.norm_out(x)).float(), dim=-1)  # (B, T, V)
