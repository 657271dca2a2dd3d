"""Audio: a file as the PCM the `audio` codec codes and back; the paper's mono 16-bit PCM;
continuing a recording by sampling its bytes.

WAV (linear PCM, 8, 16 or 24 bits, any number of channels) comes back byte for byte: the
bytes before and after the samples (header, metadata chunks, a trailing partial sample) are kept as
they are. Other formats soundfile reads losslessly (FLAC, AIFF, …) come back with identical samples,
rate and sample format, written anew by libsndfile (not the same bytes; tags are not kept). Refused
with a clear error: float, µ-law/A-law and lossy (Vorbis, MP3) audio.

Stream: one plane per channel of 16-bit little-endian samples, each an independent chunk for the
mono `audio` codec (on jfk's stereo, two mono planes cost much less than `audio:2` on the
interleaved samples, whose contexts mix the channels); 24-bit audio as planes of 3-byte samples
for `audio:1:24`, predicted at full precision. A long mono file's one plane is two chunks, so that
two cores code it side by side. A stereo pair is stored in one of FLAC's four layouts, each
wrapped to the sample width: as given, left and side (R − L), side (L − R) and right, or mid and
side (mid = R + ⌊(L − R) / 2⌋, a lifting step: ⌊(L + R) / 2⌋ where nothing wraps, and exact
either way). The layout is the one whose planes' second differences are smallest
(Σ log2(1 + |Δ²|), a cheap stand-in for their coded size: on 11 stereo recordings it picked the
smallest archive for 7 and one within 0.7 % for the others); archives of format 5 know only the
first two. 8-bit samples become the high byte of a 16-bit one. Archives of gencomp 0.4 split
24-bit samples into their high 16 bits (coded as above) and their low bytes after them, coded as
noise; they still rebuild.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

import numpy as np
import soundfile

from gencomp.compressors import get_compressor
from gencomp.errors import GencompError
from gencomp.media.kind import MediaKind, MediaStream, from_text, to_text
from gencomp.sampling.generate import Model, stream

PCM_SUBTYPES = {"PCM_U8": 8, "PCM_S8": 8, "PCM_16": 16, "PCM_24": 24}
MIN_HALF_SAMPLES = 1 << 14  # a mono file of fewer than twice this many samples stays one chunk
WAVE_FORMAT_PCM, WAVE_FORMAT_EXTENSIBLE = 1, 0xFFFE
MIN_P = 0.001  # continuation samples only bytes at least 0.1 % as probable as the likeliest: see continue_audio
COPY_WEIGHT = 0.97  # continuation: the share of each byte's distribution proposed by copies (_CopyProposals; the
#   model's own samples deviate from them by clicks, see MODEL_NOISE)
GRAIN_SECONDS = 0.02  # … each copy runs this long (a few pitch periods) before the next is chosen
MATCH_SECONDS = 0.002  # … chosen where the kept audio's stretch this long before it best matches the clip's last
#   (normalised correlation: squared differences favour quiet stretches where nothing matches well, and a
#   continuation drifted quieter than its prompt, jfk's by 3 dB below 2 kHz)
COPY_MATCHES = 4  # … at random among this many best matches
FRESH_GRAINS = 8  # … not within a grain of the last this many copies' sources (no loops)
FADE_SECONDS = 0.002  # … faded in over this long from the copy before it, which runs on meanwhile (no clicks)
GAIN_SPREAD = 0.2  # … at a gain whose natural log is normal with this deviation (speech's loudness varies), less
#   where the kept audio is clean (as the model's share, MODEL_NOISE): rounding a gained copy adds a noise floor
LOUDEST_OVER_ACTIVE = 1.3  # … at most this loud (RMS) over the kept speech's active level (_active_level)
ACTIVE_DB = 30.0  # … the active level: the RMS of the kept grains within this many dB of the loudest
MODEL_NOISE = 3000.0  # the power (sample units², a sample) by which the model's own samples deviate from the copies
#   at COPY_WEIGHT: high-byte flips of ±256·k on about 2 % of samples (the 16 kHz shared clips). The model's share
#   shrinks where the kept audio's noise floor (_noise_floor) is below this, so that a clean recording stays clean


def read_audio(blob: bytes, name: str) -> Optional[MediaStream]:
    """The PCM stream of an audio file's bytes, or None if neither a WAV nor a format soundfile reads."""
    wav = _wav_layout(blob)
    if wav is not None:
        return _from_wav(blob, *wav)
    try:
        info = soundfile.info(io.BytesIO(blob))
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        return None
    bits = _bits(info.subtype, name)
    samples, rate = soundfile.read(io.BytesIO(blob), dtype="int32", always_2d=True)  # (N, C), full scale 2^31
    values = samples.reshape(-1) >> (32 - bits)  # the file's own integers
    record = {"kind": "audio", "suffix": "." + info.format.lower(), "format": info.format,
              "subtype": info.subtype, "rate": int(rate), "channels": info.channels}
    return _stream(values, bits, info.channels, record, byte_exact=False, dropped=["tags"])


