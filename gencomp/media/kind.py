"""What a media kind is (MediaKind), and the stream a media codec codes (MediaStream)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from gencomp.errors import GencompError


@dataclass
class MediaStream:
    """data: the bytes the codec `spec` codes (chunks of chunk_size_bytes, 0: one stream); record:
    what rebuilds the file from data (JSON-able; "kind" names its MediaKind); byte_exact: the rebuilt
    file equals the original byte for byte; dropped: what the rebuilt file will lack (for a note)."""

    spec: str
    chunk_size_bytes: int
    data: bytes
    record: dict
    byte_exact: bool
    dropped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MediaKind:
    """A kind of media file that gencomp codes as its pixels or samples.

    name: the kind (its archives' records say it); codec: the codec family whose name selects it on
    the command line (`-c image` reads any kind whose codec is "image"); unit and noun: what its stream
    holds and what a file of it is, for messages ("pixels", "an image"); read(blob, file name): its
    MediaStream (whose spec names the codec that codes it), or None when the bytes are not a file of
    this kind; rebuild(record, data): the file again; paper_stream(path): the file as the paper's
    benchmarks code it (a Table 1 modality; None: not one); paper_alignment: that stream is cut to
    whole multiples of this many bytes."""

    name: str
    codec: str
    unit: str
    noun: str
    read: Callable[[bytes, str], Optional[MediaStream]]
    rebuild: Callable[[dict, bytes], bytes]
    paper_stream: Optional[Callable[[Path], bytes]] = None
    paper_alignment: int = 1


def to_text(blob: bytes) -> str:
    """Bytes as base64 text, for a record."""
    return base64.b64encode(blob).decode("ascii")


def from_text(text: str) -> bytes:
    """Inverse of to_text."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise GencompError("archive corrupt: unreadable media record") from None
