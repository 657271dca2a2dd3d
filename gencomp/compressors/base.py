"""The Compressor protocol and the registry of codecs.

A compressor turns bytes into a self-describing .gcz archive and back. The data is
coded as one stream (chunk_size_bytes = 0) or as independent chunks of N bytes
(the paper's set-up: 2048). A codec implements only `encode_chunks` and
`decode_chunks`, batched so that model-based codecs can run chunks together.
"""

from __future__ import annotations

import io
import zlib
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional

import numpy as np

from gencomp.container import Archive
from gencomp.errors import GencompError
from gencomp.jit import threads
from gencomp.registry import Registry

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

    def for_identity(self, identity: dict) -> Optional["Compressor"]:
        """This codec as an earlier version of it whose identity was `identity`, to decode its archives;
        None when there is none (then the archive cannot be read here)."""
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
        return np.array([8.0 * len(p) for p in self.encode_chunks(chunks)], dtype=np.float64)

    def next_byte_code_lengths_bits(self, context: bytes, candidates: Optional[np.ndarray] = None) -> np.ndarray:
        """(N,) float64: bits that context + bytes([x]), coded as one stream, costs for each candidate
        byte x (default: all 256, in order).

        As exact as the codec allows; by default 8 × payload bytes (so most candidates tie)."""
        return payload_bits_per_candidate(self, context, candidates)

    def continuation_code_lengths_bits(self, context: bytes, suffixes: list[bytes]) -> np.ndarray:
        """(N,) float64: bits that context + s, coded as one stream, costs for each byte string s;
        as exact as next_byte_code_lengths_bits."""
        return payload_bits_of(self, [context + s for s in suffixes])

    # --- shared ----------------------------------------------------------------------
    def split(self, data: bytes) -> list[bytes]:
        """The independent chunks `data` is coded in (none for empty data)."""
        size = self.chunk_size_bytes or max(1, len(data))
        return [data[i : i + size] for i in range(0, len(data), size)]

    def compress(self, data: bytes, progress: Progress = None) -> bytes:
        """The archive of `data` (format 3, framed: gencomp.compressors.frames)."""
        from gencomp.compressors.frames import compress_stream

        sink = io.BytesIO()
        compress_stream(self, io.BytesIO(bytes(data)), sink, progress)
        return sink.getvalue()

    def decompress(self, blob: bytes, progress: Progress = None) -> bytes:
        """The original of an archive made with this codec (GencompError for any other archive)."""
        from gencomp.compressors.frames import decompress_stream

        sink = io.BytesIO()
        decompress_stream(io.BytesIO(blob), sink, progress, compressor=self)
        return sink.getvalue()

    def code_length_bits(self, data: bytes) -> float:
        """Bits the data costs in this codec's payloads (no archive header), chunked as configured."""
        chunks = self.split(bytes(data))
        return float(self.chunk_code_length_bits(chunks).sum()) if chunks else 0.0


def payload_bits_per_candidate(compressor: Compressor, context: bytes,
                               candidates: Optional[np.ndarray] = None) -> np.ndarray:
    """(N,) float64: 8 × payload bytes of context + bytes([x]) as one stream, for each candidate byte x
    (default: all 256).

    Classic codecs release the GIL while they compress, so the candidates run on all cores."""
    texts = [context + bytes([x]) for x in (range(256) if candidates is None else np.asarray(candidates).tolist())]
    return payload_bits_of(compressor, texts)


def payload_bits_of(compressor: Compressor, texts: list[bytes]) -> np.ndarray:
    """(N,) float64: 8 × payload bytes of each text as one stream (model codecs: their code length)."""
    if not isinstance(compressor, ChunkwiseCodec):
        return compressor.chunk_code_length_bits(texts)
    if compressor.releases_gil:
        with ThreadPoolExecutor(threads()) as pool:
            payloads = list(pool.map(compressor.encode, texts))
    else:
        payloads = [compressor.encode(t) for t in texts]
    return np.array([8.0 * len(p) for p in payloads], dtype=np.float64)