def rebuild_audio(record: dict, data: bytes) -> bytes:
    """The audio file of a record and its PCM stream."""
    try:
        bits, channels, sample_bytes = record["bits"], record["channels"], record.get("sample_bytes", 2)
    except KeyError:
        raise GencompError("archive corrupt: incomplete audio record") from None
    if not (_is_int(bits) and bits in (8, 16, 24) and _is_int(channels) and 1 <= channels <= 0xFFFF
            and _is_int(sample_bytes) and sample_bytes in (2, 3)):
        raise GencompError(f"archive corrupt: an audio record of {bits!r}-bit samples ({sample_bytes!r} bytes) in "
                           f"{channels!r} channels, which gencomp never writes")
    planes = _values(data, bits, channels, sample_bytes)
    if channels == 2:
        planes = np.stack(_from_layout(record.get("stereo", ""), planes[0], planes[1], bits))
    values = planes.T.reshape(-1)  # interleaved
    if "prefix" in record:  # a WAV, byte for byte
        return from_text(record["prefix"]) + _wav_bytes(values, bits) + from_text(record["suffix_bytes"])
    out = io.BytesIO()
    full_scale = values.astype(np.int32) << (32 - bits)
    try:
        soundfile.write(out, full_scale.reshape(-1, channels), record["rate"], format=record["format"],
                        subtype=record["subtype"])
    except (RuntimeError, soundfile.SoundFileError) as exc:  # libsndfile refusing a crafted rate, format or subtype
        raise GencompError(f"archive corrupt: its audio record cannot be written as a file ({exc})") from None
    return out.getvalue()


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _stream(values: np.ndarray, bits: int, channels: int, record: dict, byte_exact: bool,
            dropped: list[str]) -> MediaStream:
    """The MediaStream of (N·C,) signed integer samples of `bits` bits, interleaved: one plane per channel."""
    planes = values.astype(np.int64).reshape(-1, channels).T.copy()  # (C, N)
    if channels == 2 and planes.shape[1] >= 3:
        layouts = _stereo_layouts(planes[0], planes[1], bits)
        layout = min(layouts, key=lambda name: sum(_roughness(p) for p in layouts[name]))
        planes = np.stack(layouts[layout])
        record = record | ({"stereo": layout} if layout else {})
    chunk_samples = _chunk_samples(*planes.shape)
    if bits == 24:
        data = np.stack([(planes >> (8 * j)) & 0xFF for j in range(3)], -1).astype(np.uint8).tobytes()
        return MediaStream("audio:1:24", 3 * chunk_samples, data, record | {"bits": bits, "sample_bytes": 3},
                           byte_exact, dropped)
    high = planes << max(0, 16 - bits)  # 8-bit samples as the high byte of a 16-bit one
    return MediaStream("audio", 2 * chunk_samples, high.astype("<i2").tobytes(), record | {"bits": bits}, byte_exact,
                       dropped)


