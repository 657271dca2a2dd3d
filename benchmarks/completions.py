"""Completions to look at: the lower half of real photographs and the next 50 ms of real speech,
from each generator at the CLI's and app's defaults, as pictures, with one figure per sample.

Images: each photograph shrunk to 96 pixels wide, the top half kept, the rest sampled (temperature
1, top-k 32: `gencomp.media.image.TOP_K`). The figure is texture, the mean absolute
difference between horizontally neighbouring pixels in the completed half, beside the same for
the photograph's own lower half (noise: far above it; a flat fill: far below).
Audio: 1 s of each speech file kept, 50 ms sampled (temperature 1, bytes at least 0.1 % as probable
as the likeliest: `gencomp.media.audio.MIN_P`), one plot per generator with the
original beside it. The figure is loudness, the RMS of the sampled samples over the RMS of the
last 50 ms kept (a continuation of speech stays near 1).

    python benchmarks/completions.py [--seed 0]

Writes benchmarks/results/completions/{images.png, audio.png, completions.md}.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from gencomp.compressors import get_compressor  # noqa: E402
from gencomp.data.corpus import shared_data_dir  # noqa: E402
from gencomp.media.audio import continue_audio, read_pcm16  # noqa: E402
from gencomp.media.image import complete_image, read_grayscale, shrink_image  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "completions"
PHOTOS = ["camera", "coins", "brick"]
SPEECH = ["spk1_snt2.wav", "librispeech-1272-128104-0000.flac"]
IMAGE_GENERATORS = ["image", "cm", "gzip", "lm:tiny"]
AUDIO_GENERATORS = ["audio", "cm", "gzip"]
WIDTH = 96


def texture(gray: np.ndarray) -> float:
    """Mean absolute difference between horizontal neighbours, in grey levels."""
    return float(np.abs(np.diff(gray.astype(np.int64), axis=1)).mean())


def images(seed: int) -> list[dict]:
    rows = []
    fig, axes = plt.subplots(len(PHOTOS), len(IMAGE_GENERATORS) + 1, figsize=(2.2 * (len(IMAGE_GENERATORS) + 1),
                                                                           2.0 * len(PHOTOS)))
    for r, name in enumerate(PHOTOS):
        photo = shrink_image(read_grayscale(shared_data_dir() / "image" / f"{name}.png"), WIDTH)
        keep = photo.shape[0] // 2
        axes[r, 0].imshow(photo, cmap="gray", vmin=0, vmax=255)
        axes[r, 0].set_title(f"{name} (original)", fontsize=8)
        for c, spec in enumerate(IMAGE_GENERATORS, start=1):
            completed = list(complete_image(get_compressor(spec), photo, keep, seed=seed))[-1]
            rows.append({"photo": name, "generator": spec, "texture": texture(completed[keep:]),
                         "original_texture": texture(photo[keep:])})
            axes[r, c].imshow(completed, cmap="gray", vmin=0, vmax=255)
            axes[r, c].axhline(keep - 0.5, color="red", linewidth=0.6)
            axes[r, c].set_title(spec, fontsize=8)
    for ax in axes.flat:
        ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(OUT / "images.png", dpi=110)
    plt.close(fig)
    return rows


def audio(seed: int) -> list[dict]:
    rows = []
    fig, axes = plt.subplots(len(SPEECH), len(AUDIO_GENERATORS), figsize=(4 * len(AUDIO_GENERATORS), 2.4 * len(SPEECH)),
                             sharey=True, squeeze=False)
    for row, name in zip(axes, SPEECH):
        pcm, rate = read_pcm16(shared_data_dir() / "audio" / name)
        samples = np.frombuffer(pcm, "<i2").astype(np.int16)
        keep, new = rate, rate // 20
        window = np.arange(keep - new, keep + new) / rate
        before = float(np.sqrt(np.mean(samples[keep - new : keep].astype(np.float64) ** 2)))
        for ax, spec in zip(row, AUDIO_GENERATORS):
            clip = list(continue_audio(get_compressor(spec), samples, rate, 1.0, new / rate, seed=seed))[-1]
            after = float(np.sqrt(np.mean(clip[keep:].astype(np.float64) ** 2)))
            rows.append({"speech": name, "generator": spec, "loudness": after / before})
            ax.plot(window, samples[keep - new : keep + new], color="0.6", linewidth=0.6, label="original")
            ax.plot(np.arange(keep, keep + new) / rate, clip[keep:], color="tab:blue", linewidth=0.6, label=spec)
            ax.axvline(1.0, color="red", linewidth=0.6)
            ax.set_ylim(-32768, 32767)
            ax.set_title(f"{name[:24]}: {spec}", fontsize=9)
            ax.set_xlabel("seconds")
            ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(OUT / "audio.png", dpi=110)
    plt.close(fig)
    return rows


def report(image_rows: list[dict], audio_rows: list[dict]) -> str:
    lines = ["# Completions (benchmarks/completions.py)", "", "![image completions](images.png)", "",
             "Texture of the completed half (mean |difference| of horizontal neighbours, grey levels); "
             "the photograph's own lower half beside it.", "",
             "| photo | original | " + " | ".join(IMAGE_GENERATORS) + " |",
             "|---|---|" + "---|" * len(IMAGE_GENERATORS)]
    for photo in PHOTOS:
        row = {r["generator"]: r for r in image_rows if r["photo"] == photo}
        lines.append(f"| {photo} | {row[IMAGE_GENERATORS[0]]['original_texture']:.1f} | "
                     + " | ".join(f"{row[g]['texture']:.1f}" for g in IMAGE_GENERATORS) + " |")
    lines += ["", "![audio continuations](audio.png)", "",
              "Loudness of the 50 ms sampled (RMS over the RMS of the 50 ms kept before it).", "",
              "| speech | " + " | ".join(AUDIO_GENERATORS) + " |", "|---|" + "---|" * len(AUDIO_GENERATORS)]
    for name in SPEECH:
        row = {r["generator"]: r for r in audio_rows if r["speech"] == name}
        lines.append(f"| {name} | " + " | ".join(f"{row[g]['loudness']:.1f}" for g in AUDIO_GENERATORS) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    text = report(images(args.seed), audio(args.seed))
    (OUT / "completions.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
