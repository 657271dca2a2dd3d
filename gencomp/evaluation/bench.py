"""Raw compression rates (compressed / raw) of codecs on byte streams, as rows of JSON."""

from __future__ import annotations

import time
from typing import Callable, Optional

from gencomp.compressors import Compressor


def rate_row(codec: str, compressor: Compressor, modality: str, data: bytes,
             progress: Optional[Callable[[int], None]] = None) -> dict:
    """One measurement: payload bytes of `data` coded in the compressor's chunks, and seconds.

    compressed_bytes counts the codec's payloads only (no archive header), as the
    paper counts each codec's output.
    """
    start = time.perf_counter()
    payloads = compressor.encode_chunks(compressor.split(data), progress)
    seconds = time.perf_counter() - start
    compressed = sum(map(len, payloads))
    return {
        "codec": codec,
        "modality": modality,
        "chunk_size_bytes": compressor.chunk_size_bytes,
        "raw_bytes": len(data),
        "compressed_bytes": compressed,
        "rate": compressed / len(data) if data else 0.0,
        "seconds": seconds,
    }

