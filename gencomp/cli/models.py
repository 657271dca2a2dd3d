"""gencomp models: the shipped byte transformers, with their model-card numbers."""

from __future__ import annotations

import argparse

from gencomp.models.checkpoint import load_checkpoint
from gencomp.models.zoo import models_dir, shipped_models


def main(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="gencomp models", description="List the shipped models.").parse_args(argv)
    shipped = shipped_models()
    if not shipped:
        print(f"no models in {models_dir()}")
        return 0
    print(f"{'name':<10}{'parameters':>12}{'held-out bits/byte (wikitext)':>32}  file")
    for name, path in shipped.items():
        _, _, info, _ = load_checkpoint(path)
        bpb = info.get("heldout_bits_per_byte", {}).get("wikitext2-valid.txt", float("nan"))
        print(f"{name:<10}{info.get('parameters', 0):>12,}{bpb:>32.3f}  {path}")
    print("use as: gencomp compress FILE -c lm:NAME, or -c mix:NAME to mix it into the context-mixing model (-c cm: no weights)")
    return 0
