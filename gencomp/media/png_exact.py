"""A PNG file's own bytes again from its pixels: the layout that `-c image` records so that a PNG comes
back byte for byte, not as a new PNG of the same pixels.

A PNG holds its pixels as rows of sample bytes, each row filtered by one of five predictors (none, left,
up, average, Paeth: chosen per row) and all of them deflated into IDAT chunks. Given the pixels, the file
needs: its chunks before and after the IDATs, kept as they are; the IDATs' sizes; each row's filter (or the
name of the heuristic that chose them, libpng's or Pillow's: the filter whose bytes, as signed, sum smallest
in magnitude, of those it tries); and zlib settings that deflate the filtered rows into the same stream: a level,
memory level, strategy and window, searched for when the file is read, the likeliest first. Where none
reproduces the stream (another deflater wrote it: zopfli, libdeflate, oxipng), or the PNG is interlaced or
holds fewer than 8 bits a sample, there is no layout and the PNG is written anew, as before.

Rebuilding runs the system's zlib, which must deflate as the one that made the layout did (zlib 1.2 and 1.3
do, the same settings giving the same bytes); the file's CRC-32, in the layout, checks the result, and a
zlib that deflates otherwise (zlib-ng) is refused by name instead of writing another file.
"""

from __future__ import annotations

import struct
import zlib
from typing import Optional

import numpy as np

from gencomp.errors import GencompError
from gencomp.media.kind import from_text, to_text

SIGNATURE = b"\x89PNG\r\n\x1a\n"
# row filters as an encoder's heuristic chooses them: of the filters it tries, in its order, the first whose bytes
# (as signed) sum smallest in magnitude; by name in a layout (libpng's; Pillow's, which tries average only to
#   optimize; none: every row unfiltered, as palette images are)
HEURISTICS = {"min-sum": (0, 1, 2, 3, 4), "pillow": (0, 2, 1, 4), "pillow-optimize": (0, 2, 1, 3, 4), "none": (0,)}
STRATEGIES = (zlib.Z_DEFAULT_STRATEGY, zlib.Z_FILTERED, zlib.Z_RLE, zlib.Z_HUFFMAN_ONLY, zlib.Z_FIXED)
MEMORY_LEVELS = (8, 9)  # zlib's default and libpng's
PROBE_BYTES = 1 << 16  # settings are tried on this much input at a time, dropped at the first output that differs
ROWS_AT_ONCE = 1024  # rows filtered together (five filtered copies of them in memory)
# samples a pixel by PNG colour type (gray, RGB, palette, gray + alpha, RGBA)
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def layout(blob: bytes, rows: Optional[np.ndarray]) -> Optional[dict]:
    """The layout that rebuilds the PNG `blob` from `rows` ((H, row bytes) uint8: its pixels' sample bytes
    in the file's order, pixel_rows), or None where no layout rebuilds it exactly."""
    if rows is None or not blob.startswith(SIGNATURE):
        return None
    try:
        chunks = list(_chunks(blob))
    except (struct.error, ValueError):
        return None
    idats = [i for i, (kind, _, _, _) in enumerate(chunks) if kind == b"IDAT"]
    if not idats or idats != list(range(idats[0], idats[-1] + 1)) or chunks[0][0] != b"IHDR":
        return None
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1][:13])
    if interlace or depth not in (8, 16) or colour not in CHANNELS:
        return None
    bpp = CHANNELS[colour] * depth // 8
    if rows.shape != (height, width * bpp):
        return None
    stream = b"".join(chunks[i][1] for i in idats)
    try:
        filtered = zlib.decompress(stream)
    except zlib.error:
        return None
    row_bytes = rows.shape[1]
    if len(filtered) != height * (row_bytes + 1):
        return None
    filters = np.frombuffer(filtered, np.uint8)[:: row_bytes + 1].copy()
    if filters.max(initial=0) > 4:
        return None
    refiltered, sums = _filter_rows(rows, bpp, lambda _, first, count: filters[first : first + count])
    if refiltered != filtered:
        return None
    settings = _deflate_settings(filtered, stream)
    if settings is None:
        return None
    start, stop = chunks[idats[0]][2], chunks[idats[-1]][3]
    heuristic = next((name for name, order in HEURISTICS.items()
                      if np.array_equal(_chosen(sums, order), filters)), None)
    return {"head": to_text(blob[:start]), "tail": to_text(blob[stop:]), "idat": [len(chunks[i][1]) for i in idats],
            "bpp": bpp, "deflate": list(settings), "filters": heuristic or to_text(zlib.compress(filters.tobytes(), 9)),
            "crc32": zlib.crc32(blob)}


