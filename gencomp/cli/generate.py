"""gencomp generate: sample text, an image completion or an audio continuation from a codec.

  gencomp generate --codec gzip --prompt "The cat" --bytes 200 --seed 0
  gencomp generate --compare gzip,lzma,cm,lm:small --prompt "def parse_args(argv):"
  gencomp generate --codec lm:tiny --image photo.png --keep-rows 20 -o completed.png
  gencomp generate --codec cm --audio speech.flac --keep-seconds 1 --seconds 0.25 -o more.wav
"""

from __future__ import annotations

import argparse
import codecs
import io
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from gencomp.cli.files import STDIO, check_output, read_input, write_output
from gencomp.compressors import COMPRESSORS, get_compressor
from gencomp.errors import GencompError
from gencomp.media.audio import continue_audio, pcm16_to_wav, read_pcm16
from gencomp.media.image import DEFAULT_WIDTH as DEFAULT_IMAGE_WIDTH
from gencomp.media.image import TOP_K as IMAGE_TOP_K
from gencomp.media.image import complete_image, read_grayscale, shrink_image
from gencomp.sampling.dictionaries import MAX_DICTIONARY_BYTES, SHIPPED, resolve_dictionary
from gencomp.sampling.generate import stream
from gencomp.sampling.rating import JUDGE, rate
from gencomp.sampling.text_safe import is_text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gencomp generate", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("-c", "--codec", default="gzip", help=f"generator: one of {', '.join(COMPRESSORS.names())} (default gzip)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--prompt", help="text prompt (UTF-8); may be empty")
    what.add_argument("--prompt-file", help="prompt from a file, any bytes (- for stdin)")
    what.add_argument("--image", help="image to complete (any format pillow reads; made grayscale)")
    what.add_argument("--audio", help="speech to continue (any format soundfile reads; made mono 16-bit)")
    parser.add_argument("--bytes", type=int, default=200, help="text: bytes to generate (default 200)")
    parser.add_argument("--keep-rows", type=int, help="image: rows of the (resized) image to keep (default: half)")
    parser.add_argument("--width", type=int, default=DEFAULT_IMAGE_WIDTH,
                        help=f"image: resize to this many pixels wide first, 0 to keep the size (default {DEFAULT_IMAGE_WIDTH})")
    parser.add_argument("--keep-seconds", type=float, default=1.0, help="audio: seconds to keep (default 1)")
    parser.add_argument("--seconds", type=float, default=1.0, help="audio: seconds to generate (default 1)")
    parser.add_argument("-t", "--temperature", type=float, default=None,
                        help="1: the model itself; <= 0: greedy (default: text, each generator's own, e.g. gzip 2, "
                             "cm 0.7; --plain, images and audio 1)")
    parser.add_argument("--top-k", type=int, default=None,
                        help=f"sample among the k most probable bytes, 0: all (default: {IMAGE_TOP_K} for an image, else 0)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same output")
    parser.add_argument("--context-bytes", type=int, default=None,
                        help="classic codecs: bytes of dictionary, prompt and output each candidate is scored on "
                             "(default: text the codec's own, gzip its 32 KiB window and the others 2048; "
                             "images and audio 2048)")
    text = parser.add_argument_group("text (gencomp.sampling.generate explains each)")
    text.add_argument("--compare", metavar="SPECS",
                      help="comma-separated generators, e.g. gzip,lzma,cm,lm:small: each sample, then a table rating them")
    text.add_argument("--dictionary", default="auto",
                      help="prime the generator: auto (the shipped one that fits the prompt best), none, "
                           f"{', '.join(SHIPPED)} or a file (its last {MAX_DICTIONARY_BYTES // 1024} KiB) (default auto)")
    text.add_argument("--text-safe", action=argparse.BooleanOptionalAction, default=None,
                      help="only bytes that keep the output valid, printable UTF-8 (default: on for a UTF-8 prompt)")
    text.add_argument("--seen-only", action=argparse.BooleanOptionalAction, default=None,
                      help="only bytes that occur in the dictionary or the prompt (default: on for a UTF-8 prompt)")
    text.add_argument("--copies", action=argparse.BooleanOptionalAction, default=None,
                      help="LZ-family codecs also score multi-byte copies (default: on for gzip, lzma, zstd, brotli)")
    text.add_argument("--plain", action="store_true",
                      help="the model itself: no dictionary, not text-safe, all bytes, one byte at a time; "
                           "images and audio: no copy proposals")
    parser.add_argument("-o", "--output", help="output file (text: default stdout; image: FILE-CODEC.png; audio: FILE-CODEC.wav)")
    parser.add_argument("-f", "--force", action="store_true", help="overwrite an existing output file")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    settings = dict(temperature=1.0 if args.temperature is None else args.temperature, top_k=args.top_k or 0,
                    seed=args.seed)
    if args.context_bytes is not None:  # else each path's own: the codec's for text, 2 KB for images and audio
        settings["max_context_bytes"] = args.context_bytes
    media = {"copies": 0.0} if args.plain else {}  # else each kind's copy proposals (gencomp.media)
    if args.image:
        return _image(args, settings | media | {"top_k": args.top_k})
    if args.audio:
        return _audio(args, settings | media)
    return _text(args, settings)


def _default_output(source: str, codec: str, suffix: str) -> str:
    return str(Path(source).with_name(f"{Path(source).stem}-{codec.replace(':', '-').replace('/', '-')}{suffix}"))


def _text_options(args, prompt: bytes) -> tuple[str, dict]:
    """(dictionary name, the options `stream` takes) from the command line."""
    if args.plain:
        return "none", dict(dictionary=b"", text_safe=False, seen_only=False, copies=False)
    name, dictionary = resolve_dictionary(args.dictionary, prompt)
    seen_only = is_text(prompt) if args.seen_only is None else args.seen_only
    return name, dict(dictionary=dictionary, text_safe=args.text_safe, seen_only=seen_only, copies=args.copies)


