"""Images: a file (any format Pillow reads) as the pixel planes the `image` codec codes and back as
PNG; the paper's grayscale patches; completing an image by sampling its rows.

A PNG whose deflated rows zlib reproduces comes back byte for byte (png_exact.py: its record holds the
file's layout), and so do an uncompressed BMP (bmp_exact.py) and a binary PGM or PPM of 8 or 16 bits (its
header, then its samples as they are).
Any other image comes back as a new PNG that keeps exactly every pixel value, the mode
(1, L, LA, P, RGB, RGBA, 16-bit grayscale), a palette and its transparency, the ICC profile, EXIF and DPI;
not its other metadata (text chunks, gamma, …), nor a JPEG's compressed form (its decoded pixels are kept,
in a PNG larger than the JPEG). Refused with a clear error: several frames (animations), modes a PNG
cannot hold (CMYK, float, …) and 16-bit colour, which Pillow reads as 8 bits.

Planes: one per channel, each H rows of W bytes, coded as an independent chunk by `image:W`. Colour
is decorrelated first, reversibly in 8 bits (the "subtract green" transform of lossless WebP,
centred): G, R − G + 128 and B − G + 128, modulo 256. 16-bit gray is two planes, high then low bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image, UnidentifiedImageError

from gencomp.compressors import Compressor, get_compressor
from gencomp.errors import GencompError
from gencomp.media import bmp_exact, png_exact
from gencomp.media.kind import MediaKind, MediaStream, from_text, to_text
from gencomp.sampling.generate import Model, stream

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I")
KEPT_INFO = ("icc_profile", "exif", "dpi", "transparency")
NETPBM_SUFFIXES = (".pgm", ".ppm", ".pnm")
CENTRE = 128
PATCH_HEIGHT, PATCH_WIDTH = 32, 64  # the paper's image patches
PATCH_BYTES = PATCH_HEIGHT * PATCH_WIDTH
TOP_K = 32  # completion samples among the 32 likeliest pixel values
DEFAULT_WIDTH = 64  # completion: a 768×512 photo becomes 64×43, ~1,400 bytes to sample for half of it
COPY_WEIGHT = 0.8  # completion: the share of each pixel's distribution proposed by copies (benchmarks/image_completions.py)
COPY_MATCHES = 4  # … the pixels after this many best-matching neighbourhoods (4, 8, 16 with weights 0.8, 0.9, 0.97 tried on
#   the 8 photographs: 4 at 0.8 kept std, gradient and spectrum closest to the true halves)
COHERENCE_WEIGHT = 32  # … and, weighted as 32 of those each, the coherent copies (_CopyProposals; 1, 2, 4, 8, 16, 32, 64 tried
#   on the 8 photographs with seeds 0–3: 16–32 met issue 33's goals on 4 of 8, as the kept half itself, 1–4 on 2)
COHERENCE_TOLERANCE = 16  # … when their neighbourhood is within twice the best one's distance + this much a pixel (4 levels RMS)
# a pixel's causal neighbourhood, (row, column) offsets: two to its left, five on each of the two rows above
NEIGHBOURHOOD = ((0, -1), (0, -2), *((-1, dx) for dx in range(-2, 3)), *((-2, dx) for dx in range(-2, 3)))


def read_image(blob: bytes, name: str) -> Optional[MediaStream]:
    """The pixel planes of an image file's bytes, or None if Pillow does not know the format."""
    try:
        image = Image.open(io.BytesIO(blob))
    except UnidentifiedImageError:
        return None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise GencompError(f"cannot read image {name}: {exc}") from None
    with image:
        _check_exact(image, blob, name)
        try:
            image.load()
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise GencompError(f"cannot read image {name}: {exc}") from None
        mode, planes = _planes(image, name)
        record = {"kind": "image", "suffix": ".png", "width": image.width, "height": image.height,
                  "mode": mode, "planes": len(planes)}
        exact = _exact_layout(blob, name, image.format, mode, np.stack(planes))
        dropped = [] if exact else sorted(set(image.info) - set(KEPT_INFO))
        record |= exact or _kept_info(image)
    data = np.ascontiguousarray(np.stack(planes)).tobytes()
    return MediaStream(f"image:{record['width']}", record["width"] * record["height"], data, record,
                       byte_exact=exact is not None, dropped=dropped)


