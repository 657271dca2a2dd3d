"""Any local Hugging Face causal LM as a Predictor over its tokens.

Loaded with `local_files_only=True` (never a download) and safetensors weights only
(never pickle, never remote code). Float inference is not bit-stable across batch
shapes, so encoder and decoder run the very same computation: one sequence at a time,
one token per forward pass with the KV cache, on one thread. `weights` is that same
loop. Its log-probabilities are rounded to 1/256 nat and turned into integer weights by
the exact path (gencomp.coding.exact), so the coder sees the same integers wherever the
model's float32 results are the same: on the machine and torch build that encoded, and on
others only where they reproduce those floats. The archive's CRC32
catches a machine whose floats differ.

Longer than the model's context, the window slides: when it is full, the model restarts
from its last half (re-fed token by token, the same in encoder and decoder).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Optional

import numpy as np
import torch

from gencomp.coding import exact
from gencomp.errors import GencompError
from gencomp.models.checkpoint import weights_sha256
from gencomp.models.predictor import Predictor


def load_hf(model_dir: str):
    """(model, tokenizer) from a local folder; GencompError if it is not a causal LM with safetensors weights."""
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise GencompError("Hugging Face models need transformers: pip install 'gencomp[hf]'") from None
    folder = Path(model_dir)
    if not folder.is_dir():
        raise GencompError(f"{model_dir} is not a folder holding a Hugging Face model")
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True, use_safetensors=True,
                                                     trust_remote_code=False, dtype=torch.float32)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise GencompError(f"{model_dir} is not a loadable causal LM ({first_line})") from None
    return model.eval(), tokenizer


class _State:
    def __init__(self, batch_size: int):
        self.caches: list = [None] * batch_size  # one KV cache per sequence
        self.windows: list[list[int]] = [[] for _ in range(batch_size)]  # tokens each cache holds


class HFPredictor(Predictor):
    """Next-token log-probabilities of a local causal LM; alphabet = its vocabulary."""

    def __init__(self, model_dir: str):
        self.model, self.tokenizer = load_hf(model_dir)
        self.alphabet_size = int(self.model.get_output_embeddings().weight.shape[0])
        start = self.tokenizer.bos_token_id if self.tokenizer.bos_token_id is not None else self.tokenizer.eos_token_id
        if start is None:
            raise GencompError(f"{model_dir}: the tokenizer has neither a BOS nor an EOS token to start from")
        self.start_token = int(start)
        config = self.model.config
        limit = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
        self.max_tokens = int(limit) if limit else None  # positions the model holds, the start token's included
        # transformers 5.x renames past_key_values to cache (argument and output field)
        self._cache_field = "cache" if "cache" in inspect.signature(self.model.forward).parameters else "past_key_values"
        self._name = Path(model_dir).resolve().name
        self._sha = weights_sha256(self.model.state_dict())

    @property
    def name(self) -> str:
        return self._name

    def identity(self) -> dict:
        return {"name": self._name, "weights_sha256": self._sha, "vocabulary": self.alphabet_size}

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    @torch.no_grad()
    def _next(self, token: int, cache):
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # the same reduction order in encoder and decoder
        try:
            out = self.model(input_ids=torch.tensor([[token]]), use_cache=True, **{self._cache_field: cache})
        finally:
            torch.set_num_threads(threads)
        log_probs = torch.log_softmax(out.logits[0, -1].double(), -1).numpy()
        return exact.weights_from_log_probs(log_probs), getattr(out, self._cache_field)

    def start(self, batch_size: int) -> _State:
        return _State(batch_size)

    def _feed(self, state: _State, i: int, token: int) -> np.ndarray:
        """Feed sequence i one token, sliding its window when the model's context is full."""
        window = state.windows[i]
        if self.max_tokens is not None and len(window) >= self.max_tokens:
            kept = window[len(window) - self.max_tokens // 2 :]
            state.caches[i], window[:] = None, []
            for t in [self.start_token] + kept:
                _, state.caches[i] = self._next(t, state.caches[i])
                window.append(t)
        weights, state.caches[i] = self._next(token, state.caches[i])
        window.append(token)
        return weights

    def step(self, state: _State, previous: Optional[np.ndarray]) -> np.ndarray:
        tokens = [self.start_token] * len(state.caches) if previous is None else [int(t) for t in previous]
        return np.stack([self._feed(state, i, token) for i, token in enumerate(tokens)])  # (B, V)

    def weights(self, symbols: np.ndarray) -> np.ndarray:
        symbols = np.asarray(symbols, dtype=np.int64)
        state, previous, out = self.start(len(symbols)), None, []
        for t in range(symbols.shape[1]):
            out.append(self.step(state, previous))
            previous = symbols[:, t]
        return np.stack(out, axis=1) if out else np.zeros(symbols.shape + (self.alphabet_size,), np.int64)
