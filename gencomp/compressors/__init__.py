"""Codecs by name (COMPRESSORS, get_compressor). A codec's module is imported when its name is first
used; gencomp.compressors.registry.CODEC_MODULES lists them."""

from gencomp.compressors.base import Compressor
from gencomp.compressors.chunkwise import ChunkwiseCodec
from gencomp.compressors.registry import COMPRESSORS, compress, decompress, get_compressor

__all__ = ["COMPRESSORS", "Compressor", "ChunkwiseCodec", "compress", "decompress", "get_compressor"]