RELEASE_OF_FORMAT = {1: "0.1.0", 2: "0.2.0", 3: "0.2.0"}  # the last release that wrote each older format


def check_format_version(compressor: Compressor, version: int, codec: str) -> None:
    """GencompError naming the release that reads an archive of this format version, if this codec no longer does."""
    if version < compressor.first_format_version:
        release = RELEASE_OF_FORMAT[version]
        raise GencompError(
            f"archive format {version} ({codec}) comes from gencomp {release[:3]}, whose {codec} payloads this version "
            f"no longer decodes (its model changed). Decode it with gencomp {release} (pip install gencomp=={release})")


def chunk_lengths(total_bytes: int, chunk_size_bytes: int, n_chunks: int) -> list[int]:
    """Original length of each of n_chunks chunks of chunk_size_bytes covering total_bytes (the last shorter)."""
    return [min(chunk_size_bytes, total_bytes - i * chunk_size_bytes) for i in range(n_chunks)]


def decode_archive(compressor: Compressor, archive: Archive, progress: Progress = None) -> bytes:
    """The original of a format 1 or 2 archive (one header for the whole archive)."""
    size = archive.chunk_size_bytes or archive.original_length
    n = len(archive.payloads)
    if size == 0 and n or size and n != -(-archive.original_length // size):
        raise GencompError("archive corrupt: chunk count does not match the original length")
    chunks = compressor.decode_chunks(archive.payloads, chunk_lengths(archive.original_length, size, n), progress) if n else []
    data = b"".join(chunks)
    if len(data) != archive.original_length or zlib.crc32(data) != archive.crc32:
        raise GencompError("archive corrupt: decoded data fails its CRC32 check (corrupt archive, or a decoder mismatch)")
    return data


COMPRESSORS: Registry[Compressor] = Registry("codec")


def get_compressor(spec: str, chunk_size_bytes: Optional[int] = None) -> Compressor:
    """The compressor named `spec` ("gzip", "lm:tiny", …), chunked as asked or as its default."""
    return COMPRESSORS.create(spec, chunk_size_bytes=chunk_size_bytes)


def decompress(blob: bytes, progress: Progress = None) -> bytes:
    """Decode any gencomp archive, building the codec its header names."""
    from gencomp.compressors.frames import decompress_stream

    sink = io.BytesIO()
    decompress_stream(io.BytesIO(blob), sink, progress)
    return sink.getvalue()


class ChunkwiseCodec(Compressor):
    """A codec that handles one chunk at a time (the classic compressors).

    `decode` gets the expected length and must not produce more than length + 1
    bytes (so a corrupt payload cannot expand without bound); the exceptions in
    `errors` are its library's ways of saying a payload is corrupt.
    """

    errors: tuple[type[Exception], ...] = ()
    releases_gil = True  # encode() runs its library without the GIL, so threads speed it up

    @abstractmethod
    def encode(self, chunk: bytes) -> bytes: ...

    @abstractmethod
    def decode(self, payload: bytes, length: int) -> bytes: ...

    def encode_chunks(self, chunks, progress=None):
        out = []
        for chunk in chunks:
            out.append(self.encode(chunk))
            if progress:
                progress(len(chunk))
        return out

    def decode_chunks(self, payloads, lengths, progress=None):
        out = []
        for payload, length in zip(payloads, lengths):
            try:
                chunk = self.decode(payload, length)
            except self.errors as exc:
                raise GencompError(f"archive corrupt: a {self.name} chunk does not decode ({exc})") from None
            if len(chunk) != length:
                raise GencompError(f"archive corrupt: a {self.name} chunk decoded to {len(chunk)} bytes, expected {length}")
            out.append(chunk)
            if progress:
                progress(length)
        return out
