"""Training throughput of the byte transformers on this machine, by attention path and precision, in one run.

Each row times full training steps (forward, backward, AdamW) of one size on random 512-byte
windows, batches of 16, after two warm-up steps; the median of --steps steps counts. Paths:

- `unfused`: the (H, T, T) ALiBi mask that gencomp used up to 0.8, for which torch's CPU attention
  takes its unfused softmax path (the 3-D mask is passed by patching the model's forward);
- `fused`: the (1, H, T, T) mask ByteTransformer passes now, which torch runs with its fused
  flash-attention kernel;
- `fused + bf16`: the same under bfloat16 autocast (`gencomp train --bf16`; float32 weights).

    python benchmarks/train_speed.py [--sizes tiny,small] [--threads 2] [--steps 6]

Writes benchmarks/results/train_speed.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from gencomp.models import transformer
from gencomp.models.transformer import SIZES, ByteTransformer, alibi_bias

RESULTS = Path(__file__).resolve().parent / "results"
BATCH, WINDOW = 16, 512


def unfused_forward(model: ByteTransformer, tokens: torch.Tensor) -> torch.Tensor:
    """ByteTransformer.forward with the 3-D (H, T, T) mask of gencomp 0.8 and before."""
    pos = torch.arange(tokens.shape[1])
    bias = alibi_bias(model.cfg.n_heads, pos, pos, model.cfg.attention_window)  # (H, T, T)
    x = model.embed(tokens)
    for block in model.blocks:
        x = block(x, bias)
    return F.log_softmax(model.head(model.norm_out(x)).float(), dim=-1)


def seconds_a_step(size: str, path: str, steps: int) -> float:
    """Median seconds of one training step of `size` on the given path."""
    torch.manual_seed(0)
    model = ByteTransformer(replace(SIZES[size], attention_window=256))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    tokens = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (BATCH, WINDOW)))
    forward = unfused_forward if path == "unfused" else transformer.ByteTransformer.forward
    times = []
    for i in range(steps + 2):
        start = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=path.endswith("bf16")):
            logp = forward(model, tokens)  # (B, T, V)
        loss = -logp.gather(-1, tokens[..., None]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= 2:
            times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="tiny,small")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=6)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for size in args.sizes.split(","):
        for path in ("unfused", "fused", "fused + bf16"):
            seconds = seconds_a_step(size, path, args.steps)
            rows.append({"size": size, "path": path, "seconds_a_step": seconds, "bytes_a_second": BATCH * WINDOW / seconds})
            print(json.dumps(rows[-1]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "train_speed.json").write_text(json.dumps(rows, indent=1))
    lines = [f"# Training steps on this machine ({args.threads} threads, batches of {BATCH} windows of {WINDOW} bytes)", "",
             "| size | path | ms a step | K bytes/s | against unfused |", "|---|---|---|---|---|"]
    for row in rows:
        base = next(r for r in rows if r["size"] == row["size"] and r["path"] == "unfused")
        lines.append(f"| {row['size']} | {row['path']} | {row['seconds_a_step'] * 1000:.0f} | "
                     f"{row['bytes_a_second'] / 1000:.1f} | {row['bytes_a_second'] / base['bytes_a_second']:.2f}× |")
    (RESULTS / "train_speed.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