def rebuild(record: dict, rows: np.ndarray) -> bytes:
    """The PNG a layout (record) and its pixels' rows stand for; GencompError if it does not come out as
    the file the layout was made from."""
    bpp, (level, memory, strategy, window) = record["bpp"], record["deflate"]
    if not 1 <= bpp <= 8:
        raise GencompError("archive corrupt: the PNG layout's bytes a pixel do not fit its pixels")
    heuristic = HEURISTICS.get(record["filters"])
    try:
        recorded = None if heuristic else np.frombuffer(zlib.decompress(from_text(record["filters"])), np.uint8)
        deflater = zlib.compressobj(level, zlib.DEFLATED, window, memory, strategy)
    except zlib.error:
        raise GencompError("archive corrupt: unreadable PNG layout") from None
    if recorded is not None and (len(recorded) != rows.shape[0] or recorded.max(initial=0) > 4):
        raise GencompError("archive corrupt: the PNG layout's row filters do not fit its pixels")

    def choose(sums, first, count):
        return _chosen(sums, heuristic) if heuristic else recorded[first : first + count]

    filtered, _ = _filter_rows(rows, bpp, choose)
    stream = deflater.compress(filtered) + deflater.flush()
    parts, at = [from_text(record["head"])], 0
    for size in record["idat"]:
        data = stream[at : at + size]
        parts.append(struct.pack(">I", len(data)) + b"IDAT" + data + struct.pack(">I", zlib.crc32(b"IDAT" + data)))
        at += size
    parts.append(from_text(record["tail"]))
    blob = b"".join(parts)
    if at != len(stream) or zlib.crc32(blob) != record["crc32"]:
        raise GencompError(f"this machine's zlib ({zlib.ZLIB_RUNTIME_VERSION}) does not deflate the PNG's rows as the "
                           "zlib that compressed it did, so the file would not come back byte for byte; its pixels "
                           "are intact: decompress it where Python uses zlib 1.2 or 1.3")
    return blob


def pixel_rows(pixels: np.ndarray, depth: int) -> np.ndarray:
    """(H, row bytes) uint8 sample bytes in a PNG's order of (H, W) or (H, W, C) pixels of `depth` bits
    (16: big-endian)."""
    if depth == 16:
        pixels = pixels.astype(">u2").view(np.uint8)
    return np.ascontiguousarray(pixels, dtype=np.uint8).reshape(pixels.shape[0], -1)


def _chunks(blob: bytes):
    """(type, data, start, stop) of each chunk after the signature; ValueError past IEND or on a bad CRC."""
    at = len(SIGNATURE)
    while at < len(blob):
        size, kind = struct.unpack(">I4s", blob[at : at + 8])
        data = blob[at + 8 : at + 8 + size]
        stop = at + 12 + size
        if stop > len(blob) or struct.unpack(">I", blob[stop - 4 : stop])[0] != zlib.crc32(kind + data):
            raise ValueError("a truncated or damaged chunk")
        yield kind, data, at, stop
        at = stop
        if kind == b"IEND":
            return


def _filter_rows(rows: np.ndarray, bpp: int, choose) -> tuple[bytes, np.ndarray]:
    """(the filtered rows, each after its filter type byte, as a PNG's IDAT stream inflates to; (5, rows) int64:
    each row's bytes under each filter, as signed, summed in magnitude), ROWS_AT_ONCE rows under the five filters
    at a time; choose(the block's sums, its first row, its number of rows) gives the block's filters."""
    out, sums = [], []
    for first in range(0, rows.shape[0], ROWS_AT_ONCE):
        candidates = _candidates(rows, slice(first, first + ROWS_AT_ONCE), bpp)
        signed = candidates.astype(np.int16)
        block_sums = np.minimum(signed, 256 - signed).sum(axis=2, dtype=np.int64)
        chosen = np.asarray(choose(block_sums, first, block_sums.shape[1]), np.uint8)
        picked = candidates[chosen, np.arange(len(chosen))]
        out.append(np.concatenate([chosen[:, None], picked], axis=1).tobytes())
        sums.append(block_sums)
    return b"".join(out), np.concatenate(sums, axis=1)


def _candidates(rows: np.ndarray, block: slice, bpp: int) -> np.ndarray:
    """(5, rows in block, row bytes) uint8: the block's rows under each of the five filters."""
    x = rows[block].astype(np.int16)
    if block.start > 0:
        up = rows[block.start - 1 : block.stop - 1]
    else:
        up = np.vstack([np.zeros_like(rows[:1]), rows[: block.stop - 1]])
    b = up[: len(x)].astype(np.int16)
    a = np.zeros_like(x)
    a[:, bpp:] = x[:, :-bpp]
    c = np.zeros_like(x)
    c[:, bpp:] = b[:, :-bpp]
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
    return (np.stack([x, x - a, x - b, x - ((a + b) >> 1), x - paeth]) & 255).astype(np.uint8)


def _chosen(sums: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
    """Each row's filter by a heuristic trying the filters `order` (HEURISTICS): the first least sum."""
    return np.asarray(order, np.uint8)[sums[list(order)].argmin(axis=0)]


def _deflate_settings(filtered: bytes, stream: bytes) -> Optional[tuple[int, int, int, int]]:
    """(level, memory level, strategy, window bits) with which zlib deflates `filtered` into `stream`: the
    levels the stream's header hints at first; None if no setting does."""
    window = 8 + (stream[0] >> 4)
    if stream[0] & 15 != 8 or not 9 <= window <= 15:
        return None
    hinted = {0: (1, 0), 1: (2, 3, 4, 5), 2: (6,), 3: (9, 7, 8)}[stream[1] >> 6]
    for level in dict.fromkeys([*hinted, *range(10)]):
        for memory in MEMORY_LEVELS:
            for strategy in STRATEGIES:
                if _reproduces(filtered, stream, zlib.compressobj(level, zlib.DEFLATED, window, memory, strategy)):
                    return level, memory, strategy, window
    return None


def _reproduces(filtered: bytes, stream: bytes, deflater) -> bool:
    """Whether `deflater` makes `stream` of `filtered`, fed PROBE_BYTES at a time: a setting that does not is
    dropped at its first block of output."""
    made = 0
    for at in range(0, len(filtered), PROBE_BYTES):
        out = deflater.compress(filtered[at : at + PROBE_BYTES])
        if stream[made : made + len(out)] != out:
            return False
        made += len(out)
    return stream[made:] == deflater.flush()
