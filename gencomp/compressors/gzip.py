"""gzip's DEFLATE at level 9. The archive already holds lengths and a CRC32, so the
payload is raw DEFLATE, without gzip's 18-byte header and trailer."""

import zlib

import numpy as np

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

    def next_byte_code_lengths_bits(self, context, candidates=None):
        """Exact bits through the system libz (see gencomp.sampling.deflate_bits)."""
        from gencomp.sampling.deflate_bits import DeflateBits

        return DeflateBits()(context, candidates).astype(np.float64)
