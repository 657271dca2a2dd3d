"""gencomp [-z|-d|-t|-l] [-c] [-k] [-f] [-q] [-v] [-T N] [--codec NAME] [FILE ...]

The interface of gzip, xz and zstd, so that gencomp works where they do: in a pipe, under
`tar -I gencomp`, on several files at once. Here -c means "write to standard output", as in gzip;
the codec is --codec (under `gencomp compress`, -c names the codec). With no FILE, or FILE -,
standard input is read and standard output written.

  gencomp notes.txt                  # -> notes.txt.gcz, input removed (keep it with -k)
  gencomp -d notes.txt.gcz           # -> notes.txt
  gencomp -dc notes.txt.gcz | less   # to standard output
  tar -I gencomp -cf src.tar.gcz src/   # and tar -I gencomp -xf src.tar.gcz
  gencomp -l *.gcz                   # codec and sizes, without decoding
"""

from __future__ import annotations

import argparse
import sys

from gencomp import __version__
from gencomp.archive.stream import read_summary
from gencomp.cli.compress import AUTO, SUFFIX, compress_file
from gencomp.cli.decompress import decompress_file, verify_archive
from gencomp.cli.files import STDIO, open_input
from gencomp.compressors.registry import DEFAULT_CODEC
from gencomp.errors import GencompError
from gencomp.jit import limit_threads


def parser() -> argparse.ArgumentParser:
    out = argparse.ArgumentParser(prog="gencomp", description=__doc__.split("\n\n")[1].replace("\n", " "),
                                  epilog="commands: gencomp COMMAND -h (compress, decompress, generate, bench, "
                                         "demo, train, models, codecs)",
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = out.add_mutually_exclusive_group()
    mode.add_argument("-z", "--compress", action="store_true", help="compress (the default)")
    mode.add_argument("-d", "--decompress", "--uncompress", action="store_true", help="decompress")
    mode.add_argument("-t", "--test", action="store_true", help="decode each archive and check its CRC32s; write nothing")
    mode.add_argument("-l", "--list", action="store_true", help="codec and sizes of each archive, without decoding")
    out.add_argument("-c", "--stdout", "--to-stdout", action="store_true", help="write to standard output; keep inputs")
    out.add_argument("-k", "--keep", action="store_true", help="keep the input files")
    out.add_argument("-f", "--force", action="store_true", help="overwrite existing output files")
    out.add_argument("-q", "--quiet", action="store_true", help="no progress bars, notes or warnings")
    out.add_argument("-v", "--verbose", action="store_true", help="sizes and throughput of each file")
    out.add_argument("-T", "--threads", type=int, metavar="N", help="use at most N threads (0: every core, the default)")
    out.add_argument("--codec", default=AUTO, metavar="NAME",
                     help=f"codec to compress with (default {AUTO}: {DEFAULT_CODEC}, or image / audio for a PNG, BMP, PGM, "
                          "PPM or WAV file that comes back byte for byte; gencomp codecs lists them); decompressing "
                          "reads it from the archive")
    out.add_argument("-V", "--version", action="version", version=f"gencomp {__version__}")
    out.add_argument("files", nargs="*", metavar="FILE", help="files (none, or -: standard input)")
    return out


def main(argv: list[str]) -> int:
    """Run the interface on each file; 0 when every file went well, else 1 (each error said on stderr)."""
    args = parser().parse_args(argv)
    if args.threads is not None:
        if args.threads < 0:
            raise GencompError(f"-T needs 0 (every core) or a positive number of threads, got {args.threads}")
        if args.threads:
            limit_threads(args.threads)
    if args.list:
        return _list(args.files or [STDIO])
    status = 0
    for name in args.files or [STDIO]:
        try:
            _one(name, args)
        except GencompError as exc:
            print(f"gencomp: {_named(name, exc)}", file=sys.stderr)
            status = 1
    return status


def _one(name: str, args) -> None:
    reading = args.decompress or args.test
    if name == STDIO and reading and sys.stdin.isatty():
        raise GencompError("refusing to read an archive from a terminal; give a file or a pipe")
    if args.test:
        verify_archive(name)
        if args.verbose:
            print(f"gencomp: {name}: OK", file=sys.stderr)
        return
    to_stdout = args.stdout or name == STDIO
    settings = {"keep": args.keep or to_stdout, "force": args.force, "quiet": args.quiet, "verbose": args.verbose}
    if args.decompress:
        if not to_stdout and not name.endswith(SUFFIX):
            raise GencompError(f"does not end in {SUFFIX}: left as it is")
        decompress_file(name, STDIO if to_stdout else None, **settings)
    else:
        if not to_stdout and name.endswith(SUFFIX) and not args.force:
            raise GencompError(f"already ends in {SUFFIX}: left as it is (-f compresses it again)")
        compress_file(name, STDIO if to_stdout else name + SUFFIX, args.codec, silent=args.quiet, **settings)


def _list(names: list[str]) -> int:
    """A table of each archive: sizes, ratio, codec, name (as gzip -l and xz -l)."""
    print(f"{'compressed':>14} {'original':>14} {'ratio':>7}  {'codec':<16} name")
    status, totals = 0, [0, 0]
    for name in names:
        try:
            with open_input(name) as (source, size):
                summary = read_summary(source)
        except GencompError as exc:
            print(f"gencomp: {_named(name, exc)}", file=sys.stderr)
            status = 1
            continue
        compressed = size if size is not None else summary.payload_bytes
        ratio = f"{100 * compressed / summary.original_bytes:.2f}%" if summary.original_bytes else "-"
        kind = f" ({summary.media['kind']})" if summary.media else ""
        print(f"{compressed:>14,} {summary.original_bytes:>14,} {ratio:>7}  {summary.codec + kind:<16} {name}")
        totals[0], totals[1] = totals[0] + compressed, totals[1] + summary.original_bytes
    if len(names) > 1:
        ratio = f"{100 * totals[0] / totals[1]:.2f}%" if totals[1] else "-"
        print(f"{totals[0]:>14,} {totals[1]:>14,} {ratio:>7}  {'':<16} (total)")
    return status


def _named(name: str, exc: GencompError) -> str:
    """The error, after the file's name unless the message begins with it (as the input's errors do)."""
    message = str(exc)
    if name == STDIO:
        return f"(stdin): {message}"
    return message if message.startswith(f"{name}: ") else f"{name}: {message}"
