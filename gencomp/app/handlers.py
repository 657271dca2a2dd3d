"""What the demo app does, without the screen: generation side by side, media completion,
compression tables. Each long job is a generator of partial results, so the UI streams them.

Generators are codec specs ("gzip", "cm", "lm:tiny", "hf:DIR"), built once and kept.
Side-by-side generation interleaves the generators one byte (one row, one block of
samples) at a time, so every column grows together and a slow codec does not hide the
others.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

import numpy as np

from gencomp.archive.stream import summarize
from gencomp.compressors import Compressor, decompress, get_compressor
from gencomp.errors import GencompError
from gencomp.evaluation.bench import adjusted_rate, measured_row
from gencomp.evaluation.report import default_codecs
from gencomp.media import MediaStream, is_media_codec, media_archive, media_file_of, media_kind, read_media
from gencomp.media.audio import continue_audio, judge_bits_per_sample, read_pcm16
from gencomp.media.image import complete_image, judge_bits_per_pixel, read_grayscale, shrink_image
from gencomp.resources import assets_dir
from gencomp.sampling.dictionaries import CHOICES as DICTIONARY_CHOICES
from gencomp.sampling.dictionaries import resolve_dictionary
from gencomp.sampling.generate import stream
from gencomp.sampling.rating import Rating, judge, rate


@dataclass
class AppConfig:
    """Settings of the demo: limits that keep one user from holding the machine for long."""

    hf_model: Optional[str] = os.environ.get("GENCOMP_HF_MODEL")  # a local HF model dir, offered as hf:DIR
    max_text_bytes: int = 2000
    max_upload_bytes: int = 256 * 1024  # the compress tab runs every codec, models included
    max_image_width: int = 128
    max_audio_seconds: float = 2.0
    context_bytes: int = 2048  # image and audio completions: bytes each value is scored on (text: the codec's own)


def generator_names(config: AppConfig) -> list[str]:
    """Every codec the app offers, as generator and in the Compress tab: the classic codecs, the
    context model, each shipped transformer and hf:DIR when configured (Table 1's rows)."""
    return default_codecs(config.hf_model)


@functools.lru_cache(maxsize=32)
def compressor(spec: str) -> Compressor:
    return get_compressor(spec)


def shipped_images() -> dict[str, Path]:
    return {p.stem: p for p in sorted((assets_dir() / "images").glob("*.png"))}


def shipped_audio() -> dict[str, Path]:
    return {p.stem: p for p in sorted((assets_dir() / "audio").glob("*.flac"))}


def _check_generators(generators: list[str]) -> None:
    if not generators:
        raise GencompError("choose at least one generator")


@dataclass
class TextResult:
    """One generator's column: the bytes so far, its code length of the prompt, its speed and, once
    done, the figures that rate the sample (gencomp.sampling.rating)."""

    generator: str
    wanted: int
    text: bytes = b""
    prompt_bits_per_byte: Optional[float] = None
    seconds: float = 0.0
    rating: Optional[Rating] = None
    real_bits_per_byte: Optional[float] = None  # the judge's on the prompt itself: real text to compare with

    def label(self) -> str:
        if self.rating is not None:
            real = f" · the prompt itself: {self.real_bits_per_byte:.2f} bits/byte" if self.real_bits_per_byte is not None else ""
            return f"{self.generator} · {len(self.text)} bytes · {self.rating.summary()}{real}"
        rate = f"{self.prompt_bits_per_byte:.2f} bits/byte on the prompt" if self.prompt_bits_per_byte is not None else ""
        speed = f"{len(self.text) / self.seconds:.0f} B/s" if self.seconds > 0 and self.text else ""
        return " · ".join(x for x in (self.generator, f"{len(self.text)}/{self.wanted} bytes", rate, speed) if x)


def generate_text(prompt: str, generators: list[str], n: int, temperature: Optional[float], seed: int,
                  config: AppConfig, dictionary: str = "auto", text_safe: bool = True) -> Iterator[list[TextResult]]:
    """Yield every generator's column after each byte any of them adds (one byte each in turn), then once
    more with ratings.
    temperature None: each generator's own (Compressor.sampling_temperature); dictionary: auto, none,
    or a shipped name; text_safe: valid UTF-8 and only bytes seen in the dictionary or prompt
    (gencomp.sampling.generate)."""
    _check_generators(generators)
    if not prompt:
        raise GencompError("type a prompt first")
    if not 1 <= n <= config.max_text_bytes:
        raise GencompError(f"length must be 1 … {config.max_text_bytes} bytes, got {n}")
    if dictionary not in DICTIONARY_CHOICES:
        raise GencompError(f"dictionary must be one of {', '.join(DICTIONARY_CHOICES)}, got {dictionary!r}")
    data = prompt.encode("utf-8")
    _, primer = resolve_dictionary(dictionary, data)
    results = [TextResult(g, n) for g in generators]
    streams = []
    for result in results:
        codec = compressor(result.generator)
        result.prompt_bits_per_byte = codec.code_length_bits(data) / len(data)
        own = codec.sampling_temperature if temperature is None else temperature
        streams.append(stream(codec, data, n, own, 0, seed, dictionary=primer,
                              text_safe=text_safe, seen_only=text_safe))
    yield results
    for _ in range(n):
        for result, source in zip(results, streams):  # a fast generator's bytes show while a slow one starts
            start = time.perf_counter()
            result.text += next(source)
            result.seconds += time.perf_counter() - start
            yield results
    real = judge().code_length_bits(data) / len(data)
    for result in results:
        result.rating, result.real_bits_per_byte = rate(result.text, data, primer, result.seconds), real
    yield results


def load_image(choice: Optional[str], upload: Optional[str], width: int) -> np.ndarray:
    """(H, W) uint8: the uploaded image if any, else the shipped one chosen, `width` pixels wide."""
    path = upload or (shipped_images().get(choice) if choice else None)
    if path is None:
        raise GencompError("pick a shipped image or upload one")
    return shrink_image(read_grayscale(path), width)


def image_grid(original: np.ndarray, completions: dict[str, np.ndarray], scale: int = 4) -> np.ndarray:
    """(H·scale, ·) uint8: the original and each completion side by side, white gaps, zoomed by `scale`."""
    gap = np.full((original.shape[0], 1), 255, np.uint8)
    parts = [original]
    for image in completions.values():
        parts += [gap, image]
    grid = np.concatenate(parts, axis=1)
    return np.kron(grid, np.ones((scale, scale), np.uint8))  # nearest-neighbour zoom


def complete_images(original: np.ndarray, keep_rows: int, generators: list[str], temperature: float, seed: int,
                    config: AppConfig) -> Iterator[dict[str, np.ndarray]]:
    """Yield {generator: image so far} after each round of one row each."""
    _check_generators(generators)
    if original.shape[1] > config.max_image_width:
        raise GencompError(f"images are at most {config.max_image_width} pixels wide here")
    sources = {g: complete_image(compressor(g), original, keep_rows, temperature, None, seed, config.context_bytes)
               for g in generators}
    current = {g: np.where(np.arange(original.shape[0])[:, None] < keep_rows, original, 0).astype(np.uint8)
               for g in generators}
    yield current
    for _ in range(original.shape[0] - keep_rows):
        for g, source in sources.items():
            current[g] = next(source)
        yield current


def judge_images(original: np.ndarray, keep_rows: int, completions: dict[str, np.ndarray]) -> dict[str, float]:
    """{"real": bits a pixel of the original's own lower rows, generator: of its completion}, under the
    image codec after the kept rows (gencomp.media.image.judge_bits_per_pixel)."""
    kept = original[:keep_rows]
    wholes = {"real": original, **completions}
    return {name: judge_bits_per_pixel(kept, whole[keep_rows:]) for name, whole in wholes.items()}


def judge_clips(samples: np.ndarray, keep: int, clips: dict[str, np.ndarray]) -> dict[str, Optional[float]]:
    """{"real": bits a sample of the clip's real continuation, as much of it as the clip holds (None: nothing),
    generator: of its continuation}, under the audio codec after the kept samples."""
    new = max((len(c) - keep for c in clips.values()), default=0)
    real = samples[keep : keep + new]
    judged = {"real": judge_bits_per_sample(samples[:keep], real) if len(real) else None}
    return judged | {name: judge_bits_per_sample(samples[:keep], clip[keep:]) for name, clip in clips.items()}


def load_audio(choice: Optional[str], upload: Optional[str]) -> tuple[np.ndarray, int]:
    path = upload or (shipped_audio().get(choice) if choice else None)
    if path is None:
        raise GencompError("pick a shipped clip or upload one")
    pcm, rate = read_pcm16(path)
    return np.frombuffer(pcm, "<i2").astype(np.int16), rate


def continue_clips(samples: np.ndarray, rate: int, keep_seconds: float, seconds: float, generators: list[str],
                   temperature: float, seed: int, config: AppConfig) -> Iterator[dict[str, np.ndarray]]:
    """Yield {generator: int16 clip so far} after each round of one block of samples each."""
    _check_generators(generators)
    if not 0 < seconds <= config.max_audio_seconds:
        raise GencompError(f"seconds to generate must be in (0, {config.max_audio_seconds}], got {seconds}")
    sources = {g: continue_audio(compressor(g), samples, rate, keep_seconds, seconds, temperature, 0, seed,
                                 config.context_bytes, update_every=max(1, round(rate * seconds / 20)))
               for g in generators}
    current = {g: samples[: round(keep_seconds * rate)] for g in generators}
    while sources:
        for g in list(sources):
            try:
                current[g] = next(sources[g])
            except StopIteration:
                del sources[g]
        yield current


def compression_table(data: bytes, config: AppConfig, generators: Optional[list[str]] = None,
                      name: str = "upload") -> tuple[list[dict], dict[str, bytes]]:
    """(rows, archives): one row per codec (raw and adjusted rate, payload bytes, seconds) and its
    .gcz archive, every codec on the file in its own chunking. As `gencomp compress` does, a media
    codec (image, audio) codes an image or audio file's pixels or samples, and its row says so
    ("image (pixels)"); any other file, or one it cannot keep exactly, it codes as bytes."""
    if not data:
        raise GencompError("the file is empty")
    if len(data) > config.max_upload_bytes:
        raise GencompError(f"the file is {len(data)} bytes; this app compresses at most {config.max_upload_bytes}")
    rows, archives, media = [], {}, {}
    for spec in generators or generator_names(config):
        family = spec.split(":", 1)[0]
        if is_media_codec(spec) and family not in media:
            media[family] = _media_stream(data, name, family)
        stream = media.get(family)
        label = f"{spec} ({media_kind(stream.record['kind']).unit})" if stream else spec
        codec = compressor(stream.spec) if stream else compressor(spec)
        start = time.perf_counter()
        archives[label] = media_archive(stream) if stream else codec.compress(data)
        payload_bytes = summarize(archives[label]).payload_bytes
        row = measured_row(label, codec, "upload", len(data), payload_bytes, time.perf_counter() - start)
        row["adjusted_rate"] = adjusted_rate(row)
        rows.append(row)
    return rows, archives


def _media_stream(data: bytes, name: str, codec: str) -> Optional[MediaStream]:
    """The upload's pixels or samples, or None: not such a file, or one that cannot be kept exactly."""
    try:
        return read_media(data, name, codec)
    except GencompError:
        return None


def best_archive(data: bytes, rows: list[dict], archives: dict[str, bytes],
                 name: str = "upload") -> tuple[str, bytes]:
    """(codec, archive) of the lowest raw rate; the archive restores the file (checked): its bytes,
    or for a media archive that is not byte-exact, the same pixels or samples."""
    best = min(rows, key=lambda r: r["rate"])["codec"]
    _codec, restored, _suffix = restore(archives[best])
    media = summarize(archives[best]).media
    if restored != data and not (media and _same_media(restored, data, name, media_kind(media["kind"]).codec)):
        raise GencompError(f"{best} failed to round-trip this file; please report it")
    return best, archives[best]


def _same_media(rebuilt: bytes, original: bytes, name: str, codec: str) -> bool:
    before, after = read_media(original, name, codec), read_media(rebuilt, name, codec)
    return before is not None and after is not None and before.data == after.data


def restore(archive: bytes) -> tuple[str, bytes, str]:
    """(codec, restored file, suffix to add to its name) of a .gcz archive: its bytes, or for an
    image or audio file's archive the file it rebuilds (suffix ".png", ".wav", …)."""
    summary = summarize(archive)
    if summary.media is None:
        return summary.codec, decompress(archive), ""
    return summary.codec, media_file_of(archive), summary.media["suffix"]


def warm_up() -> None:
    """Compile the numba kernels (range coder, exact deflate) before the first user waits for them."""
    compressor("gzip").next_byte_code_lengths_bits(b"warm")
    compressor("cm").decompress(compressor("cm").compress(b"warm up"))
