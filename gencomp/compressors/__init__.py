"""Codecs by name. Importing this package registers every built-in codec."""

from gencomp.compressors import brotli, bz2, cm, flac, gzip, hf, lm, lzma, png, zstd  # noqa: F401  (registration)
from gencomp.compressors.base import COMPRESSORS, Compressor, ChunkwiseCodec, decompress, get_compressor

__all__ = ["COMPRESSORS", "Compressor", "ChunkwiseCodec", "decompress", "get_compressor"]
