"""gencomp compress FILE [-c CODEC] [-o OUT] [-k] [-f] [--chunk-size N]"""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from gencomp.cli.files import STDIO, check_output, read_input, remove_input, write_output
from gencomp.compressors import COMPRESSORS, get_compressor

DEFAULT_CODEC = "lzma"
SUFFIX = ".gcz"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gencomp compress", description="Compress FILE into FILE.gcz.")
    parser.add_argument("file", help="file to compress, or - for stdin")
    parser.add_argument("-c", "--codec", default=DEFAULT_CODEC,
                        help=f"codec (default {DEFAULT_CODEC}); one of: {', '.join(COMPRESSORS.names())}")
    parser.add_argument("-o", "--output", help=f"output file (default FILE{SUFFIX}; stdout for stdin), - for stdout")
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="code independent chunks of N bytes (0: one stream; default: the codec's own)")
    parser.add_argument("-k", "--keep", action="store_true", help="keep the input file")
    parser.add_argument("-f", "--force", action="store_true", help="overwrite an existing output file")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    output = args.output or (STDIO if args.file == STDIO else args.file + SUFFIX)
    compressor = get_compressor(args.codec, args.chunk_size)
    check_output(output, args.force)
    data = read_input(args.file)
    with tqdm(total=len(data), unit="B", unit_scale=True, desc=f"compress {compressor.name}",
              disable=args.quiet or None, leave=False) as bar:
        blob = compressor.compress(data, bar.update)
    for note in ([compressor.portability_note] if compressor.portability_note else []) + compressor.notes:
        print(f"gencomp compress: {note}", file=sys.stderr)
    write_output(output, blob)
    remove_input(args.file, args.keep or output == STDIO)
    return 0
