"""The byte model's revisions side by side: `cm`'s (3 in the settled core, its mixers skipping small errors; without
the skip in gencomp 0.28; 3 in gencomp 0.19 to 0.27, 1 before)
against `mix`'s (9, 8 in gencomp 0.31, 7 in 0.30, 6 in 0.27 to 0.29, 5 in 0.21 to 0.26, 4 in 0.20), with and without the
transformer.

Each codec codes every file of the suite (benchmarks/suite.py) whole, as `gencomp compress` does;
sizes are the archives' payloads, speed is compressing and decompressing in one process after a
warm-up (round trip checked). The codecs run one after another in the same run:

    cm rev 1  ContextMixingCompressor with Bytes(revision=1)  (`-c cm` of gencomp 0.15–0.18)
    cm        Bytes(revision=3, settle=True, mixer_skip=64)  (what `-c cm` is, gencomp 0.29 on)
    cm 0.28   ContextMixingCompressor with Bytes(revision=3, settle=True)  (`-c cm` of gencomp 0.28)
    cm rev 3  ContextMixingCompressor with Bytes(revision=3)  (`-c cm` of gencomp 0.19–0.27)
    cm rev 4  ContextMixingCompressor with Bytes(revision=4)
    cm rev 5  ContextMixingCompressor with Bytes(revision=5)
    cm rev 6  ContextMixingCompressor with Bytes(revision=6)
    cm rev 7  ContextMixingCompressor with Bytes(revision=7)
    cm rev 8  ContextMixingCompressor with Bytes(revision=8)
    cm rev 9  ContextMixingCompressor with Bytes(revision=9)
    mix rev 5 mix:MODEL as gencomp 0.26 made it (revision 5, primed)
    mix rev 7 mix:MODEL as gencomp 0.30 made it (revision 7, primed; in whole files as revision 6, 0.27-0.29's)
    mix rev 8 mix:MODEL as gencomp 0.31 made it (revision 8, primed)
    mix       mix:MODEL (revision 9)

    python benchmarks/byte_revisions.py [--model tiny-v2] [--no-mix] [--codecs LABEL,...] [--files NAME,...]
                                        [--repeats 1] [--out byte_revisions]

--codecs runs only the codecs of these labels (e.g. "cm rev 8,cm rev 9,mix rev 8,mix"), --files only these files of
the suite (e.g. "system-log.log,data.json").

--repeats N times each codec N times a file, one codec after another, and keeps the fastest run each way.

(results/byte_revisions.md, of gencomp 0.21, has `mix rev 4`, mix as gencomp 0.20 made it, in place of the
two columns on revision 6.)

Writes benchmarks/results/OUT.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from suite import collect  # benchmarks/suite.py

from gencomp.compressors import get_compressor
from gencomp.compressors.cm import ContextMixingCompressor
from gencomp.models.context_mixing import Bytes

RESULTS = Path(__file__).resolve().parent / "results"


def codecs(model: str, with_mix: bool) -> dict:
    """The codecs to compare by label."""
    chosen = {"cm rev 1": ContextMixingCompressor("cm", model=Bytes(revision=1)), "cm": get_compressor("cm"),
              "cm 0.28": ContextMixingCompressor("cm", model=Bytes(revision=3, settle=True)),
              "cm rev 3": ContextMixingCompressor("cm", model=Bytes(revision=3)),
              "cm rev 4": ContextMixingCompressor("cm", model=Bytes(revision=4)),
              "cm rev 5": ContextMixingCompressor("cm", model=Bytes(revision=5)),
              "cm rev 6": ContextMixingCompressor("cm", model=Bytes(revision=6)),
              "cm rev 7": ContextMixingCompressor("cm", model=Bytes(revision=7)),
              "cm rev 8": ContextMixingCompressor("cm", model=Bytes(revision=8)),
              "cm rev 9": ContextMixingCompressor("cm", model=Bytes(revision=9))}
    if with_mix:
        mix = get_compressor(f"mix:{model}")
        for revision in (5, 7, 8):
            chosen[f"mix rev {revision}"] = ContextMixingCompressor(mix.name, mix.transformer,
                                                                    model=Bytes(revision=revision), prime=mix.prime)
        chosen["mix"] = mix
    return chosen


def measure(codec, data: bytes) -> dict:
    """Payload bytes and compress / decompress KB/s of data coded whole."""
    start = time.perf_counter()
    payloads = codec.encode_chunks([data])
    encode = time.perf_counter() - start
    start = time.perf_counter()
    back = codec.decode_chunks(payloads, [len(data)])
    decode = time.perf_counter() - start
    assert back[0] == data, f"{codec.name} does not round-trip"
    return {"bytes": len(payloads[0]), "compress_kbps": len(data) / encode / 1e3,
            "decompress_kbps": len(data) / decode / 1e3}


def measure_all(chosen: dict, data: bytes, repeats: int) -> dict:
    """measure() of each codec, `repeats` rounds through the codecs in turn, the fastest run each way kept."""
    runs = [{label: measure(codec, data) for label, codec in chosen.items()} for _ in range(repeats)]
    return {label: {"bytes": runs[0][label]["bytes"],
                    **{way: max(run[label][way] for run in runs) for way in ("compress_kbps", "decompress_kbps")}}
            for label in chosen}


def table(rows: list[dict], labels: list[str]) -> str:
    """Markdown: sizes (% of the original), `cm` against revisions 1 and 3 (unsettled), each revision against the one
    before it where both ran, then speeds."""
    pairs = [(a, b) for a, b in (("cm rev 1", "cm"), ("cm rev 3", "cm"), ("cm 0.28", "cm"), ("cm rev 4", "cm rev 5"),
                                 ("cm rev 5", "cm rev 6"), ("cm rev 7", "cm rev 8"),
                                 ("cm rev 8", "cm rev 9"), ("mix rev 4", "mix"), ("mix rev 5", "mix"),
                                 ("mix rev 7", "mix"), ("mix rev 8", "mix"))
             if a in labels and b in labels]
    head = ["file", "bytes"] + [f"`{label}`" for label in labels] + [f"{b} / {a}" for a, b in pairs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows + [_total(rows, labels)]:
        sizes = row["codecs"]
        cells = [row["file"], f"{row['bytes']:,}"]
        cells += [f"{100 * sizes[label]['bytes'] / row['bytes']:.2f}" for label in labels]
        cells += [f"{sizes[b]['bytes'] / sizes[a]['bytes']:.3f}" for a, b in pairs]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Speed, KB/s of original bytes (compress / decompress):", "",
              "| file | " + " | ".join(f"`{label}`" for label in labels) + " |", "|" + "---|" * (len(labels) + 1)]
    lines += ["| " + " | ".join([row["file"]] + [_speed([row], label) for label in labels]) + " |" for row in rows]
    lines.append("| all files | " + " | ".join(_speed(rows, label) for label in labels) + " |")
    return "\n".join(lines)


def _total(rows: list[dict], labels: list[str]) -> dict:
    return {"file": "all files", "bytes": sum(r["bytes"] for r in rows),
            "codecs": {label: {"bytes": sum(r["codecs"][label]["bytes"] for r in rows)} for label in labels}}


def _speed(rows: list[dict], label: str) -> str:
    size = sum(r["bytes"] for r in rows)
    encode = sum(r["bytes"] / r["codecs"][label]["compress_kbps"] for r in rows)
    decode = sum(r["bytes"] / r["codecs"][label]["decompress_kbps"] for r in rows)
    return f"{size / encode:.0f} / {size / decode:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="tiny-v2", help="mix's transformer (default: tiny-v2, mix's default)")
    parser.add_argument("--no-mix", action="store_true", help="the cm codecs only (a few minutes, not twelve)")
    parser.add_argument("--codecs", help="only the codecs of these labels, comma-separated (default: all)")
    parser.add_argument("--files", help="only these suite files, comma-separated (default: all but the concatenation)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each codec a file; the fastest is kept")
    parser.add_argument("--out", default="byte_revisions", help="results file stem under benchmarks/results/")
    args = parser.parse_args()
    chosen = codecs(args.model, not args.no_mix)
    if args.codecs:
        wanted = args.codecs.split(",")
        unknown = [label for label in wanted if label not in chosen]
        if unknown:
            raise SystemExit(f"unknown codec labels {unknown}; known: {', '.join(chosen)}")
        chosen = {label: chosen[label] for label in wanted}
    files = [entry for entry, _ in collect() if entry.name != "suite-concatenated"]  # the files themselves
    if args.files:
        files = [entry for entry in files if entry.name in args.files.split(",")]
    for codec in chosen.values():  # compiled code loaded, the transformer read
        measure(codec, b"warm up " * 100)
    rows = []
    for f in files:
        data = f.path.read_bytes()
        row = {"file": f.name, "kind": f.kind, "bytes": len(data),
               "codecs": measure_all(chosen, data, args.repeats)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(rows, indent=1))
    labels = list(chosen)
    note = (f"The byte model's revisions (benchmarks/byte_revisions.py; mix's transformer: {args.model}), "
            f"whole files of benchmarks/suite.py, % of the original; one run, 2 cores"
            f"{f', the fastest of {args.repeats} runs each way' if args.repeats > 1 else ''}.\n\n")
    (RESULTS / f"{args.out}.md").write_text(note + table(rows, labels) + "\n")
    print(table(rows, labels))


if __name__ == "__main__":
    main()
