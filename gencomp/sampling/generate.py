"""Sample bytes from any Predictor, or from any Compressor through the model it induces.

`stream` yields one byte at a time, so a UI can show progress; `generate` joins them.
A Hugging Face model (hf:DIR) samples tokens and yields their bytes.
The same model, prompt, settings and seed give the same bytes.

Temperature scales log-probabilities (1: the model's own distribution); temperature
<= 0 means greedy decoding (the most probable byte, the lowest byte value on a tie).
top_k > 0 keeps the k most probable bytes (ties broken towards lower byte values); min_p > 0 keeps
only bytes at least min_p times as probable as the most probable one (the coder's probability
floor gives every byte some mass; media continuations drop those, see gencomp.media.audio).

Three options shape what is sampled (coding never uses them):
- dictionary: bytes the model is conditioned on before the prompt, P(x | dictionary · prompt),
  as a compressor primed with a preset dictionary (gencomp.sampling.dictionaries ships some).
  A classic codec scores each candidate on the last max_context_bytes of dictionary · prompt ·
  output, by default its Compressor.generation_context_bytes: gzip its whole window (a shipped
  dictionary, the prompt and the output), the others 2 KB, since they recompress it per candidate.
- text_safe: only bytes that keep the output valid, printable UTF-8 (gencomp.sampling.text_safe),
  renormalised; default on when the prompt is UTF-8. seen_only further keeps only bytes that
  occur in the dictionary or the prompt.
- copies: LZ-family codecs also score multi-byte continuations (gencomp.sampling.continuations);
  default on for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Callable, Optional, Union

import numpy as np

from gencomp.coding import exact
from gencomp.compressors.base import Compressor
from gencomp.compressors.hf import HFCompressor
from gencomp.errors import GencompError
from gencomp.models.predictor import Predictor
from gencomp.sampling.compressor_model import CompressorModel
from gencomp.sampling.continuations import MAX_COPY_BYTES, copy_candidates
from gencomp.sampling.text_safe import Utf8Guard, is_text

MAX_GENERATE_BYTES = 1 << 20  # a megabyte of gzip sampling is about half an hour; more is a mistake

Model = Union[Predictor, Compressor]


def as_predictor(model: Model, max_context_bytes: int = 2048, resolution: str = "exact") -> Predictor:
    """The Predictor to sample from: a Predictor's, or a model-based compressor's own predictor's
    form for generation (its distribution directly, no 256 compressions); any other compressor
    through CompressorModel."""
    if isinstance(model, Predictor):
        return model.for_generation()
    if model.byte_predictor is not None:
        return model.byte_predictor.for_generation()
    return CompressorModel(model, max_context_bytes, resolution)


def sample_next_byte(log_probs: np.ndarray, temperature: float, top_k: int, rng: np.random.Generator,
                     allowed: Optional[np.ndarray] = None, min_p: float = 0.0) -> int:
    """One symbol (a byte, a token, a candidate's index) from (V,) log-probabilities, only among the
    `allowed` ones ((V,) bool, at least one True) when given; see the module docstring for
    temperature and top_k."""
    log_probs = np.asarray(log_probs, dtype=np.float64)
    candidates = np.flatnonzero(allowed) if allowed is not None else np.arange(len(log_probs))
    scores = log_probs[candidates]
    if temperature <= 0:
        return int(candidates[np.argmax(scores)])  # the first of equals: the lowest symbol
    if min_p > 0:  # only those within min_p of the most probable need sorting
        near = scores >= scores.max() + np.log(min_p)
        candidates, scores = candidates[near], scores[near]
    order = np.argsort(-scores, kind="stable")  # most probable first, lower symbol first on ties
    keep = order[:top_k] if top_k > 0 else order
    logits = scores[keep] / temperature
    weights = np.exp(logits - logits.max())
    # rng.choice(len(keep), p=weights / weights.sum()), without its checks of p (half a call's time)
    cdf = (weights / weights.sum()).cumsum()
    cdf /= cdf[-1]
    return int(candidates[keep[cdf.searchsorted(rng.random(), side="right")]])


def _check_settings(n: int, temperature: float, top_k: int) -> None:
    if not 0 <= n <= MAX_GENERATE_BYTES:
        raise GencompError(f"number of bytes to generate must be 0 … {MAX_GENERATE_BYTES}, got {n}")
    if top_k < 0:
        raise GencompError(f"top_k must be >= 0 (0: all 256 bytes), got {top_k}")
    if not np.isfinite(temperature):
        raise GencompError(f"temperature must be a finite number (<= 0: greedy), got {temperature}")


class _Restriction:
    """Which bytes may come next: text-safe and/or seen-only (see the module docstring)."""

    def __init__(self, prompt: bytes, dictionary: bytes, text_safe: bool, seen_only: bool):
        self.guard = None
        if text_safe:
            self.guard = Utf8Guard()
            self.guard.feed_unchecked(prompt)
        self.seen = np.bincount(np.frombuffer(dictionary + prompt, np.uint8), minlength=256) > 0 if seen_only else None

    def allowed(self, remaining: int) -> Optional[np.ndarray]:
        """(256,) bool or None (everything allowed). Seen-only yields where it would leave nothing."""
        mask = self.guard.allowed(remaining) if self.guard else None
        if self.seen is not None:
            narrowed = self.seen if mask is None else mask & self.seen
            mask = narrowed if narrowed.any() else mask
        return mask

    def usable_prefix(self, data: bytes, remaining: int) -> int:
        """How many leading bytes of a multi-byte candidate the restriction allows."""
        n = self.guard.allows(data, remaining) if self.guard else len(data)
        if self.seen is not None:
            n = next((i for i, b in enumerate(data[:n]) if not self.seen[b]), n)
        return n

    def feed(self, data: bytes) -> None:
        if self.guard:
            self.guard.feed(data)


Proposal = Callable[[int], Optional[tuple[np.ndarray, float]]]


def stream(model: Model, prompt: bytes, n: int, temperature: float = 1.0, top_k: int = 0, seed: int = 0,
           max_context_bytes: Optional[int] = None, dictionary: bytes = b"", text_safe: Optional[bool] = None,
           seen_only: bool = False, copies: Optional[bool] = None, min_p: float = 0.0,
           proposal: Optional[Proposal] = None) -> Iterator[bytes]:
    """Yield n bytes, one at a time, continuing `prompt` (which may be empty).

    max_context_bytes: for compressor-induced models, the bytes each candidate is scored on (None: the
    codec's own). text_safe None: on when the prompt is UTF-8; copies None: on for LZ-family codecs.
    min_p: a byte predictor's samples only (not tokens or copies). proposal(i): for the i-th byte a
    (256,) probability vector and a weight w, or None: the byte is then sampled from (1 − w) · the
    model's distribution + w · the proposal (a byte predictor's samples only; media completions propose
    copies). See the module docstring."""
    _check_settings(n, temperature, top_k)
    if not 0 <= min_p < 1:
        raise GencompError(f"min_p must be in [0, 1), got {min_p}")
    prompt, dictionary = bytes(prompt), bytes(dictionary)
    if text_safe is None:
        text_safe = is_text(prompt)
    elif text_safe and not is_text(prompt):
        raise GencompError("text-safe sampling needs a UTF-8 prompt; this one is not (turn text-safe off)")
    if n == 0:
        return
    if isinstance(model, HFCompressor):
        yield from _stream_tokens(model, dictionary + prompt, n, temperature, top_k, seed)
        return
    restriction = _Restriction(prompt, dictionary, text_safe, seen_only)
    rng = np.random.default_rng(seed)
    if copies is None:
        copies = isinstance(model, Compressor) and model.lz_family
    if copies:
        if not isinstance(model, Compressor):
            raise GencompError("multi-byte continuations need a compressor, not a predictor")
        yield from _stream_continuations(model, dictionary, prompt, n, temperature, top_k, rng,
                                         max_context_bytes, restriction)
        return
    predictor = as_predictor(model, _scored_bytes(model, max_context_bytes, 1))
    context = np.frombuffer(dictionary + prompt, np.uint8).astype(np.int64)[None, :]  # (1, T)
    if predictor.max_context_symbols:  # a transformer sees its context's last bytes, not a whole dictionary
        context = context[:, -predictor.max_context_symbols :]
    state, weights = predictor.start_from(context)
    for i in range(n):
        log_probs = exact.log_probs(weights[0])
        proposed = proposal(i) if proposal is not None else None
        if proposed is not None:
            pmf, weight = proposed
            log_probs = np.log((1 - weight) * np.exp(log_probs) + weight * pmf + 1e-300)
        byte = sample_next_byte(log_probs, temperature, top_k, rng, restriction.allowed(n - i), min_p)
        restriction.feed(bytes([byte]))
        yield bytes([byte])
        if i + 1 < n:
            weights = predictor.step(state, np.array([byte]))


def _scored_bytes(model: Model, max_context_bytes: Optional[int], longest_candidate: int) -> int:
    """Bytes of context a classic codec scores on: max_context_bytes (None: its own default), within
    what it can."""
    if max_context_bytes is None:
        max_context_bytes = model.generation_context_bytes if isinstance(model, Compressor) else 0
    limit = getattr(model, "max_scoring_context_bytes", None)
    return max_context_bytes if limit is None else min(max_context_bytes, limit - longest_candidate + 1)


def _stream_continuations(codec: Compressor, dictionary: bytes, prompt: bytes, n: int, temperature: float,
                          top_k: int, rng: np.random.Generator, max_context_bytes: Optional[int],
                          restriction: _Restriction) -> Iterator[bytes]:
    """Sample single bytes and multi-byte copies together (gencomp.sampling.continuations)."""
    history = bytearray(dictionary + prompt)
    keep = _scored_bytes(codec, max_context_bytes, MAX_COPY_BYTES)
    emitted = 0
    while emitted < n:
        remaining = n - emitted
        context = bytes(history[max(0, len(history) - keep) :])
        allowed = restriction.allowed(remaining)
        singles = np.arange(256) if allowed is None else np.flatnonzero(allowed)
        seen = np.bincount(np.frombuffer(context, np.uint8), minlength=256) > 0
        scored = singles[seen[singles]]  # bytes absent from the context share the score of the lowest of them
        unseen = singles[~seen[singles]]
        copies, multiplicity = [], []
        for copy, log2_count in zip(*copy_candidates(context, min(MAX_COPY_BYTES, remaining), rng)):
            usable = copy[: restriction.usable_prefix(copy, remaining)]
            if len(usable) >= 2:
                copies.append(usable)
                multiplicity.append(log2_count)
        suffixes = [bytes([x]) for x in scored] + ([bytes([unseen[0]])] if len(unseen) else []) + copies
        bits = codec.continuation_code_lengths_bits(context, suffixes)
        single_bits = np.empty(256)
        single_bits[scored] = bits[: len(scored)]
        single_bits[unseen] = bits[len(scored)] if len(unseen) else 0.0
        tempered = temperature if temperature > 0 else 1.0  # the temperature divides bits, not how many copies
        copy_bits = bits[len(bits) - len(copies) :] - tempered * np.array(multiplicity) if copies else np.empty(0)
        candidates = [bytes([x]) for x in singles] + copies
        scores = np.concatenate([single_bits[singles], copy_bits])
        choice = candidates[sample_next_byte(-scores * np.log(2.0), temperature, top_k, rng)]  # at most `remaining`
        restriction.feed(choice)
        history += choice
        emitted += len(choice)
        for byte in choice:
            yield bytes([byte])


def _stream_tokens(model: HFCompressor, prompt: bytes, n: int, temperature: float, top_k: int, seed: int) -> Iterator[bytes]:
    """A Hugging Face model samples tokens; their bytes are yielded one at a time, each once the text
    decoded so far no longer ends in an incomplete UTF-8 character. `prompt` includes any dictionary."""
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
             max_context_bytes: Optional[int] = None, **options) -> bytes:
    """The n bytes `stream` yields, joined (options: dictionary, text_safe, seen_only, copies)."""
    return b"".join(stream(model, prompt, n, temperature, top_k, seed, max_context_bytes, **options))
