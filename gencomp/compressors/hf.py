"""A local Hugging Face causal LM as a compressor, coding its tokens (hf:MODEL_DIR).

A chunk is coded as tokens only if the tokenizer gives its bytes back exactly
(valid UTF-8 that survives encode/decode); a chunk longer than the model's context is
coded with a sliding window (gencomp.models.hf). Any other chunk, and any chunk the model
would expand, is stored as its bytes plus a zero byte, and `notes` says how many and why.
Payload of a coded chunk: the token count (LEB128) and the coder's bytes (which never end in
a zero byte).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from gencomp.archive.layout import decode_varint, encode_varint
from gencomp.coding import MAX_ALPHABET, StreamDecoder, encode
from gencomp.compressors.base import Compressor
from gencomp.compressors.lm import is_stored, store, unstore
from gencomp.compressors.registry import COMPRESSORS
from gencomp.errors import GencompError

PORTABILITY_NOTE = ("hf: archives decode only where this model's float32 results are reproduced "
                    "(same torch build and CPU kind); keep the original until a decode has been checked")


class HFCompressor(Compressor):
    default_chunk_size_bytes = 2048
    first_format_version = 2  # weights on the 1/256-nat grid

    def __init__(self, model_dir: str, chunk_size_bytes: Optional[int] = None):
        from gencomp.models.hf import HFPredictor

        super().__init__(chunk_size_bytes)
        self.predictor = HFPredictor(model_dir)
        if self.predictor.alphabet_size > MAX_ALPHABET:
            raise GencompError(f"{model_dir}: a vocabulary of {self.predictor.alphabet_size} tokens exceeds the "
                               f"coder's {MAX_ALPHABET}")
        self.name = f"hf:{model_dir}"

    def identity(self) -> dict:
        return {"model": self.predictor.identity()}

    def num_parameters(self) -> int:
        return self.predictor.num_parameters()

    def tokens(self, chunk: bytes) -> Optional[list[int]]:
        """The chunk's tokens if they decode back to exactly its bytes, else None."""
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            return None
        ids = self.predictor.tokenizer(text, add_special_tokens=False)["input_ids"]
        return ids if self._detokenize(ids) == chunk else None

    def _detokenize(self, ids: list[int]) -> bytes:
        text = self.predictor.tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)
        return text.encode("utf-8")

    portability_note = PORTABILITY_NOTE

    def _encode_one(self, chunk: bytes) -> tuple[bytes, float, str]:
        """(payload, bits it costs, why it was stored or ""): the coded tokens, or the stored chunk
        where the tokenizer does not give the bytes back or the model would expand them."""
        ids = self.tokens(chunk)
        if not ids:
            return store(chunk), 8.0 * (len(chunk) + 1), "not text the tokenizer gives back exactly"
        symbols = np.array(ids, dtype=np.int64)
        coded = encode(self.predictor.weights(symbols[None])[0], symbols, [len(ids)])
        header = encode_varint(len(ids))
        if len(header) + len(coded.blobs[0]) > len(chunk):
            return store(chunk), 8.0 * (len(chunk) + 1), "the model would expand them"
        return header + coded.blobs[0], float(coded.ideal_bits[0]) + 8.0 * len(header), ""

    def encode_chunks(self, chunks, progress=None):
        out, reasons = [], []
        for chunk in chunks:
            payload, _, why = self._encode_one(chunk)
            out.append(payload)
            reasons.append(why)
            if progress:
                progress(len(chunk))
        self.notes = [f"{reasons.count(why)} of {len(chunks)} chunks stored as they are: {why}"
                      for why in sorted(set(reasons) - {""})]
        return out

    def chunk_code_length_bits(self, chunks):
        return np.array([self._encode_one(c)[1] for c in chunks])

    def decode_chunks(self, payloads, lengths, progress=None):
        out = []
        for payload, length in zip(payloads, lengths):
            if is_stored(payload):
                out.append(unstore(payload))
            else:
                n_tokens, used = decode_varint(payload, "token count")
                if n_tokens > 4 * length + 16:
                    raise GencompError("archive corrupt: implausible token count")
                decoder = StreamDecoder([payload[used:]])
                state, previous, ids = self.predictor.start(1), None, []
                for _ in range(n_tokens):
                    previous = decoder.step(self.predictor.step(state, previous), np.array([0]))
                    ids.append(int(previous[0]))
                decoder.check()
                out.append(self._detokenize(ids))
            if progress:
                progress(length)
        return out


@COMPRESSORS.register("hf", "a local Hugging Face causal LM (hf:MODEL_DIR), token-level coding, 2048-byte chunks; "
                      "float32 inference: its archives decode only where the same floats are reproduced",
                      needs_argument=True)
def _hf_compressor(model_dir: str = "", chunk_size_bytes: Optional[int] = None) -> HFCompressor:
    if not model_dir:
        raise GencompError("name the model folder: -c hf:PATH/TO/MODEL")
    return HFCompressor(model_dir, chunk_size_bytes)
