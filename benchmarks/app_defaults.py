"""The app's first visit, timed: each tab's default run through its handler, as a click runs it.

For the Text, Image and Audio tabs, the default generators and settings of `gencomp.app.ui` on the
default prompt, the first shipped image and the first shipped clip: seconds from the click to the
first update a user sees and to the end of the run (the captions' judge figures included), after one
untimed run has loaded every model and compiled kernel (a fresh app warms up at launch,
`handlers.warm_up`). Issue 33's goal: first results within 2 s, the whole run within 30 s on 2 cores.

    python benchmarks/app_defaults.py      # writes benchmarks/results/app_defaults.{json,md}
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from gencomp.app import handlers, ui
from gencomp.app.handlers import AppConfig

RESULTS = Path(__file__).resolve().parent / "results"


def text_run(config: AppConfig) -> None:
    """Yields once per update, as the Text tab's click does (80 bytes, each generator's own temperature)."""
    yield from handlers.generate_text(ui.DEFAULT_PROMPT, ui.DEFAULT_TEXT_GENERATORS, 80, None, 0, config)


def image_run(config: AppConfig):
    original = handlers.load_image(next(iter(handlers.shipped_images())), None, ui.DEFAULT_IMAGE_WIDTH)
    rows = original.shape[0] // 2
    current = {}
    for current in handlers.complete_images(original, rows, ui.DEFAULT_IMAGE_GENERATORS, 1.0, 0, config):
        yield current
    yield handlers.judge_images(original, rows, current)


def audio_run(config: AppConfig):
    samples, rate = handlers.load_audio(next(iter(handlers.shipped_audio())), None)
    current = {}
    for current in handlers.continue_clips(samples, rate, 1.0, 1.0, ui.DEFAULT_AUDIO_GENERATORS, 1.0, 0, config):
        yield current
    yield handlers.judge_clips(samples, rate, current)


def timed(run) -> dict:
    """Seconds to the first update after the one a click shows at once (the kept part), and to the end."""
    start = time.perf_counter()
    times = [time.perf_counter() - start for _ in run]
    return {"first_update_s": times[1] if len(times) > 1 else times[0], "total_s": times[-1], "updates": len(times)}


def main() -> None:
    config = AppConfig()
    runs = {"Text": (text_run, ui.DEFAULT_TEXT_GENERATORS), "Image": (image_run, ui.DEFAULT_IMAGE_GENERATORS),
            "Audio": (audio_run, ui.DEFAULT_AUDIO_GENERATORS)}
    rows = []
    for tab, (run, generators) in runs.items():
        for _ in run(config):  # warm: models loaded, kernels compiled
            pass
        rows.append({"tab": tab, "generators": generators, **timed(run(config))})
        print(json.dumps(rows[-1]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "app_defaults.json").write_text(json.dumps({"cores": os.cpu_count(), "rows": rows}, indent=1) + "\n")
    lines = [f"# The app's defaults, timed (benchmarks/app_defaults.py, {os.cpu_count()} cores, one run)", "",
             "Goal (issue 33): first results within 2 s of a click, the whole default run within 30 s.", "",
             "| tab | default generators | first update (s) | whole run (s) |", "|---|---|---|---|"]
    lines += [f"| {r['tab']} | {', '.join(r['generators'])} | {r['first_update_s']:.2f} | {r['total_s']:.1f} |" for r in rows]
    (RESULTS / "app_defaults.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
