"""Train a ByteTransformer on the train part of the shared text and corpus, resumably.

Each batch mixes sources: a window's source is drawn with probability proportional to
(train bytes of the source) ** source_power (0.5 by default: small sources are seen more often
than their size alone would give, large ones less), its start uniformly inside that source.

A share of the windows (`repeat_share`) repeats one of its own spans further on, within the
attention window, as logs, JSON and code repeat themselves: the corpus's random windows rarely do,
and a model that never sees a repeat does not learn to copy from its context.

Checkpoints (weights, optimizer state, step) are written every `checkpoint_every`
steps to `out_dir`; calling `train` again with the same `out_dir` resumes.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from tqdm import tqdm

from gencomp.data.corpus import TRAINING_FILES, detokenize_wikitext, text_corpus
from gencomp.errors import GencompError
from gencomp.models.checkpoint import save_checkpoint
from gencomp.models.transformer import SIZES, ByteTransformer


@dataclass
class TrainSettings:
    size: str = "tiny"
    out_dir: Path = Path("runs/tiny")
    name: str = ""  # the model's name: its file NAME.safetensors and identity (default: the size)
    steps: int = 2000
    batch_size: int = 16
    window_bytes: int = 512  # training window; ALiBi lets the model run on 2048-byte chunks
    attention_window: int = 256  # keys at most this far back, in training and in the exported model
    lr: float = 3e-3
    warmup_steps: int = 100
    weight_decay: float = 0.01
    checkpoint_every: int = 100
    eval_every: int = 250
    eval_chunks: int = 16  # held-out chunks a source at each evaluation during training
    export_chunks: int = 10_000  # … and for the figures stored in the exported model (10,000: all of it)
    seed: int = 0
    threads: int = 0  # 0: torch's default
    device: str = "cpu"  # "cuda" trains on a GPU (TF32 matmuls); the shipped models trained on the CPU
    bf16: bool = False  # bfloat16 autocast (float32 weights): 1.3x the steps for small with AMX; slower for tiny, or without AMX
    max_seconds: float = 0.0  # stop early once training has taken this long (0: no limit)
    detokenized_copy: bool = True  # also train on wikitext's train part as ordinary prose
    source_power: float = 0.5  # a source's sampling weight is (its train bytes) ** source_power
    repeat_share: float = 0.0  # the share of windows that repeat one of their spans (see sample_windows)
    layers: int = 0  # blocks (0: the size's); with `init`, a deeper model grows from a shallower one of the same width
    init: str = ""  # start from this trained model (a name or .safetensors path) of the same size: fine-tuning
    files: tuple[str, ...] = field(default=TRAINING_FILES)


def _lr_at(step: int, s: TrainSettings, elapsed_seconds: float = 0.0) -> float:
    """Linear warm-up, then cosine decay to 10 % over the steps (or over max_seconds, if set)."""
    if step < s.warmup_steps:
        return s.lr * (step + 1) / s.warmup_steps
    progress = (step - s.warmup_steps) / max(1, s.steps - s.warmup_steps)
    if s.max_seconds:
        progress = elapsed_seconds / s.max_seconds
    return s.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def _with_bos(model: ByteTransformer, windows: torch.Tensor) -> torch.Tensor:
    bos = torch.full((windows.shape[0], 1), model.bos, dtype=torch.long, device=windows.device)
    return torch.cat([bos, windows[:, :-1]], dim=1)  # (B, T) inputs predicting windows


@torch.no_grad()
def heldout_bits_per_byte(model: ByteTransformer, data: bytes, chunk_bytes: int = 2048, max_chunks: int = 16) -> float:
    """Mean code length in bits per byte of `data` in independent chunks, float model."""
    arr = np.frombuffer(data, dtype=np.uint8)
    n = min(max_chunks, len(arr) // chunk_bytes)
    device = next(model.parameters()).device
    chunks = torch.from_numpy(arr[: n * chunk_bytes].reshape(n, chunk_bytes).astype(np.int64)).to(device)
    total_nats = 0.0
    for i in range(0, n, 4):
        batch = chunks[i : i + 4]
        logp = model(_with_bos(model, batch))  # (B, T, V)
        total_nats -= logp.gather(-1, batch[..., None]).sum().item()
    return total_nats / math.log(2) / (n * chunk_bytes)


def train(s: TrainSettings) -> Path:
    """Train (or resume) on the shared text's train part and return the path of the final weights file."""
    corpus = text_corpus("train", s.files)
    heldout = text_corpus("heldout", s.files)
    if s.detokenized_copy and "wikitext2-valid.txt" in corpus:
        corpus["wikitext2-valid.txt"] += b"\n" + detokenize_wikitext(corpus["wikitext2-valid.txt"])
    sources = [np.frombuffer(v, dtype=np.uint8) for v in corpus.values()]

    def evaluate(model: ByteTransformer) -> dict:
        return {"heldout_bpb": {k: heldout_bits_per_byte(model, v, max_chunks=s.eval_chunks) for k, v in heldout.items()}}

    model, seconds = fit(_initial_model(s), sources, s, evaluate)
    return _export(s, model, seconds, heldout)


