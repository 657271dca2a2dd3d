"""bzip2 (Burrows–Wheeler), level 9."""

import bz2

from gencomp.compressors.chunkwise import ChunkwiseCodec
from gencomp.compressors.registry import COMPRESSORS


@COMPRESSORS.register("bz2", "bzip2 level 9")
class Bz2(ChunkwiseCodec):
    name = "bz2"
    errors = (OSError, ValueError, EOFError)

    def encode(self, chunk: bytes) -> bytes:
        return bz2.compress(chunk, 9)

    def decode(self, payload: bytes, length: int) -> bytes:
        return bz2.BZ2Decompressor().decompress(payload, length + 1)
