"""Files shipped inside the package (byte-transformer models, sample images and speech), found the
same way from a wheel, an sdist, an editable install or a zipapp."""

from __future__ import annotations

import importlib.resources
import os
import shutil
import tempfile
from pathlib import Path

from gencomp import __version__


def assets_dir() -> Path:
    """The shipped assets as a folder on disk. From a zip (a zipapp), they are copied once into a
    per-version folder under the temp directory, because safetensors and pillow read files."""
    root = importlib.resources.files("gencomp") / "assets"
    if isinstance(root, Path):
        return root
    target = Path(tempfile.gettempdir()) / f"gencomp-{__version__}-assets-{os.getuid() if hasattr(os, 'getuid') else 0}"
    if not target.is_dir():
        staging = Path(tempfile.mkdtemp(prefix="gencomp-assets-"))
        _copy(root, staging)
        try:
            staging.rename(target)
        except OSError:  # another process got there first
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _copy(source, folder: Path) -> None:
    for item in source.iterdir():
        if item.is_dir():
            (folder / item.name).mkdir()
            _copy(item, folder / item.name)
        else:
            (folder / item.name).write_bytes(item.read_bytes())
