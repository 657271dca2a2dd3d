"""Sampling a byte transformer in float32 against its exact kernel: is a float path faster on the CPU?

Generation need not be exact (issue 34 asks for a float KV-cache path to sample with). This script holds
one: the checkpoint's weights in float32 through numpy (BLAS matrix products, no torch to import), a KV
cache kept as a ring of window + FEED_BLOCK slots that never moves (ALiBi needs only distances).
For each model it feeds the same held-out text, after the same 2048-byte prompt, through both forms at
sampling's window (the model's whole context, 2048 bytes), one byte a step at batch 1 as `generate` does,
and reports steps a second (the faster of two passes) and bits per byte: the two forms must agree on the
rate, and the faster one is what sampling should run.

    python benchmarks/float_sampling.py [--models tiny-v2,small-v3,small8] [--steps 400] [--out float_sampling]

Writes benchmarks/results/OUT.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from gencomp.coding import exact
from gencomp.data.corpus import text_corpus
from gencomp.models.checkpoint import read_checkpoint
from gencomp.models.config import RMS_EPS, TransformerConfig, alibi_slope_values
from gencomp.models.zoo import load_byte_transformer, resolve

RESULTS = Path(__file__).resolve().parent / "results"
FEED_BLOCK = 256  # positions a pass when feeding a prompt: bounds the (B, H, P, slots) scores
PROMPT_BYTES = 2048


class _Cache:
    """Keys and values (L, B, H, slots, hd) float32; slot_pos (slots,) the position each slot holds
    (−1: empty); `fed` positions fed so far."""

    def __init__(self, batch_size: int, cfg: TransformerConfig, window: int):
        shape = (cfg.n_layers, batch_size, cfg.n_heads, window + FEED_BLOCK, cfg.head_dim)
        self.keys, self.values = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
        self.slot_pos = np.full(window + FEED_BLOCK, -1, np.int64)
        self.fed, self.batch_size = 0, batch_size


def _rms_norm(x: np.ndarray, gain: np.ndarray) -> np.ndarray:
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + np.float32(RMS_EPS)) * gain


class FloatTransformer:
    """The float32 model of a byte transformer's weights (state: cfg.tensor_shapes() arrays, as its
    checkpoint holds them), attending to `window` positions."""

    def __init__(self, state: dict[str, np.ndarray], cfg: TransformerConfig, window: int):
        self.cfg, self.window, self.bos = cfg, window, cfg.vocab_size

        def weight(key: str, transpose: bool = True) -> np.ndarray:  # (in, out) for x @ w
            w = np.asarray(state[key], np.float32)
            return np.ascontiguousarray(w.T if transpose else w)

        self.embed, self.norm_out = weight("embed.weight", False), weight("norm_out.weight", False)
        self.head = weight("head.weight")
        names = ("norm_attn", "qkv", "proj", "norm_mlp", "up", "down")
        self.blocks = [{name: weight(f"blocks.{i}.{name}.weight", not name.startswith("norm")) for name in names}
                       for i in range(cfg.n_layers)]
        self.slopes = np.array(alibi_slope_values(cfg.n_heads), np.float32)[:, None, None]  # (H, 1, 1)

    def _feed(self, cache: _Cache, tokens: np.ndarray) -> np.ndarray:
        """Feed tokens (B, P), P <= FEED_BLOCK: (B, P, V) float64 next-symbol log-probabilities."""
        B, P = tokens.shape
        positions = np.arange(cache.fed, cache.fed + P)
        slots = positions % len(cache.slot_pos)
        cache.slot_pos[slots] = positions
        distance = positions[:, None] - cache.slot_pos[None, :]  # (P, slots)
        visible = (cache.slot_pos[None, :] >= 0) & (distance >= 0) & (distance < self.window)
        bias = np.where(visible, -self.slopes * distance.astype(np.float32), -np.inf)  # (H, P, slots)
        bias = bias.astype(np.float32)
        D, H, hd = self.cfg.d_model, self.cfg.n_heads, self.cfg.head_dim
        x = self.embed[tokens]  # (B, P, D)
        for layer, block in enumerate(self.blocks):
            qkv = (_rms_norm(x, block["norm_attn"]) @ block["qkv"]).reshape(B, P, 3, H, hd).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv  # each (B, H, P, hd)
            cache.keys[layer][:, :, slots], cache.values[layer][:, :, slots] = k, v
            scores = q @ cache.keys[layer].transpose(0, 1, 3, 2) * np.float32(hd**-0.5) + bias  # (B, H, P, slots)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            att = (scores / scores.sum(-1, keepdims=True)) @ cache.values[layer]  # (B, H, P, hd)
            x = x + att.transpose(0, 2, 1, 3).reshape(B, P, D) @ block["proj"]
            x = x + np.maximum(_rms_norm(x, block["norm_mlp"]) @ block["up"], 0) @ block["down"]
        cache.fed += P
        logits = (_rms_norm(x, self.norm_out) @ self.head).astype(np.float64)  # (B, P, V)
        logits -= logits.max(-1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(-1, keepdims=True))

    def start_from(self, contexts: np.ndarray) -> tuple[_Cache, np.ndarray]:
        """(B, T) contexts: the cache after them and (B, V) float64 log-probabilities of the next byte."""
        state = _Cache(len(contexts), self.cfg, self.window)
        tokens = np.concatenate([np.full((len(contexts), 1), self.bos), contexts], axis=1)
        for begin in range(0, tokens.shape[1], FEED_BLOCK):
            log_probs = self._feed(state, tokens[:, begin : begin + FEED_BLOCK])
        return state, log_probs[:, -1]

    def step(self, state: _Cache, previous: np.ndarray) -> np.ndarray:
        """Feed (B,) bytes: (B, V) float64 log-probabilities of the next."""
        return self._feed(state, previous[:, None])[:, 0]


def bits_of(log_probs: np.ndarray, byte: int) -> float:
    return -float(log_probs[0, byte]) / np.log(2)


def run_exact(model: str, prompt: np.ndarray, text: np.ndarray) -> tuple[float, float]:
    """Bits per byte and seconds of the exact kernel sampling uses, over `text` after `prompt`."""
    sampler = load_byte_transformer(model).for_generation()
    state, weights = sampler.start_from(prompt[None])
    start, bits = time.perf_counter(), 0.0
    for byte in text:
        bits += bits_of(exact.log_probs(weights), byte)
        weights = sampler.step(state, np.array([byte]))
    return bits / len(text), time.perf_counter() - start


def run_float(model: str, prompt: np.ndarray, text: np.ndarray) -> tuple[float, float]:
    """The same for the float form (log-probabilities as the coder's frequencies would floor them)."""
    state_dict, config, _, _ = read_checkpoint(resolve(model))
    cfg = TransformerConfig(**config)
    sampler = FloatTransformer(state_dict, cfg, max(cfg.attention_window, cfg.context_bytes))
    state, log_probs = sampler.start_from(prompt[None])
    start, bits = time.perf_counter(), 0.0
    for byte in text:
        bits += bits_of(exact.log_probs(exact.weights_from_log_probs(log_probs, 12)), byte)
        log_probs = sampler.step(state, np.array([byte]))
    return bits / len(text), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="tiny-v2,small-v3,small8")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--out", default="float_sampling")
    args = parser.parse_args()
    heldout = text_corpus("heldout", ("corpus/debian-handbook-en.txt",))["corpus/debian-handbook-en.txt"]
    data = np.frombuffer(heldout[: PROMPT_BYTES + args.steps], np.uint8).astype(np.int64)
    prompt, text = data[:PROMPT_BYTES], data[PROMPT_BYTES:]
    rows = []
    for model in args.models.split(","):
        row = {"model": model, "steps": len(text)}
        for form, run in (("exact", run_exact), ("float32", run_float)):
            runs = [run(model, prompt, text) for _ in range(2)]
            row[f"{form}_bits_per_byte"] = runs[0][0]
            row[f"{form}_steps_per_s"] = len(text) / min(seconds for _, seconds in runs)
        rows.append(row)
        print(f"{model}: exact {row['exact_steps_per_s']:.0f} steps/s, float32 {row['float32_steps_per_s']:.0f}; "
              f"bits/byte {row['exact_bits_per_byte']:.4f} / {row['float32_bits_per_byte']:.4f}")
    (RESULTS / f"{args.out}.json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = ["# Sampling steps a second at batch 1: the exact kernel against a float32 KV cache", "",
             f"`python benchmarks/float_sampling.py --models {args.models} --steps {args.steps}`: after a "
             f"{PROMPT_BYTES}-byte prompt of the held-out Debian handbook, {len(text)} steps of one byte, "
             "attending to the model's whole 2048-byte context; the faster of two passes.", "",
             "| model | exact steps/s | float32 steps/s | float / exact | exact bits/byte | float32 bits/byte |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['exact_steps_per_s']:.0f} | {r['float32_steps_per_s']:.0f} | "
                     f"{r['float32_steps_per_s'] / r['exact_steps_per_s']:.2f} | {r['exact_bits_per_byte']:.4f} | "
                     f"{r['float32_bits_per_byte']:.4f} |")
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
