"""Image and audio files as people have them, turned into the stream a media codec codes and back.

`gencomp compress photo.png -c image` codes the photo's pixels, not its PNG bytes; `gencomp
decompress` writes a file with the same pixels (or samples). A `MediaStream` carries the bytes the
codec codes, the codec spec and chunking that suit them, and a JSON-able `record` (stored in the
archive header) that rebuilds the file from those bytes. What each kind keeps byte for byte is said
in gencomp.data.image_files and gencomp.data.audio_files.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from gencomp.errors import GencompError

MAX_MEDIA_FILE_BYTES = 1 << 30  # a media file is held in memory (pixels and samples), unlike a byte stream


@dataclass
class MediaStream:
    """data: the bytes the codec `spec` codes (chunks of chunk_size_bytes, 0: one stream); record:
    what rebuilds the file from data (JSON-able; "kind" is "image" or "audio"); byte_exact: the rebuilt
    file equals the original byte for byte; dropped: what the rebuilt file will lack (for a note)."""

    spec: str
    chunk_size_bytes: int
    data: bytes
    record: dict
    byte_exact: bool
    dropped: list[str] = field(default_factory=list)


def media_kind(spec: str) -> Optional[str]:
    """'image' or 'audio' when a codec spec names a media codec (image, image:W, audio, audio:C), else None."""
    base = spec.split(":", 1)[0]
    return base if base in ("image", "audio") else None


def read_media_file(path: str, kind: str) -> Optional[MediaStream]:
    """The MediaStream of an image or audio file, or None when the file is not one of that kind
    (then its bytes are coded as they are); GencompError for a file of that kind that cannot be
    kept exactly (a 16-bit colour PNG, float or lossy audio, …)."""
    size = Path(path).stat().st_size
    if size > MAX_MEDIA_FILE_BYTES:
        raise GencompError(f"{path}: {size:,} bytes is more than the {MAX_MEDIA_FILE_BYTES:,} a media file may hold "
                           "in memory; code its bytes with --as-bytes")
    return read_media(Path(path).read_bytes(), path, kind)


def read_media(blob: bytes, name: str, kind: str) -> Optional[MediaStream]:
    """read_media_file of a file's bytes held in memory (name: its file name, for its format)."""
    from gencomp.data import audio_files, image_files

    reader = image_files.read_image if kind == "image" else audio_files.read_audio
    return reader(blob, name)


def rebuild_media_file(record: dict, data: bytes) -> bytes:
    """The file a MediaStream's record and data stand for (GencompError if they do not fit together)."""
    from gencomp.data import audio_files, image_files

    kind = record.get("kind")
    if kind == "image":
        return image_files.rebuild_image(record, data)
    if kind == "audio":
        return audio_files.rebuild_audio(record, data)
    raise GencompError(f"archive holds a media file of unknown kind {kind!r}: upgrade gencomp")


def media_suffix(record: dict) -> str:
    """The file name suffix of the file rebuild_media_file writes (".png", ".wav", ".flac", …)."""
    return record["suffix"]


def to_text(blob: bytes) -> str:
    """Bytes as base64 text, for a record."""
    return base64.b64encode(blob).decode("ascii")


def from_text(text: str) -> bytes:
    """Inverse of to_text."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise GencompError("archive corrupt: unreadable media record") from None
