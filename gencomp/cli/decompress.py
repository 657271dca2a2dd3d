"""gencomp decompress FILE.gcz [-o OUT] [-k] [-f] [--keep-partial] [-v]"""

from __future__ import annotations

import argparse
import time

from tqdm import tqdm

from gencomp.cli.compress import SUFFIX, report
from gencomp.cli.files import STDIO, atomic_output, check_output, open_input, remove_input
from gencomp.compressors.frames import decompress_stream
from gencomp.errors import GencompError


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

    if args.output:
        output = args.output
    elif args.file == STDIO:
        output = STDIO
    elif args.file.endswith(SUFFIX):
        output = args.file[: -len(SUFFIX)]
    else:
        raise GencompError(f"{args.file} does not end in {SUFFIX}; name the output with -o")
    check_output(output, args.force)
    start = time.perf_counter()
    with open_input(args.file) as (source, size), atomic_output(output, args.keep_partial) as sink, \
            tqdm(total=size, unit="B", unit_scale=True, desc="decompress", disable=args.quiet or None,
                 leave=False) as bar:
        original = decompress_stream(_Counted(source, bar.update), sink)
    if args.verbose:
        report(original, size, time.perf_counter() - start, "decompressed")
    remove_input(args.file, args.keep or output == STDIO)
    return 0


class _Counted:
    """A reader that reports the archive bytes it hands out (the progress bar's unit: its ETA holds
    although the original size is known only at the end)."""

    def __init__(self, file, progress):
        self.file, self.progress = file, progress

    def read(self, n: int = -1) -> bytes:
        out = self.file.read(n)
        self.progress(len(out))
        return out
