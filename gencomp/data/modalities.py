"""Turn real files into the byte streams the paper codes, and back.

Text: bytes as they are. Image: grayscale uint8 in non-overlapping 32×64 patches,
2048 bytes each, patches in raster order. Audio: mono 16-bit little-endian PCM.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import soundfile
from PIL import Image, UnidentifiedImageError

from gencomp.errors import GencompError

PATCH_HEIGHT, PATCH_WIDTH = 32, 64
PATCH_BYTES = PATCH_HEIGHT * PATCH_WIDTH


def read_grayscale(path_or_file) -> np.ndarray:
    """(H, W) uint8 grayscale of any image pillow reads."""
    try:
        with Image.open(path_or_file) as image:
            return np.asarray(image.convert("L"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise GencompError(f"cannot read image {path_or_file}: {exc}") from None


def image_to_patches(gray: np.ndarray) -> bytes:
    """(H, W) uint8 -> the 32×64 patches that fit, each 2048 bytes row-major, raster order."""
    rows, cols = gray.shape[0] // PATCH_HEIGHT, gray.shape[1] // PATCH_WIDTH
    if rows == 0 or cols == 0:
        raise GencompError(f"image of {gray.shape[1]}×{gray.shape[0]} is smaller than one 64×32 patch")
    crop = gray[: rows * PATCH_HEIGHT, : cols * PATCH_WIDTH]
    patches = crop.reshape(rows, PATCH_HEIGHT, cols, PATCH_WIDTH).transpose(0, 2, 1, 3)  # (R, C, 32, 64)
    return np.ascontiguousarray(patches).tobytes()


def patches_to_image(data: bytes, width: int, height: int) -> np.ndarray:
    """Inverse of image_to_patches for a (height, width) crop made of whole patches."""
    rows, cols = height // PATCH_HEIGHT, width // PATCH_WIDTH
    patches = np.frombuffer(data, np.uint8).reshape(rows, cols, PATCH_HEIGHT, PATCH_WIDTH)
    return patches.transpose(0, 2, 1, 3).reshape(rows * PATCH_HEIGHT, cols * PATCH_WIDTH)


def read_pcm16(path_or_file) -> tuple[bytes, int]:
    """(mono 16-bit little-endian PCM bytes, sample rate) of any file soundfile reads.

    Channels are averaged; wider samples are rounded to 16 bits.
    """
    try:
        samples, rate = soundfile.read(path_or_file, dtype="float64", always_2d=True)  # (N, C)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        raise GencompError(f"cannot read audio {path_or_file}: {exc}") from None
    mono = samples.mean(axis=1)
    pcm = np.clip(np.round(mono * 32768.0), -32768, 32767).astype("<i2")
    return pcm.tobytes(), int(rate)


def pcm16_to_wav(data: bytes, sample_rate: int) -> bytes:
    """WAV file bytes of mono 16-bit PCM (an odd trailing byte is dropped)."""
    samples = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2")
    out = io.BytesIO()
    soundfile.write(out, samples, sample_rate, format="WAV", subtype="PCM_16")
    return out.getvalue()


def random_bytes(n: int, seed: int = 0) -> bytes:
    """The incompressible control: n uniform random bytes, reproducible from the seed."""
    return np.random.default_rng(seed).bytes(n)


MODALITIES = ("text", "image", "audio", "random")


def load_modality(modality: str, files: list[Path], max_bytes: int, seed: int = 0) -> bytes:
    """Concatenated bytes of `files` in `modality`'s form, truncated to max_bytes
    (for images, to whole patches). For 'random', `files` is ignored."""
    if modality == "random":
        return random_bytes(max_bytes, seed)
    parts: list[bytes] = []
    for path in files:
        if modality == "text":
            parts.append(Path(path).read_bytes())
        elif modality == "image":
            parts.append(image_to_patches(read_grayscale(path)))
        elif modality == "audio":
            parts.append(read_pcm16(path)[0])
        else:
            raise GencompError(f"unknown modality {modality!r}; known: {', '.join(MODALITIES)}")
        if sum(map(len, parts)) >= max_bytes:
            break
    data = b"".join(parts)[:max_bytes]
    return data[: len(data) // PATCH_BYTES * PATCH_BYTES] if modality == "image" else data