def rebuild_image(record: dict, data: bytes) -> bytes:
    """The PNG file of a record and its pixel planes."""
    try:
        width, height, count, mode = record["width"], record["height"], record["planes"], record["mode"]
    except KeyError:
        raise GencompError("archive corrupt: incomplete image record") from None
    if len(data) != width * height * count:
        raise GencompError(f"archive corrupt: {len(data):,} pixel bytes for {count} planes of {width}×{height}")
    planes = np.frombuffer(data, np.uint8).reshape(count, height, width)
    image = _image(mode, planes)
    if "png" in record:
        return png_exact.rebuild(record["png"], _sample_rows(mode, np.asarray(image)))
    if "netpbm" in record:
        return from_text(record["netpbm"]) + _sample_rows(mode, np.asarray(image)).tobytes()
    if "bmp" in record:
        return bmp_exact.rebuild(record["bmp"], np.asarray(image))
    options = {}
    if "palette" in record:
        image.putpalette(from_text(record["palette"]["data"]), record["palette"]["mode"])
    if "transparency" in record:
        options["transparency"] = _from_json(record["transparency"])
    for key in ("icc_profile", "exif"):
        if key in record:
            options[key] = from_text(record[key])
    if "dpi" in record:
        options["dpi"] = tuple(record["dpi"])
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()


def _check_exact(image: Image.Image, blob: bytes, name: str) -> None:
    """Refuse what Pillow would not give back exactly: several frames, 16-bit colour read as 8 bits."""
    frames = getattr(image, "n_frames", 1)
    if frames > 1:
        raise GencompError(f"{name} holds {frames} frames (an animation): -c image keeps one still image; "
                           "code its bytes with --as-bytes")
    sixteen_bit_colour = False
    if blob.startswith(PNG_SIGNATURE) and blob[12:16] == b"IHDR":
        sixteen_bit_colour = blob[24] == 16 and blob[25] != 0  # bit depth 16, colour type not gray
    elif image.format == "TIFF" and image.mode not in SIXTEEN_BIT_MODES:
        sixteen_bit_colour = max(np.atleast_1d(image.tag_v2.get(258, 8))) > 8  # BitsPerSample
    elif image.format == "PPM" and image.mode not in SIXTEEN_BIT_MODES:
        sixteen_bit_colour = _netpbm_maxval(blob) > 255
    if sixteen_bit_colour:
        raise GencompError(f"{name} has 16-bit colour, which Pillow reads as 8 bits: -c image would lose "
                           "precision; code its bytes with --as-bytes")


def _netpbm_maxval(blob: bytes) -> int:
    """A netpbm (PPM, PGM) file's largest sample value, from its header (magic, width, height, maxval;
    comments skipped); 255 where the header does not say."""
    fields = re.sub(rb"#[^\n]*", b" ", blob[:4096]).split()
    return int(fields[3]) if len(fields) > 3 and fields[3].isdigit() else 255


def _planes(image: Image.Image, name: str) -> tuple[str, list[np.ndarray]]:
    """(mode the planes are stored as, (H, W) uint8 planes) of a loaded image."""
    mode = image.mode
    if mode == "1":
        return mode, [np.asarray(image, dtype=np.uint8) * np.uint8(255)]
    if mode in ("L", "P"):
        return mode, [np.asarray(image, dtype=np.uint8)]
    if mode == "LA":
        pixels = np.asarray(image, dtype=np.uint8)
        return mode, [pixels[..., 0], pixels[..., 1]]
    if mode in ("RGB", "RGBA"):
        pixels = np.asarray(image, dtype=np.int16)
        green = pixels[..., 1]
        colour = [green, (pixels[..., 0] - green + CENTRE) % 256, (pixels[..., 2] - green + CENTRE) % 256]
        return mode, [p.astype(np.uint8) for p in colour + ([pixels[..., 3]] if mode == "RGBA" else [])]
    if mode in SIXTEEN_BIT_MODES:
        values = np.asarray(image).astype(np.int64)
        if values.min() < 0 or values.max() > 0xFFFF:
            raise GencompError(f"{name}: 32-bit integer pixels outside 0 … 65535; -c image keeps up to 16 bits")
        return "I;16", [(values >> 8).astype(np.uint8), (values & 0xFF).astype(np.uint8)]
    raise GencompError(f"{name} is a {mode} image, which a PNG cannot hold: -c image keeps 1-bit, gray, "
                       "palette, RGB(A) and 16-bit gray pixels; code its bytes with --as-bytes")


