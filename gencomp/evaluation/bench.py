"""Raw compression rates (compressed / raw) of codecs on byte streams, as rows of JSON."""

from __future__ import annotations

import time
from typing import Callable, Iterable, Optional

from gencomp.compressors import get_compressor


def rate_row(codec: str, modality: str, data: bytes, chunk_size_bytes: int,
             progress: Optional[Callable[[int], None]] = None) -> dict:
    """One measurement: payload bytes of `data` coded in chunks (0: one stream), and seconds.

    compressed_bytes counts the codec's payloads only (no archive header), as the
    paper counts each codec's output.
    """
    compressor = get_compressor(codec, chunk_size_bytes)
    start = time.perf_counter()
    payloads = compressor.encode_chunks(compressor.split(data), progress)
    seconds = time.perf_counter() - start
    compressed = sum(map(len, payloads))
    return {
        "codec": codec,
        "modality": modality,
        "chunk_size_bytes": chunk_size_bytes,
        "raw_bytes": len(data),
        "compressed_bytes": compressed,
        "rate": compressed / len(data) if data else 0.0,
        "seconds": seconds,
    }


def run_bench(codecs: Iterable[str], datasets: dict[str, bytes], chunk_size_bytes: int,
              progress: Optional[Callable[[int], None]] = None) -> list[dict]:
    """A row per (codec, modality)."""
    return [rate_row(c, m, d, chunk_size_bytes, progress) for c in codecs for m, d in datasets.items()]
