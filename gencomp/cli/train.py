"""Train a byte transformer on the first 90 % of each file in ../shared/data/text; rerun to resume.

gencomp train --size tiny|small|medium --out DIR [--steps N] …
"""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

from gencomp.models.training import TrainSettings, train
from gencomp.models.transformer import SIZES


def main(argv: list[str]) -> int:
    defaults = TrainSettings()
    parser = argparse.ArgumentParser(prog="gencomp train", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default=defaults.size)
    parser.add_argument("--out", type=Path, required=True, help="run folder: checkpoints, log; rerun to resume")
    for f in fields(TrainSettings):
        if f.name in ("size", "out_dir", "files"):
            continue
        default = getattr(defaults, f.name)
        if isinstance(default, bool):  # type=bool would read "False" as True
            parser.add_argument(f"--{f.name.replace('_', '-')}", action=argparse.BooleanOptionalAction, default=default)
        else:
            parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(default), default=default)
    args = vars(parser.parse_args(argv))
    out = args.pop("out")
    path = train(TrainSettings(out_dir=out, **args))
    print(f"model written to {path}; ship it by copying it to gencomp/assets/models/")
    return 0
