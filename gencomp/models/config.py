"""The byte transformer's shape (TransformerConfig) and the constants its float and exact forms share,
without torch: the exact form and the model codecs load weights with numpy alone."""

from __future__ import annotations

from dataclasses import asdict, dataclass

RMS_EPS = 1e-6  # RMSNorm's epsilon, in both forms


@dataclass(frozen=True)
class TransformerConfig:
    vocab_size: int = 256
    d_model: int = 64
    n_layers: int = 4
    n_heads: int = 4
    d_ff: int = 256
    context_bytes: int = 2048
    attention_window: int = 256  # keys at most this far back (measured: +0.0003 bits/byte vs 2048)

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads

    def to_dict(self) -> dict:
        return asdict(self)

    def tensor_shapes(self) -> dict[str, tuple[int, ...]]:
        """The name and shape of every weight tensor of a model of this shape (its checkpoint's contents)."""
        D = self.d_model
        shapes = {"embed.weight": (self.vocab_size + 1, D), "norm_out.weight": (D,), "head.weight": (self.vocab_size, D)}
        for i in range(self.n_layers):
            shapes |= {f"blocks.{i}.norm_attn.weight": (D,), f"blocks.{i}.qkv.weight": (3 * D, D),
                       f"blocks.{i}.proj.weight": (D, D), f"blocks.{i}.norm_mlp.weight": (D,),
                       f"blocks.{i}.up.weight": (self.d_ff, D), f"blocks.{i}.down.weight": (D, self.d_ff)}
        return shapes


# The paper's three small sizes (about 200K, 800K and 3.2M parameters).
SIZES: dict[str, TransformerConfig] = {
    "tiny": TransformerConfig(d_model=64, n_layers=4, n_heads=4, d_ff=256),
    "small": TransformerConfig(d_model=128, n_layers=4, n_heads=4, d_ff=512),
    "medium": TransformerConfig(d_model=256, n_layers=4, n_heads=8, d_ff=1024),
}


def alibi_slope_values(n_heads: int) -> list[float]:
    """ALiBi slopes 2^(-8 h / H), h = 1..H: powers of two (for H a power of two), so biases stay exact."""
    return [2.0 ** (-8.0 * (h + 1) / n_heads) for h in range(n_heads)]
