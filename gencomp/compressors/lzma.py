"""LZMA2 as in xz, preset 9 extreme. Raw LZMA2 stream: the archive holds lengths and
a CRC32, so xz's container (about 60 bytes a stream) is left out.

The dictionary is sized to the chunk (at most preset 9's 64 MiB): the same matches
are found, without allocating 64 MiB for every 2 KB chunk."""

import lzma

from gencomp.compressors.chunkwise import ChunkwiseCodec
from gencomp.compressors.registry import COMPRESSORS

_MAX_DICT = 64 << 20


def _filters(length: int) -> list[dict]:
    dict_size = min(_MAX_DICT, max(4096, 1 << max(0, length - 1).bit_length()))
    return [{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME, "dict_size": dict_size}]


@COMPRESSORS.register("lzma", "LZMA2 preset 9e (xz's algorithm, raw stream)")
class Lzma(ChunkwiseCodec):
    name = "lzma"
    lz_family = True
    sampling_temperature = 2.0
    errors = (lzma.LZMAError,)

    def encode(self, chunk: bytes) -> bytes:
        return lzma.compress(chunk, format=lzma.FORMAT_RAW, filters=_filters(len(chunk)))

    def decode(self, payload: bytes, length: int) -> bytes:
        return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=_filters(length)).decompress(payload, length + 1)
