"""The Predictor protocol: next-symbol distributions for a batch of sequences, as integer weights."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Optional

import numpy as np

from gencomp.coding import StreamDecoder, exact


class Predictor(ABC):
    """A model of sequences over an alphabet of `alphabet_size` symbols.

    Distributions are integer weights (gencomp.coding.exact): int64, >= 0, each row summing
    to less than 2^62. Both forms must give identical weights for the same sequence, at any
    batch size, thread count and on any machine: the arithmetic decoder relies on it.
    """

    alphabet_size: int = 256
    max_context_symbols: Optional[int] = None  # the longest context it was built for (None: any): sampling feeds no more

    @property
    @abstractmethod
    def name(self) -> str:
        """Short name, e.g. 'byte-transformer-tiny'."""

    @abstractmethod
    def identity(self) -> dict:
        """What a decoder must match: name, settings and a hash of the weights."""

    @abstractmethod
    def weights(self, symbols: np.ndarray) -> np.ndarray:
        """symbols (B, T) int64 -> (B, T, V) int64 weights.

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
        return (B, V) int64 weights of the next symbol."""

    def start_from(self, contexts: np.ndarray) -> tuple[Any, np.ndarray]:
        """State after the contexts (B, T) and the (B, V) int64 weights of the next symbol: what
        `start` then `step` through every symbol gives (models may do it faster)."""
        contexts = np.asarray(contexts, dtype=np.int64)
        state = self.start(contexts.shape[0])
        weights = self.step(state, None)
        for t in range(contexts.shape[1]):
            weights = self.step(state, contexts[:, t])
        return state, weights

    def decode_streams(self, decoder: StreamDecoder, lengths: np.ndarray) -> np.ndarray:
        """Decode len(lengths) streams in lockstep, stream b lengths[b] symbols long, each from an
        empty context: (B, max length) int64 symbols, zero-padded (models may do it faster)."""
        lengths = np.asarray(lengths, dtype=np.int64)
        state = self.start(len(lengths))
        symbols = np.zeros((len(lengths), lengths.max(initial=0)), np.int64)
        previous = None
        for t in range(symbols.shape[1]):
            weights = self.step(state, previous)  # (B, V)
            active = np.flatnonzero(lengths > t)
            symbols[active, t] = decoder.step(weights[active], active)
            previous = symbols[:, t]
        return symbols

    def log_probs(self, symbols: np.ndarray) -> np.ndarray:
        """symbols (B, T) -> (B, T, V) float64 natural-log probabilities as the coder uses them
        (for analysis and sampling; coding uses `weights`)."""
        return exact.log_probs(self.weights(symbols))

    def num_parameters(self) -> int:
        """Parameters counted for the adjusted compression rate (0 for online models)."""
        return 0

    def for_generation(self) -> "Predictor":
        """The model sampling uses: itself, unless coding trades context for speed (see ExactTransformer)."""
        return self
