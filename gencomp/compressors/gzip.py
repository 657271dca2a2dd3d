"""gzip's DEFLATE at level 9. The archive already holds lengths and a CRC32, so the
payload is raw DEFLATE, without gzip's 18-byte header and trailer."""

import zlib

from gencomp.compressors.chunkwise import ChunkwiseCodec
from gencomp.compressors.deflate_window import MAX_CONTEXT_BYTES
from gencomp.compressors.registry import COMPRESSORS


@COMPRESSORS.register("gzip", "DEFLATE level 9 (gzip's algorithm, raw stream)")
class Gzip(ChunkwiseCodec):
    name = "gzip"
    lz_family = True
    sampling_temperature = 2.0
    max_scoring_context_bytes = MAX_CONTEXT_BYTES
    generation_context_bytes = MAX_CONTEXT_BYTES  # DeflateBits compresses the context once per event
    errors = (zlib.error,)

    def encode(self, chunk: bytes) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
        return packer.compress(chunk) + packer.flush()

    def decode(self, payload: bytes, length: int) -> bytes:
        unpacker = zlib.decompressobj(-15)
        return unpacker.decompress(payload, length + 1)

    def next_byte_code_lengths_bits(self, context, candidates=None):
        """Exact bits through the system libz (see gencomp.compressors.deflate_bits)."""
        from gencomp.compressors.deflate_bits import DeflateBits

        return DeflateBits()(context, candidates).astype("float64")

    def continuation_code_lengths_bits(self, context, suffixes):
        """Exact bits through the system libz, as next_byte_code_lengths_bits."""
        from gencomp.compressors.deflate_bits import DeflateBits

        return DeflateBits().continuations(context, suffixes).astype("float64")