def _initial_model(s: TrainSettings) -> ByteTransformer:
    """A fresh model of s.size (with s.layers blocks, if given), or s.init's weights (fine-tuning; a checkpoint
    in s.out_dir wins over either), attending s.attention_window bytes back. An init model with fewer blocks
    of the same width grows into the deeper one (see `deepen`)."""
    cfg = replace(SIZES[s.size], attention_window=s.attention_window)
    cfg = replace(cfg, n_layers=s.layers or cfg.n_layers)
    model = ByteTransformer(cfg)
    if s.init:
        from gencomp.models.zoo import load_float_transformer

        start = load_float_transformer(s.init)[0]
        same_width = replace(start.cfg, attention_window=cfg.attention_window, n_layers=cfg.n_layers) == cfg
        if not same_width or start.cfg.n_layers > cfg.n_layers:
            raise GencompError(f"--init {s.init} is not a {s.size} model of at most {cfg.n_layers} blocks "
                               f"({start.cfg}); give --size and --layers to match it")
        deepen(model, start)
    return model


def deepen(model: ByteTransformer, start: ByteTransformer) -> None:
    """Give `model` the function of the shallower `start` (same width): start's blocks spread evenly through
    model's (4 into 8: blocks 0, 2, 4, 6), and each added block an identity at first (its attention and MLP
    outputs zero, the rest freshly initialised), so training the deeper model starts from start's loss."""
    old, new = start.cfg.n_layers, model.cfg.n_layers
    placed = {j * new // old: j for j in range(old)}
    state = {k: v for k, v in start.state_dict().items() if not k.startswith("blocks.")}
    for i, block in enumerate(model.blocks):
        if i in placed:
            block.load_state_dict(start.blocks[placed[i]].state_dict())
        else:
            torch.nn.init.zeros_(block.proj.weight)
            torch.nn.init.zeros_(block.down.weight)
    model.load_state_dict(state, strict=False)


def source_weights(sources: list[np.ndarray], power: float) -> np.ndarray:
    """Sampling probability of each source, proportional to its length ** power."""
    sizes = np.array([len(x) for x in sources], dtype=np.float64)
    w = sizes ** power
    return w / w.sum()


def sample_windows(sources: list[np.ndarray], weights: np.ndarray, rng: np.random.Generator,
                   batch: int, window: int, repeat_share: float = 0.0, reach: int = 256) -> torch.Tensor:
    """(batch, window) int64 windows: each from a source drawn by `weights`, at a uniform start.

    With probability repeat_share a window then repeats one of its spans (window/16 to window/4
    bytes, less than `reach`) fewer than `reach` bytes after where the span starts (in view of a
    model attending `reach` bytes back), over the bytes that were there."""
    which = rng.choice(len(sources), size=batch, p=weights)
    rows = []
    for i in which:
        src = sources[i]
        a = int(rng.integers(0, len(src) - window))
        row = src[a : a + window]
        if repeat_share and rng.random() < repeat_share:  # (no draw at 0: the windows of earlier runs)
            row = row.copy()  # a view of the source until then
            length = int(rng.integers(min(window // 16, reach - 1), min(window // 4, reach - 1) + 1))
            first = int(rng.integers(0, window - 2 * length + 1))
            again = int(rng.integers(first + length, min(first + reach - 1, window - length) + 1))
            row[again : again + length] = row[first : first + length]
        rows.append(row)
    return torch.from_numpy(np.stack(rows).astype(np.int64))


def fit(model: ByteTransformer, sources: list[np.ndarray], s: TrainSettings, evaluate=None) -> tuple[ByteTransformer, float]:
    """Train `model` on random windows of the symbol arrays `sources` (bytes or token ids < vocab_size;
    a window's source drawn by `source_weights`), resuming from s.out_dir; every s.eval_every steps `evaluate(model)` adds a dict to the log.
    Returns the model and the training seconds."""
    if s.threads:
        torch.set_num_threads(s.threads)
    device_kind = _device_kind(s.device)
    if device_kind == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
    s.out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(s.seed)
    model.to(s.device)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": s.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=s.lr, betas=(0.9, 0.98),
    )
    state_path, opt_path, log_path = s.out_dir / "state.safetensors", s.out_dir / "optim.safetensors", s.out_dir / "log.jsonl"
    step, seconds = 0, 0.0
    if state_path.exists():
        model.load_state_dict(load_file(str(state_path)))  # copied onto the model's device
        flat = load_file(str(opt_path))
        meta = json.loads((s.out_dir / "progress.json").read_text())
        step, seconds = meta["step"], meta["seconds"]
        if log_path.exists():  # drop rows logged after the checkpoint by an interrupted run
            rows = [r for r in log_path.read_text().splitlines() if json.loads(r)["step"] <= step]
            log_path.write_text("".join(r + "\n" for r in rows))
        opt_state = opt.state_dict()
        params = [p for g in opt.param_groups for p in g["params"]]
        for i, _ in enumerate(params):
            if f"{i}.exp_avg" in flat:
                opt_state["state"][i] = {k: flat[f"{i}.{k}"] for k in ("step", "exp_avg", "exp_avg_sq")}
        opt.load_state_dict(opt_state)
    rng = np.random.default_rng(s.seed + step)
    weights = source_weights(sources, s.source_power)
    # a run with a time budget shows its progress in seconds (its ETA is the budget's end), else in steps
    by_time = bool(s.max_seconds)
    bar = tqdm(total=round(s.max_seconds) if by_time else s.steps, initial=round(seconds) if by_time else step,
               desc=f"train {s.out_dir.name}", unit="step",
               bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} s [{elapsed}<{remaining}{postfix}]" if by_time else None)
    t0 = time.time() - seconds
    while step < s.steps and not (s.max_seconds and time.time() - t0 >= s.max_seconds):
        windows = sample_windows(sources, weights, rng, s.batch_size, s.window_bytes, s.repeat_share,
                                 s.attention_window).to(s.device)
        for g in opt.param_groups:
            g["lr"] = _lr_at(step, s, time.time() - t0)
        with torch.autocast(device_kind, dtype=torch.bfloat16, enabled=s.bf16):
            logp = model(_with_bos(model, windows))  # (B, T, V), float32
        loss = -logp.gather(-1, windows[..., None]).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        bar.update(min(round(time.time() - t0), bar.total) - bar.n if by_time else 1)
        bar.set_postfix(step=step, bits=f"{loss.item() / math.log(2):.3f}")
        row = {"step": step, "train_bits_per_symbol": loss.item() / math.log(2), "seconds": time.time() - t0}
        if evaluate and (step % s.eval_every == 0 or step == s.steps):
            model.eval()
            row.update(evaluate(model))
            model.train()
            tqdm.write(json.dumps(row))
        with log_path.open("a") as f:
            f.write(json.dumps(row) + "\n")
        if step % s.checkpoint_every == 0:
            _save_progress(s, model, opt, step, time.time() - t0)
    _save_progress(s, model, opt, step, time.time() - t0)  # the last step, or where the time budget ended
    bar.close()
    model.eval()
    return model, time.time() - t0


def _device_kind(device: str) -> str:
    """torch's kind of `device` ("cpu", "cuda", "mps"); GencompError if it is no device or this torch sees none."""
    try:
        kind = torch.device(device).type
    except RuntimeError:
        raise GencompError(f"--device {device!r} is not a torch device (cpu, cuda, cuda:1, mps)") from None
    available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    if not available.get(kind, False):
        raise GencompError(f"--device {device}: this torch build sees no {kind} device")
    return kind


def _save_progress(s: TrainSettings, model, opt, step: int, seconds: float) -> None:
    save_file({k: v.cpu().contiguous() for k, v in model.state_dict().items()}, str(s.out_dir / "state.safetensors.tmp"))
    flat = {f"{i}.{k}": v.reshape(-1) if v.dim() == 0 else v for i, st in opt.state_dict()["state"].items() for k, v in st.items()}
    save_file({k: v.cpu().contiguous() for k, v in flat.items()}, str(s.out_dir / "optim.safetensors.tmp"))
    (s.out_dir / "state.safetensors.tmp").replace(s.out_dir / "state.safetensors")
    (s.out_dir / "optim.safetensors.tmp").replace(s.out_dir / "optim.safetensors")
    (s.out_dir / "progress.json").write_text(json.dumps({"step": step, "seconds": seconds}))


def _export(s: TrainSettings, model: ByteTransformer, seconds: float, heldout: dict[str, bytes]) -> Path:
    model.eval()
    info = {
        "name": f"byte-transformer-{s.name or s.size}",
        "parameters": model.num_parameters(),
        "train_settings": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(s).items()},
        "train_data": "first 90% of each of " + ", ".join(s.files) + " (last 10% held out)"
                      + (", plus that part of wikitext detokenized" if s.detokenized_copy else "")
                      + f"; sources drawn with probability proportional to (train bytes) ** {s.source_power}",
        "train_seconds": round(seconds, 1),
        "heldout_bits_per_byte": {k: heldout_bits_per_byte(model, v, max_chunks=s.export_chunks) for k, v in heldout.items()},
    }
    path = s.out_dir / f"{s.name or s.size}.safetensors"
    save_checkpoint(path, model.state_dict(), model.cfg.to_dict(), info)
    return path
