"""gencomp decompress FILE.gcz [-o OUT] [-k] [-f]"""

from __future__ import annotations

import argparse

from tqdm import tqdm

from gencomp.cli.compress import SUFFIX
from gencomp.cli.files import STDIO, check_output, read_input, remove_input, write_output
from gencomp.compressors import decompress
from gencomp.container import unpack
from gencomp.errors import GencompError


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gencomp decompress", description="Restore FILE from FILE.gcz.")
    parser.add_argument("file", help=f"archive ({SUFFIX}), or - for stdin")
    parser.add_argument("-o", "--output", help="output file (default: FILE without .gcz; stdout for stdin), - for stdout")
    parser.add_argument("-k", "--keep", action="store_true", help="keep the archive")
    parser.add_argument("-f", "--force", action="store_true", help="overwrite an existing output file")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
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
    blob = read_input(args.file)
    length = unpack(blob).original_length
    with tqdm(total=length, unit="B", unit_scale=True, desc="decompress", disable=args.quiet or None, leave=False) as bar:
        data = decompress(blob, bar.update)
    write_output(output, data)
    remove_input(args.file, args.keep or output == STDIO)
    return 0
