"""Shipped and local byte-transformer checkpoints, by name or path (imports torch only to load one)."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from gencomp.errors import GencompError
from gencomp.resources import assets_dir

if TYPE_CHECKING:
    from gencomp.models.exact_transformer import ExactTransformer
    from gencomp.models.transformer import ByteTransformer

DEFAULT_MODEL = "small-v3"  # the model behind `lm` and every default that names none
# mix's model: mix decodes one stream a byte at a time on one core, transformer and context model in
# turn, so its model is the small one that keeps it fast (the model card's speed table)
DEFAULT_MIX_MODEL = "tiny-v2"


def model_device() -> str:
    """Where `lm` runs its transformer: $GENCOMP_DEVICE, which --device sets ("cpu", the default: the
    compiled exact kernel; "cuda": gencomp.models.exact_torch, the same integers on a GPU)."""
    return os.environ.get("GENCOMP_DEVICE") or "cpu"


def use_device(device: str) -> None:
    """Run `lm`'s transformer on `device` in this process and the processes it starts; GencompError
    if this torch cannot."""
    if device != "cpu":
        from gencomp.models.exact_torch import check_device

        check_device(device)
    os.environ["GENCOMP_DEVICE"] = device


def models_dir() -> Path:
    """The folder of the models shipped in the package (gencomp/assets/models), with their model card."""
    return assets_dir() / "models"


def model_dirs() -> list[Path]:
    """Where a model name is looked up: the package's folder, then each folder named in
    $GENCOMP_MODELS (separated by os.pathsep, e.g. `assets/models/gpu` of a checkout)."""
    extra = [Path(p) for p in os.environ.get("GENCOMP_MODELS", "").split(os.pathsep) if p]
    return [models_dir(), *extra]


def shipped_models() -> dict[str, Path]:
    """{name: checkpoint path} of the models in model_dirs(); a name in an earlier folder wins."""
    found: dict[str, Path] = {}
    for folder in model_dirs():
        for path in sorted(folder.glob("*.safetensors")) if folder.is_dir() else ():
            found.setdefault(path.stem, path)
    return found


def resolve(model: str) -> Path:
    """A shipped model's name, or a path to a .safetensors checkpoint."""
    shipped = shipped_models()
    if model in shipped:
        return shipped[model]
    path = Path(model)
    if path.suffix == ".safetensors" or os.sep in model:
        return path
    known = ", ".join(shipped) or "none in " + ", ".join(map(str, model_dirs()))
    raise GencompError(f"unknown model {model!r}; known: {known} (or give a .safetensors path, or add its folder to "
                       "$GENCOMP_MODELS)")


def load_byte_transformer(model: str = DEFAULT_MODEL) -> "ExactTransformer":
    """Load, verify (hash, config, tensor names and shapes) and wrap for exact coding.

    Cached per file version: a checkpoint rewritten in place is read again."""
    path = resolve(model)
    stat = path.stat() if path.is_file() else None
    return _load(path, stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0)


@functools.lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int, size: int) -> "ExactTransformer":
    """The exact form from the checkpoint's arrays: numpy alone, no torch (a second of start-up)."""
    from gencomp.models.checkpoint import read_checkpoint
    from gencomp.models.config import TransformerConfig
    from gencomp.models.exact_transformer import ExactTransformer

    state, config, info, sha = read_checkpoint(path)
    try:
        cfg = TransformerConfig(**config)
    except TypeError as exc:
        raise GencompError(f"{path} does not hold a byte transformer this gencomp can run ({exc})") from None
    return ExactTransformer(state, cfg, info.get("name", path.stem), sha)


def load_float_transformer(model: "str | Path") -> tuple["ByteTransformer", dict, str]:
    """The float model of a checkpoint (a name or path), in eval mode, with its info and weights' SHA-256:
    to fine-tune, or to wrap for exact coding."""
    from gencomp.models.checkpoint import load_checkpoint
    from gencomp.models.transformer import ByteTransformer, TransformerConfig

    path = model if isinstance(model, Path) else resolve(model)
    state, config, info, sha = load_checkpoint(path)
    try:
        net = ByteTransformer(TransformerConfig(**config))
        net.load_state_dict(state, strict=True)
    except (TypeError, RuntimeError) as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise GencompError(f"{path} does not hold a byte transformer this gencomp can run ({first_line})") from None
    return net.eval(), info, sha
