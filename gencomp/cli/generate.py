"""gencomp generate: sample text, an image completion or an audio continuation from a codec.

  gencomp generate --codec gzip --prompt "The cat" --bytes 200 --seed 0
  gencomp generate --codec lm:tiny --image photo.png --keep-rows 20 -o completed.png
  gencomp generate --codec cm --audio speech.flac --keep-seconds 1 --seconds 0.25 -o more.wav
"""

from __future__ import annotations

import argparse
import codecs
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from gencomp.cli.files import STDIO, check_output, read_input, write_output
from gencomp.compressors import COMPRESSORS, get_compressor
from gencomp.data.modalities import pcm16_to_wav, read_grayscale, read_pcm16
from gencomp.errors import GencompError
from gencomp.sampling.generate import stream
from gencomp.sampling.media import (
    DEFAULT_IMAGE_WIDTH,
    complete_image,
    continue_audio,
    shrink_image,
)


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
    parser.add_argument("--seconds", type=float, default=0.1, help="audio: seconds to generate (default 0.1)")
    parser.add_argument("-t", "--temperature", type=float, default=1.0, help="1: the model itself; <= 0: greedy (default 1)")
    parser.add_argument("--top-k", type=int, default=0, help="sample among the k most probable bytes (default 0: all)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same output")
    parser.add_argument("--context-bytes", type=int, default=2048,
                        help="classic codecs: bytes of context each byte is scored on (default 2048)")
    parser.add_argument("-o", "--output", help="output file (text: default stdout; image: FILE-CODEC.png; audio: FILE-CODEC.wav)")
    parser.add_argument("-f", "--force", action="store_true", help="overwrite an existing output file")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    settings = dict(temperature=args.temperature, top_k=args.top_k, seed=args.seed, max_context_bytes=args.context_bytes)
    if args.image:
        return _image(args, settings)
    if args.audio:
        return _audio(args, settings)
    return _text(args, settings)


def _default_output(source: str, codec: str, suffix: str) -> str:
    return str(Path(source).with_name(f"{Path(source).stem}-{codec.replace(':', '-').replace('/', '-')}{suffix}"))


def _text(args, settings) -> int:
    prompt = read_input(args.prompt_file) if args.prompt_file else (args.prompt or "").encode("utf-8")
    to_file = args.output not in (None, STDIO)
    if to_file:
        check_output(args.output, args.force)
    compressor = get_compressor(args.codec)
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
