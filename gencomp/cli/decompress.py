"""gencomp decompress FILE.gcz [-o OUT] [-k] [-f] [--keep-partial] [-v]

An archive of an image or audio file (gencomp compress -c image/audio) gives back the file:
a PNG with the same pixels, or the audio file with the same samples (a WAV byte for byte)."""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path
from typing import Optional

from tqdm import tqdm

from gencomp.archive.stream import decompress_stream, peek_header
from gencomp.cli.compress import SUFFIX, report
from gencomp.cli.files import STDIO, atomic_output, check_output, open_input, remove_input
from gencomp.compressors import get_compressor
from gencomp.errors import GencompError
from gencomp.media import KINDS, rebuild_media_file


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gencomp decompress", description="Restore FILE from FILE.gcz.")
    parser.add_argument("file", help=f"archive ({SUFFIX}), or - for stdin")
    parser.add_argument("-o", "--output", help="output file (default: FILE without .gcz; stdout for stdin), - for stdout")
    parser.add_argument("-k", "--keep", action="store_true", help="keep the archive")
    parser.add_argument("-f", "--force", action="store_true", help="overwrite an existing output file")
    parser.add_argument("--keep-partial", action="store_true",
                        help="on a corrupt or truncated archive, keep the frames that decoded before it")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("-v", "--verbose", action="store_true", help="report sizes and throughput at the end")
    args = parser.parse_args(argv)

    if not args.output and args.file != STDIO and not args.file.endswith(SUFFIX):
        raise GencompError(f"{args.file} does not end in {SUFFIX}; name the output with -o")
    start = time.perf_counter()
    with open_input(args.file) as (source, size):
        header, source = peek_header(source)
        media = header.media if header is not None else None
        output = _output_name(args, media)
        check_output(output, args.force)
        with atomic_output(output, args.keep_partial) as sink, \
                tqdm(total=size, unit="B", unit_scale=True, desc="decompress", disable=args.quiet or None,
                     leave=False) as bar:
            if media is None:
                original = decompress_stream(_Counted(source, bar.update), sink, get_compressor)
            else:
                decoded = io.BytesIO()
                original = decompress_stream(_Counted(source, bar.update), decoded, get_compressor)
                sink.write(rebuild_media_file(media, decoded.getvalue()))
    if args.verbose:
        report(original, size, time.perf_counter() - start, "decompressed")
    remove_input(args.file, args.keep or output == STDIO)
    return 0


def _output_name(args, media: Optional[dict]) -> str:
    """-o, stdout for stdin, or the archive's name without .gcz (a media file's suffix where it differs:
    photo.jpg.gcz gives photo.png, as the pixels come back as a PNG)."""
    suffix = media["suffix"] if media is not None else None
    if args.output:
        if suffix and args.output != STDIO and Path(args.output).suffix.lower() != suffix:
            what = KINDS[media["kind"]].noun if media["kind"] in KINDS else "a media file"
            raise GencompError(f"the archive holds {what}, written as {suffix[1:].upper()}: name the output {suffix}")
        return args.output
    if args.file == STDIO:
        return STDIO
    name = args.file[: -len(SUFFIX)]
    if suffix and Path(name).suffix.lower() != suffix:
        name = str(Path(name).with_suffix(suffix))
    return name


class _Counted:
    """A reader that reports the archive bytes it hands out (the progress bar's unit: its ETA holds
    although the original size is known only at the end)."""

    def __init__(self, file, progress):
        self.file, self.progress = file, progress

    def read(self, n: int = -1) -> bytes:
        out = self.file.read(n)
        self.progress(len(out))
        return out
