"""The tokenization study: the same small transformer on bytes and on byte-level BPE tokens.

Each tokenizer (BPE with `tokenizers`, byte-level, trained on the text's train part) turns the
training text into token ids; the tiny transformer config with vocab_size = the tokenizer's
vocabulary trains under the same wall-clock budget for every tokenizer. The rate is measured
in bytes of the original: held-out wikitext in independent 2048-byte chunks, each chunk
tokenized on its own and scored from an empty context, rate = Σ −log2 p(token) / 8 / bytes
(the ideal code length; the arithmetic coder adds < 0.01 %). Models are cached in cache_dir.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Optional

import numpy as np
import torch

from gencomp.data.corpus import detokenize_wikitext, text_corpus
from gencomp.models.training import TrainSettings, _with_bos, fit
from gencomp.models.transformer import SIZES, ByteTransformer

CHUNK_BYTES = 2048


class ByteTokenizer:
    """Bytes as they are: ids 0 … 255."""

    vocab_size = 256

    def encode(self, data: bytes) -> np.ndarray:
        return np.frombuffer(data, np.uint8).astype(np.int64)


class BPETokenizer:
    """Byte-level BPE from the `tokenizers` library; every byte string round-trips."""

    def __init__(self, vocab_size: int, train_text: bytes):
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

        self.tokenizer = Tokenizer(models.BPE())
        self.tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        self.tokenizer.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                      show_progress=False)
        self.tokenizer.train_from_iterator(_lines(train_text), trainer)
        self.vocab_size = self.tokenizer.get_vocab_size()

    def encode(self, data: bytes) -> np.ndarray:
        return np.array(self.tokenizer.encode(data.decode("latin-1")).ids, dtype=np.int64)


def _lines(data: bytes, size: int = 1 << 16):
    text = data.decode("latin-1")  # one character per byte: byte-level BPE sees every byte
    return (text[i : i + size] for i in range(0, len(text), size))


@torch.no_grad()
def rate_in_bytes(model: ByteTransformer, tokenizer, heldout: bytes, max_chunks: int) -> float:
    """Σ −log2 p(tokens) / 8 / raw bytes over independent 2048-byte chunks of heldout."""
    n = min(max_chunks, len(heldout) // CHUNK_BYTES)
    bits = 0.0
    for i in range(n):
        tokens = torch.from_numpy(tokenizer.encode(heldout[i * CHUNK_BYTES : (i + 1) * CHUNK_BYTES]))[None]  # (1, T)
        log_probs = model(_with_bos(model, tokens))  # (1, T, V)
        bits -= log_probs.gather(-1, tokens[..., None]).sum().item() / math.log(2)
    return bits / 8 / (n * CHUNK_BYTES)


def run(vocab_sizes: list[int], budget_seconds: float, cache_dir: Path, max_chunks: int = 32,
        settings: Optional[TrainSettings] = None) -> list[dict]:
    """One row per tokenizer (0 stands for bytes): vocabulary, parameters, steps, seconds, rate."""
    corpus = text_corpus("train")
    train_text = b"".join(corpus.values()) + detokenize_wikitext(corpus["wikitext2-valid.txt"])
    heldout = text_corpus("heldout")["wikitext2-valid.txt"]
    base = settings or TrainSettings(size="tiny", lr=2e-3, eval_every=10**9, checkpoint_every=200)
    rows = []
    for vocab in vocab_sizes:
        tokenizer = ByteTokenizer() if vocab == 0 else BPETokenizer(vocab, train_text)
        name = "bytes" if vocab == 0 else f"bpe-{vocab}"
        out_dir = cache_dir / name
        tokens = tokenizer.encode(train_text)
        s = replace(base, out_dir=out_dir, max_seconds=budget_seconds, steps=100_000)
        model = ByteTransformer(replace(SIZES["tiny"], vocab_size=tokenizer.vocab_size))
        model, _seconds = fit(model, [tokens], s)
        progress = json.loads((out_dir / "progress.json").read_text())
        rows.append({"tokenizer": name, "vocab_size": tokenizer.vocab_size, "parameters": model.num_parameters(),
                     "bytes_per_token": len(train_text) / len(tokens), "steps": progress["step"],
                     "train_seconds": round(progress["seconds"], 1), "budget_seconds": budget_seconds,
                     "rate": rate_in_bytes(model, tokenizer, heldout, max_chunks)})
    return rows
