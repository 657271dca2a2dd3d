"""gencomp decompress FILE.gcz [-o OUT] [-k] [-f] [--keep-partial] [-v]

An archive of an image or audio file (gencomp compress -c image/audio) gives back the file:
a PNG with the same pixels, or the audio file with the same samples (a WAV byte for byte)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Optional

from tqdm import tqdm

from gencomp.archive.stream import decompress_stream, peek_header
from gencomp.cli.compress import SUFFIX, report
from gencomp.cli.files import STDIO, atomic_output, check_output, open_input, remove_input
from gencomp.compressors import get_compressor
from gencomp.errors import GencompError
from gencomp.media import KIND_MODULES, decode_media_file, media_kind
from gencomp.models.zoo import use_device


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
    parser.add_argument("--device", help="where lm runs its transformer: cpu (default), cuda (the same archives either way)")
    args = parser.parse_args(argv)
    if args.device:
        use_device(args.device)

    decompress_file(args.file, args.output, keep=args.keep, force=args.force, keep_partial=args.keep_partial,
                    quiet=args.quiet, verbose=args.verbose)
    return 0


def decompress_file(name: str, output: Optional[str] = None, *, keep: bool = False, force: bool = False,
                    keep_partial: bool = False, quiet: bool = False, verbose: bool = False) -> None:
    """Restore the archive `name` (STDIO: stdin) into `output` (default: name without .gcz, or a media
    file's own suffix; STDIO: stdout), as gzip -d does; the archive removed afterwards unless keep."""
    if not output and name != STDIO and not name.endswith(SUFFIX):
        raise GencompError(f"{name} does not end in {SUFFIX}; name the output with -o")
    start = time.perf_counter()
    with open_input(name) as (source, size):
        header, source = peek_header(source)
        media = header.media if header is not None else None
        output = _output_name(name, output, media)
        check_output(output, force)
        with atomic_output(output, keep_partial) as sink, \
                tqdm(total=size, unit="B", unit_scale=True, desc="decompress", disable=quiet or None,
                     leave=False) as bar:
            original = _decode(_Counted(source, bar.update), sink, media)
    if verbose:
        report(original, size, time.perf_counter() - start, "decompressed")
    remove_input(name, keep or output == STDIO)


def verify_archive(name: str) -> int:
    """Decode the archive `name` (STDIO: stdin) and check its CRC32s (and a media file's record),
    writing nothing; returns the original bytes."""
    with open_input(name) as (source, _):
        header, source = peek_header(source)
        return _decode(source, _Discarded(), header.media if header is not None else None)


def _decode(source, sink, media: Optional[dict]) -> int:
    """Decode an archive from source into sink (a media file rebuilt from its record); original bytes."""
    if media is None:
        return decompress_stream(source, sink, get_compressor)
    rebuilt, original = decode_media_file(source, media)
    sink.write(rebuilt)
    return original


def _output_name(name: str, output: Optional[str], media: Optional[dict]) -> str:
    """output, stdout for stdin, or the archive's name without .gcz (a media file's suffix where it differs:
    photo.jpg.gcz gives photo.png, as the pixels come back as a PNG)."""
    suffix = media["suffix"] if media is not None else None
    if output:
        if suffix and output != STDIO and Path(output).suffix.lower() != suffix:
            what = media_kind(media["kind"]).noun if media["kind"] in KIND_MODULES else "a media file"
            raise GencompError(f"the archive holds {what}, written as {suffix[1:].upper()}: name the output {suffix}")
        return output
    if name == STDIO:
        return STDIO
    stem = name[: -len(SUFFIX)]
    if suffix and Path(stem).suffix.lower() != suffix:
        stem = str(Path(stem).with_suffix(suffix))
    return stem


class _Counted:
    """A reader that reports the archive bytes it hands out (the progress bar's unit: its ETA holds
    although the original size is known only at the end)."""

    def __init__(self, file, progress):
        self.file, self.progress = file, progress

    def read(self, n: int = -1) -> bytes:
        out = self.file.read(n)
        self.progress(len(out))
        return out


class _Discarded:
    """A writer that keeps nothing (gencomp -t)."""

    def write(self, data: bytes) -> int:
        return len(data)
