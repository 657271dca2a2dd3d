"""The context-mixing model as a Predictor over bytes, for sampling and analysis."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

import numpy as np

from gencomp.errors import GencompError
from gencomp.models.context_mixing.audio import Audio
from gencomp.models.context_mixing.counters import SQUASH, STRETCH
from gencomp.models.context_mixing.loops import byte_weights, learn_bytes
from gencomp.models.context_mixing.orders import Bytes
from gencomp.models.context_mixing.state import Model, initial_weights, new_state
from gencomp.models.predictor import Predictor

_NO_EXT, _NO_EXT_ROW = np.zeros((0, 256), np.int64), np.zeros(0, np.int64)


class ContextMixingPredictor(Predictor):
    """Each row runs its own model, PREDICTOR_SLOT_BITS large; `weights` and `step` give the same
    integer distributions. transformer: an external model mixed in (mix:NAME), or None."""

    PREDICTOR_SLOT_BITS, PREDICTOR_MATCH_BITS, MAX_BYTES = 18, 18, 1 << 20

    def __init__(self, transformer: Optional[Predictor] = None, model: Model = Bytes()):
        self.transformer, self.model = transformer, model

    @property
    def name(self) -> str:
        return "context-mixing" + (f"+{self.transformer.name}" if self.transformer is not None else "")

    def identity(self) -> dict:
        identity = {"name": "context-mixing-v1", "slots": self.PREDICTOR_SLOT_BITS} | self.model.identity()
        identity |= {"audio_generation": "stable"} if getattr(self.model, "generating", False) else {}
        return identity | ({"transformer": self.transformer.identity()} if self.transformer is not None else {})

    def num_parameters(self) -> int:
        return self.transformer.num_parameters() if self.transformer is not None else 0

    def _new(self) -> list:
        history = np.zeros(self.MAX_BYTES, np.uint8)
        ext_weight, input_weight = initial_weights(self.model, short=False)
        state = new_state(self.PREDICTOR_SLOT_BITS, self.PREDICTOR_MATCH_BITS, history, self.model, ext_weight,
                          input_weight)
        return [state, history, 0]

    def for_generation(self) -> "ContextMixingPredictor":
        """Audio: the model with a stable predictor (Audio.generating: revision 0's cascade, whose shrunk
        weights were tuned for sampling); else itself."""
        if not (isinstance(self.model, Audio) and self.model.least_squares) or self.model.generating:
            return self
        return ContextMixingPredictor(self.transformer, replace(self.model, generating=True, revision=0))

    @staticmethod
    def _distribution(row: list, ext_row: np.ndarray, out: np.ndarray) -> None:
        """out (256,) int64, C-contiguous: the row's next-byte weights (ext_row: (256,) or (0,))."""
        byte_weights(*row[0].arrays, SQUASH, STRETCH, ext_row, out)

    @staticmethod
    def _learn(row: list, symbols: np.ndarray, ext: np.ndarray) -> None:
        """The model learns more bytes (ext: (len(symbols), 256) external distributions they were
        predicted with, or (0, 256))."""
        state, history, n = row
        if n + len(symbols) > len(history):
            raise GencompError(f"the context-mixing predictor holds at most {len(history)} bytes of context")
        history[n : n + len(symbols)] = symbols
        learn_bytes(*state.arrays, history, SQUASH, STRETCH, ext, n, n + len(symbols))
        row[2] = n + len(symbols)

    def weights(self, symbols: np.ndarray) -> np.ndarray:
        symbols = np.asarray(symbols, dtype=np.int64)
        B, T = symbols.shape
        ext = self.transformer.weights(symbols) if self.transformer is not None else np.zeros((B, T, 0), np.int64)
        out = np.empty((B, T, 256), np.int64)
        for b in range(B):
            row = self._new()
            for t in range(T):
                self._distribution(row, ext[b, t], out[b, t])
                self._learn(row, symbols[b, t : t + 1], ext[b, t : t + 1] if ext.shape[2] else _NO_EXT)
        return out

    def start(self, batch_size: int) -> dict:
        """rows: each row's model; ext: the external distributions of the next bytes (B, 256) or None."""
        return {"rows": [self._new() for _ in range(batch_size)], "ext": None,
                "transformer": self.transformer.start(batch_size) if self.transformer is not None else None}

    def _next(self, state: dict) -> np.ndarray:
        out = np.empty((len(state["rows"]), 256), np.int64)
        for r, row in enumerate(state["rows"]):
            self._distribution(row, state["ext"][r] if state["ext"] is not None else _NO_EXT_ROW, out[r])
        return out

    def step(self, state: dict, previous: Optional[np.ndarray]) -> np.ndarray:
        if previous is not None:
            for r, row in enumerate(state["rows"]):
                ext = state["ext"][r : r + 1] if state["ext"] is not None else _NO_EXT
                self._learn(row, np.asarray(previous[r : r + 1], np.uint8), ext)
        if self.transformer is not None:
            state["ext"] = self.transformer.step(state["transformer"], previous)
        return self._next(state)

    def start_from(self, contexts: np.ndarray) -> tuple[dict, np.ndarray]:
        """The same as start + step through each context, learning each context in one call."""
        contexts = np.asarray(contexts, dtype=np.int64)
        B, T = contexts.shape
        if self.transformer is None or T == 0:
            state = self.start(B)
            if self.transformer is not None:
                state["ext"] = self.transformer.step(state["transformer"], None)
            for row, context in zip(state["rows"], contexts):
                self._learn(row, context.astype(np.uint8), _NO_EXT)
            return state, self._next(state)
        ext = self.transformer.weights(contexts)  # (B, T, 256): each context byte's external distribution
        transformer_state, next_ext = self.transformer.start_from(contexts)
        state = {"rows": [self._new() for _ in range(B)], "ext": next_ext, "transformer": transformer_state}
        for row, context, e in zip(state["rows"], contexts, ext):
            self._learn(row, context.astype(np.uint8), e)
        return state, self._next(state)


