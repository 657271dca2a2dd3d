"""The Compressor protocol.

A compressor turns bytes into a self-describing .gcz archive and back (gencomp.archive). The data
is coded as one stream (chunk_size_bytes = 0) or as independent chunks of N bytes (the paper's
set-up: 2048). A codec implements only `encode_chunks` and `decode_chunks`, batched so that
model-based codecs can run chunks together.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Callable, Optional

from gencomp.archive.stream import compress_stream, decompress_stream
from gencomp.errors import GencompError

if TYPE_CHECKING:
    import numpy as np

Progress = Optional[Callable[[int], None]]  # called with the number of bytes just finished


class Compressor(ABC):
    """bytes -> archive bytes -> the same bytes.

    name: the registry spec that rebuilds this compressor ("gzip", "lm:tiny").
    default_chunk_size_bytes: the codec's natural chunking (0: one stream).
    """

    name: str = ""
    default_chunk_size_bytes: int = 0
    first_format_version: int = 1  # the oldest container version whose payloads this codec decodes
    portability_note: str = ""  # non-empty: where its archives may fail to decode (said at compress time)
    lz_family: bool = False  # codes repeats as copies (LZ77): generation scores multi-byte continuations
    max_scoring_context_bytes: Optional[int] = None  # longest context + continuation it can score (None: any)
    # bytes of dictionary, prompt and output that generation scores each candidate on by default: 2 KB,
    # since a classic codec recompresses them for every candidate (gzip scores incrementally: its window)
    generation_context_bytes: int = 2048
    # the temperature its text samples read best at, text generation's default for it: the lowest bits/byte
    # under the judge among 0.7, 1, 1.5 and 2 where its samples do not loop (benchmarks/generation.py;
    # 1 where not measured)
    sampling_temperature: float = 1.0
    # chunks a frame holds at least, however large they are: a codec that codes a frame's chunks in
    # parallel wants several (a constant, so that archives do not depend on the machine's cores)
    min_frame_chunks: int = 1

    def __init__(self, chunk_size_bytes: Optional[int] = None):
        self.notes: list[str] = []  # what the last compress did that the user should hear of (chunks stored, why)
        self.chunk_size_bytes = self.default_chunk_size_bytes if chunk_size_bytes is None else int(chunk_size_bytes)
        if self.chunk_size_bytes < 0:
            raise GencompError(f"chunk size must be >= 0 bytes (0: one stream), got {chunk_size_bytes}")

    # --- what a codec implements -------------------------------------------------
    @abstractmethod
    def encode_chunks(self, chunks: list[bytes], progress: Progress = None) -> list[bytes]:
        """One payload per chunk, each decodable on its own."""

    @abstractmethod
    def decode_chunks(self, payloads: list[bytes], lengths: list[int], progress: Progress = None) -> list[bytes]:
        """Inverse of encode_chunks given each chunk's original length in bytes."""

    def identity(self) -> dict:
        """What a decoder must match to read this codec's payloads (parameters, model hash)."""
        return {}

    def earlier(self, settings: dict) -> Optional["Compressor"]:
        """This codec with the settings an earlier release used (gencomp.archive.legacy.EARLIER_MODELS
        names them), to decode that release's archives; None when it has no such settings."""
        return None

    def num_parameters(self) -> int:
        """Model parameters a decoder must hold (0 for classic codecs and online models)."""
        return 0

    @property
    def byte_predictor(self):
        """The Predictor over bytes whose distributions this codec codes, or None (classic codecs;
        token models): what sampling and per-position analysis use directly."""
        return None

    def chunk_code_length_bits(self, chunks: list[bytes]) -> np.ndarray:
        """(len(chunks),) float64 bits each chunk costs: 8 × payload bytes unless the codec knows better."""
        import numpy as np  # here, not above: coding alone never needs numpy, and it costs start-up

        return np.array([8.0 * len(p) for p in self.encode_chunks(chunks)], dtype=np.float64)

    def next_byte_code_lengths_bits(self, context: bytes, candidates: Optional[np.ndarray] = None) -> np.ndarray:
        """(N,) float64: bits that context + bytes([x]), coded as one stream, costs for each candidate
        byte x (default: all 256, in order).

        As exact as the codec allows; by default 8 × payload bytes (so most candidates tie)."""
        return self.chunk_code_length_bits(candidate_texts(context, candidates))

    def continuation_code_lengths_bits(self, context: bytes, suffixes: list[bytes]) -> np.ndarray:
        """(N,) float64: bits that context + s, coded as one stream, costs for each byte string s;
        as exact as next_byte_code_lengths_bits."""
        return self.chunk_code_length_bits([context + s for s in suffixes])

    # --- shared ----------------------------------------------------------------------
    def split(self, data: bytes) -> list[bytes]:
        """The independent chunks `data` is coded in (none for empty data)."""
        size = self.chunk_size_bytes or max(1, len(data))
        return [data[i : i + size] for i in range(0, len(data), size)]

    def compress(self, data: bytes, progress: Progress = None) -> bytes:
        """The archive of `data` (framed: gencomp.archive)."""
        sink = io.BytesIO()
        compress_stream(self, io.BytesIO(bytes(data)), sink, progress)
        return sink.getvalue()

    def decompress(self, blob: bytes, progress: Progress = None) -> bytes:
        """The original of an archive made with this codec (GencompError for any other archive)."""
        sink = io.BytesIO()
        decompress_stream(io.BytesIO(blob), sink, lambda spec, chunk_size_bytes: self, progress)
        return sink.getvalue()

    def code_length_bits(self, data: bytes) -> float:
        """Bits the data costs in this codec's payloads (no archive header), chunked as configured."""
        chunks = self.split(bytes(data))
        return float(self.chunk_code_length_bits(chunks).sum()) if chunks else 0.0


def candidate_texts(context: bytes, candidates: Optional[np.ndarray] = None) -> list[bytes]:
    """context + bytes([x]) for each candidate byte x (default: all 256, in order)."""
    return [context + bytes([x]) for x in (range(256) if candidates is None else list(map(int, candidates)))]
