"""A Predictor drives the range coder: the paper's predictor -> compressor direction.

Each chunk is coded independently from an empty context; chunks are batched through
the model. The encoder runs the model once over whole chunks (`weights`); the
decoder runs it step by step (`step`) and must see the same distributions exactly,
which each Predictor guarantees. The model's integer weights go to the coder as they are:
no float step lies between them (gencomp.coding.exact). Should decoding ever diverge, the
archive's CRC32 check reports it.

A chunk the model codes to more bytes than it has (an image through a text model) is
stored instead, as its bytes plus one zero byte: coded payloads never end in a zero
byte (the coder drops trailing zeros), so the last byte tells the two apart.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Optional

import numpy as np

from gencomp.coding import StreamDecoder, StreamEncoder
from gencomp.compressors.base import Compressor, Progress
from gencomp.compressors.registry import COMPRESSORS
from gencomp.jit import threads
from gencomp.models.predictor import Predictor
from gencomp.models.zoo import DEFAULT_MODEL


class LMCompressor(Compressor):
    """Arithmetic coding with a Predictor over bytes.

    Encoding runs the model's full pass over `encode_batch_chunks` chunks at a time (the
    transformer splits them across cores; their (B, T, 256) int64 weights take 4 MB a chunk).
    Decoding steps `batch_chunks` chunks in lockstep, a group per core at once. Two is the fastest
    (benchmarks/lm_speed.py --group-sizes: lm:tiny 85 / 95 / 82 / 67 KB/s at 1 / 2 / 4 / 8): the linear
    layers share each weight read between two rows, while a step reads every row's keys and values,
    and with more rows they spill out of the core's L2 cache."""

    encode_batch_chunks = 8
    sampling_temperature = 0.8  # samples as likely as real text under the judge (text_completions_t08.md: 0.94×)
    default_chunk_size_bytes = 2048
    first_format_version = 2  # the integer-exact path

    def __init__(self, predictor: Predictor, name: str, chunk_size_bytes: Optional[int] = None, batch_chunks: int = 2):
        super().__init__(chunk_size_bytes)
        if predictor.alphabet_size != 256:
            raise ValueError("LMCompressor codes bytes: the predictor's alphabet must have 256 symbols")
        self.predictor, self.name, self.batch_chunks = predictor, name, batch_chunks

    def identity(self) -> dict:
        return {"model": self.predictor.identity()}

    def num_parameters(self) -> int:
        return self.predictor.num_parameters()

    @property
    def byte_predictor(self) -> Predictor:
        return self.predictor

    @staticmethod
    def _groups(n: int, size: int):
        return [slice(i, min(n, i + size)) for i in range(0, n, size)]

    def _encode(self, chunks: list[bytes], progress: Progress):
        blobs, bits = [], []
        for group in self._groups(len(chunks), self.encode_batch_chunks):
            batch = chunks[group]
            lengths = np.array([len(c) for c in batch])
            symbols = np.zeros((len(batch), lengths.max()), np.int64)  # (B, T), zero-padded
            for row, chunk in enumerate(batch):
                symbols[row, : len(chunk)] = np.frombuffer(chunk, np.uint8)
            valid = np.arange(symbols.shape[1])[None, :] < lengths[:, None]  # (B, T)
            weights = self.predictor.weights(symbols)  # (B, T, V)
            encoder = StreamEncoder(len(batch))
            encoder.encode(weights[valid], symbols[valid], lengths)
            encoded = encoder.finish()
            blobs += [store(c) if len(b) > len(c) else b for c, b in zip(batch, encoded.blobs)]
            bits += [min(i, 8.0 * (len(c) + 1)) for c, i in zip(batch, encoded.ideal_bits)]
            if progress:
                progress(int(lengths.sum()))
        return blobs, np.array(bits, dtype=np.float64)

    def encode_chunks(self, chunks, progress=None):
        blobs = self._encode(chunks, progress)[0]
        stored = sum(is_stored(b) for b in blobs)
        self.notes = [f"{stored} of {len(blobs)} chunks stored as they are: the model would expand them"] if stored else []
        return blobs

    def chunk_code_length_bits(self, chunks):
        """Σ −log2 p over each chunk with the coder's quantized probabilities (or 8 × the stored size,
        where the chunk is stored)."""
        return self._encode(chunks, None)[1]

    def _decode_group(self, payloads: list[bytes], lengths: np.ndarray) -> np.ndarray:
        """Decode coded chunks in lockstep: (len(payloads), max length) int64 symbols."""
        decoder = StreamDecoder(payloads)
        symbols = self.predictor.decode_streams(decoder, lengths)
        decoder.check()
        return symbols

    def decode_chunks(self, payloads, lengths, progress=None):
        """Groups of at most batch_chunks chunks step in lockstep, at least one group a core, and the
        groups run on all cores at once (the transformer's compiled loop releases the GIL)."""
        out = [unstore(p) if is_stored(p) else None for p in payloads]
        coded = [i for i, p in enumerate(out) if p is None]
        cores = threads()
        group_size = max(1, min(self.batch_chunks, -(-len(coded) // cores)))
        groups = [coded[g] for g in self._groups(len(coded), group_size)]

        def decode(rows):
            return rows, self._decode_group([payloads[i] for i in rows], np.array([lengths[i] for i in rows]))

        with ThreadPoolExecutor(cores) as pool:
            for rows, symbols in pool.map(decode, groups):
                for row, i in enumerate(rows):
                    out[i] = symbols[row, : lengths[i]].astype(np.uint8).tobytes()
                if progress:
                    progress(int(sum(lengths[i] for i in rows)))
        if progress:
            progress(sum(len(p) - 1 for p in payloads if is_stored(p)))
        return out


# chunks a GPU decodes in lockstep (a step costs its kernel launches more than its rows; the KV cache takes
# ~10 MB a row for small-v3) and encodes at once (their weights come back to the range coder: 4 MB a chunk)
DEVICE_DECODE_CHUNKS, DEVICE_ENCODE_CHUNKS = 512, 64


def store(chunk: bytes) -> bytes:
    """A chunk kept as it is: its bytes and one zero byte."""
    return chunk + b"\0"


def is_stored(payload: bytes) -> bool:
    return payload[-1:] == b"\0"


def unstore(payload: bytes) -> bytes:
    return payload[:-1]


@COMPRESSORS.register("lm", f"byte transformer + arithmetic coding, 2048-byte chunks (lm:NAME or lm:PATH; default lm:{DEFAULT_MODEL})")
def _lm_compressor(model: str = DEFAULT_MODEL, chunk_size_bytes: Optional[int] = None) -> LMCompressor:
    """On the CPU the compiled exact kernel; on a GPU (model_device) its torch form, the same archives,
    with many more chunks a batch than a CPU core takes."""
    from gencomp.models.zoo import load_byte_transformer, model_device

    exact = load_byte_transformer(model)
    if model_device() == "cpu":
        return LMCompressor(exact, f"lm:{model}", chunk_size_bytes)
    from gencomp.models.exact_torch import TorchExactTransformer

    compressor = LMCompressor(TorchExactTransformer(exact, model_device()), f"lm:{model}", chunk_size_bytes,
                              batch_chunks=DEVICE_DECODE_CHUNKS)
    compressor.encode_batch_chunks = DEVICE_ENCODE_CHUNKS
    return compressor
