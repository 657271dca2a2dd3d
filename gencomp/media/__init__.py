"""Image and audio files as people have them, coded as their pixels or samples (`gencomp compress
photo.png -c image`), and the registry of media kinds: a new kind is one module that builds a
MediaKind (KIND) and one entry in KIND_MODULES (docs/extending.md). A media codec's name selects
every kind whose codec it is, tried in KIND_MODULES' order; a kind's module is imported when used.

Each kind's module owns its file ⇄ stream conversion (what it keeps byte for byte is said there),
its codec spec and chunking (in the MediaStream it reads), the paper's stream of it (Table 1) and
its completion sampler. The archive holds the kind's record, which rebuilds the file.
"""

from __future__ import annotations

import importlib
import io
from pathlib import Path
from typing import BinaryIO, Optional

from gencomp.archive.stream import compress_stream, decompress_stream, peek_header
from gencomp.compressors import get_compressor
from gencomp.compressors.base import Progress
from gencomp.errors import GencompError
from gencomp.media.kind import MediaKind, MediaStream

KIND_MODULES: dict[str, tuple[str, str]] = {  # kind -> (the codec whose name selects it, the module defining KIND)
    "image": ("image", "gencomp.media.image"),
    "audio": ("audio", "gencomp.media.audio"),
}
MAX_MEDIA_FILE_BYTES = 1 << 30  # a media file is held in memory (pixels and samples), unlike a byte stream
MAX_EXACT_MEDIA_BYTES = 1 << 28  # … and with no codec named, larger PNG and WAV files stay a byte stream (bounded memory)

__all__ = ["KIND_MODULES", "MediaKind", "MediaStream", "decode_media_file", "is_media_codec", "media_archive", "media_file_of",
           "media_kind", "paper_kinds", "read_media", "read_media_file", "rebuild_media_file"]


def media_kind(name: str) -> MediaKind:
    """The media kind of this name (GencompError for one this gencomp does not know)."""
    if name not in KIND_MODULES:
        raise GencompError(f"archive holds a media file of unknown kind {name!r}: upgrade gencomp")
    return importlib.import_module(KIND_MODULES[name][1]).KIND


def is_media_codec(spec: str) -> bool:
    """True when a codec spec (image, image:W, audio, audio:C, …) codes media files as their pixels or samples."""
    return any(codec == spec.split(":", 1)[0] for codec, _ in KIND_MODULES.values())


def paper_kinds() -> dict[str, MediaKind]:
    """The kinds that are Table 1 modalities (they have a paper_stream), by name."""
    kinds = {name: media_kind(name) for name in KIND_MODULES}
    return {name: kind for name, kind in kinds.items() if kind.paper_stream is not None}


def read_media_file(path: str, codec: str) -> Optional[MediaStream]:
    """The MediaStream of a file that a kind of the codec family `codec` reads, or None when none
    does (then its bytes are coded as they are); GencompError for a file of such a kind that cannot
    be kept exactly (a 16-bit colour PNG, float or lossy audio, …)."""
    size = Path(path).stat().st_size
    if size > MAX_MEDIA_FILE_BYTES:
        raise GencompError(f"{path}: {size:,} bytes is more than the {MAX_MEDIA_FILE_BYTES:,} a media file may hold "
                           "in memory; code its bytes with --as-bytes")
    return read_media(Path(path).read_bytes(), path, codec)


def read_exact_media_file(path: str) -> Optional[MediaStream]:
    """The MediaStream of a PNG, BMP, PGM, PPM or WAV file that its pixels or samples give back byte for byte
    (what the default codec codes as media), else None: any other file, or one that cannot be read as media."""
    with open(path, "rb") as file:
        head = file.read(18)
    bmp = head[:2] == b"BM" and len(head) == 18 and int.from_bytes(head[14:18], "little") in (40, 52, 56, 108, 124)
    image = head.startswith(b"\x89PNG\r\n\x1a\n") or (head[:2] in (b"P5", b"P6") and head[2:3].isspace()) or bmp
    codec = "image" if image else "audio" if head[:4] + head[8:12] == b"RIFFWAVE" else None
    if codec is None or Path(path).stat().st_size > MAX_EXACT_MEDIA_BYTES:
        return None
    try:
        stream = read_media_file(path, codec)
    except GencompError:
        return None
    return stream if stream is not None and stream.byte_exact else None


def read_media(blob: bytes, name: str, codec: str) -> Optional[MediaStream]:
    """read_media_file of a file's bytes held in memory (name: its file name, for its format)."""
    family = codec.split(":", 1)[0]
    for kind_name, (kind_codec, _) in KIND_MODULES.items():
        if kind_codec == family and (stream := media_kind(kind_name).read(blob, name)) is not None:
            return stream
    return None


def rebuild_media_file(record: dict, data: bytes) -> bytes:
    """The file a MediaStream's record and data stand for (GencompError if they do not fit together)."""
    kind = media_kind(str(record.get("kind")))
    try:
        return kind.rebuild(record, data)
    except GencompError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, OverflowError, AttributeError) as exc:  # a malformed record
        raise GencompError(f"archive corrupt: unreadable {kind.name} record ({type(exc).__name__}: {exc})") from None


def media_archive(stream: MediaStream, progress: Progress = None) -> bytes:
    """The archive of a media file's stream (format 6), as `gencomp compress -c image/audio` writes it."""
    sink = io.BytesIO()
    compressor = get_compressor(stream.spec, stream.chunk_size_bytes)
    compress_stream(compressor, io.BytesIO(stream.data), sink, progress, media=stream.record)
    return sink.getvalue()


def media_file_of(archive: bytes) -> bytes:
    """The file a media file's archive in memory rebuilds (`gencomp decompress` of it); GencompError
    for an archive of bytes."""
    header, source = peek_header(io.BytesIO(archive))
    if header is None or header.media is None:
        raise GencompError("this archive holds bytes, not an image or audio file: use gencomp.decompress")
    return decode_media_file(source, header.media)[0]


def decode_media_file(source: BinaryIO, record: dict) -> tuple[bytes, int]:
    """(the file a media archive read from source rebuilds with its record, the stream's original bytes)."""
    decoded = io.BytesIO()
    original = decompress_stream(source, decoded, get_compressor)
    return rebuild_media_file(record, decoded.getvalue()), original
