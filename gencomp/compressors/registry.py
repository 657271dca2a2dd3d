"""The codecs by name: every codec module registers its factory here (gencomp.compressors imports them all)."""

from __future__ import annotations

import io
from typing import Optional

from gencomp.archive.stream import decompress_stream
from gencomp.compressors.base import Compressor, Progress
from gencomp.registry import Registry

COMPRESSORS: Registry[Compressor] = Registry("codec")


def get_compressor(spec: str, chunk_size_bytes: Optional[int] = None) -> Compressor:
    """The compressor named `spec` ("gzip", "lm:tiny", …), chunked as asked or as its default."""
    return COMPRESSORS.create(spec, chunk_size_bytes=chunk_size_bytes)


def decompress(blob: bytes, progress: Progress = None) -> bytes:
    """Decode any gencomp archive, building the codec its header names."""
    sink = io.BytesIO()
    decompress_stream(io.BytesIO(blob), sink, get_compressor, progress)
    return sink.getvalue()
