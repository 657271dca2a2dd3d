"""gencomp compress FILE [-c CODEC] [-o OUT] [-k] [-f] [--chunk-size N] [--cluster ADDRESS] [--as-bytes] [-v]

With -c image or -c audio, an image or audio file is coded as its pixels or samples
(gencomp.media), unless --as-bytes. With no -c (`auto`), a PNG, BMP, PGM, PPM or WAV file that its pixels or
samples give back byte for byte is coded so too, any other input as bytes by the default codec."""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from pathlib import Path
from typing import Optional

from tqdm import tqdm

from gencomp.archive.stream import compress_stream
from gencomp.cli.files import STDIO, atomic_output, check_output, open_input, remove_input
from gencomp.compressors import COMPRESSORS, get_compressor
from gencomp.compressors.registry import DEFAULT_CODEC
from gencomp.errors import GencompError
from gencomp.media import MediaStream, is_media_codec, media_kind, read_exact_media_file, read_media_file
from gencomp.models.zoo import use_device

SUFFIX = ".gcz"
AUTO = "auto"  # the default codec for bytes; image or audio for a PNG, BMP, PGM, PPM or WAV file that comes back
#   byte for byte


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gencomp compress", description="Compress FILE into FILE.gcz.")
    parser.add_argument("file", help="file to compress, or - for stdin")
    parser.add_argument("-c", "--codec", default=AUTO,
                        help=f"codec (default {AUTO}: {DEFAULT_CODEC}, or image / audio for a PNG, BMP, PGM, PPM or WAV "
                             f"file that comes back byte for byte); one of: {', '.join(COMPRESSORS.names())}")
    parser.add_argument("-o", "--output", help=f"output file (default FILE{SUFFIX}; stdout for stdin), - for stdout")
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="code independent chunks of N bytes (0: one stream a frame; default: the codec's own)")
    parser.add_argument("--cluster", metavar="ADDRESS",
                        help="code the frames on a Dask cluster (e.g. tcp://host:8786); same archive as locally")
    parser.add_argument("--as-bytes", action="store_true",
                        help="with -c image or -c audio, code an image or audio file's bytes, not its pixels or samples")
    parser.add_argument("-k", "--keep", action="store_true", help="keep the input file")
    parser.add_argument("-f", "--force", action="store_true", help="overwrite an existing output file")
    parser.add_argument("--keep-partial", action="store_true", help="on an error, keep what was written")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("-v", "--verbose", action="store_true", help="report sizes and throughput at the end")
    parser.add_argument("--device", help="where lm runs its transformer: cpu (default), cuda (the same archives either way)")
    args = parser.parse_args(argv)
    if args.device:
        use_device(args.device)
    output = args.output or (STDIO if args.file == STDIO else args.file + SUFFIX)
    compress_file(args.file, output, args.codec, chunk_size=args.chunk_size, as_bytes=args.as_bytes, keep=args.keep,
                  force=args.force, keep_partial=args.keep_partial, quiet=args.quiet, verbose=args.verbose,
                  cluster=args.cluster)
    return 0


def compress_file(name: str, output: str, codec: str = AUTO, *, chunk_size: Optional[int] = None,
                  as_bytes: bool = False, keep: bool = False, force: bool = False, keep_partial: bool = False,
                  quiet: bool = False, silent: bool = False, verbose: bool = False,
                  cluster: Optional[str] = None) -> None:
    """Compress the file `name` (STDIO: stdin) into `output` (STDIO: stdout), as gzip does: never over an
    existing file without force, atomically, the input removed afterwards unless keep (or written
    to stdout, or a media file whose bytes do not come back). quiet: no progress bar; silent: no notes."""
    if name != STDIO:
        with open_input(name):  # missing, a directory, unreadable: said before any clash with an existing output
            pass
    check_output(output, force)
    media = _media(name, codec, as_bytes, chunk_size, silent)
    if codec == AUTO:
        codec = DEFAULT_CODEC
    compressor = get_compressor(media.spec if media else codec, media.chunk_size_bytes if media else chunk_size)
    if compressor.portability_note and not silent:
        print(f"gencomp compress: {compressor.portability_note}", file=sys.stderr)
    start = time.perf_counter()
    with _open(name, media) as (source, size), atomic_output(output, keep_partial) as sink, \
            tqdm(total=size, unit="B", unit_scale=True, desc=f"compress {compressor.name}",
                 disable=quiet or None, leave=False) as bar:
        if cluster:
            from gencomp.cluster import frame_mapper

            with frame_mapper(cluster) as map_frames:
                original = compress_stream(compressor, source, sink, bar.update, map_frames, media and media.record)
        else:
            original = compress_stream(compressor, source, sink, bar.update, media=media and media.record)
        written = sink.tell() if sink.seekable() else None
    for note in compressor.notes if not silent else []:
        print(f"gencomp compress: {note}", file=sys.stderr)
    if verbose:
        report(original, written, time.perf_counter() - start, compressor.name)
    if media and not silent:
        _media_notes(name, media, written, keep)
    remove_input(name, keep or output == STDIO or bool(media and not media.byte_exact))


def _media(name: str, codec: str, as_bytes: bool, chunk_size: Optional[int], silent: bool) -> Optional[MediaStream]:
    """The pixels or samples of a media file given to a media codec, or with AUTO of a PNG, BMP, PGM, PPM or WAV
    file that comes back byte for byte (None: code the bytes as they are)."""
    if codec == AUTO and not as_bytes and chunk_size is None and name != STDIO:
        return read_exact_media_file(name)
    if not is_media_codec(codec) or as_bytes or name == STDIO:
        return None
    media = read_media_file(name, codec)
    if media is None:
        return None
    if chunk_size is not None:
        raise GencompError(f"--chunk-size does not apply to {media.record['kind']} files, coded as their {_coded(media)}; "
                           "add --as-bytes to code the bytes in chunks")
    if media.dropped and not silent:
        print(f"gencomp compress: {name}: not kept: {', '.join(media.dropped)}", file=sys.stderr)
    return media


def _media_notes(name: str, media: MediaStream, written: Optional[int], keep: bool) -> None:
    """Say on stderr when a media archive is larger than the file, and that the file is kept when
    only its pixels or samples come back."""
    given = Path(name).stat().st_size
    if written is not None and written > given:
        print(f"gencomp compress: the archive ({written:,} bytes) is larger than {name} ({given:,} bytes): "
              f"it holds the {_coded(media)}, not the file's own compressed form", file=sys.stderr)
    if not media.byte_exact and not keep:
        print(f"gencomp compress: kept {name}: the archive restores its {_coded(media)}, not its bytes", file=sys.stderr)


def _coded(media: MediaStream) -> str:
    return media_kind(media.record["kind"]).unit


def _open(name: str, media: Optional[MediaStream]):
    """open_input, or the media stream's bytes in its place."""
    if media is None:
        return open_input(name)
    return contextlib.nullcontext((io.BytesIO(media.data), len(media.data)))


def report(original: int, archive: int | None, seconds: float, what: str) -> None:
    """One line on stderr: sizes, rate and throughput."""
    rate = f" -> {archive:,} bytes ({100 * archive / original:.2f} %)" if archive is not None and original else ""
    speed = original / max(seconds, 1e-9)
    speed_text = f"{speed / 1e6:.2f} MB/s" if speed >= 1e6 else f"{speed / 1e3:.1f} KB/s"
    print(f"gencomp: {what}: {original:,} bytes{rate} in {seconds:.2f} s, {speed_text}", file=sys.stderr)
