"""Turn real files into the byte streams the paper codes.

Text: bytes as they are. Image: grayscale uint8 in non-overlapping 32×64 patches,
2048 bytes each, patches in raster order. Audio: mono 16-bit little-endian PCM. Each media
kind makes its own stream (gencomp.media: MediaKind.paper_stream).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gencomp.errors import GencompError
from gencomp.media import paper_kinds


def random_bytes(n: int, seed: int = 0) -> bytes:
    """The incompressible control: n uniform random bytes, reproducible from the seed."""
    return np.random.default_rng(seed).bytes(n)


MODALITIES = ("text", *paper_kinds(), "random")


def load_modality(modality: str, files: list[Path], max_bytes: int, seed: int = 0) -> bytes:
    """Concatenated bytes of `files` in `modality`'s form, truncated to max_bytes
    (for images, to whole patches). For 'random', `files` is ignored."""
    if modality == "random":
        return random_bytes(max_bytes, seed)
    kinds = paper_kinds()
    if modality != "text" and modality not in kinds:
        raise GencompError(f"unknown modality {modality!r}; known: {', '.join(MODALITIES)}")
    read = (lambda path: Path(path).read_bytes()) if modality == "text" else kinds[modality].paper_stream
    parts: list[bytes] = []
    for path in files:
        parts.append(read(path))
        if sum(map(len, parts)) >= max_bytes:
            break
    data = b"".join(parts)[:max_bytes]
    alignment = kinds[modality].paper_alignment if modality in kinds else 1
    return data[: len(data) // alignment * alignment]
