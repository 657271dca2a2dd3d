"""Raw and adjusted compression rates of codecs on byte streams, as rows of JSON.

raw rate = compressed / raw; adjusted rate = (compressed + parameters × bytes per
parameter) / raw, the model's size counted as the paper counts it. Over a dataset of D
bytes coded at the measured raw rate r: adjusted = r + parameters × bytes per parameter / D.
"""

from __future__ import annotations

import time
from typing import Callable, Optional

from gencomp.compressors import Compressor

BYTES_PER_PARAMETER = 2  # each parameter stored as a 16-bit float, as in the paper's adjusted rates


def adjusted_rate(row: dict, dataset_bytes: Optional[int] = None, bytes_per_parameter: float = BYTES_PER_PARAMETER) -> float:
    """(compressed + model size) / raw for a dataset of dataset_bytes (default: the row's own raw bytes)
    coded at the row's raw rate."""
    size = dataset_bytes or row["raw_bytes"]
    return row["rate"] + row["parameters"] * bytes_per_parameter / size if size else 0.0


def rate_row(codec: str, compressor: Compressor, modality: str, data: bytes,
             progress: Optional[Callable[[int], None]] = None) -> dict:
    """One measurement: payload bytes of `data` coded in the compressor's chunks, and seconds.

    compressed_bytes counts the codec's payloads only (no archive header), as the
    paper counts each codec's output.
    """
    start = time.perf_counter()
    payloads = compressor.encode_chunks(compressor.split(data), progress)
    return measured_row(codec, compressor, modality, len(data), sum(map(len, payloads)), time.perf_counter() - start)


def measured_row(codec: str, compressor: Compressor, modality: str, raw_bytes: int, compressed_bytes: int,
                 seconds: float) -> dict:
    """The row of one measurement already made (compressed_bytes: payloads only)."""
    return {
        "codec": codec,
        "modality": modality,
        "chunk_size_bytes": compressor.chunk_size_bytes,
        "raw_bytes": raw_bytes,
        "compressed_bytes": compressed_bytes,
        "rate": compressed_bytes / raw_bytes if raw_bytes else 0.0,
        "parameters": compressor.num_parameters(),
        "seconds": seconds,
    }
