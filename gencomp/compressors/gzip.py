"""gzip's DEFLATE at level 9. The archive already holds lengths and a CRC32, so the
payload is raw DEFLATE, without gzip's 18-byte header and trailer."""

import zlib

from gencomp.compressors.base import COMPRESSORS, ChunkwiseCodec


@COMPRESSORS.register("gzip", "DEFLATE level 9 (gzip's algorithm, raw stream)")
class Gzip(ChunkwiseCodec):
    name = "gzip"
    errors = (zlib.error,)

    def encode(self, chunk: bytes) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
        return packer.compress(chunk) + packer.flush()

    def decode(self, payload: bytes, length: int) -> bytes:
        unpacker = zlib.decompressobj(-15)
        return unpacker.decompress(payload, length + 1)
