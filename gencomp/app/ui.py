"""The Gradio app: generate from compressors and compare generators side by side.

Tabs: Text, Image, Audio, Compress. Every long job streams partial results, can be
stopped, and reports bad input as a message in the page (gr.Error), never a traceback.
The layout only wires gencomp.app.handlers to components.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a local demo

import gradio as gr  # noqa: E402
import numpy as np  # noqa: E402

from gencomp.app import handlers  # noqa: E402
from gencomp.app.handlers import AppConfig  # noqa: E402
from gencomp.errors import GencompError  # noqa: E402
from gencomp.evaluation.plots import plt  # noqa: E402  (matplotlib without a display)

# the weakest classic codec, the context model (the strongest codec without a trained model, and since 0.29 the best
# text generator by the judge: of those whose samples the judge finds as likely as real text, the one it finds
# likeliest, text_completions.md) and the context model with a transformer (a close second there)
DEFAULT_TEXT_GENERATORS = ["gzip", "cm", "mix:small-v3"]
# the weakest classic codec, the context model, and the pixel model (image_completions.md: with copy proposals it
# keeps a photograph's texture); 64 pixels wide, where the structure shows and a completion takes seconds
DEFAULT_IMAGE_GENERATORS, DEFAULT_IMAGE_WIDTH = ["gzip", "cm", "image"], 64
# the context model and the sample model, both with the copy proposals that keep the voice
# (audio_completions.md); a classic codec takes minutes for a second of audio, past the 30 s a default run may take
DEFAULT_AUDIO_GENERATORS = ["cm", "audio"]
MAX_UPLOAD = "50mb"  # any upload (photos are resized); the Compress tab has its own, lower limit
DEFAULT_PROMPT = "The history of the city begins in the 12th century, when"
EXAMPLE_PROMPTS = [  # one click away: prose, code, data
    ["The old harbour of the town was"],
    ["def parse_args(argv):\n    parser = argparse.ArgumentParser("],
    ['{"name": "gencomp", "version": "0.3.0", "dependencies": {'],
    ["To install the package on Debian, run"],
]


def _shown(names: list[str], chosen: list[str]) -> list[str]:
    return [n for n in names if n in chosen]


def _throttled(updates, seconds: float = 0.2):
    """Every `seconds` at most, and the last one: the browser need not redraw on every byte."""
    last, pending = 0.0, None
    for pending in updates:
        now = time.monotonic()
        if now - last >= seconds:
            last = now
            yield pending
            pending = None
    if pending is not None:
        yield pending


def _sampling_controls(temperature: float):
    with gr.Row():
        return (gr.Slider(0, 2, value=temperature, step=0.05, label="Temperature (0: greedy)"),
                gr.Number(0, precision=0, label="Seed"))


def _run_and_stop(label: str, elem_id: str):
    with gr.Row():
        return gr.Button(label, variant="primary", elem_id=elem_id), gr.Button("Stop")


def _errors_as_messages(function):
    """Run a handler; a GencompError becomes a message in the page."""

    def wrapped(*args):
        try:
            result = function(*args)
            if hasattr(result, "__next__"):
                yield from result
            else:
                yield result
        except GencompError as exc:
            raise gr.Error(str(exc)) from None

    wrapped.__name__ = function.__name__
    return wrapped


def _text_tab(config: AppConfig, names: list[str]) -> None:
    with gr.Row():
        prompt = gr.Textbox(DEFAULT_PROMPT, label="Prompt", lines=3, scale=3, elem_id="text-prompt")
        with gr.Column(scale=2):
            chosen = gr.CheckboxGroup(names, value=_shown(names, DEFAULT_TEXT_GENERATORS), label="Generators",
                                      elem_id="text-generators")
            length = gr.Slider(1, config.max_text_bytes, value=80, step=1, label="Bytes to generate")
            temperature, seed = _sampling_controls(1.0)
            own_temperature = gr.Checkbox(True, elem_id="text-own-temperature",
                                          label="Each generator at its own temperature (gzip 2, cm 0.7, …); "
                                                "off: the slider's for all")
            with gr.Row():
                dictionary = gr.Dropdown(list(handlers.DICTIONARY_CHOICES), value="auto", elem_id="text-dictionary",
                                         label="Dictionary (primes every generator; auto: the one that fits the prompt)")
                text_safe = gr.Checkbox(True, label="Text-safe: valid UTF-8, only bytes of dictionary and prompt")
    gr.Examples(EXAMPLE_PROMPTS, [prompt], label="Example prompts")
    run, stop = _run_and_stop("Generate", "text-generate")
    with gr.Row(equal_height=True):
        outputs = [gr.Textbox(label=n, lines=8, visible=n in DEFAULT_TEXT_GENERATORS, interactive=False,
                              elem_classes=["generator-output"], elem_id=f"text-out-{i}") for i, n in enumerate(names)]

    @_errors_as_messages
    def on_run(prompt_text, generators, n, temp, own, seed_value, dictionary_choice, safe):
        generators = _shown(names, generators)
        for results in _throttled(handlers.generate_text(prompt_text, generators, int(n), None if own else float(temp),
                                                          int(seed_value or 0), config, dictionary_choice, bool(safe))):
            by_name = {r.generator: r for r in results}
            yield [gr.Textbox(value=by_name[g].text.decode("utf-8", "replace"), label=by_name[g].label(), visible=True)
                   if g in by_name else gr.Textbox(visible=False) for g in names]

    event = run.click(on_run, [prompt, chosen, length, temperature, own_temperature, seed, dictionary, text_safe], outputs,
                      concurrency_limit=2, api_name="generate_text")
    stop.click(None, cancels=[event])


def _image_tab(config: AppConfig, names: list[str]) -> None:
    images = list(handlers.shipped_images())
    with gr.Row():
        with gr.Column():
            choice = gr.Dropdown(images, value=images[0] if images else None, label="Shipped image")
            upload = gr.Image(type="filepath", label="…or upload one", sources=["upload"])
        with gr.Column():
            chosen = gr.CheckboxGroup(names, value=_shown(names, DEFAULT_IMAGE_GENERATORS), label="Generators",
                                      elem_id="image-generators")
            width = gr.Slider(16, config.max_image_width, value=DEFAULT_IMAGE_WIDTH, step=8,
                              label="Width (pixels; the image is resized)")
            keep = gr.Slider(0.1, 0.9, value=0.5, step=0.05, label="Share of rows to keep")
            temperature, seed = _sampling_controls(1.0)
    run, stop = _run_and_stop("Complete", "image-complete")
    caption = gr.Markdown(elem_id="image-caption")
    grid = gr.Image(label="Original, then each completion", type="numpy", interactive=False, elem_id="image-grid")

    @_errors_as_messages
    def on_run(choice_name, upload_path, generators, width_px, keep_share, temp, seed_value):
        generators = _shown(names, generators)
        original = handlers.load_image(choice_name, upload_path, int(width_px))
        rows = max(1, min(original.shape[0] - 1, round(keep_share * original.shape[0])))
        text = f"Original (left), then: {', '.join(generators)}. Top {rows} of {original.shape[0]} rows kept"
        for current in _throttled(handlers.complete_images(original, rows, generators, float(temp),
                                                           int(seed_value or 0), config)):
            yield text + "; completing…", handlers.image_grid(original, current)
        # the grid is already shown: sending the same picture again makes Gradio rewrite the cached
        # file it may be serving at that moment, and the browser gets a truncated image
        judged = handlers.judge_images(original, rows, current)
        yield text + "; done.\n\n" + _judge_caption(judged, "image", "pixel", "the photo's own rows"), gr.skip()

    event = run.click(on_run, [choice, upload, chosen, width, keep, temperature, seed], [caption, grid],
                      concurrency_limit=2, api_name="complete_image")
    stop.click(None, cancels=[event])


def _judge_caption(judged: dict, judge: str, unit: str, real: str) -> str:
    """One line: each generator's bits per `unit` under the `judge` codec beside the real data's (None: not known)."""
    reference = f"{real}: {judged['real']:.2f}" if judged.get("real") is not None else f"{real}: not in the clip"
    mine = " · ".join(f"{name}: {bits:.2f}" for name, bits in judged.items() if name != "real")
    return f"Judge ({judge} codec), bits/{unit} after the kept part: {mine} · {reference}"


def _waveforms(clips: dict[str, np.ndarray], rate: int, keep: int):
    figure, axes = plt.subplots(len(clips), 1, figsize=(8, 1.6 * len(clips)), sharex=True, squeeze=False)
    for ax, (name, clip) in zip(axes[:, 0], clips.items()):
        t = np.arange(len(clip)) / rate
        ax.plot(t[:keep], clip[:keep], lw=0.5, color="0.5")
        ax.plot(t[keep:], clip[keep:], lw=0.5, color="C3")
        ax.set_ylabel(name, rotation=0, ha="right")
        ax.set_yticks([])
    axes[-1, 0].set_xlabel("seconds (grey: kept, red: generated)")
    figure.tight_layout()
    plt.close(figure)
    return figure


def _audio_tab(config: AppConfig, names: list[str]) -> None:
    clips = list(handlers.shipped_audio())
    with gr.Row():
        with gr.Column():
            choice = gr.Dropdown(clips, value=clips[0] if clips else None, label="Shipped speech clip")
            upload = gr.Audio(type="filepath", label="…or upload one", sources=["upload"])
        with gr.Column():
            chosen = gr.CheckboxGroup(names, value=_shown(names, DEFAULT_AUDIO_GENERATORS), elem_id="audio-generators",
                                      label="Generators (classic codecs score 256 candidates a byte: minutes a second)")
            keep = gr.Slider(0.05, 1.5, value=1.0, step=0.05, label="Seconds to keep")
            seconds = gr.Slider(0.005, config.max_audio_seconds, value=min(1.0, config.max_audio_seconds), step=0.005,
                                label="Seconds to generate")
            temperature, seed = _sampling_controls(1.0)
    run, stop = _run_and_stop("Continue", "audio-continue")
    caption = gr.Markdown(elem_id="audio-caption")
    plot = gr.Plot(label="Waveforms")
    players = [gr.Audio(label=n, visible=False, interactive=False, type="numpy") for n in names]

    @_errors_as_messages
    def on_run(choice_name, upload_path, generators, keep_s, seconds_new, temp, seed_value):
        generators = _shown(names, generators)
        samples, rate = handlers.load_audio(choice_name, upload_path)
        current, kept = {}, round(keep_s * rate)
        for current in _throttled(handlers.continue_clips(samples, rate, float(keep_s), float(seconds_new), generators,
                                                          float(temp), int(seed_value or 0), config), 0.5):
            yield ["Continuing…", gr.Plot(_waveforms(current, rate, kept))] + [gr.Audio(visible=False)] * len(names)
        judged = handlers.judge_clips(samples, kept, current)
        yield [_judge_caption(judged, "audio", "sample", "the clip's real continuation"),
               gr.Plot(_waveforms(current, rate, kept))] + [
            gr.Audio(value=(rate, current[n]), visible=True, label=f"{n} · {judged[n]:.2f} bits/sample (judge)")
            if n in current else gr.Audio(visible=False) for n in names]

    event = run.click(on_run, [choice, upload, chosen, keep, seconds, temperature, seed], [caption, plot, *players],
                      concurrency_limit=2, api_name="continue_audio")
    stop.click(None, cancels=[event])


def _rate_chart(rows: list[dict]):
    figure, ax = plt.subplots(figsize=(8, 3))
    x = np.arange(len(rows))
    ax.bar(x - 0.2, [100 * r["rate"] for r in rows], 0.4, label="raw")
    ax.bar(x + 0.2, [100 * r["adjusted_rate"] for r in rows], 0.4, label="adjusted (model size counted)")
    ax.set_xticks(x, [r["codec"] for r in rows], rotation=30, ha="right")
    ax.set_ylabel("% of the original")
    ax.axhline(100, color="0.6", lw=0.8)
    ax.legend()
    figure.tight_layout()
    plt.close(figure)
    return figure


def _compress_tab(config: AppConfig, names: list[str]) -> None:
    with gr.Row():
        upload = gr.File(label=f"File to compress (at most {config.max_upload_bytes // 1024} KiB; image and audio "
                                 "code a photo's pixels or a recording's samples)", type="filepath")
        archive_in = gr.File(label="…or a .gcz archive to decompress", type="filepath")
    with gr.Row():
        run = gr.Button("Compress with every codec", variant="primary")
        restore = gr.Button("Decompress")
    table = gr.Dataframe(headers=["codec", "raw %", "adjusted %", "bytes", "seconds"], interactive=False)
    chart = gr.Plot(label="Compression rate")
    download = gr.File(label="Archive / restored file", interactive=False)
    work = Path(tempfile.mkdtemp(prefix="gencomp-app-"))

    @_errors_as_messages
    def on_compress(path):
        if not path:
            raise GencompError("upload a file first")
        data = Path(path).read_bytes()
        rows, archives = handlers.compression_table(data, config, names, Path(path).name)
        best, archive = handlers.best_archive(data, rows, archives, Path(path).name)
        out = work / f"{Path(path).name}.{best.split(' ')[0].replace(':', '-')}.gcz"
        out.write_bytes(archive)
        cells = [[r["codec"], round(100 * r["rate"], 2), round(100 * r["adjusted_rate"], 2), r["compressed_bytes"],
                  round(r["seconds"], 3)] for r in rows]
        return cells, _rate_chart(rows), str(out)

    @_errors_as_messages
    def on_restore(path):
        if not path:
            raise GencompError("upload a .gcz archive first")
        _codec, data, suffix = handlers.restore(Path(path).read_bytes())
        name = Path(path).name.removesuffix(".gcz")
        out = work / ((name if name != Path(path).name else name + ".out") + suffix)
        out.write_bytes(data)
        return str(out)

    run.click(on_compress, [upload], [table, chart, download], concurrency_limit=1, api_name="compress")
    restore.click(on_restore, [archive_in], [download], concurrency_limit=2, api_name="decompress")


def build_app(config: AppConfig | None = None) -> gr.Blocks:
    config = config or AppConfig()
    names = handlers.generator_names(config)
    with gr.Blocks(title="gencomp: prediction is compression") as app:
        gr.Markdown("# gencomp\nEvery compressor is a generative model: P(x | ctx) ∝ 2^-(ℓ(ctx·x) − ℓ(ctx)). "
                    "Pick generators and compare them side by side.")
        with gr.Tab("Text"):
            _text_tab(config, names)
        with gr.Tab("Image"):
            _image_tab(config, names)
        with gr.Tab("Audio"):
            _audio_tab(config, names)
        with gr.Tab("Compress"):
            _compress_tab(config, names)
    app.queue(default_concurrency_limit=2, max_size=32)
    return app


def launch(config: AppConfig | None = None, host: str = "127.0.0.1", port: int = 7860, share: bool = False,
           block: bool = True):
    """Start the app; with block=False return once it serves (for tests)."""
    app = build_app(config)
    threading.Thread(target=handlers.warm_up, daemon=True).start()
    app.launch(server_name=host, server_port=port, share=share, prevent_thread_lock=not block, ssr_mode=False,
               quiet=not block, footer_links=[], max_file_size=MAX_UPLOAD)
    return app
