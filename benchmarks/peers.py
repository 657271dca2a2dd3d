"""The domain codecs the media benchmarks measure gencomp against, set up once for all of them
(image.py, audio.py, media_files.py), and the chunk table image.py and audio.py both print."""

from __future__ import annotations

import io

import numpy as np
import soundfile
from PIL import Image


def _saved_bytes(image: Image.Image, fmt: str, **options) -> int:
    """Bytes of the image saved by Pillow, with the ICC profile and EXIF it carries (gencomp keeps them too)."""
    buffer = io.BytesIO()
    kept = {k: image.info[k] for k in ("icc_profile", "exif") if image.info.get(k)}
    image.save(buffer, fmt, **kept, **options)
    return len(buffer.getvalue())


def png9_bytes(image: Image.Image) -> int:
    """Pillow's PNG, optimised, zlib level 9."""
    return _saved_bytes(image, "PNG", optimize=True, compress_level=9)


def webp_lossless_bytes(image: Image.Image) -> int:
    """Pillow's lossless WebP at its slowest and smallest (method 6)."""
    return _saved_bytes(image, "WEBP", lossless=True, quality=100, method=6)


def flac8_bytes(samples: np.ndarray, rate: int, subtype: str = "PCM_16") -> int:
    """FLAC -8 (libsndfile, compression level 1.0) of (N,) or (N, C) integer samples at that width."""
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="FLAC", subtype=subtype, compression_level=1.0)
    return len(buffer.getvalue())


def chunk_table(rows: list[dict], name: str, count: str, peer: str, ours: str) -> list[str]:
    """Markdown rows of chunks coded alone (2048 bytes each): per row, the peer's and our bytes as % of
    raw and our / peer, then a pooled **all** row. name, count, peer, ours: the rows' keys."""
    lines = [f"| {name} | {count} | {peer} | {ours} | {ours} / {peer} |", "|---|---|---|---|---|"]
    for row in rows + [{name: "**all**", **{k: sum(r[k] for r in rows) for k in (count, f"{peer}_bytes", f"{ours}_bytes")}}]:
        raw = 2048 * row[count]
        lines.append(f"| {row[name]} | {row[count]} | {row[f'{peer}_bytes'] / raw:.1%} | {row[f'{ours}_bytes'] / raw:.1%} | "
                     f"{row[f'{ours}_bytes'] / row[f'{peer}_bytes']:.3f} |")
    return lines
