"""Predictors mixed per symbol, with weights learned online as the sequence is coded.

    p(x) = Σ_k w_k p_k(x)

starts from equal weights; after each symbol x the weights follow Bayes' rule,
w_k ← w_k p_k(x) / p(x), and then a fixed share α of the total is spread evenly,
w_k ← (1 − α) w_k + α / K (Herbster & Warmuth's fixed share). So the mixture follows
whichever component predicts the current stretch best, and switches back within a few
symbols: a text model trained on 2 MB of Wikipedia is sharp on common English and lost
on a licence's vocabulary, which an adaptive context model picks up after one
occurrence. On text from neither training file this costs less than either model alone
(see benchmarks/lm_compression.py).

Exactness: integers throughout (gencomp.coding.exact). Each component's weights are
normalized to probabilities in units of 2^-PROB_BITS, the mixing weights are integers
summing to about 2^MIX_BITS, and the mixture's output is Σ_k w_k p_k, an exact integer;
the Bayes and fixed-share updates use integer products, shifts and one division per
weight. `weights` and `step` run the same arithmetic, so they agree on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

import numpy as np

from gencomp.coding import exact
from gencomp.models.predictor import Predictor

DEFAULT_SHARE = 0.1  # measured on six English texts: 0.05 … 0.3 are within 0.3 points
PROB_BITS = 30  # component probabilities in units of 2^-30
MIX_BITS = 16  # mixing weights sum to about 2^16: products stay below 2^46, updates below 2^62


def _mix(weights: np.ndarray, probs: Sequence[np.ndarray]) -> np.ndarray:
    """Σ_k weights[..., k, None] · probs[k], exact int64: (..., K) weights, K × (..., N) probabilities."""
    total = weights[..., 0, None] * probs[0]
    for k in range(1, len(probs)):
        total += weights[..., k, None] * probs[k]
    return total


class MixturePredictor(Predictor):
    """Per-symbol mixture of predictors over one alphabet; see the module docstring."""

    def __init__(self, components: Sequence[Predictor], share: float = DEFAULT_SHARE):
        if len(components) < 2:
            raise ValueError("a mixture needs at least two predictors")
        if len({c.alphabet_size for c in components}) != 1:
            raise ValueError("the mixed predictors must share one alphabet")
        if not 0.0 <= share < 1.0:
            raise ValueError(f"share must be in [0, 1), got {share}")
        self.components, self.share = list(components), share
        self.alphabet_size = components[0].alphabet_size
        self._share_units = round(share * (1 << MIX_BITS))  # α in units of 2^-MIX_BITS
        self._even_units = (1 << MIX_BITS) // len(components)

    @property
    def name(self) -> str:
        return "mix(" + " + ".join(c.name for c in self.components) + ")"

    def identity(self) -> dict:
        return {"name": "mixture", "share": self.share, "arithmetic": f"integer-p{PROB_BITS}-w{MIX_BITS}",
                "components": [c.identity() for c in self.components]}

    def num_parameters(self) -> int:
        return sum(c.num_parameters() for c in self.components)

    def _first_weights(self, batch_size: int) -> np.ndarray:
        return np.full((batch_size, len(self.components)), self._even_units, np.int64)

    def _next_weights(self, weights: np.ndarray, symbol_probs: np.ndarray) -> np.ndarray:
        """(B, K) mixing weights after a symbol each component gave (B, K) probabilities (2^-PROB_BITS)."""
        posterior = weights * symbol_probs  # (B, K) < 2^46
        total = posterior.sum(-1, keepdims=True)  # exact integer sum
        posterior = np.where(total > 0, (posterior << MIX_BITS) // np.maximum(total, 1), weights)
        return ((((1 << MIX_BITS) - self._share_units) * posterior + self._share_units * self._even_units)
                >> MIX_BITS)

    def weights(self, symbols: np.ndarray) -> np.ndarray:
        symbols = np.asarray(symbols, dtype=np.int64)
        probs = [exact.normalize(c.weights(symbols), PROB_BITS) for c in self.components]  # K × (B, T, V)
        symbol_probs = np.stack([np.take_along_axis(p, symbols[..., None], -1)[..., 0] for p in probs], -1)  # (B, T, K)
        mixing = np.empty_like(symbol_probs)
        w = self._first_weights(symbols.shape[0])
        for t in range(symbols.shape[1]):
            mixing[:, t] = w
            w = self._next_weights(w, symbol_probs[:, t])
        return _mix(mixing, probs)

    def start(self, batch_size: int) -> dict[str, Any]:
        return {"components": [c.start(batch_size) for c in self.components],
                "weights": self._first_weights(batch_size), "probs": None}

    def step(self, state: dict[str, Any], previous: Optional[np.ndarray]) -> np.ndarray:
        if previous is not None:
            rows = np.arange(len(previous))
            symbol_probs = np.stack([p[rows, previous] for p in state["probs"]], -1)  # (B, K)
            state["weights"] = self._next_weights(state["weights"], symbol_probs)
        state["probs"] = [exact.normalize(c.step(s, previous), PROB_BITS)
                          for c, s in zip(self.components, state["components"])]
        return _mix(state["weights"], state["probs"])
