"""The context-mixing codecs: `cm` (gencomp.models.context_mixing alone) and `mix:NAME` (the same model
with a byte transformer's distribution as one more input, its weight learned online).

By default a whole input is one stream (frames of 8 MiB, gencomp.archive.stream): the model
learns from every byte before the one it codes, as xz and zpaq do. `--chunk-size 2048` codes
independent 2048-byte chunks from a fresh model (the paper's set-up, for Table 1).

Memory: the hash table grows with the stream, 2^k 64-byte slots for about 8 slots a byte (2 for
`image`, IMAGE_HEADROOM_BITS), from 256 KiB up to MAX_SLOT_BITS (256 MiB at 2^22); the match index
likewise up to 16 MiB. An 8 MiB
frame so holds ≈ 300 MiB whatever the input size. A frame of several chunks (at least
min_frame_chunks: an image's colour planes, an audio file's channels, or `--chunk-size` chunks)
codes them on one thread a core, each with its own model.

The transformer in `mix:NAME` reads the stream in segments of MIX_SEGMENT_BYTES, each with the
window of bytes before it as context: the encoder runs all segments through the model in batches;
the decoder starts each segment from its prefix and steps byte by byte, in one compiled loop with
the context-mixing decoder. Inside mix the transformer attends to its trained window, at most
MIX_ATTENTION_WINDOW bytes (benchmarks/mix_window.py).

`mix` learns a prime (priming.py: 64 KB of text, code and data) before each stream longer than
SHORT_STREAM_BYTES: the model starts from what it learned there, not from nothing.

A stream the model would expand (random bytes) is stored, as lm.py stores chunks.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Optional

import numpy as np

from gencomp.coding.range_coder import decoder_states, encoder_states, finish_streams
from gencomp.compressors.base import Compressor, Progress
from gencomp.compressors.lm import is_stored, store, unstore
from gencomp.compressors.priming import TEXT_PRIME, prime_bytes
from gencomp.compressors.registry import COMPRESSORS
from gencomp.errors import GencompError
from gencomp.jit import threads
from gencomp.models import context_mixing as cmx
from gencomp.models.context_mixing.predictor import ContextMixingPredictor
from gencomp.models.predictor import Predictor
from gencomp.models.zoo import DEFAULT_MIX_MODEL

if TYPE_CHECKING:
    from gencomp.models.exact_transformer import ExactTransformer

MIN_SLOT_BITS, MAX_SLOT_BITS = 12, 22
HEADROOM_BITS = 3  # the table holds 2^3 = 8 slots or more a byte (text meets new contexts at every order)
IMAGE_HEADROOM_BITS = 1  # image: 2 or more. The 8 photographs of benchmarks/image.py code within 0.006 % of
#   their size at 8, and a 512×512 photograph's first touch of 64 MiB, not 256, made `image` 1.7× faster
MIN_MATCH_BITS, MAX_MATCH_BITS = 10, 22
MIX_SEGMENT_BYTES = 4096
MIX_ATTENTION_WINDOW = 256  # the longest window the transformer attends to inside mix (0.3 to 0.10: 32)
SHORT_STREAM_BYTES = 16 << 10
INPUT_WEIGHT = cmx.INPUT_WEIGHT  # an input's initial mixing weight, 0.25 (2^16 = 1.0)
MIX_BYTES_REVISION = 10  # mix's byte model: revision 2 with runs, seven contexts more, a settled core (unsettled in
#   short streams), the token model, a finer final probability and decaying mixers (orders.py); cm keeps the runs, the
#   contexts and the tokens out for speed
CM_MIXER_SKIP = 64  # cm's mixers learn from errors of 64/4096 or more (0.29 on): 6 % faster, the same size
CM_MODEL = cmx.Bytes(revision=3, settle=True, mixer_skip=CM_MIXER_SKIP)  # cm's: revision 3 in the settled core (0.28
#   on; 0.19-0.27 unsettled), its mixers skipping small errors (0.29 on)
MIX_SHORT_INPUTS_WEIGHT = 1 << 12  # mix, short streams: the context model's inputs (0.3-0.10: 1 << 14)
PROGRESS_BYTES = 1 << 16  # cm codes this much between progress reports
_NO_EXT = np.zeros((0, 256), np.int64)


def table_bits(n_bytes: int, headroom_bits: int = HEADROOM_BITS) -> tuple[int, int]:
    """(slot bits, match-index bits) of the model for a stream of n_bytes: 2^headroom_bits slots or
    more a byte."""
    need = max(1, n_bytes).bit_length()
    return (min(max(need + headroom_bits, MIN_SLOT_BITS), MAX_SLOT_BITS),
            min(max(need, MIN_MATCH_BITS), MAX_MATCH_BITS))


def new_model(history: np.ndarray, model: cmx.Model = cmx.Bytes(), headroom_bits: int = HEADROOM_BITS,
              short_inputs_weight: int = INPUT_WEIGHT, primed_bytes: int = 0) -> cmx.State:
    """A fresh `model` sized for coding `history` (uint8, the stream's buffer: primed_bytes of prime, then the
    stream), the prime learned; headroom_bits: see table_bits.

    In a stream of at most SHORT_STREAM_BYTES (16 KiB: a 2048-byte chunk) the transformer's input starts at
    weight 1.0, every other input at short_inputs_weight: the mixer has little time to learn whom to
    trust (mix:tiny, 0.10: held-out Wikipedia in 2048-byte chunks 25.5 % instead of 27.0 % with the
    transformer at 0.25). In a longer one every input starts at INPUT_WEIGHT, 0.25: trusted at once,
    the transformer (trained on Wikipedia) cost 0.1–0.2 points on manuals, logs and other languages."""
    short = len(history) - primed_bytes <= SHORT_STREAM_BYTES
    ext_weight, input_weight = cmx.initial_weights(model, short, short_inputs_weight)
    state = cmx.new_state(*table_bits(len(history), headroom_bits), history, model, ext_weight, input_weight, short)
    if primed_bytes:
        cmx.learn_bytes(*state.arrays, history, cmx.SQUASH, cmx.STRETCH, _NO_EXT, 0, primed_bytes)
    return state


class ContextMixingCompressor(Compressor):
    """Bitwise arithmetic coding with the context-mixing model; `transformer` (optional) joins the mix."""

    first_format_version = 4
    sampling_temperature = 0.7
    min_frame_chunks = 4  # an image's colour planes, an audio file's channels: coded side by side (_each)

    def __init__(self, name: str, transformer: Optional["ExactTransformer"] = None,
                 chunk_size_bytes: Optional[int] = None, model: cmx.Model = cmx.Bytes(), headroom_bits: Optional[int] = None,
                 prefix_bytes: Optional[int] = None, short_inputs_weight: int = MIX_SHORT_INPUTS_WEIGHT,
                 prime: Optional[str] = None):
        """With a transformer: prefix_bytes, the context each of its segments starts from (default: its
        attention window; gencomp 0.3 to 0.10 used 4 × a 32-byte window); short_inputs_weight, the
        context model's inputs' initial weight in a short stream (new_model). prime: the prime (priming.py)
        the model learns before each stream longer than SHORT_STREAM_BYTES, or None."""
        super().__init__(chunk_size_bytes)
        if transformer is not None:  # revision 6's mix loops at 0.85 (judge ratio 0.77, 49 % distinct 4-grams); at
            self.sampling_temperature = 0.875  # 0.875 0.95× and 64 %, at 0.9 1.04×, 0.95 1.47× (revision 5 took
            #   0.85: 0.94×; results/text_completions_mix_r6_t*.md, text_completions_mix_t*.md)
        self.name, self.transformer, self.model = name, transformer, model
        self.prefix_bytes = (prefix_bytes if prefix_bytes is not None or transformer is None
                             else transformer.cfg.attention_window)
        self.short_inputs_weight = short_inputs_weight if transformer is not None else INPUT_WEIGHT
        self.prime = prime
        self.headroom_bits = headroom_bits if headroom_bits is not None else (
            IMAGE_HEADROOM_BITS if isinstance(model, cmx.Image) else HEADROOM_BITS)
        self.predictor = ContextMixingPredictor(transformer, model)

    def identity(self) -> dict:
        identity = {"model": "context-mixing-v1", "slots": [MIN_SLOT_BITS, MAX_SLOT_BITS]}
        identity |= self.model.identity()
        identity |= {"headroom_bits": self.headroom_bits} if self.headroom_bits != HEADROOM_BITS else {}
        if self.transformer is not None:
            identity |= {"transformer": self.transformer.identity(), "segment": [MIX_SEGMENT_BYTES, self.prefix_bytes]}
            if self.short_inputs_weight != INPUT_WEIGHT:
                identity["short_inputs_weight"] = self.short_inputs_weight
        return identity | ({"prime": self.prime} if self.prime else {})

    def earlier(self, settings: dict) -> "ContextMixingCompressor":
        """This codec with an earlier release's settings (gencomp.archive.legacy.EARLIER_MODELS): "model"
        (the byte model as a whole, or a dict of changes to this codec's model's fields: an image's width and an
        audio file's channels are this codec's), "headroom_bits"; for mix, "attention_window" (None: the
        transformer's trained one), "prefix_bytes" and "short_inputs_weight"; "prime" (every release before
        0.26 primed nothing: None unless named). The numbers come from an archive's identity: GencompError
        for one no release wrote (a crafted or corrupt archive)."""
        transformer = self.transformer
        longest = transformer.cfg.context_bytes if transformer is not None else 0
        window = _setting(settings, "attention_window", 1, longest)
        prefix = _setting(settings, "prefix_bytes", 0, longest)
        weight = _setting(settings, "short_inputs_weight", 0, 1 << 16)
        headroom = _setting(settings, "headroom_bits", 0, HEADROOM_BITS)
        if transformer is not None and "attention_window" in settings:
            transformer = transformer.with_window(window or transformer.trained_attention_window)
        model = settings.get("model", {})
        model = replace(self.model, **model) if isinstance(model, dict) else model
        return ContextMixingCompressor(self.name, transformer, self.chunk_size_bytes, model, headroom,
                                       self.prefix_bytes if prefix is None else prefix,
                                       self.short_inputs_weight if weight is None else weight, settings.get("prime"))

    def num_parameters(self) -> int:
        return self.transformer.num_parameters() if self.transformer is not None else 0

    @property
    def byte_predictor(self) -> Predictor:
        return self.predictor

    # --- the transformer's input ---------------------------------------------------------------
    def _segments(self, n: int) -> list[tuple[int, int, int]]:
        """(prefix start, segment start, segment stop) covering n bytes."""
        return [(max(0, s - self.prefix_bytes), s, min(n, s + MIX_SEGMENT_BYTES)) for s in range(0, n, MIX_SEGMENT_BYTES)]

    def _external_weights(self, data: np.ndarray, batch: int = 4):
        """Yield (start, stop, (stop − start, 256) int64 transformer weights) for each segment of data,
        `batch` segments through the model at once (8 peaked at 1 GB of memory)."""
        segments = self._segments(len(data))
        for i in range(0, len(segments), batch):
            group = segments[i : i + batch]
            rows = np.zeros((len(group), max(c - a for a, _, c in group)), np.int64)
            for r, (a, _, c) in enumerate(group):
                rows[r, : c - a] = data[a:c]
            weights = self.transformer.weights(rows)  # (B, T, 256)
            for r, (a, b, c) in enumerate(group):
                yield b, c, weights[r, b - a : c - a]

    # --- coding ------------------------------------------------------------------------------
    def _prime(self, stream_bytes: int) -> bytes:
        """What the model learns before a stream of stream_bytes: the prime for a stream longer than
        SHORT_STREAM_BYTES, else nothing. A short stream starts trusting the transformer (new_model), and
        there the prime's statistics cost more than they bring (4 KB of the suite's files, primed in trials:
        0.95–1.04× the unprimed size, CHANGELOG 0.26; 17 KB slices: 0.935–0.981×,
        benchmarks/results/priming.md)."""
        return prime_bytes(self.prime) if self.prime and stream_bytes > SHORT_STREAM_BYTES else b""

    def _new_stream(self, stream_bytes: int) -> tuple[np.ndarray, cmx.State, int]:
        """(history, a fresh model, the prime's length) for a stream of stream_bytes: history holds the
        prime, which the model has learned, then zeros for the stream (the coder's to fill)."""
        prime = self._prime(stream_bytes)
        history = np.zeros(len(prime) + stream_bytes, np.uint8)
        history[: len(prime)] = np.frombuffer(prime, np.uint8)
        model = new_model(history, self.model, self.headroom_bits, self.short_inputs_weight, len(prime))
        return history, model, len(prime)

    def _encode_one(self, chunk: bytes, progress: Progress, count_bits: bool = False) -> tuple[bytes, float]:
        """The chunk's payload and, if count_bits, its ideal code length in bits."""
        history, model, primed = self._new_stream(len(chunk))
        history[primed:] = np.frombuffer(chunk, np.uint8)  # the model reads none of it yet
        coder = encoder_states(1)
        out = np.empty(len(chunk) + 64, np.uint8)  # more than this: store the chunk instead
        pos, bits = 0, 0.0
        for start, stop, ext in self._pieces(history[primed:]):
            pos, more = cmx.encode_bytes(*model.arrays, history, cmx.SQUASH, cmx.STRETCH, ext, primed + start,
                                         primed + stop, coder[0], out, pos, count_bits)
            if pos < 0:
                if progress:
                    progress(len(chunk) - start)
                return store(chunk), 8.0 * (len(chunk) + 1)
            bits += more
            if progress:
                progress(stop - start)
        blob = finish_streams(coder, [out[:pos]])[0]
        return (store(chunk), 8.0 * (len(chunk) + 1)) if len(blob) > len(chunk) else (blob, bits)

    def _pieces(self, data: np.ndarray):
        """Yield (start, stop, the transformer's weights for data[start:stop], or none) covering data."""
        if self.transformer is not None:
            yield from self._external_weights(data)
            return
        for start in range(0, len(data), PROGRESS_BYTES):
            yield start, min(len(data), start + PROGRESS_BYTES), _NO_EXT

    def byte_code_lengths(self, data: bytes) -> np.ndarray:
        """Each byte's ideal code length in bits, −log2 of the probabilities the coder codes it with, data coded as
        one stream as `compress` codes a whole input: (len(data),) float64, summing to chunk_code_length_bits'. For
        analysis (benchmarks/byte_costs.py): one kernel call a byte, a few times slower than coding."""
        history, model, primed = self._new_stream(len(data))
        history[primed:] = np.frombuffer(data, np.uint8)
        coder, out = encoder_states(1), np.empty(2 * len(data) + 1024, np.uint8)  # never full: random bytes cost ~8 bits
        bits, pos = np.zeros(len(data)), 0
        for start, stop, ext in self._pieces(history[primed:]):
            for at in range(start, stop):
                row = ext[at - start : at - start + 1] if len(ext) else ext
                pos, bits[at] = cmx.encode_bytes(*model.arrays, history, cmx.SQUASH, cmx.STRETCH, row, primed + at,
                                                 primed + at + 1, coder[0], out, pos, True)
        return bits

    def _each(self, work, items):
        """work(*item) for each item, in order: on threads (the kernels release the GIL; a model a
        thread, so memory grows with the threads) when there are several and no transformer."""
        if len(items) < 2 or self.transformer is not None or threads() < 2:
            return [work(*item) for item in items]
        with ThreadPoolExecutor(min(threads(), len(items))) as pool:
            return list(pool.map(lambda item: work(*item), items))

    def encode_chunks(self, chunks, progress=None):
        blobs = [blob for blob, _ in self._each(self._encode_one, [(c, progress) for c in chunks])]
        stored = sum(is_stored(b) for b in blobs)
        self.notes = [f"{stored} of {len(blobs)} chunks stored as they are: the model would expand them"] if stored else []
        return blobs

    def chunk_code_length_bits(self, chunks):
        """Σ −log2 p over each chunk with the coder's probabilities (8 × the stored size where stored)."""
        return np.array([bits for _, bits in self._each(self._encode_one, [(c, None, True) for c in chunks])],
                        dtype=np.float64)

    def _decode_one(self, payload: bytes, length: int, progress: Progress) -> bytes:
        if is_stored(payload):
            if progress:
                progress(length)
            return unstore(payload)
        history, model, primed = self._new_stream(length)
        buf, coder = decoder_states([payload])
        if self.transformer is None:
            for a in range(primed, primed + length, PROGRESS_BYTES):
                b = min(primed + length, a + PROGRESS_BYTES)
                cmx.decode_bytes(*model.arrays, history, cmx.SQUASH, cmx.STRETCH, _NO_EXT, a, b, coder[0], buf)
                if progress:
                    progress(b - a)
        else:
            from gencomp.compressors import mix_stepping  # numba's, and the transformer's kernels

            for prefix, start, stop in self._segments(length):
                prefix, start, stop = primed + prefix, primed + start, primed + stop
                state, weights = self.transformer.start_from(history[None, prefix:start].astype(np.int64))
                mix_stepping.decode(model.arrays, history, start, stop, coder[0], buf, self.transformer.packed,
                                    state.arrays, self.transformer.cfg.attention_window, weights, threads())
                if progress:
                    progress(stop - start)
        if coder[0, 4]:
            raise GencompError(f"corrupt coded data: a {self.name} stream left its coding interval")
        return history[primed:].tobytes()

    def decode_chunks(self, payloads, lengths, progress=None):
        return self._each(self._decode_one, [(p, n, progress) for p, n in zip(payloads, lengths)])


def _setting(settings: dict, key: str, low: int, high: int) -> Optional[int]:
    """settings[key] (None when absent or None), an integer in low … high, else GencompError."""
    value = settings.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
        raise GencompError(f"archive corrupt: its identity's {key} ({value!r}) is not one gencomp writes")
    return value


@COMPRESSORS.register("cm", "context mixing (orders 0-6, words, columns, match model; learns from the input), whole input")
def _cm_compressor(chunk_size_bytes: Optional[int] = None) -> ContextMixingCompressor:
    return ContextMixingCompressor("cm", None, chunk_size_bytes, CM_MODEL)


IMAGE_WIDTH = 64  # the paper's 32×64 patches


def _spec_number(text: str, low: int, high: int, message: str) -> int:
    """The integer a codec spec names, low … high; GencompError with `message` (formatted with high) otherwise."""
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise GencompError(message.format(high=high) + f", got {text!r}")
    return value


@COMPRESSORS.register("image", "context mixing with image contexts (neighbouring pixels, median and gradient predictions), "
                               "8-bit grayscale rows of W pixels (image:W; default 64, the paper's patches), whole input")
def _image_compressor(width: str = str(IMAGE_WIDTH), chunk_size_bytes: Optional[int] = None) -> ContextMixingCompressor:
    pixels = _spec_number(width, 1, 1 << 20, "image:W needs a width of 1 … {high} pixels")
    return ContextMixingCompressor("image" if pixels == IMAGE_WIDTH else f"image:{pixels}", None, chunk_size_bytes,
                                   cmx.Image(pixels))


@COMPRESSORS.register("audio", "context mixing with adaptive linear prediction (recursive least squares, then normalised LMS) for "
                               "16-bit little-endian PCM, C interleaved channels (audio:C; default 1; audio:C:24 for 24-bit "
                               "samples), whole input")
def _audio_compressor(spec: str = "1", chunk_size_bytes: Optional[int] = None) -> ContextMixingCompressor:
    channels, _, bits = spec.partition(":")
    count = _spec_number(channels, 1, 8, "audio:C needs 1 … {high} channels")
    width = _spec_number(bits or "16", 16, 24, "audio:C:B needs B = 16 or 24 bits")
    if width not in (16, 24):
        raise GencompError(f"audio:C:B needs B = 16 or 24 bits, got {bits!r}")
    name = "audio" if count == 1 and width == 16 else f"audio:{count}" if width == 16 else f"audio:{count}:24"
    return ContextMixingCompressor(name, None, chunk_size_bytes, cmx.Audio(count, width))


@COMPRESSORS.register("mix", f"context mixing with a byte transformer as one more input, whole input (mix:NAME; default mix:{DEFAULT_MIX_MODEL})")
def _mix_compressor(model: str = DEFAULT_MIX_MODEL, chunk_size_bytes: Optional[int] = None) -> ContextMixingCompressor:
    from gencomp.models.zoo import load_byte_transformer

    transformer = load_byte_transformer(model)
    window = min(MIX_ATTENTION_WINDOW, transformer.cfg.attention_window)
    return ContextMixingCompressor(f"mix:{model}", transformer.with_window(window), chunk_size_bytes,
                                   cmx.Bytes(revision=MIX_BYTES_REVISION), prime=TEXT_PRIME)
