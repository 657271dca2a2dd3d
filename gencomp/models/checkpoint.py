"""Self-describing model checkpoints: safetensors weights with config, alphabet,
format version and a SHA-256 of the weights in the file's metadata (no pickle).

Reading needs numpy alone (read_checkpoint: what the model codecs load, without torch's second of
import); load_checkpoint gives torch tensors, for training."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import load_file

from gencomp.errors import GencompError

if TYPE_CHECKING:
    import torch

FORMAT_VERSION = "1"
_TORCH_DTYPE_NAMES = {"float32": "torch.float32", "float16": "torch.float16", "float64": "torch.float64",
                      "int64": "torch.int64", "int32": "torch.int32", "int16": "torch.int16", "int8": "torch.int8",
                      "uint8": "torch.uint8", "bool": "torch.bool"}  # the hash names dtypes as torch does


def weights_sha256(state: dict[str, Any]) -> str:
    """SHA-256 over tensor names, dtypes (as torch names them), shapes and bytes, in name order; the
    tensors may be torch's or numpy arrays (the same hash for the same weights)."""
    digest = hashlib.sha256()
    for name in sorted(state):
        dtype, shape, raw = _described(state[name])
        digest.update(f"{name}|{dtype}|{shape}|".encode())
        digest.update(raw)
    return digest.hexdigest()


def _described(tensor) -> tuple[str, tuple, bytes]:
    """(torch's dtype name, shape, raw bytes) of a numpy array or a torch tensor."""
    if isinstance(tensor, np.ndarray):
        array = np.ascontiguousarray(tensor)
        return _TORCH_DTYPE_NAMES[array.dtype.name], tuple(array.shape), array.tobytes()
    import torch

    tensor = tensor.detach().cpu().contiguous()
    return str(tensor.dtype), tuple(tensor.shape), tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b""


def save_checkpoint(path: Path, state: dict[str, "torch.Tensor"], config: dict, info: dict) -> str:
    """Write weights and their description atomically; returns the weight hash."""
    from safetensors.torch import save_file

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


def read_checkpoint(path: Path) -> tuple[dict[str, np.ndarray], dict, dict, str]:
    """Read (state as numpy arrays, config, info, weights_sha256); raises GencompError if missing,
    not a gencomp checkpoint, or the weights do not match their recorded hash."""
    path = Path(path)
    if not path.is_file():
        raise GencompError(f"model file not found: {path}")
    try:
        with safe_open(str(path), framework="np") as f:
            metadata = f.metadata() or {}
        state = load_file(str(path))
    except (SafetensorError, OSError, ValueError, TypeError) as exc:
        raise GencompError(f"{path} is not a readable safetensors file ({exc})") from None
    if metadata.get("gencomp_format") != FORMAT_VERSION:
        raise GencompError(
            f"{path} is not a gencomp model checkpoint (format {metadata.get('gencomp_format')!r}, "
            f"expected {FORMAT_VERSION!r})"
        )
    if any(a.dtype.name not in _TORCH_DTYPE_NAMES for a in state.values()):
        raise GencompError(f"{path} holds tensors of a type this gencomp does not read")
    sha = weights_sha256(state)
    if sha != metadata.get("weights_sha256"):
        raise GencompError(f"{path} is corrupt: its weights do not match the hash recorded in it")
    return state, json.loads(metadata["config"]), json.loads(metadata["info"]), sha


def load_checkpoint(path: Path) -> tuple[dict[str, "torch.Tensor"], dict, dict, str]:
    """read_checkpoint with the weights as torch tensors (to train or fine-tune)."""
    import torch

    state, config, info, sha = read_checkpoint(path)
    return {k: torch.from_numpy(v.copy()) for k, v in state.items()}, config, info, sha
