"""Text continuations measured against the real ones: is a sample as likely as real text? One run.

20 prompts from the held-out part (last 10 %) of the corpus and WikiText (never trained on), each
PROMPT_BYTES ending at a space, with the real next SAMPLE_BYTES beside them. Every generator continues
each prompt through the app's own handler (`gencomp.app.handlers.generate_text`: its dictionary,
text-safe and seen-only sampling, each generator's own temperature). Figures per generator, pooled
over prompts:

* judge bits/byte: ℓ(prompt · sample) − ℓ(prompt) under the judge (`gencomp.sampling.rating.JUDGE`),
  per byte, and its ratio to the same for the real continuations (typicality: 1 is as likely as real
  text; far below is a loop or a copy, far above is noise);
* the per-prompt ratios' median and range; known words and distinct 4-grams (`gencomp.sampling.rating`);
* bytes/s sampled.

    python benchmarks/text_completions.py [--generators gzip,brotli,cm,lm:small-v3,mix:small-v3]
        [--temperature T] [--out text_completions]

Writes benchmarks/results/text_completions.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np
from tqdm import tqdm

from gencomp.app.handlers import AppConfig, generate_text
from gencomp.data.corpus import TRAINING_FILES, text_corpus
from gencomp.sampling.rating import JUDGE, rate

RESULTS = Path(__file__).resolve().parent / "results"
PROMPT_BYTES, SAMPLE_BYTES, PROMPTS = 240, 200, 20
GOAL = (0.8, 1.3)


def prompts() -> list[tuple[str, bytes, bytes]]:
    """(source, prompt, real continuation): PROMPTS spread over the held-out sources, each prompt
    starting after a newline and ending at a space, both valid UTF-8."""
    sources = sorted(text_corpus("heldout", TRAINING_FILES).items())
    rounds = -(-PROMPTS // len(sources))
    chosen = []
    for i in range(PROMPTS):
        name, data = sources[i % len(sources)]
        at = data.find(b"\n", (i // len(sources) + 1) * len(data) // (rounds + 1)) + 1
        end = data.rfind(b" ", at, at + PROMPT_BYTES) + 1
        prompt, real = data[at:end], data[end : end + SAMPLE_BYTES]
        real = real[: len(real.decode("utf-8", "ignore").encode("utf-8"))]
        chosen.append((name, prompt, real))
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generators", default="gzip,brotli,cm,lm:small-v3,mix:small-v3")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--temperature", type=float, help="one for every generator (default: each its own)")
    parser.add_argument("--out", default="text_completions", help="results file name, without suffix")
    args = parser.parse_args()
    generators = args.generators.split(",")
    config = AppConfig(max_text_bytes=SAMPLE_BYTES)
    rows = []
    for source, prompt, real in tqdm(prompts(), desc="prompts"):
        real_rating = rate(real, prompt, b"", 1.0)
        *_, results = generate_text(prompt.decode("utf-8"), generators, SAMPLE_BYTES, args.temperature, args.seed,
                                     config)
        for result in results:
            rows.append({"source": source, "generator": result.generator, "sample": result.text.decode("utf-8", "replace"),
                         "real_bits_per_byte": real_rating.bits_per_byte,
                         "real_distinct_4grams": real_rating.distinct_4grams, **result.rating.as_dict()})
    RESULTS.mkdir(exist_ok=True)
    settings = {"cores": os.cpu_count(), "judge": JUDGE, "temperature": args.temperature}
    (RESULTS / f"{args.out}.json").write_text(json.dumps(settings | {"rows": rows}, indent=1) + "\n")
    (RESULTS / f"{args.out}.md").write_text(report(rows, generators, args.temperature))
    print((RESULTS / f"{args.out}.md").read_text())


def report(rows: list[dict], generators: list[str], temperature) -> str:
    firsts = [r for r in rows if r["generator"] == generators[0]]
    real, real_distinct = np.mean([r["real_bits_per_byte"] for r in firsts]), np.mean([r["real_distinct_4grams"] for r in firsts])
    own = "each generator's own temperature" if temperature is None else f"temperature {temperature}"
    lines = [f"# Text continuations against the real ones (benchmarks/text_completions.py, {PROMPTS} held-out "
             f"prompts, {SAMPLE_BYTES} bytes each, the app's defaults, {own}, one run)", "",
             f"Judge: `{JUDGE}`. The real continuations cost {real:.3f} bits/byte after their prompts; "
             f"{real_distinct:.0%} of their 4-grams are distinct. "
             f"Goal (issue 33): the best generator's ratio within {GOAL[0]}–{GOAL[1]}.", "",
             "| generator | judge bits/byte | ratio to real | per-prompt ratio: median (range) | known words | "
             "distinct 4-grams | B/s |", "|---|---|---|---|---|---|---|"]
    for generator in generators:
        mine = [r for r in rows if r["generator"] == generator]
        bits = np.mean([r["bits_per_byte"] for r in mine])
        ratios = [r["bits_per_byte"] / r["real_bits_per_byte"] for r in mine]
        lines.append(f"| {generator} | {bits:.3f} | {bits / real:.2f} | {np.median(ratios):.2f} "
                     f"({min(ratios):.2f}–{max(ratios):.2f}) | {np.mean([r['known_words'] for r in mine]):.0%} | "
                     f"{np.mean([r['distinct_4grams'] for r in mine]):.0%} | "
                     f"{np.mean([r['bytes_per_second'] for r in mine]):.0f} |")
    pooled = {g: np.mean([r["bits_per_byte"] for r in rows if r["generator"] == g]) for g in generators}
    typical = [g for g in generators if GOAL[0] <= pooled[g] / real <= GOAL[1]]
    best = min(typical, key=pooled.get) if typical else "none within the goal"
    lines += ["", f"Best by the judge (the lowest bits/byte among the generators whose ratio is within the goal): "
                  f"**{best}**.", "", "First samples:", ""]
    for row in rows[: 2 * len(generators)]:
        lines.append(f"- **{row['generator']}** ({row['source']}): `{row['sample'][:160]!r}`")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
