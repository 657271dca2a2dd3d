"""Audio continuations measured: does the continuation sound like the speech before it? One run.

Every shared speech clip is read as mono 16-bit PCM (`gencomp.media.audio.read_pcm16`); its first
second is kept and one more second sampled by each generator at the CLI's and app's defaults
(temperature 1, min-p `gencomp.media.audio.MIN_P`, copy proposals of weight
`gencomp.media.audio.COPY_WEIGHT`; `audio-plain` is the sample model alone). Figures:

* RMS: the largest RMS of a 100 ms block of the continuation over the RMS of the kept second;
* peak: the continuation's peak |sample| over the kept second's;
* LSD: log-spectral distance to the real next second, the RMS over frequency of the dB difference
  between long-term spectra (512-sample Hann frames, hop 256, power averaged); `kept LSD` is the
  kept second's own distance to it, the natural reference;
* judge ratio: the bits the `audio` codec spends on the continuation after the kept second, over the
  bits it spends on the real next second (a sample as likely as real speech: 1);
* copied: the share of continuation samples inside a run of 64 found verbatim in the kept second;
* seconds to sample, after an untimed 10 ms continuation of the same clip by the same generator (kernels
  compiled or loaded once, as the app's warm-up does at launch).

The real next second's own RMS and peak ratios are given as a reference row (`real`).

    python benchmarks/audio_completions.py [--generators audio,audio-plain,cm] [--seed 0] [--out NAME]

Writes benchmarks/results/NAME.{json,md,png} (default audio_completions). A classic codec scores 256
candidates a byte: gzip takes about 4 minutes a second of 16 kHz audio (`--generators gzip --out
audio_completions_gzip`).
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
from gencomp.media.audio import continue_audio, judge_bits_per_sample, read_pcm16  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
RUN, FRAME, HOP = 64, 512, 256
GOALS = "RMS ≤ 2, peak ≤ 1.5, LSD ≤ kept LSD + 1 dB"


def spectrum(x: np.ndarray) -> np.ndarray:
    """Long-term power spectrum: FRAME-sample Hann frames every HOP, power averaged."""
    frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), FRAME)[::HOP] * np.hanning(FRAME)
    return (np.abs(np.fft.rfft(frames, axis=1)) ** 2).mean(axis=0)


def log_spectral_distance(a: np.ndarray, b: np.ndarray) -> float:
    """dB, RMS over frequency."""
    return float(np.sqrt(np.mean((10 * np.log10(spectrum(a) + 1e-9) - 10 * np.log10(spectrum(b) + 1e-9)) ** 2)))


def copied_share(continuation: np.ndarray, kept: np.ndarray) -> float:
    """The share of continuation samples inside a run of RUN found verbatim in the kept samples."""
    seen = {kept[i : i + RUN].tobytes() for i in range(len(kept) - RUN + 1)}
    covered = np.zeros(len(continuation), bool)
    for i in range(len(continuation) - RUN + 1):
        if continuation[i : i + RUN].tobytes() in seen:
            covered[i : i + RUN] = True
    return float(covered.mean())


def loudness(continuation: np.ndarray, kept: np.ndarray, rate: int) -> tuple[float, float]:
    """(largest RMS of a 100 ms block over the kept RMS, peak over the kept peak)."""
    block = rate // 10
    blocks = continuation[: len(continuation) // block * block].astype(np.float64).reshape(-1, block)
    kept_rms = np.sqrt(np.mean(kept.astype(np.float64) ** 2))
    rms = np.sqrt((blocks ** 2).mean(axis=1)).max() / kept_rms
    return float(rms), float(np.abs(continuation.astype(np.float64)).max() / np.abs(kept.astype(np.float64)).max())


def measure(kept: np.ndarray, continuation: np.ndarray, real: np.ndarray, rate: int, judge_real: float) -> dict:
    rms, peak = loudness(continuation, kept, rate)
    return {"rms": rms, "peak": peak, "lsd": log_spectral_distance(continuation, real),
            "kept_lsd": log_spectral_distance(kept, real),
            "judge_ratio": judge_bits_per_sample(kept, continuation) / judge_real, "copied": copied_share(continuation, kept)}


def meets(row: dict) -> bool:
    return row["rms"] <= 2 and row["peak"] <= 1.5 and row["lsd"] <= row["kept_lsd"] + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generators", default="audio,audio-plain,cm")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="audio_completions", help="results file name, without suffix")
    args = parser.parse_args()
    generators = args.generators.split(",")
    clips = sorted(p.name for p in (shared_data_dir() / "audio").iterdir() if p.suffix in (".wav", ".flac"))
    rows, waves = [], {}
    for name in clips:
        pcm, rate = read_pcm16(shared_data_dir() / "audio" / name)
        samples = np.frombuffer(pcm, "<i2").astype(np.int16)
        kept, real = samples[:rate], samples[rate : 2 * rate]
        judge_real = judge_bits_per_sample(kept, real)
        rms, peak = loudness(real, kept, rate)
        rows.append({"clip": name, "generator": "real", "rate": rate, "rms": rms, "peak": peak, "lsd": 0.0,
                     "kept_lsd": log_spectral_distance(kept, real), "judge_ratio": 1.0,
                     "copied": copied_share(real, kept), "seconds": 0.0})
        waves[name] = (rate, [samples[: 2 * rate]])
        for generator in generators:
            codec, options = (generator.removesuffix("-plain"), {"copies": 0.0}) if generator.endswith("-plain") \
                else (generator, {})
            list(continue_audio(get_compressor(codec), samples, rate, 1.0, 0.01, seed=args.seed, **options))  # warm-up
            start = time.perf_counter()
            clip = list(continue_audio(get_compressor(codec), samples, rate, 1.0, 1.0, seed=args.seed, **options))[-1]
            seconds = time.perf_counter() - start
            rows.append({"clip": name, "generator": generator, "rate": rate, "seconds": seconds,
                         **measure(kept, clip[rate:], real, rate, judge_real)})
            waves[name][1].append(clip)
            print(json.dumps(rows[-1]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"cores": os.cpu_count(), "rows": rows}, indent=1) + "\n")
    (RESULTS / f"{args.out}.md").write_text(report(rows, generators, args.seed, args.out))
    plot(waves, generators, args.out)
    print((RESULTS / f"{args.out}.md").read_text())


def report(rows: list[dict], generators: list[str], seed: int, out: str) -> str:
    lines = [f"# Audio continuations against the real next second (benchmarks/audio_completions.py, 1 s kept, "
             f"1 s sampled, seed {seed}, one run)", "", f"Goals (issue 33): {GOALS}; 1 s in ≤ 10 s on 2 cores.", "",
             f"![waveforms and spectrograms]({out}.png)", "",
             "| generator | clips meeting every goal | RMS | peak | LSD − kept LSD (dB) | judge ratio | copied | seconds |",
             "|---|---|---|---|---|---|---|---|"]
    for generator in ["real", *generators]:
        mine = [r for r in rows if r["generator"] == generator]

        def span(values, digits=2):
            return f"{min(values):.{digits}f}–{max(values):.{digits}f}"
        lines.append(f"| {generator} | {sum(map(meets, mine))} of {len(mine)} | {span([r['rms'] for r in mine])} | "
                     f"{span([r['peak'] for r in mine])} | {span([r['lsd'] - r['kept_lsd'] for r in mine], 1)} | "
                     f"{span([r['judge_ratio'] for r in mine])} | {span([r['copied'] for r in mine])} | "
                     f"{span([r['seconds'] for r in mine], 1)} |")
    lines += ["", "Per clip (`real`: the real next second itself):", "",
              "| clip | rate | generator | RMS | peak | LSD | kept LSD | judge | copied | seconds |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['clip']} | {r['rate']} | {r['generator']} | {r['rms']:.2f} | {r['peak']:.2f} | {r['lsd']:.1f} | "
              f"{r['kept_lsd']:.1f} | {r['judge_ratio']:.2f} | {r['copied']:.2f} | {r['seconds']:.1f} |" for r in rows]
    return "\n".join(lines) + "\n"


def plot(waves: dict, generators: list[str], out: str) -> None:
    """A waveform and a spectrogram per clip and generator (the real clip first); the red line is where
    sampling starts."""
    titles = ["real", *generators]
    fig, axes = plt.subplots(2 * len(waves), len(titles), figsize=(2.6 * len(titles), 1.5 * 2 * len(waves)),
                             squeeze=False)
    for r, (name, (rate, clips)) in enumerate(waves.items()):
        for c, (title, clip) in enumerate(zip(titles, clips)):
            wave, spec = axes[2 * r, c], axes[2 * r + 1, c]
            wave.plot(np.arange(len(clip)) / rate, clip, linewidth=0.3, color="tab:blue")
            wave.set_ylim(-32768, 32767)
            spec.specgram(clip.astype(np.float64), NFFT=FRAME, Fs=rate, noverlap=FRAME - HOP, cmap="magma")
            for ax in (wave, spec):
                ax.axvline(1.0, color="red", linewidth=0.6)
                ax.set_xticks([]), ax.set_yticks([])
            wave.set_title(f"{name[:22]}: {title}" if c == 0 else title, fontsize=7)
    fig.tight_layout()
    fig.savefig(RESULTS / f"{out}.png", dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    main()