def _image(mode: str, planes: np.ndarray) -> Image.Image:
    """Inverse of _planes: (count, H, W) uint8 planes -> the image in `mode`."""
    expected = {"1": 1, "L": 1, "P": 1, "LA": 2, "RGB": 3, "RGBA": 4, "I;16": 2}
    if expected.get(mode) != len(planes):
        raise GencompError(f"archive corrupt: {len(planes)} planes for an image of mode {mode!r}")
    if mode == "1":
        return Image.fromarray(planes[0] > 127)
    if mode in ("L", "P"):
        return Image.fromarray(planes[0], mode)
    if mode == "LA":
        return Image.fromarray(np.stack(planes, axis=-1), mode)
    if mode == "I;16":
        return Image.fromarray((planes[0].astype(np.uint16) << 8) | planes[1])
    green = planes[0].astype(np.int16)
    channels = [(planes[1] + green - CENTRE) % 256, green, (planes[2] + green - CENTRE) % 256] + list(planes[3:])
    return Image.fromarray(np.stack(channels, axis=-1).astype(np.uint8), mode)


def _exact_layout(blob: bytes, name: str, fmt: str, mode: str, planes: np.ndarray) -> Optional[dict]:
    """The record entries that rebuild the file byte for byte from its planes: a PNG's layout (png_exact), an
    uncompressed BMP's (bmp_exact), or a netpbm file's header (PGM, PPM: a header, then the samples as they are,
    16-bit ones big-endian) and its suffix; None for any other file, or where Pillow's pixels are not the file's
    samples (a maxval of 15). 1-bit pixels, which those files pack, have none."""
    if mode == "1" or fmt not in ("PNG", "BMP", "PPM"):
        return None
    pixels = np.asarray(_image(mode, planes))  # as rebuild_image has them
    if fmt == "PNG":
        layout = png_exact.layout(blob, _sample_rows(mode, pixels))
        return {"png": layout} if layout else None
    if fmt == "BMP":
        layout = bmp_exact.layout(blob, pixels) if mode in ("L", "P", "RGB") else None
        return {"bmp": layout, "suffix": ".bmp"} if layout else None
    samples = _sample_rows(mode, pixels).tobytes()  # a netpbm file: its header, then these
    head = len(blob) - len(samples)
    if head <= 0 or blob[head:] != samples:
        return None
    suffix = Path(name).suffix.lower()
    return {"netpbm": to_text(blob[:head]),
            "suffix": suffix if suffix in NETPBM_SUFFIXES else ".ppm" if len(planes) == 3 else ".pgm"}


def _sample_rows(mode: str, pixels: np.ndarray) -> np.ndarray:
    """The sample bytes of the rows, as a PNG or netpbm file holds them, of an image's pixels in `mode` (not 1-bit)
    as Pillow gives them (png_exact.pixel_rows)."""
    return png_exact.pixel_rows(pixels, 16 if mode == "I;16" else 8)


