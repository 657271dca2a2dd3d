"""A BMP file's own bytes again from its pixels: the layout `-c image` records so that an uncompressed BMP
comes back byte for byte, as png_exact.py does for a PNG.

An uncompressed BMP (BI_RGB) is its headers and palette, then its rows of pixels: bottom-up unless its
height is negative, each padded to a multiple of 4 bytes; 24 bits a pixel as blue, green, red; 32 as blue,
green, red and a fourth byte Pillow does not read (kept where it is one value throughout); 8 as palette
indices or gray levels. The layout keeps the bytes before the rows and after them as they are, the row
order, the fourth byte and the padding's byte; any other BMP (compressed, bit fields, fewer than 8 bits a
pixel, padding or fourth bytes that vary) has none and comes back as a PNG of its pixels.
"""

from __future__ import annotations

import struct
from typing import Optional

import numpy as np

from gencomp.errors import GencompError
from gencomp.media.kind import from_text, to_text


def layout(blob: bytes, pixels: np.ndarray) -> Optional[dict]:
    """The layout that rebuilds the BMP `blob` from `pixels` ((H, W) gray levels or palette indices, or (H, W, 3)
    RGB, uint8, as Pillow reads the file), or None where none does."""
    if len(blob) < 54 or blob[:2] != b"BM":
        return None
    offset, _, width, height, _, bits, compression = struct.unpack("<IIiiHHI", blob[10:34])
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    if compression != 0 or (bits, channels) not in ((8, 1), (24, 3), (32, 3)) or pixels.shape[:2] != (abs(height), width):
        return None
    stride = (width * bits + 31) // 32 * 4
    stop = offset + stride * abs(height)
    if stop > len(blob) or height == 0:
        return None
    rows = np.frombuffer(blob, np.uint8, stride * abs(height), offset).reshape(abs(height), stride)
    used = width * bits // 8
    record = {"head": to_text(blob[:offset]), "tail": to_text(blob[stop:]), "bottom_up": height > 0,
              "bits": bits, "stride": stride, "padding": int(rows[0, used]) if stride > used else 0,
              "fourth": int(rows[0, 3]) if bits == 32 else 0}
    return record if rebuild(record, pixels) == blob else None


def rebuild(record: dict, pixels: np.ndarray) -> bytes:
    """The BMP a layout (record) and its pixels stand for."""
    bits, stride = record["bits"], record["stride"]
    height, width = pixels.shape[:2]
    if bits not in (8, 24, 32) or not width * bits // 8 <= stride <= width * bits // 8 + 3:
        raise GencompError("archive corrupt: the BMP layout does not fit its pixels")
    samples = pixels if bits == 8 else pixels[..., ::-1]  # RGB as blue, green, red
    if bits == 32:
        samples = np.concatenate([samples, np.full((height, width, 1), record["fourth"], np.uint8)], axis=2)
    rows = np.full((height, stride), record["padding"], np.uint8)
    rows[:, : width * bits // 8] = samples.reshape(height, -1)
    if record["bottom_up"]:
        rows = rows[::-1]
    return from_text(record["head"]) + rows.tobytes() + from_text(record["tail"])
