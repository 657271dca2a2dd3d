"""Zstandard at level 22 (--ultra), without content size or checksum in the frame
(the archive holds both)."""

import zstandard

from gencomp.compressors.chunkwise import ChunkwiseCodec
from gencomp.compressors.registry import COMPRESSORS


@COMPRESSORS.register("zstd", "Zstandard level 22")
class Zstd(ChunkwiseCodec):
    name = "zstd"
    lz_family = True
    sampling_temperature = 2.0
    errors = (zstandard.ZstdError,)

    def encode(self, chunk: bytes) -> bytes:
        packer = zstandard.ZstdCompressor(level=22, write_content_size=False, write_checksum=False)
        return packer.compress(chunk)

    def decode(self, payload: bytes, length: int) -> bytes:
        return zstandard.ZstdDecompressor().decompress(payload, max_output_size=length + 1)