def _kept_info(image: Image.Image) -> dict:
    """The record entries of what the PNG keeps besides pixels: palette, transparency, ICC, EXIF, DPI."""
    kept = {}
    if image.mode == "P":
        palette_mode = image.palette.mode if image.palette is not None else "RGB"
        kept["palette"] = {"mode": palette_mode, "data": to_text(bytes(image.getpalette(palette_mode) or []))}
    info = image.info
    if "transparency" in info:
        kept["transparency"] = _to_json(info["transparency"])
    for key in ("icc_profile", "exif"):
        if isinstance(info.get(key), bytes) and info[key]:
            kept[key] = to_text(info[key])
    if "dpi" in info:
        kept["dpi"] = [float(v) for v in info["dpi"]]
    return kept


def _to_json(value):
    """A transparency value (int, tuple of ints, or bytes) as JSON."""
    if isinstance(value, bytes):
        return {"bytes": to_text(value)}
    return list(value) if isinstance(value, tuple) else int(value)


def _from_json(value):
    if isinstance(value, dict):
        return from_text(value["bytes"])
    return tuple(value) if isinstance(value, list) else value


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


def paper_stream(path: Path) -> bytes:
    """An image file as the paper codes images: grayscale, in 32×64 patches."""
    return image_to_patches(read_grayscale(path))


def shrink_image(gray: np.ndarray, width: int = DEFAULT_WIDTH) -> np.ndarray:
    """(H, W) uint8 resized (Lanczos) to `width` pixels wide, aspect kept; as it is if already narrower."""
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise GencompError(f"expected a (height, width) uint8 grayscale image, got {gray.dtype} {gray.shape}")
    if width <= 0 or gray.shape[1] <= width:
        return gray
    height = max(1, round(gray.shape[0] * width / gray.shape[1]))
    return np.asarray(Image.fromarray(gray).resize((width, height), Image.LANCZOS), dtype=np.uint8)


def complete_image(model: Model, gray: np.ndarray, keep_rows: int, temperature: float = 1.0,
                   top_k: Optional[int] = None, seed: int = 0, max_context_bytes: int = 2048,
                   copies: float = COPY_WEIGHT) -> Iterator[np.ndarray]:
    """Yield the (H, W) uint8 image after each completed row: rows < keep_rows are the original's,
    later rows sampled; rows not yet sampled are 0. The last one yielded is the full completion.
    top_k None: TOP_K. copies: the weight of the copy proposals (_CopyProposals) mixed into each
    pixel's distribution, 0 for the model alone."""
    height, width = gray.shape
    if not 1 <= keep_rows < height:
        raise GencompError(f"keep_rows must be 1 … {height - 1} for an image {height} rows high, got {keep_rows}")
    canvas = np.zeros_like(gray)
    canvas[:keep_rows] = gray[:keep_rows]
    prompt = gray[:keep_rows].tobytes()
    if isinstance(model, Compressor) and model.name.split(":", 1)[0] == "image":  # its rows must be this image's
        model = get_compressor(f"image:{width}")
    proposal = _CopyProposals(canvas, keep_rows, copies) if copies > 0 else None
    pixels = stream(model, prompt, (height - keep_rows) * width, temperature, TOP_K if top_k is None else top_k,
                    seed, max_context_bytes, text_safe=False, copies=False, proposal=proposal)
    for i, byte in enumerate(pixels):
        row, col = divmod(i, width)
        canvas[keep_rows + row, col] = byte[0]
        if proposal is not None:
            proposal.sampled(keep_rows + row, col)
        if col == width - 1:
            yield canvas.copy()


def judge_bits_per_pixel(kept: np.ndarray, rows: np.ndarray) -> float:
    """Bits a pixel the `image` codec (rows of their width) spends on `rows` after `kept`, both (h, W)
    uint8, as one stream: how likely the judge finds a completion (compare the true rows' figure)."""
    judge = get_compressor(f"image:{kept.shape[1]}")
    before = judge.code_length_bits(kept.tobytes())
    return (judge.code_length_bits(np.concatenate([kept, rows]).tobytes()) - before) / max(1, rows.size)


