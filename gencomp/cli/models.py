"""gencomp models: the shipped byte transformers, with their model-card numbers."""

from __future__ import annotations

import argparse

from gencomp.models.checkpoint import load_checkpoint
from gencomp.models.zoo import DEFAULT_MIX_MODEL, DEFAULT_MODEL, model_dirs, models_dir, shipped_models


def main(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="gencomp models", description="List the shipped models (and those in the "
                            "folders named in $GENCOMP_MODELS).").parse_args(argv)
    shipped = shipped_models()
    if not shipped:
        print("no models in " + ", ".join(map(str, model_dirs())))
        return 0
    print(f"{'name':<12}{'parameters':>12}{'wikitext':>10}{'own held-out':>14}{'sources':>9}  file")
    for name, path in shipped.items():
        _, _, info, _ = load_checkpoint(path)
        heldout = info.get("heldout_bits_per_byte", {})
        wikitext = heldout.get("wikitext2-valid.txt", float("nan"))
        mean = sum(heldout.values()) / len(heldout) if heldout else float("nan")
        label = name + (" *" if name == DEFAULT_MODEL else "") + (" +" if name == DEFAULT_MIX_MODEL else "")
        print(f"{label:<12}{info.get('parameters', 0):>12,}{wikitext:>10.3f}{mean:>14.3f}{len(heldout):>9}  {path}")
    print("bits/byte on held-out text (the last 10 % of each file; own: the mean over the files the model trained on)")
    print(f"* lm's default (lm = lm:{DEFAULT_MODEL}); + mix's (mix = mix:{DEFAULT_MIX_MODEL}); model card: "
          f"{models_dir() / 'README.md'}")
    print("use as: gencomp compress FILE -c lm:NAME, or -c mix:NAME to mix it into the context-mixing model (-c cm: no weights)")
    return 0
