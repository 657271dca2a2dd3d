"""Image completions measured: does the completed half look like the photograph's own? One run.

Every shared photograph is shrunk to 128 pixels wide (Lanczos, grayscale), its top half kept and the
rest sampled by each generator at the CLI's and app's defaults (temperature 1, top-k 32, copy
proposals of weight gencomp.media.image.COPY_WEIGHT; `image, no copies` is the pixel model alone).
Figures, each against the photograph's true lower half:

* std ratio: standard deviation of the completed pixels over the truth's;
* gradient ratio: the mean of the mean |vertical| and mean |horizontal| neighbour difference,
  completion over truth;
* spectrum distance: each row's power spectrum (mean removed, Hann window) averaged over rows, the
  bins from 1 up split into 6 equal bands, the mean over bands of |log10(completion / truth)|;
* judge ratio: the bits the `image` codec spends on the completed half after the kept one, over
  the bits it spends on the true half (a sample as likely as real data: 1);
* copied: the share of completed pixels inside a run of 16 that occurs verbatim in the kept half;
* seconds to sample.

A `kept half` row per photograph measures the kept rows themselves against the truth: where the lower
half holds other textures than the upper, no continuation of the upper half's statistics meets the goals.

    python benchmarks/image_completions.py [--generators image,image-plain,cm,gzip] [--seed 0] [--out NAME]

Writes benchmarks/results/NAME.{json,md,png} (default image_completions). gzip scores 256 candidates a
pixel: about 100 s a photograph.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from gencomp.compressors import get_compressor  # noqa: E402
from gencomp.data.corpus import shared_data_dir  # noqa: E402
from gencomp.media.image import complete_image, judge_bits_per_pixel, read_grayscale, shrink_image  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
WIDTH, RUN = 128, 16
GOALS = {"std_ratio": (0.75, 1.33), "gradient_ratio": (0.75, 1.33), "spectrum_distance": (0, 0.2),
         "judge_ratio": (0.8, 1.25), "copied": (0, 0.25)}


def gradient(x: np.ndarray) -> float:
    return (np.abs(np.diff(x, axis=0)).mean() + np.abs(np.diff(x, axis=1)).mean()) / 2


def band_powers(x: np.ndarray, bands: int = 6) -> np.ndarray:
    rows = (x - x.mean(axis=1, keepdims=True)) * np.hanning(x.shape[1])
    power = (np.abs(np.fft.rfft(rows, axis=1)) ** 2).mean(axis=0)[1:]
    return np.array([part.sum() for part in np.array_split(power, bands)]) + 1e-12


def copied_share(completion: np.ndarray, kept: np.ndarray) -> float:
    """The share of completed pixels inside a horizontal run of RUN found verbatim in the kept rows."""
    seen = {row[i : i + RUN].tobytes() for row in kept for i in range(len(row) - RUN + 1)}
    covered = np.zeros(completion.shape, bool)
    for r, row in enumerate(completion):
        for i in range(len(row) - RUN + 1):
            if row[i : i + RUN].tobytes() in seen:
                covered[r, i : i + RUN] = True
    return float(covered.mean())


def measure(photo: np.ndarray, completed: np.ndarray, keep: int) -> dict:
    truth, lower = photo[keep:].astype(float), completed[keep:].astype(float)
    return {"std_ratio": lower.std() / truth.std(), "gradient_ratio": gradient(lower) / gradient(truth),
            "spectrum_distance": float(np.abs(np.log10(band_powers(lower) / band_powers(truth))).mean()),
            "judge_ratio": judge_bits_per_pixel(photo[:keep], completed[keep:]) / judge_bits_per_pixel(photo[:keep], photo[keep:]),
            "copied": copied_share(completed[keep:], photo[:keep])}


def kept_half(photo: np.ndarray, keep: int) -> dict:
    """The natural reference: the kept rows themselves measured as if they were the completion (std,
    gradient, spectrum; a sampler that kept the prompt's statistics exactly would score these)."""
    truth, kept = photo[keep:].astype(float), photo[:keep].astype(float)
    return {"std_ratio": kept.std() / truth.std(), "gradient_ratio": gradient(kept) / gradient(truth),
            "spectrum_distance": float(np.abs(np.log10(band_powers(kept) / band_powers(truth))).mean()),
            "judge_ratio": 1.0, "copied": 0.0}


def meets(row: dict) -> bool:
    return all(low <= row[key] <= high for key, (low, high) in GOALS.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generators", default="image,image-plain,cm,gzip")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="image_completions", help="results file name, without suffix")
    args = parser.parse_args()
    generators = args.generators.split(",")
    photos = sorted(p.stem for p in (shared_data_dir() / "image").glob("*.png"))
    rows, pictures = [], {}
    for name in photos:
        photo = shrink_image(read_grayscale(shared_data_dir() / "image" / f"{name}.png"), WIDTH)
        keep = photo.shape[0] // 2
        pictures[name] = [photo]
        rows.append({"photo": name, "generator": "kept half", "seconds": 0.0, **kept_half(photo, keep)})
        for generator in generators:
            codec, copies = (generator.removesuffix("-plain"), 0.0) if generator.endswith("-plain") else (generator, None)
            options = {} if copies is None else {"copies": copies}
            start = time.perf_counter()
            completed = list(complete_image(get_compressor(codec), photo, keep, seed=args.seed, **options))[-1]
            seconds = time.perf_counter() - start
            rows.append({"photo": name, "generator": generator, "seconds": seconds, **measure(photo, completed, keep)})
            pictures[name].append(completed)
            print(json.dumps(rows[-1]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"cores": os.cpu_count(), "width": WIDTH,
                                                                "rows": rows}, indent=1) + "\n")
    lines = [f"# Image completions against the true lower half (benchmarks/image_completions.py, {WIDTH} pixels wide, "
             f"top half kept, seed {args.seed}, one run)", "",
             "Goals (issue 33): std and gradient ratios 0.75–1.33, spectrum distance ≤ 0.2, judge ratio 0.8–1.25, "
             "copied ≤ 25 %. `kept half`: the kept rows themselves measured as if they were the completion (their "
             "judge and copied figures are not measured), the figures of a sampler that kept the prompt's statistics "
             "exactly.", "",
             "| generator | photos meeting every goal | std ratio | gradient ratio | spectrum distance | judge ratio | "
             "copied | seconds |", "|---|---|---|---|---|---|---|---|"]
    for generator in ["kept half", *generators]:
        mine = [r for r in rows if r["generator"] == generator]

        def span(key, digits=2):
            values = [r[key] for r in mine]
            return f"{min(values):.{digits}f}–{max(values):.{digits}f}"
        lines.append(f"| {generator} | {sum(map(meets, mine))} of {len(mine)} | {span('std_ratio')} | "
                     f"{span('gradient_ratio')} | {span('spectrum_distance')} | {span('judge_ratio')} | "
                     f"{span('copied')} | {span('seconds', 1)} |")
    lines += ["", "Per photograph:", "", "| photo | generator | std | gradient | spectrum | judge | copied |",
              "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['photo']} | {r['generator']} | {r['std_ratio']:.2f} | {r['gradient_ratio']:.2f} | "
              f"{r['spectrum_distance']:.2f} | {r['judge_ratio']:.2f} | {r['copied']:.2f} |" for r in rows]
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")
    fig, axes = plt.subplots(len(photos), len(generators) + 1, figsize=(2.0 * (len(generators) + 1), 2.0 * len(photos)))
    for r, name in enumerate(photos):
        for c, (title, image) in enumerate(zip(["photograph", *generators], pictures[name])):
            axes[r, c].imshow(image, cmap="gray", vmin=0, vmax=255)
            axes[r, c].set_xticks([]), axes[r, c].set_yticks([])
            if r == 0:
                axes[r, c].set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(RESULTS / f"{args.out}.png", dpi=110)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
