"""gencomp codecs: every registered codec and what it is."""

from __future__ import annotations

import argparse

from gencomp.compressors import COMPRESSORS


def main(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="gencomp codecs", description="List the codecs.").parse_args(argv)
    for name in COMPRESSORS.names():
        print(f"{name:<12}{COMPRESSORS.help(name)}")
    return 0
