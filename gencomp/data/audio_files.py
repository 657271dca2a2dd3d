"""An audio file as the 16-bit PCM the `audio` codec codes, and back.

WAV (linear PCM, 8, 16 or 24 bits, any channel count the codec takes) comes back byte for byte: the
bytes before and after the samples (header, metadata chunks, a trailing partial sample) are kept as
they are. Other formats soundfile reads losslessly (FLAC, AIFF, …) come back with identical samples,
rate and sample format, written anew by libsndfile (not the same bytes; tags are not kept). Refused
with a clear error: float, µ-law/A-law and lossy (Vorbis, MP3) audio, and more channels than the
codec takes.

Stream: interleaved 16-bit little-endian samples, coded as one stream by `audio:C`. Stereo whose
right channel is better told as its difference from the left (FLAC's left/side choice, by mean
absolute first difference) is stored as left and R − L, wrapped to the sample width. 8-bit samples
become the high byte of a 16-bit one. 24-bit samples are split: their high 16 bits as above, then
their low bytes, one per sample, in a second chunk (mostly noise, or zeros when the file was padded).
"""

from __future__ import annotations

import io
import struct
from typing import Optional

import numpy as np
import soundfile

from gencomp.data.media_files import MediaStream, from_text, to_text
from gencomp.errors import GencompError

MAX_CHANNELS = 8  # audio:C takes 1 … 8
PCM_SUBTYPES = {"PCM_U8": 8, "PCM_S8": 8, "PCM_16": 16, "PCM_24": 24}
WAVE_FORMAT_PCM, WAVE_FORMAT_EXTENSIBLE = 1, 0xFFFE


def read_audio(blob: bytes, name: str) -> Optional[MediaStream]:
    """The PCM stream of an audio file's bytes, or None if neither a WAV nor a format soundfile reads."""
    wav = _wav_layout(blob)
    if wav is not None:
        return _from_wav(blob, name, *wav)
    try:
        info = soundfile.info(io.BytesIO(blob))
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        return None
    bits = _bits(info.subtype, name)
    channels = _channels(info.channels, name)
    samples, rate = soundfile.read(io.BytesIO(blob), dtype="int32", always_2d=True)  # (N, C), full scale 2^31
    values = samples.reshape(-1) >> (32 - bits)  # the file's own integers
    record = {"kind": "audio", "suffix": "." + info.format.lower(), "format": info.format,
              "subtype": info.subtype, "rate": int(rate), "channels": channels, "bits": bits}
    return _stream(values, bits, channels, record, byte_exact=False, dropped=["tags"])


def rebuild_audio(record: dict, data: bytes) -> bytes:
    """The audio file of a record and its PCM stream."""
    try:
        bits, channels = record["bits"], record["channels"]
    except KeyError:
        raise GencompError("archive corrupt: incomplete audio record") from None
    values = _values(data, bits)
    if record.get("stereo") == "left-side":
        values[1::2] = _wrap(values[1::2] + values[0::2], bits)
    if "prefix" in record:  # a WAV, byte for byte
        return from_text(record["prefix"]) + _wav_bytes(values, bits) + from_text(record["suffix_bytes"])
    if len(values) % channels:
        raise GencompError("archive corrupt: the samples do not fill whole frames")
    out = io.BytesIO()
    full_scale = values.astype(np.int32) << (32 - bits)
    soundfile.write(out, full_scale.reshape(-1, channels), record["rate"], format=record["format"],
                    subtype=record["subtype"])
    return out.getvalue()


def _stream(values: np.ndarray, bits: int, channels: int, record: dict, byte_exact: bool,
            dropped: list[str]) -> MediaStream:
    """The MediaStream of signed integer samples of `bits` bits, interleaved."""
    values = values.astype(np.int64)
    if channels == 2 and len(values) >= 4:
        side = _wrap(values[1::2] - values[0::2], bits)
        if np.abs(np.diff(side)).sum() < np.abs(np.diff(values[1::2])).sum():
            values = values.copy()
            values[1::2] = side
            record = record | {"stereo": "left-side"}
    high = (values >> max(0, bits - 16)) << max(0, 16 - bits)  # the top 16 bits, as a 16-bit sample
    data = high.astype("<i2").tobytes()
    chunk = 0
    if bits == 24:
        chunk = len(data)  # the low bytes: a second, independent chunk
        data += (values & 0xFF).astype(np.uint8).tobytes()
    return MediaStream(f"audio:{channels}" if channels > 1 else "audio", chunk, data, record | {"bits": bits},
                       byte_exact, dropped)


def _wrap(values: np.ndarray, bits: int) -> np.ndarray:
    """values modulo 2^bits, as signed integers of `bits` bits."""
    half = 1 << (bits - 1)
    return (values + half) % (2 * half) - half


def _values(data: bytes, bits: int) -> np.ndarray:
    """Inverse of _stream: (N·C,) int64 samples of `bits` bits."""
    count = len(data) // 3 if bits == 24 else len(data) // 2
    if len(data) != count * (3 if bits == 24 else 2):
        raise GencompError(f"archive corrupt: {len(data):,} bytes do not hold whole {bits}-bit samples")
    high = np.frombuffer(data[: 2 * count], "<i2").astype(np.int64)
    if bits == 24:
        return (high << 8) | np.frombuffer(data[2 * count :], np.uint8)
    return high >> (16 - bits)  # a new array: the caller may write to it


def _from_wav(blob: bytes, name: str, start: int, stop: int, channels: int, bits: int) -> MediaStream:
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
    return _stream(values, bits, _channels(channels, name), record, byte_exact=True, dropped=[])


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


def _channels(channels: int, name: str) -> int:
    if not 1 <= channels <= MAX_CHANNELS:
        raise GencompError(f"{name} has {channels} channels; -c audio takes 1 … {MAX_CHANNELS}")
    return channels
