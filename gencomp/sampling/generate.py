"""Sample bytes from any Predictor, or from any Compressor through the model it induces.

`stream` yields one byte at a time, so a UI can show progress; `generate` joins them.
A Hugging Face model (hf:DIR) samples tokens and yields their bytes.
The same model, prompt, settings and seed give the same bytes.

Temperature scales log-probabilities (1: the model's own distribution); temperature
<= 0 means greedy decoding (the most probable byte, the lowest byte value on a tie).
top_k > 0 keeps the k most probable bytes (ties broken towards lower byte values).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Union

import numpy as np

from gencomp.coding import exact
from gencomp.compressors.base import Compressor
from gencomp.compressors.hf import HFCompressor
from gencomp.errors import GencompError
from gencomp.models.predictor import Predictor
from gencomp.sampling.compressor_model import CompressorModel

MAX_GENERATE_BYTES = 1 << 20  # a megabyte of gzip sampling is about half an hour; more is a mistake

Model = Union[Predictor, Compressor]


def as_predictor(model: Model, max_context_bytes: int = 2048, resolution: str = "exact") -> Predictor:
    """A Predictor as it is; a model-based compressor's own predictor (its distribution directly,
    no 256 compressions); any other compressor through CompressorModel."""
    if isinstance(model, Predictor):
        return model
    if model.byte_predictor is not None:
        return model.byte_predictor
    return CompressorModel(model, max_context_bytes, resolution)


def sample_next_byte(log_probs: np.ndarray, temperature: float, top_k: int, rng: np.random.Generator) -> int:
    """One symbol (a byte, or a token for a token model) from (V,) log-probabilities; see the module
    docstring for temperature and top_k."""
    log_probs = np.asarray(log_probs, dtype=np.float64)
    order = np.argsort(-log_probs, kind="stable")  # most probable first, lower byte first on ties
    if temperature <= 0:
        return int(order[0])
    keep = order[:top_k] if top_k > 0 else order
    logits = log_probs[keep] / temperature
    weights = np.exp(logits - logits.max())
    return int(keep[rng.choice(len(keep), p=weights / weights.sum())])


def _check_settings(n: int, temperature: float, top_k: int) -> None:
    if not 0 <= n <= MAX_GENERATE_BYTES:
        raise GencompError(f"number of bytes to generate must be 0 … {MAX_GENERATE_BYTES}, got {n}")
    if top_k < 0:
        raise GencompError(f"top_k must be >= 0 (0: all 256 bytes), got {top_k}")
    if not np.isfinite(temperature):
        raise GencompError(f"temperature must be a finite number (<= 0: greedy), got {temperature}")


def stream(model: Model, prompt: bytes, n: int, temperature: float = 1.0, top_k: int = 0, seed: int = 0,
           max_context_bytes: int = 2048) -> Iterator[bytes]:
    """Yield n bytes, one at a time, continuing `prompt` (which may be empty).

    max_context_bytes: for compressor-induced models, the context each byte is scored on."""
    _check_settings(n, temperature, top_k)
    if n == 0:
        return
    if isinstance(model, HFCompressor):
        yield from _stream_tokens(model, prompt, n, temperature, top_k, seed)
        return
    predictor = as_predictor(model, max_context_bytes)
    rng = np.random.default_rng(seed)
    context = np.frombuffer(bytes(prompt), np.uint8).astype(np.int64)[None, :]  # (1, T)
    state, weights = predictor.start_from(context)
    for i in range(n):
        byte = sample_next_byte(exact.log_probs(weights[0]), temperature, top_k, rng)
        yield bytes([byte])
        if i + 1 < n:
            weights = predictor.step(state, np.array([byte]))


def _stream_tokens(model: HFCompressor, prompt: bytes, n: int, temperature: float, top_k: int, seed: int) -> Iterator[bytes]:
    """A Hugging Face model samples tokens; their bytes are yielded one at a time, each once the text
    decoded so far no longer ends in an incomplete UTF-8 character."""
    ids = model.tokens(bytes(prompt)) if prompt else []
    if ids is None:
        raise GencompError(f"{model.name} needs a prompt of UTF-8 text that its tokenizer returns exactly")
    predictor, rng = model.predictor, np.random.default_rng(seed)
    state, weights = predictor.start_from(np.array(ids, dtype=np.int64)[None, :])
    sampled, emitted = [], 0  # bytes yielded so far
    while emitted < n:
        token = sample_next_byte(exact.log_probs(weights[0]), temperature, top_k, rng)
        sampled.append(token)
        text = predictor.tokenizer.decode(ids + sampled, skip_special_tokens=False, clean_up_tokenization_spaces=False)
        if not text.endswith("\ufffd"):
            fresh = text.encode("utf-8")[len(prompt) + emitted :]
            for byte in fresh[: n - emitted]:
                yield bytes([byte])
            emitted += len(fresh)
        weights = predictor.step(state, np.array([token]))


def generate(model: Model, prompt: bytes, n: int, temperature: float = 1.0, top_k: int = 0, seed: int = 0,
             max_context_bytes: int = 2048) -> bytes:
    """The n bytes `stream` yields, joined."""
    return b"".join(stream(model, prompt, n, temperature, top_k, seed, max_context_bytes))
