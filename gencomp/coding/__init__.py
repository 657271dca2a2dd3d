"""Entropy coding: one range coder, driven by any sequence of pmfs."""

from gencomp.coding.range_coder import (
    MAX_ALPHABET,
    PRECISION_BITS,
    TOTAL,
    EncodedStreams,
    StreamDecoder,
    StreamEncoder,
    decode,
    encode,
    weights_to_frequencies,
)

__all__ = [
    "MAX_ALPHABET", "PRECISION_BITS", "TOTAL", "EncodedStreams", "StreamDecoder", "StreamEncoder",
    "decode", "encode", "weights_to_frequencies",
]
