"""Do generators stay in the prompt's domain? Compression as a classifier, in one run.

From the held-out part (last 10 %, never trained on) of each of 8 sources, 10 prompts of 500 bytes;
each generator continues each prompt with 300 bytes (text-safe, no dictionary, seed = prompt index),
at temperature 1 (the model itself) and at its own temperature (Compressor.sampling_temperature:
what `gencomp generate` and the app use by default). Every sample is assigned to the source whose
reference text codes it in the fewest extra bits, ℓ(reference · sample) − ℓ(reference), with `cm` (the context-mixing model);
references are the first REFERENCE_BYTES of each held-out part, and prompts come from after them.
Accuracy: the share of samples assigned to their prompt's source. The same classifier on the
held-out text that followed each prompt (the real continuation) is the ceiling.

    python benchmarks/domains.py [--generators lm:tiny-v2,lm:tiny,lm:small,cm,gzip] [--prompts 10] [--out domains]

Writes benchmarks/results/OUT.{json,md} (domains.{json,md} by default).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from tqdm import tqdm

from gencomp.compressors import get_compressor
from gencomp.data.corpus import text_corpus
from gencomp.sampling.generate import generate

RESULTS = Path(__file__).resolve().parent / "results"
SOURCES = ("wikitext2-valid.txt", "corpus/debian-handbook-en.txt", "corpus/man-pages.txt", "corpus/code-python.txt",
           "corpus/code-c-headers.txt", "corpus/code-javascript.txt", "corpus/data-json-xml-csv.txt",
           "corpus/debian-handbook-other-languages.txt")
REFERENCE_BYTES, PROMPT_BYTES, SAMPLE_BYTES = 16384, 500, 300


def prompts_of(heldout: bytes, count: int) -> list[tuple[bytes, bytes]]:
    """(prompt, the real continuation) pairs spread evenly after the reference, cut at UTF-8 boundaries."""
    span = len(heldout) - REFERENCE_BYTES - PROMPT_BYTES - SAMPLE_BYTES
    out = []
    for start in np.linspace(REFERENCE_BYTES, REFERENCE_BYTES + span, count).round().astype(int):
        prompt = heldout[start : start + PROMPT_BYTES].decode("utf-8", "ignore").encode()  # whole characters
        after = start + PROMPT_BYTES
        out.append((prompt, heldout[after : after + SAMPLE_BYTES].decode("utf-8", "ignore").encode()))
    return out


class Classifier:
    """Assigns bytes to the source whose reference codes them in the fewest extra bits (cm)."""

    def __init__(self, references: dict[str, bytes]):
        self.cm = get_compressor("cm")
        self.names = list(references)
        self.references = list(references.values())
        self.base = self.cm.chunk_code_length_bits(self.references)

    def __call__(self, sample: bytes) -> str:
        bits = self.cm.chunk_code_length_bits([r + sample for r in self.references]) - self.base
        return self.names[int(np.argmin(bits))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generators", default="lm:tiny-v2,lm:tiny,lm:small,cm,gzip")
    parser.add_argument("--prompts", type=int, default=10)
    parser.add_argument("--out", default="domains", help="results file stem under benchmarks/results/")
    args = parser.parse_args()
    heldout = text_corpus("heldout", SOURCES)
    names = {s: Path(s).stem for s in SOURCES}
    classify = Classifier({names[s]: heldout[s][:REFERENCE_BYTES] for s in SOURCES})
    prompts = {names[s]: prompts_of(heldout[s], args.prompts) for s in SOURCES}
    result = {"generators": {}, "samples": {}}
    rows = [("real continuation", None, 1.0)]
    for spec in args.generators.split(","):
        codec = get_compressor(spec)
        rows.append((spec, codec, 1.0))
        if codec.sampling_temperature != 1.0:
            rows.append((f"{spec} at T = {codec.sampling_temperature}", codec, codec.sampling_temperature))
    for label, codec, temperature in rows:
        per_source = {}
        for source, pairs in tqdm(prompts.items(), desc=label, leave=False):
            hits = 0
            for i, (prompt, real) in enumerate(pairs):
                sample = real if codec is None else generate(codec, prompt, SAMPLE_BYTES, temperature, seed=i)
                hits += classify(sample) == source
                if i == 0:
                    result["samples"].setdefault(source, {})[label] = sample.decode("utf-8", "replace")
            per_source[source] = hits / len(pairs)
        result["generators"][label] = {"per_source": per_source, "accuracy": float(np.mean(list(per_source.values())))}
        print(label, result["generators"][label])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    (RESULTS / f"{args.out}.md").write_text(report(result))
    print(report(result))


def report(r: dict) -> str:
    labels = list(r["generators"])
    sources = list(next(iter(r["generators"].values()))["per_source"])
    lines = ["# Domain accuracy: samples classified by compression (cm), 300 bytes after a 500-byte prompt", "",
             "Temperature 1 unless the row names the generator's own (its default in `gencomp generate` and "
             "the app).", "",
             "| generator | " + " | ".join(sources) + " | **all** |", "|---|" + "---|" * (len(sources) + 1)]
    for label in labels:
        g = r["generators"][label]
        lines.append(f"| {label} | " + " | ".join(f"{g['per_source'][s]:.0%}" for s in sources) + f" | **{g['accuracy']:.0%}** |")
    lines += ["", "## The first sample per source", ""]
    for source, samples in r["samples"].items():
        for label, text in samples.items():
            lines.append(f"- **{source}, {label}**: `{text[:140]!r}`")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
