"""The Predictor protocol: next-symbol distributions for a batch of sequences."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Optional

import numpy as np


class Predictor(ABC):
    """A model of sequences over an alphabet of `alphabet_size` symbols.

    Both forms must give bit-identical log-probabilities for the same sequence, at any
    batch size: the arithmetic decoder relies on it.
    """

    alphabet_size: int = 256

    @property
    @abstractmethod
    def name(self) -> str:
        """Short name, e.g. 'byte-transformer-tiny'."""

    @abstractmethod
    def identity(self) -> dict:
        """What a decoder must match: name, settings and a hash of the weights."""

    @abstractmethod
    def log_probs(self, symbols: np.ndarray) -> np.ndarray:
        """symbols (B, T) int64 -> (B, T, V) float64 natural-log probabilities.

        [b, t] is the distribution of symbols[b, t] given symbols[b, :t]; every row
        starts from an empty context. Rows may be padded at the end: a position never
        depends on later ones.
        """

    @abstractmethod
    def start(self, batch_size: int) -> Any:
        """State for `batch_size` empty contexts, for `step`."""

    @abstractmethod
    def step(self, state: Any, previous: Optional[np.ndarray]) -> np.ndarray:
        """Feed each context its previous symbol (B,) (None on the first call) and
        return (B, V) float64 log-probabilities of the next symbol."""

    def start_from(self, contexts: np.ndarray) -> tuple[Any, np.ndarray]:
        """State after the contexts (B, T) and the (B, V) float64 log-probabilities of the next
        symbol: what `start` then `step` through every symbol gives (models may do it faster)."""
        contexts = np.asarray(contexts, dtype=np.int64)
        state = self.start(contexts.shape[0])
        log_probs = self.step(state, None)
        for t in range(contexts.shape[1]):
            log_probs = self.step(state, contexts[:, t])
        return state, log_probs

    def num_parameters(self) -> int:
        """Parameters counted for the adjusted compression rate (0 for online models)."""
        return 0
