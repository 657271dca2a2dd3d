"""The codecs by name. Each codec's module registers its factory (COMPRESSORS.register); CODEC_MODULES
names that module, so that it is imported only when its codec is first used: a new codec is one
module and one line here."""

from __future__ import annotations

import io
from typing import Optional

from gencomp.archive.stream import decompress_stream
from gencomp.compressors.base import Compressor, Progress
from gencomp.registry import Registry

CODEC_MODULES = {  # codec name -> the module that registers it
    "brotli": "gencomp.compressors.brotli",
    "bz2": "gencomp.compressors.bz2",
    "cm": "gencomp.compressors.cm",
    "mix": "gencomp.compressors.cm",
    "image": "gencomp.compressors.cm",
    "audio": "gencomp.compressors.cm",
    "flac": "gencomp.compressors.flac",
    "gzip": "gencomp.compressors.gzip",
    "hf": "gencomp.compressors.hf",
    "lm": "gencomp.compressors.lm",
    "lzma": "gencomp.compressors.lzma",
    "png": "gencomp.compressors.png",
    "zstd": "gencomp.compressors.zstd",
}
COMPRESSORS: Registry[Compressor] = Registry("codec", CODEC_MODULES)
# what gencomp compresses with unless told otherwise (the command line, compress, open): it learns the file and
# beats xz, zstd and zpaq on every file of benchmarks/results/adaptive.md at ~300 KB/s
DEFAULT_CODEC = "cm"


def get_compressor(spec: str, chunk_size_bytes: Optional[int] = None) -> Compressor:
    """The compressor named `spec` ("gzip", "lm:tiny", …), chunked as asked or as its default."""
    return COMPRESSORS.create(spec, chunk_size_bytes=chunk_size_bytes)


def compress(data: bytes, codec: str = DEFAULT_CODEC, progress: Progress = None) -> bytes:
    """The archive of data made with the codec named `codec`."""
    return get_compressor(codec).compress(data, progress)


def decompress(blob: bytes, progress: Progress = None) -> bytes:
    """Decode any gencomp archive, building the codec its header names."""
    sink = io.BytesIO()
    decompress_stream(io.BytesIO(blob), sink, get_compressor, progress)
    return sink.getvalue()