class _CopyProposals:
    """Copies proposed for each pixel of a completion, from the kept rows only: the pixels that followed
    the COPY_MATCHES causal neighbourhoods most like its own (sum of squared differences over
    NEIGHBOURHOOD), and, each weighted COHERENCE_WEIGHT, the coherent ones: where a neighbour of this
    pixel (left, up-left, up, up-right) was copied from, shifted by that neighbour's offset, if its
    neighbourhood is within 2 × the best distance + COHERENCE_TOLERANCE a pixel. Sampling from it is
    non-parametric texture synthesis (Efros and Leung, 1999) with Ashikhmin's (2001) coherent
    candidates: the image's analogue of an LZ coder's copies, which continue where they are. Copies
    from the kept rows alone, never from completed ones, cannot feed back into streaks, and coherent
    copies carry whole stones, stars and coins rather than a smoothed average of their edges.

    canvas is the image being completed, filled in raster order; after each pixel is sampled and
    written, `sampled(row, col)` records which kept pixel it copied (none when the model's share drew
    a value no candidate proposed)."""

    def __init__(self, canvas: np.ndarray, keep_rows: int, weight: float):
        height, width = canvas.shape
        self.canvas, self.weight, self.reach = canvas, weight, max(max(-dy, abs(dx)) for dy, dx in NEIGHBOURHOOD)
        self.ys, self.xs = (a.ravel() for a in np.mgrid[self.reach : keep_rows, self.reach : width - self.reach])
        pixels = canvas.astype(np.int64)
        self.features = np.stack([pixels[self.ys + dy, self.xs + dx] for dy, dx in NEIGHBOURHOOD], axis=1)  # (P, N)
        self.values = pixels[self.ys, self.xs]
        self.source = np.full((height, width), -1, np.int64)  # which candidate a completed pixel copied, -1: none
        self.keep_rows, self.candidates = keep_rows, (np.empty(0, np.int64), np.empty(0, np.int64))

    def _candidate(self, y: int, x: int) -> int:
        """The index of the kept position (y, x), or -1 where its neighbourhood does not lie inside."""
        reach, width = self.reach, self.canvas.shape[1]
        if reach <= y < self.keep_rows and reach <= x < width - reach:
            return (y - reach) * (width - 2 * reach) + x - reach
        return -1

    def __call__(self, i: int) -> Optional[tuple[np.ndarray, float]]:
        width = self.canvas.shape[1]
        row, col = divmod(i, width)
        row += self.keep_rows
        if len(self.values) < COPY_MATCHES:
            return None
        target = np.array([int(self.canvas[max(row + dy, 0), min(max(col + dx, 0), width - 1)])
                           for dy, dx in NEIGHBOURHOOD])
        distances = ((self.features - target) ** 2).sum(axis=1)
        nearest = np.argpartition(distances, COPY_MATCHES - 1)[:COPY_MATCHES]
        limit = 2 * distances[nearest].min() + COHERENCE_TOLERANCE * len(NEIGHBOURHOOD)
        coherent = set()
        for dy, dx in ((0, -1), (-1, -1), (-1, 0), (-1, 1)):
            y, x = row + dy, col + dx
            if 0 <= x < width and self.source[y, x] >= 0:
                shifted = self._candidate(self.ys[self.source[y, x]] - dy, self.xs[self.source[y, x]] - dx)
                if shifted >= 0 and distances[shifted] <= limit:
                    coherent.add(shifted)
        coherent = np.array(sorted(coherent, key=lambda c: distances[c]), np.int64)
        self.candidates = (coherent, nearest[np.argsort(distances[nearest], kind="stable")])
        counts = np.bincount(self.values[nearest], minlength=256).astype(np.float64)
        counts += COHERENCE_WEIGHT * np.bincount(self.values[coherent], minlength=256)
        return counts / counts.sum(), self.weight

    def sampled(self, row: int, col: int) -> None:
        """Record the source of the pixel just written at (row, col): the closest coherent candidate
        of its value, else the closest of the nearest."""
        value = self.canvas[row, col]
        for candidates in self.candidates:
            same = candidates[self.values[candidates] == value]
            if len(same):
                self.source[row, col] = same[0]
                return


KIND = MediaKind("image", "image", "pixels", "an image", read_image, rebuild_image, paper_stream, PATCH_BYTES)
