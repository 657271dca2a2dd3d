"""Complete images and continue audio by sampling bytes, as the paper treats both.

Image: grayscale uint8 in raster order; the rows kept are the prompt and each new
pixel is conditioned on everything above it and left of it (up to the model's
context). Audio: mono 16-bit little-endian PCM, the kept seconds are the prompt and
the continuation is sampled byte by byte (low byte, high byte).

Both are generators of partial results, so a UI can show them growing. Media are not text:
neither text-safe sampling nor multi-byte copies apply. The `image` codec is rebuilt for the
image's width (image:W), so its neighbours are the pixels above.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

import numpy as np
from PIL import Image

from gencomp.compressors import get_compressor
from gencomp.errors import GencompError
from gencomp.sampling.generate import Model, stream

IMAGE_TOP_K = 32  # sample among the 32 likeliest pixel values: see complete_image's callers (README)
AUDIO_MIN_P = 0.001  # sample only bytes at least 0.1 % as probable as the likeliest: see continue_audio
DEFAULT_IMAGE_WIDTH = 64  # pixels: a 768×512 photo becomes 64×43, ~1,400 bytes to sample for half of it


def shrink_image(gray: np.ndarray, width: int = DEFAULT_IMAGE_WIDTH) -> np.ndarray:
    """(H, W) uint8 resized (Lanczos) to `width` pixels wide, aspect kept; as it is if already narrower."""
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise GencompError(f"expected a (height, width) uint8 grayscale image, got {gray.dtype} {gray.shape}")
    if width <= 0 or gray.shape[1] <= width:
        return gray
    height = max(1, round(gray.shape[0] * width / gray.shape[1]))
    return np.asarray(Image.fromarray(gray).resize((width, height), Image.LANCZOS), dtype=np.uint8)


def complete_image(model: Model, gray: np.ndarray, keep_rows: int, temperature: float = 1.0,
                   top_k: Optional[int] = None, seed: int = 0, max_context_bytes: int = 2048) -> Iterator[np.ndarray]:
    """Yield the (H, W) uint8 image after each completed row: rows < keep_rows are the original's,
    later rows sampled; rows not yet sampled are 0. The last one yielded is the full completion.
    top_k None: IMAGE_TOP_K."""
    height, width = gray.shape
    if not 1 <= keep_rows < height:
        raise GencompError(f"keep_rows must be 1 … {height - 1} for an image {height} rows high, got {keep_rows}")
    canvas = np.zeros_like(gray)
    canvas[:keep_rows] = gray[:keep_rows]
    prompt = gray[:keep_rows].tobytes()
    if getattr(model, "image_width", 0) not in (0, width):
        model = get_compressor(f"image:{width}")
    pixels = stream(model, prompt, (height - keep_rows) * width, temperature, IMAGE_TOP_K if top_k is None else top_k,
                    seed, max_context_bytes, text_safe=False, copies=False)
    for i, byte in enumerate(pixels):
        row, col = divmod(i, width)
        canvas[keep_rows + row, col] = byte[0]
        if col == width - 1:
            yield canvas.copy()


def continue_audio(model: Model, samples: np.ndarray, sample_rate: int, keep_seconds: float, seconds: float,
                   temperature: float = 1.0, top_k: int = 0, seed: int = 0, max_context_bytes: int = 2048,
                   update_every: int = 256, min_p: float = AUDIO_MIN_P) -> Iterator[np.ndarray]:
    """Yield int16 samples: the first keep_seconds of `samples`, then `seconds` more sampled,
    growing by `update_every` samples per yield; the last one yielded is the whole clip.

    min_p (see gencomp.sampling.generate): a coder gives every byte a floor of probability, and one
    sampled high byte from that floor is a click of thousands that the predictor then echoes."""
    samples = np.asarray(samples)
    if samples.ndim != 1 or samples.dtype != np.int16:
        raise GencompError(f"expected mono int16 samples, got {samples.dtype} {samples.shape}")
    keep = round(keep_seconds * sample_rate)
    if not 1 <= keep <= len(samples):
        raise GencompError(f"cannot keep {keep_seconds} s of a clip {len(samples) / sample_rate:.3f} s long")
    new = round(seconds * sample_rate)
    if new < 1:
        raise GencompError(f"seconds to generate must give at least one sample, got {seconds}")
    prompt = samples[:keep].astype("<i2").tobytes()
    out = bytearray(prompt)
    continuation = stream(model, prompt, 2 * new, temperature, top_k, seed, max_context_bytes, text_safe=False, copies=False,
                          min_p=min_p)
    for i, byte in enumerate(continuation):
        out += byte
        if (i + 1) % (2 * update_every) == 0 or i + 1 == 2 * new:
            yield np.frombuffer(bytes(out), "<i2").astype(np.int16)
