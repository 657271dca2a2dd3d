"""The domain codecs the media benchmarks measure gencomp against, set up once for all of them
(image.py, audio.py, media_files.py), and the chunk table image.py and audio.py both print.
Programs (cjxl, wavpack, paq8px) are skipped, as None, where they are not installed."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

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


PAQ8PX = Path(__file__).resolve().parent / "peers" / "bin" / "paq8px"  # benchmarks/build_paq8px.sh puts it there


def program(name: str) -> Optional[str]:
    """The path of a peer program: paq8px as build_paq8px.sh built it, else whatever PATH has; None if neither."""
    if name == "paq8px" and PAQ8PX.exists():
        return str(PAQ8PX)
    return shutil.which(name)


def _file_through(command: list[str], data: bytes, suffix: str, output: str) -> Optional[int]:
    """Bytes of `output` after running `command` (its {into} and {out} filled in) on `data` saved with
    `suffix`; None when its program is not installed."""
    if program(command[0]) is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / f"in{suffix}", Path(folder) / output
        source.write_bytes(data)
        filled = [program(command[0])] + [a.format(into=source, out=target) for a in command[1:]]
        subprocess.run(filled, check=True, capture_output=True)
        return target.stat().st_size


def jxl_lossless_bytes(image: Image.Image) -> Optional[int]:
    """JPEG XL lossless at its slowest and smallest (cjxl -d 0 -e 9; Debian libjxl-tools) of the pixels."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return _file_through(["cjxl", "{into}", "{out}", "-d", "0", "-e", "9", "--quiet"], buffer.getvalue(), ".png", "o.jxl")


def wavpack_bytes(samples: np.ndarray, rate: int, subtype: str = "PCM_16") -> Optional[int]:
    """WavPack at its strongest lossless setting (-hhx6) of the same samples at that width."""
    return _file_through(["wavpack", "-hhx6", "-q", "-y", "{into}", "-o", "{out}"], _wav(samples, rate, subtype),
                         ".wav", "o.wv")


def paq8px_image_bytes(image: Image.Image) -> Optional[int]:
    """paq8px -8 (v216) of the pixels as binary PGM (gray) or PPM (RGB), which its image models detect
    by the header; None for other modes."""
    pnm = pnm_file(image)
    return None if pnm is None else _file_through(["paq8px", "-8", "{into}", "{out}"], *pnm, "o.paq8px")


def pnm_file(image: Image.Image) -> Optional[tuple[bytes, str]]:
    """A gray (L) or RGB image's pixels as a binary PGM or PPM file (its header, then the rows) and its suffix;
    None for other modes."""
    if image.mode not in ("L", "RGB"):
        return None
    header = f"P{5 if image.mode == 'L' else 6}\n{image.width} {image.height}\n255\n".encode()
    return header + np.asarray(image).tobytes(), ".pgm" if image.mode == "L" else ".ppm"


def paq8px_audio_bytes(samples: np.ndarray, rate: int, subtype: str = "PCM_16") -> Optional[int]:
    """paq8px -8 (v216) of the same samples as a WAV, which its audio model detects by the header."""
    return _file_through(["paq8px", "-8", "{into}", "{out}"], _wav(samples, rate, subtype), ".wav", "o.paq8px")


def paq8px_file_bytes(data: bytes, suffix: str) -> Optional[int]:
    """paq8px -8 (v216) of a file's bytes as they are (saved with `suffix`)."""
    return _file_through(["paq8px", "-8", "{into}", "{out}"], data, suffix, "o.paq8px")


def _wav(samples: np.ndarray, rate: int, subtype: str) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV", subtype=subtype)
    return buffer.getvalue()
