"""Codecs that code one chunk at a time through a library (gzip, LZMA, brotli, …)."""

from __future__ import annotations

from abc import abstractmethod
from concurrent.futures import ThreadPoolExecutor

from gencomp.compressors.base import Compressor
from gencomp.errors import GencompError
from gencomp.jit import threads


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

    def chunk_code_length_bits(self, chunks):
        """8 × each chunk's payload bytes; on all cores where the library releases the GIL."""
        import numpy as np  # here, not above: coding alone never needs numpy, and it costs start-up

        if self.releases_gil and len(chunks) > 1:
            with ThreadPoolExecutor(threads()) as pool:
                payloads = list(pool.map(self.encode, chunks))
        else:
            payloads = [self.encode(c) for c in chunks]
        return np.array([8.0 * len(p) for p in payloads], dtype=np.float64)
