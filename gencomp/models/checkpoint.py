"""Self-describing model checkpoints: safetensors weights with config, alphabet,
format version and a SHA-256 of the weights in the file's metadata (no pickle)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open, save_file

from gencomp.errors import GencompError

FORMAT_VERSION = "1"


def weights_sha256(state: dict[str, torch.Tensor]) -> str:
    """SHA-256 over tensor names, dtypes, shapes and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(state):
        tensor = state[name].detach().cpu().contiguous()
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}|".encode())
        digest.update(tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()


def save_checkpoint(path: Path, state: dict[str, torch.Tensor], config: dict, info: dict) -> str:
    """Write weights and their description atomically; returns the weight hash."""
    state = {k: v.detach().cpu().contiguous() for k, v in state.items()}
    sha = weights_sha256(state)
    metadata = {
        "gencomp_format": FORMAT_VERSION,
        "alphabet": "bytes",
        "config": json.dumps(config, sort_keys=True),
        "info": json.dumps(info, sort_keys=True),
        "weights_sha256": sha,
    }
    tmp = Path(str(path) + ".tmp")
    save_file(state, str(tmp), metadata=metadata)
    tmp.replace(path)
    return sha


def load_checkpoint(path: Path) -> tuple[dict[str, torch.Tensor], dict, dict, str]:
    """Read (state, config, info, weights_sha256); raises GencompError if missing,
    not a gencomp checkpoint, or the weights do not match their recorded hash."""
    path = Path(path)
    if not path.is_file():
        raise GencompError(f"model file not found: {path}")
    try:
        with safe_open(str(path), framework="pt") as f:
            metadata = f.metadata() or {}
        state = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise GencompError(f"{path} is not a readable safetensors file ({exc})") from None
    if metadata.get("gencomp_format") != FORMAT_VERSION:
        raise GencompError(
            f"{path} is not a gencomp model checkpoint (format {metadata.get('gencomp_format')!r}, "
            f"expected {FORMAT_VERSION!r})"
        )
    sha = weights_sha256(state)
    if sha != metadata.get("weights_sha256"):
        raise GencompError(f"{path} is corrupt: its weights do not match the hash recorded in it")
    return state, json.loads(metadata["config"]), json.loads(metadata["info"]), sha