def _stereo_layouts(left: np.ndarray, right: np.ndarray, bits: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The two planes of each way to store a stereo pair of `bits`-bit samples, by the record's name
    for it ("": as given); _from_layout inverts each."""
    side = _wrap(left - right, bits)
    return {"": (left, right), "left-side": (left, _wrap(right - left, bits)), "right-side": (side, right),
            "mid-side": (_wrap(right + (side >> 1), bits), side)}


def _from_layout(layout: str, first: np.ndarray, second: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) of a stereo pair stored as `layout` (see _stereo_layouts)."""
    if layout == "":
        return first, second
    if layout == "left-side":
        return first, _wrap(second + first, bits)
    if layout == "right-side":
        return _wrap(first + second, bits), second
    if layout == "mid-side":
        right = _wrap(first - (second >> 1), bits)
        return _wrap(second + right, bits), right
    raise GencompError(f"archive corrupt: unknown stereo layout {layout!r}")


def _roughness(plane: np.ndarray) -> float:
    """Σ log2(1 + |second difference|) of a plane: about the bits a simple predictor would leave."""
    return float(np.log2(1.0 + np.abs(np.diff(plane, 2))).sum())


def _chunk_samples(channels: int, count: int) -> int:
    """Samples a chunk: a plane, or half of a mono file's one plane (two cores code the halves side by
    side, and the second half's fresh start costs 0.08 % on the speech of benchmarks/audio.py)."""
    if channels == 1 and count >= 2 * MIN_HALF_SAMPLES:
        return (count + 1) // 2
    return count



def _wrap(values: np.ndarray, bits: int) -> np.ndarray:
    """values modulo 2^bits, as signed integers of `bits` bits."""
    half = 1 << (bits - 1)
    return (values + half) % (2 * half) - half


def _values(data: bytes, bits: int, channels: int, sample_bytes: int) -> np.ndarray:
    """Inverse of _stream but for the stereo transform: (C, N) int64 samples of `bits` bits
    (sample_bytes 3: 24-bit planes of 3-byte samples; 2: 16-bit planes, and for 24 bits gencomp 0.4's
    low bytes after them)."""
    width = 3 if bits == 24 else 2
    count = len(data) // (width * channels)
    if len(data) != count * width * channels:
        raise GencompError(f"archive corrupt: {len(data):,} bytes do not hold whole {bits}-bit frames of "
                           f"{channels} channels")
    if sample_bytes == 3:
        raw = np.frombuffer(data, np.uint8).reshape(channels, count, 3).astype(np.int64)
        unsigned = raw[..., 0] | (raw[..., 1] << 8) | (raw[..., 2] << 16)
        return unsigned - ((unsigned >> 23) << 24)
    high = np.frombuffer(data[: 2 * count * channels], "<i2").astype(np.int64).reshape(channels, count)
    if bits == 24:
        return (high << 8) | np.frombuffer(data[2 * count * channels :], np.uint8).reshape(channels, count)
    return high >> (16 - bits)


def _from_wav(blob: bytes, start: int, stop: int, channels: int, bits: int) -> MediaStream:
    """A WAV's samples (bytes start … stop) and what surrounds them, byte for byte."""
    width = bits // 8
    stop = start + (stop - start) // (width * channels) * (width * channels)  # whole frames; the rest stays a suffix
    raw = np.frombuffer(blob[start:stop], np.uint8).reshape(-1, width).astype(np.int64)
    values = raw[:, -1].copy()
    if bits == 8:
        values -= 128  # 8-bit WAV samples are unsigned
    else:
        values = (values ^ 0x80) - 0x80  # the top byte is signed
        for k in range(width - 2, -1, -1):
            values = (values << 8) | raw[:, k]
    record = {"kind": "audio", "suffix": ".wav", "channels": channels,
              "prefix": to_text(blob[:start]), "suffix_bytes": to_text(blob[stop:])}
    return _stream(values, bits, channels, record, byte_exact=True, dropped=[])


def _wav_bytes(values: np.ndarray, bits: int) -> bytes:
    """Inverse of _from_wav's sample decoding: little-endian samples (unsigned when 8-bit)."""
    if bits == 8:
        return (values + 128).astype(np.uint8).tobytes()
    width = bits // 8
    unsigned = values & ((1 << bits) - 1)
    return np.stack([(unsigned >> (8 * k)) & 0xFF for k in range(width)], axis=-1).astype(np.uint8).tobytes()


def _wav_layout(blob: bytes) -> Optional[tuple[int, int, int, int]]:
    """(first sample byte, end of the sample bytes, channels, bits) of a linear-PCM RIFF WAVE file,
    or None if blob is not one (then soundfile, if anything, reads it)."""
    if len(blob) < 12 or blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        return None
    pos, fmt = 12, None
    while pos + 8 <= len(blob):
        kind, size = blob[pos : pos + 4], struct.unpack_from("<I", blob, pos + 4)[0]
        body = pos + 8
        if kind == b"fmt " and size >= 16:
            tag, channels, _, _, _, bits = struct.unpack_from("<HHIIHH", blob, body)
            if tag == WAVE_FORMAT_EXTENSIBLE and size >= 26:
                tag = struct.unpack_from("<H", blob, body + 24)[0]  # the sub-format GUID's first field
            fmt = (tag, channels, bits)
        elif kind == b"data" and fmt is not None:
            tag, channels, bits = fmt
            if tag != WAVE_FORMAT_PCM or bits not in (8, 16, 24) or channels < 1:
                return None  # float, µ-law, …: soundfile names it and read_audio refuses it
            return body, min(len(blob), body + size), channels, bits
        pos = body + size + (size & 1)
    return None


def _bits(subtype: str, name: str) -> int:
    if subtype not in PCM_SUBTYPES:
        raise GencompError(f"{name} holds {subtype} audio: -c audio keeps 8-, 16- and 24-bit linear PCM exactly; "
                           "code its bytes with --as-bytes")
    return PCM_SUBTYPES[subtype]


def read_pcm16(path_or_file) -> tuple[bytes, int]:
    """(mono 16-bit little-endian PCM bytes, sample rate) of any file soundfile reads.

    Channels are averaged; wider samples are rounded to 16 bits.
    """
    try:
        samples, rate = soundfile.read(path_or_file, dtype="float64", always_2d=True)  # (N, C)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        raise GencompError(f"cannot read audio {path_or_file}: {exc}") from None
    mono = samples.mean(axis=1)
    pcm = np.clip(np.round(mono * 32768.0), -32768, 32767).astype("<i2")
    return pcm.tobytes(), int(rate)


def pcm16_to_wav(data: bytes, sample_rate: int) -> bytes:
    """WAV file bytes of mono 16-bit PCM (an odd trailing byte is dropped)."""
    samples = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2")
    out = io.BytesIO()
    soundfile.write(out, samples, sample_rate, format="WAV", subtype="PCM_16")
    return out.getvalue()


def paper_stream(path: Path) -> bytes:
    """An audio file as the paper codes audio: mono 16-bit little-endian PCM."""
    return read_pcm16(path)[0]


def continue_audio(model: Model, samples: np.ndarray, sample_rate: int, keep_seconds: float, seconds: float,
                   temperature: float = 1.0, top_k: int = 0, seed: int = 0, max_context_bytes: int = 2048,
                   update_every: int = 256, min_p: float = MIN_P, copies: float = COPY_WEIGHT) -> Iterator[np.ndarray]:
    """Yield int16 samples: the first keep_seconds of `samples`, then `seconds` more sampled,
    growing by `update_every` samples per yield; the last one yielded is the whole clip.

    min_p (see gencomp.sampling.generate): a coder gives every byte a floor of probability, and one
    sampled high byte from that floor is a click of thousands that the predictor then echoes.
    copies: the weight of the copy proposals (_CopyProposals) mixed into each byte's distribution, 0
    for the model alone."""
    samples = np.asarray(samples)
    if samples.ndim != 1 or samples.dtype != np.int16:
        raise GencompError(f"expected mono int16 samples, got {samples.dtype} {samples.shape}")
    keep = round(keep_seconds * sample_rate)
    if not 1 <= keep <= len(samples):
        raise GencompError(f"cannot keep {keep_seconds} s of a clip {len(samples) / sample_rate:.3f} s long")
    new = round(seconds * sample_rate)
    if new < 1:
        raise GencompError(f"seconds to generate must give at least one sample, got {seconds}")
    prompt = samples[:keep].astype("<i2").tobytes()
    out = bytearray(prompt)
    proposal = _CopyProposals(samples[:keep], sample_rate, new, copies, seed) if copies > 0 else None
    continuation = stream(model, prompt, 2 * new, temperature, top_k, seed, max_context_bytes, text_safe=False,
                          copies=False, min_p=min_p, proposal=proposal)
    for i, byte in enumerate(continuation):
        out += byte
        if proposal is not None:
            proposal.feed(i, byte[0])
        if (i + 1) % (2 * update_every) == 0 or i + 1 == 2 * new:
            yield np.frombuffer(bytes(out), "<i2").astype(np.int16)


def judge_bits_per_sample(kept: np.ndarray, continuation: np.ndarray) -> float:
    """Bits a sample the `audio` codec spends on `continuation` after `kept` (mono int16 each), as one
    stream: how likely the judge finds a continuation (compare the real one's figure)."""
    judge = get_compressor("audio")
    before = judge.code_length_bits(kept.astype("<i2").tobytes())
    both = np.concatenate([kept, continuation]).astype("<i2").tobytes()
    return (judge.code_length_bits(both) - before) / max(1, len(continuation))


class _CopyProposals:
    """Copies proposed for each sample of a continuation, grain by grain. A grain is GRAIN_SECONDS of the kept
    audio from where the MATCH_SECONDS before it best match the clip's last samples (normalised
    correlation; at random among the COPY_MATCHES best, none near the last FRESH_GRAINS sources, none so
    near the kept audio's end that it cannot run on through the next fade), at a random gain
    (GAIN_SPREAD, less for a clean recording, never above the kept peak nor LOUDEST_OVER_ACTIVE × the
    kept speech's active level), faded in over FADE_SECONDS from the grain before it, which runs on
    meanwhile (overlap-add: no clicks). Each sample is proposed as its low byte, then the high byte that
    puts it nearest the copy. The model keeps 1 − weight of each byte, and the gain its spread, less
    where the kept audio's noise floor is below the noise they add (MODEL_NOISE).

    Sampling from it is concatenative synthesis of the prompt's own grains: the continuation keeps the
    voice, pitch and loudness of the prompt where a predictor sampled on its own output drifts to noise,
    and the gain keeps any run of samples of a noisy recording from being a verbatim copy. Only the kept
    audio is searched, so copies never read the continuation's own noise. feed(i, byte) tells which byte
    i was."""

    def __init__(self, kept: np.ndarray, rate: int, new: int, weight: float, seed: int):
        self.rng = np.random.default_rng([seed, 1])
        self.match, self.grain = max(1, round(MATCH_SECONDS * rate)), max(1, round(GRAIN_SECONDS * rate))
        self.fade = max(1, round(FADE_SECONDS * rate))
        kept = kept.astype(np.float64)
        clean = min(1.0, _noise_floor(kept) / MODEL_NOISE)  # 1: a noise floor that hides the model's and gains' noise
        self.weight, self.spread = 1 - (1 - weight) * clean, GAIN_SPREAD * clean
        self.level = LOUDEST_OVER_ACTIVE * _active_level(kept, self.grain)
        stretches = np.lib.stride_tricks.sliding_window_view(kept[:-1], self.match)  # (P, L), followed by kept[L:]
        self.stretches, self.norms = stretches, (stretches ** 2).sum(axis=1)
        self.followers = kept[self.match :].astype(np.int64)  # the sample after each stretch
        self.peak = max(np.abs(kept).max(), 1)
        self.clip = np.concatenate([kept[-self.match :], np.zeros(new)])  # what the stretches are matched with
        self.at, self.low, self.value = self.match, 0, 0  # the clip's next sample; its low byte; the proposal
        self.source, self.left, self.gain = 0, 0, 1.0  # the grain being copied: next source, samples left, gain
        self.previous, self.previous_gain = -1, 1.0  # the grain before it, fading out (-1: none)
        self.recent: list[int] = []
        self.one_hot = np.eye(256)

    def __call__(self, i: int) -> Optional[tuple[np.ndarray, float]]:
        if len(self.followers) < COPY_MATCHES:
            return None
        if i % 2 == 1:  # the high byte that puts the sample nearest the copy, given the low byte sampled
            return self.one_hot[((self.value - self.low + 128) >> 8) & 0xFF], self.weight
        if self.left == 0 or self.source + 1 >= len(self.followers):
            self._next_grain()
        self.value = self._copied()
        return self.one_hot[self.value & 0xFF], self.weight

    def feed(self, i: int, byte: int) -> None:
        """The continuation's byte i, as sampled."""
        if i % 2 == 0:
            self.low = byte
            return
        value = self.low | byte << 8
        self.clip[self.at] = value - 65536 if value >= 32768 else value
        self.at, self.source, self.left = self.at + 1, self.source + 1, self.left - 1

    def _next_grain(self) -> None:
        recent = self.clip[self.at - self.match : self.at]
        distances = -(self.stretches @ recent) / np.sqrt(self.norms + 1.0)  # − normalised correlation
        room = len(self.followers) - self.grain - self.fade  # a grain from here runs whole and on through the next fade
        if room >= COPY_MATCHES:
            distances[room:] = np.inf
        fresh = distances.copy()
        for source in self.recent:
            fresh[max(0, source - self.grain) : source + self.grain] = np.inf
        if np.isfinite(fresh).sum() >= COPY_MATCHES:  # a short prompt may have nothing fresh left
            distances = fresh
        options = np.argpartition(distances, COPY_MATCHES - 1)[:COPY_MATCHES]
        self.previous = self.source if self.at > self.match else -1
        self.source = int(self.rng.choice(options))
        piece = self.followers[self.source : self.source + self.grain].astype(np.float64)
        loudest = min(self.peak / max(np.abs(piece).max(initial=1), 1),
                      self.level / max(np.sqrt(np.mean(piece ** 2)), 1))
        self.previous_gain, self.gain = self.gain, min(float(np.exp(self.rng.normal(0.0, self.spread))), loudest)
        self.recent = (self.recent + [self.source])[-FRESH_GRAINS:]
        self.left = self.grain

    def _copied(self) -> int:
        """The sample the copies propose (16-bit two's complement as 0 … 65535)."""
        value = self.gain * self.followers[self.source]
        faded = self.grain - self.left
        if self.previous >= 0 and faded < self.fade and self.previous + faded < len(self.followers):
            share = (faded + 1) / (self.fade + 1)
            value = share * value + (1 - share) * self.previous_gain * self.followers[self.previous + faded]
        return min(max(round(value), -32768), 32767) & 0xFFFF


def _active_level(kept: np.ndarray, grain: int) -> float:
    """The RMS of kept's speech (float64 samples): over its grain-long pieces within ACTIVE_DB of the loudest, so
    that pauses do not count (the idea of ITU-T P.56's active speech level)."""
    power = (kept[: len(kept) // grain * grain].reshape(-1, grain) ** 2).mean(axis=1) if len(kept) >= grain \
        else np.array([np.mean(kept ** 2)])
    return float(np.sqrt(power[power >= power.max() * 10 ** (-ACTIVE_DB / 10)].mean()))


def _noise_floor(kept: np.ndarray, frame: int = 512) -> float:
    """The power (sample units², a sample) of white noise as loud as kept's quietest sixteenth of the spectrum
    (float64 samples; long-term spectrum of Hann frames, hop frame / 2): what a recording's noise leaves room for."""
    if len(kept) < frame:
        return float(np.mean(kept ** 2))
    window = np.hanning(frame)
    frames = np.lib.stride_tricks.sliding_window_view(kept, frame)[:: frame // 2] * window
    power = (np.abs(np.fft.rfft(frames, axis=1)) ** 2).mean(axis=0)[1:]
    return float(min(band.mean() for band in np.array_split(power, 16)) / (window ** 2).sum())


KIND = MediaKind("audio", "audio", "samples", "audio", read_audio, rebuild_audio, paper_stream)
