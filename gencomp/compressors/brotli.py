"""Brotli at quality 11 (its best), default window."""

import brotli

from gencomp.compressors.chunkwise import ChunkwiseCodec
from gencomp.compressors.registry import COMPRESSORS


@COMPRESSORS.register("brotli", "Brotli quality 11")
class Brotli(ChunkwiseCodec):
    name = "brotli"
    lz_family = True
    errors = (brotli.error,)

    def encode(self, chunk: bytes) -> bytes:
        return brotli.compress(chunk, quality=11)

    def decode(self, payload: bytes, length: int) -> bytes:
        unpacker = brotli.Decompressor()
        out = unpacker.process(payload, output_buffer_limit=length + 1)
        return out
