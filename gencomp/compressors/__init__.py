"""Codecs by name. Importing this package registers every built-in codec: a new codec is one module
that registers itself (COMPRESSORS.register) and one name in the import line below."""

from gencomp.compressors import brotli, bz2, cm, flac, gzip, hf, lm, lzma, png, zstd  # noqa: F401  (registration)
from gencomp.compressors.base import Compressor
from gencomp.compressors.chunkwise import ChunkwiseCodec
from gencomp.compressors.registry import COMPRESSORS, decompress, get_compressor

__all__ = ["COMPRESSORS", "Compressor", "ChunkwiseCodec", "decompress", "get_compressor"]
