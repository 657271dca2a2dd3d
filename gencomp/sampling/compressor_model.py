"""Any Compressor as a Predictor: the paper's compressor -> model direction.

    P(x | ctx) ∝ 2^-(ℓ(ctx·x) − ℓ(ctx)),   x one of the 256 byte values,

where ℓ is the compressor's code length in bits of one stream. ℓ(ctx) is the same for
every candidate, so only ℓ(ctx·x) is computed.

Code lengths come from the codec's `next_byte_code_lengths_bits` (exact bits where
the codec can give them: gzip through libz) or, with resolution="bytes", from
8 × payload bytes, where most candidates tie (benchmarks/equivalence.py measures
both). Contexts longer than max_context_bytes keep only their last max_context_bytes.
By default bytes absent from the context share one score (see CompressorModel).

Both Predictor forms call the same scoring on the same bytes and turn code lengths into
integer weights ∝ 2^-bits through the exact path (gencomp.coding.exact), so `weights` and
`step` agree on every machine and the model can drive the arithmetic coder.
"""

from __future__ import annotations

import numpy as np

from gencomp.coding import exact
from gencomp.compressors.base import Compressor, candidate_texts
from gencomp.errors import GencompError
from gencomp.models.predictor import Predictor

RESOLUTIONS = ("exact", "bytes")


class CompressorModel(Predictor):
    """Next-byte distribution from a compressor's code lengths; see the module docstring."""

    def __init__(self, compressor: Compressor, max_context_bytes: int = 2048, resolution: str = "exact",
                 score_unseen_once: bool = True):
        """score_unseen_once: bytes that do not occur in the context all get the score of the lowest
        of them, computed once. On text that scores ~70 candidates instead of 256 and changed gzip's
        log-loss by -0.003 bits/byte, lzma's by +0.001 (benchmarks/equivalence.py); False scores all."""
        if resolution not in RESOLUTIONS:
            raise GencompError(f"resolution must be one of {RESOLUTIONS}, got {resolution!r}")
        if max_context_bytes < 0:
            raise GencompError(f"max_context_bytes must be >= 0, got {max_context_bytes}")
        self.compressor, self.max_context_bytes, self.resolution = compressor, max_context_bytes, resolution
        self.score_unseen_once = score_unseen_once

    @property
    def name(self) -> str:
        return f"{self.compressor.name}-model"

    def identity(self) -> dict:
        return {"name": self.name, "codec": self.compressor.name, "codec_identity": self.compressor.identity(),
                "max_context_bytes": self.max_context_bytes, "resolution": self.resolution,
                "score_unseen_once": self.score_unseen_once}

    def candidate_bits(self, context: bytes) -> np.ndarray:
        """(256,) float64 bits of ℓ(context · x) for each byte x, the context cut to max_context_bytes."""
        context = bytes(context[max(0, len(context) - self.max_context_bytes) :] if self.max_context_bytes else b"")
        candidates = None
        if self.score_unseen_once:
            seen = np.flatnonzero(np.bincount(np.frombuffer(context, np.uint8), minlength=256))
            if len(seen) < 255:
                candidates = np.r_[seen, np.setdiff1d(np.arange(256), seen)[0]].astype(np.uint8)
        if self.resolution == "bytes":
            scores = self.compressor.chunk_code_length_bits(candidate_texts(context, candidates))
        else:
            scores = np.asarray(self.compressor.next_byte_code_lengths_bits(context, candidates), dtype=np.float64)
        if candidates is None:
            return scores
        out = np.full(256, scores[-1])  # every unseen byte: the lowest unseen byte's score
        out[seen] = scores[:-1]
        return out

    def weights(self, symbols: np.ndarray) -> np.ndarray:
        symbols = np.asarray(symbols, dtype=np.int64)
        B, T = symbols.shape
        out = np.empty((B, T, 256), np.int64)
        for b in range(B):
            row = symbols[b].astype(np.uint8).tobytes()
            for t in range(T):
                out[b, t] = exact.weights_from_bits(self.candidate_bits(row[:t]))
        return out  # (B, T, V)

    def start(self, batch_size: int) -> list[bytearray]:
        return [bytearray() for _ in range(batch_size)]

    def start_from(self, contexts: np.ndarray) -> tuple[list[bytearray], np.ndarray]:
        """The contexts cost nothing to feed: only the next byte is scored."""
        state = [bytearray(row.astype(np.uint8).tobytes()) for row in np.asarray(contexts, dtype=np.int64)]
        return state, np.stack([exact.weights_from_bits(self.candidate_bits(h)) for h in state])  # (B, V)

    def step(self, state: list[bytearray], previous: np.ndarray | None) -> np.ndarray:
        if previous is not None:
            for history, symbol in zip(state, np.asarray(previous).tolist()):
                history.append(symbol)
        return np.stack([exact.weights_from_bits(self.candidate_bits(h)) for h in state])  # (B, V)