def _text(args, settings) -> int:
    prompt = read_input(args.prompt_file) if args.prompt_file else (args.prompt or "").encode("utf-8")
    dictionary_name, options = _text_options(args, prompt)
    settings = {**settings, **options}
    if args.compare:
        return _compare(args, prompt, dictionary_name, settings)
    to_file = args.output not in (None, STDIO)
    if to_file:
        check_output(args.output, args.force)
    compressor = get_compressor(args.codec)
    settings = _with_temperature(args, settings, compressor)
    if to_file:
        with tqdm(total=args.bytes, unit="B", desc=f"generate {compressor.name}", disable=args.quiet or None, leave=False) as bar:
            out = b"".join(bar.update(1) or b for b in stream(compressor, prompt, args.bytes, **settings))
        write_output(args.output, out)
        return 0
    if not sys.stdout.isatty():  # a pipe or file gets the bytes as they are
        for byte in stream(compressor, prompt, args.bytes, **settings):
            sys.stdout.buffer.write(byte)
        sys.stdout.buffer.flush()
        return 0
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    for byte in stream(compressor, prompt, args.bytes, **settings):  # shown as it comes
        sys.stdout.write(_printable(decoder.decode(byte)))
        sys.stdout.flush()
    sys.stdout.write(_printable(decoder.decode(b"", final=True)) + "\n")
    return 0


def _compare(args, prompt: bytes, dictionary_name: str, settings: dict) -> int:
    """Every generator's sample, then one table of the rating figures (gencomp.sampling.rating)."""
    specs = [s.strip() for s in args.compare.split(",") if s.strip()]
    if not specs:
        raise GencompError("--compare needs at least one generator, e.g. gzip,cm")
    compressors = [get_compressor(spec) for spec in specs]  # every spec checked before any work
    rows = []
    for spec, compressor in zip(specs, compressors):
        start = time.perf_counter()
        with tqdm(total=args.bytes, unit="B", desc=f"generate {spec}", disable=args.quiet or None, leave=False) as bar:
            own = _with_temperature(args, settings, compressor)
            sample = b"".join(bar.update(1) or b for b in stream(compressor, prompt, args.bytes, **own))
        rating = rate(sample, prompt, settings["dictionary"], time.perf_counter() - start)
        rows.append((spec, rating))
        print(f"--- {spec}\n{_printable(sample.decode('utf-8', errors='replace'))}\n")
    print(f"dictionary: {dictionary_name}; bits/byte judged by {JUDGE} after the prompt; words known from "
          "the prompt, the dictionary or the English word list")
    header = ("generator", "bits/byte", "UTF-8", "printable", "known words", "distinct 4-grams", "B/s")
    table = [header] + [(spec, f"{r.bits_per_byte:.2f}", f"{r.valid_utf8:.0%}", f"{r.printable:.0%}",
                         f"{r.known_words:.0%} of {r.words}", f"{r.distinct_4grams:.0%}", f"{r.bytes_per_second:.0f}")
                        for spec, r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
    return 0


def _with_temperature(args, settings: dict, compressor) -> dict:
    """Text settings at -t, or else at the generator's own temperature (1, the model itself, with --plain)."""
    if args.temperature is not None or args.plain:
        return settings
    return settings | {"temperature": compressor.sampling_temperature}


def _printable(text: str) -> str:
    """Control characters (escape sequences could drive the terminal) shown as U+FFFD."""
    return "".join(c if c.isprintable() or c in "\n\t" else "\ufffd" for c in text)


def _image(args, settings) -> int:
    output = args.output or _default_output(args.image, args.codec, ".png")
    check_output(output, args.force)
    original = shrink_image(read_grayscale(args.image), args.width)
    keep = original.shape[0] // 2 if args.keep_rows is None else args.keep_rows
    compressor = get_compressor(args.codec)
    rows = original.shape[0] - keep
    completed = None
    with tqdm(total=rows, unit="row", desc=f"complete {compressor.name}", disable=args.quiet or None, leave=False) as bar:
        for completed in complete_image(compressor, original, keep, **settings):
            bar.update(1)
    gap = np.full((original.shape[0], 4), 255, np.uint8)
    side_by_side = np.concatenate([original, gap, completed], axis=1)  # real | completion
    buffer = io.BytesIO()
    Image.fromarray(side_by_side).save(buffer, format="PNG")
    write_output(output, buffer.getvalue())
    print(f"wrote {output}: original (left) and {compressor.name}'s completion of the last {rows} rows (right)", file=sys.stderr)
    return 0


def _audio(args, settings) -> int:
    output = args.output or _default_output(args.audio, args.codec, ".wav")
    check_output(output, args.force)
    pcm, rate = read_pcm16(args.audio)
    samples = np.frombuffer(pcm, "<i2").astype(np.int16)
    compressor = get_compressor(args.codec)
    clip = None
    total = round(args.seconds * rate)
    with tqdm(total=total, unit="sample", desc=f"continue {compressor.name}", disable=args.quiet or None, leave=False) as bar:
        for clip in continue_audio(compressor, samples, rate, args.keep_seconds, args.seconds, **settings):
            bar.n = len(clip) - round(args.keep_seconds * rate)
            bar.refresh()
    if clip is None:
        raise GencompError("nothing was generated")
    write_output(output, pcm16_to_wav(clip.astype("<i2").tobytes(), rate))
    print(f"wrote {output}: {args.keep_seconds} s kept + {args.seconds} s from {compressor.name}", file=sys.stderr)
    return 0
