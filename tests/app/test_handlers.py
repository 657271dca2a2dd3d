"""The app's handlers, directly and through gradio_client against a launched app."""

import socket

import numpy as np
import pytest

from gencomp.app import handlers
from gencomp.app.handlers import AppConfig
from gencomp.compressors import get_compressor
from gencomp.errors import GencompError

CONFIG = AppConfig()


def test_every_registered_kind_of_generator_is_offered():
    names = handlers.generator_names(CONFIG)
    assert {"gzip", "lzma", "brotli", "bz2", "zstd", "cm", "lm:tiny", "lm:small"} <= set(names)
    assert "hf:/models/x" in handlers.generator_names(AppConfig(hf_model="/models/x"))


def test_text_columns_grow_together_to_the_length_asked():
    lengths, rounds = [], []
    for update in handlers.generate_text("The cat sat on the", ["gzip", "cm"], 6, 0.8, 1, CONFIG):
        lengths.append([len(r.text) for r in update])  # the columns are updated in place
        rounds.append(update)
    # the prompt's rates, each generator's 6 bytes in turn (gzip's first shows before cm's), the ratings
    assert lengths == [[0, 0]] + [[k // 2 + 1, (k + 1) // 2] for k in range(12)] + [[6, 6]]
    final = {r.generator: r for r in rounds[-1]}
    assert [len(final[g].text) for g in ("gzip", "cm")] == [6, 6]
    assert all(final[g].rating.valid_utf8 == 1.0 for g in ("gzip", "cm"))  # text-safe by default
    assert "6 bytes" in final["gzip"].label() and "known words" in final["gzip"].label()
    expected = final["gzip"].prompt_bits_per_byte
    assert expected == get_compressor("gzip").code_length_bits(b"The cat sat on the") / 18


def test_each_generator_samples_at_its_own_temperature_unless_told():
    """temperature None: gzip at 2, cm at 0.7 (Compressor.sampling_temperature); the same samples as asked by value."""
    assert (get_compressor("gzip").sampling_temperature, get_compressor("cm").sampling_temperature) == (2.0, 0.7)

    def texts(temperature):
        final = list(handlers.generate_text("The cat sat on the", ["gzip", "cm"], 12, temperature, 3, CONFIG))[-1]
        return [r.text for r in final]
    own, at_two, at_point_seven = texts(None), texts(2.0), texts(0.7)
    assert own == [at_two[0], at_point_seven[1]]
    assert at_two[1] != at_point_seven[1]  # the temperature reaches the sampler


@pytest.mark.parametrize("args,message", [(("", ["gzip"], 5), "prompt"), (("hi", [], 5), "at least one"),
                                          (("hi", ["gzip"], 10**6), "length")])
def test_text_bad_input_is_a_clear_error(args, message):
    with pytest.raises(GencompError, match=message):
        list(handlers.generate_text(*args, 1.0, 0, CONFIG))
    with pytest.raises(GencompError, match="dictionary must be one of"):
        list(handlers.generate_text("hi", ["gzip"], 5, 1.0, 0, CONFIG, "/etc/passwd"))


def test_image_completion_and_grid():
    original = handlers.load_image("chelsea", None, 16)
    assert original.shape == (11, 16)
    frames = list(handlers.complete_images(original, 6, ["gzip", "cm"], 1.0, 0, CONFIG))
    assert len(frames) == 6 and all(np.array_equal(f[:6], original[:6]) for f in frames[-1].values())
    grid = handlers.image_grid(original, frames[-1], scale=2)
    assert grid.shape == (22, 2 * (16 + 1 + 16 + 1 + 16))
    with pytest.raises(GencompError, match="pick a shipped image"):
        handlers.load_image(None, None, 16)
    with pytest.raises(GencompError, match="wide"):
        next(handlers.complete_images(np.zeros((4, 500), np.uint8), 2, ["gzip"], 1.0, 0, CONFIG))


def test_audio_continuations_have_the_length_asked():
    samples, rate = handlers.load_audio("spk1_snt1", None)
    assert rate == 16000 and len(samples) == 32000  # the shipped clips are 2 s: 1 kept, 1 continued and judged
    clips = list(handlers.continue_clips(samples, rate, 0.1, 0.004, ["cm", "gzip"], 1.0, 0, CONFIG))
    assert {g: len(c) for g, c in clips[-1].items()} == {"cm": 1600 + 64, "gzip": 1600 + 64}
    with pytest.raises(GencompError, match="seconds to generate"):
        next(handlers.continue_clips(samples, rate, 0.1, 5.0, ["cm"], 1.0, 0, CONFIG))
    judged = handlers.judge_clips(samples, 1600, clips[-1])
    real = handlers.judge_bits_per_sample(samples[:1600], samples[1600:1664])
    assert set(judged) == {"real", "cm", "gzip"} and judged["real"] == real and 0 < judged["cm"] < 16
    assert handlers.judge_clips(samples[:1600], 1600, clips[-1])["real"] is None  # the clip ends where it was kept


def test_compression_table_best_archive_and_restore(wiki_heldout):
    data = wiki_heldout[:3000]
    rows, archives = handlers.compression_table(data, CONFIG, ["gzip", "cm", "lm:tiny"])
    by_codec = {r["codec"]: r for r in rows}
    from gencomp.evaluation.bench import rate_row

    assert by_codec["cm"]["compressed_bytes"] == rate_row("cm", get_compressor("cm"), "text", data)["compressed_bytes"]
    assert by_codec["gzip"]["adjusted_rate"] == by_codec["gzip"]["rate"]  # no parameters
    tiny = by_codec["lm:tiny"]
    assert tiny["adjusted_rate"] == pytest.approx(tiny["rate"] + 2 * tiny["parameters"] / 3000)
    best, archive = handlers.best_archive(data, rows, archives)
    assert best == "lm:tiny" and handlers.restore(archive) == ("lm:tiny", data, "")
    with pytest.raises(GencompError, match="empty"):
        handlers.compression_table(b"", CONFIG)
    with pytest.raises(GencompError, match="at most"):
        handlers.compression_table(bytes(CONFIG.max_upload_bytes + 1), CONFIG)
    with pytest.raises(GencompError):
        handlers.restore(b"this is not an archive")


def test_a_photo_is_coded_as_pixels_and_restored_as_a_png_with_the_same_pixels():
    import io

    from PIL import Image

    path = sorted(handlers.shipped_images().values())[0]
    data = path.read_bytes()
    rows, archives = handlers.compression_table(data, CONFIG, ["gzip", "image"], path.name)
    by_codec = {r["codec"]: r for r in rows}
    assert set(by_codec) == {"gzip", "image (pixels)"}
    assert by_codec["image (pixels)"]["compressed_bytes"] < 0.8 * by_codec["gzip"]["compressed_bytes"]
    best, archive = handlers.best_archive(data, rows, archives, path.name)
    codec, restored, suffix = handlers.restore(archive)
    assert best == "image (pixels)" and codec.startswith("image:") and suffix == ".png"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(restored))), np.asarray(Image.open(path)))


def test_a_media_codec_codes_as_bytes_other_files_and_images_it_cannot_keep_exactly(wiki_heldout):
    from tests.media.test_media_files import sixteen_bit_rgb_png

    rows, archives = handlers.compression_table(wiki_heldout[:1000], CONFIG, ["image", "audio"], "notes.txt")
    assert [r["codec"] for r in rows] == ["image", "audio"]
    assert handlers.restore(archives["audio"])[1:] == (wiki_heldout[:1000], "")
    deep = sixteen_bit_rgb_png()  # 16-bit colour: Pillow would read it as 8 bits
    rows, archives = handlers.compression_table(deep, CONFIG, ["image"], "deep.png")
    assert [r["codec"] for r in rows] == ["image"] and handlers.best_archive(deep, rows, archives, "deep.png")


@pytest.fixture(scope="module")
def client():
    gradio_client = pytest.importorskip("gradio_client")
    from gencomp.app.ui import launch

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = launch(AppConfig(), port=port, block=False)
    yield gradio_client.Client(f"http://127.0.0.1:{port}/", verbose=False)
    app.close()


def test_compress_and_decompress_through_the_running_app(client, tmp_path, wiki_heldout):
    from gradio_client import handle_file

    source = tmp_path / "notes.txt"
    source.write_bytes(wiki_heldout[:2000])
    table, _chart, archive = client.predict(handle_file(str(source)), api_name="/compress")
    codecs = [row[0] for row in table["data"]]
    assert {"gzip", "lzma", "cm", "lm:tiny"} <= set(codecs)
    restored = client.predict(handle_file(archive), api_name="/decompress")
    assert open(restored, "rb").read() == wiki_heldout[:2000]


def test_errors_reach_the_client_as_messages(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="type a prompt first"):
        client.predict("", ["gzip"], 5, 1.0, True, 0, api_name="/generate_text")


def test_audio_and_image_tabs_through_the_running_app(client):
    outputs = client.predict("spk1_snt1", None, ["cm", "gzip"], 0.1, 0.005, 1.0, 0, api_name="/continue_audio")
    caption, players = outputs[0], [o["value"] for o in outputs[2:] if o.get("visible")]
    assert len(players) == 2 and all(str(p).endswith(".wav") for p in players)
    assert "cm: " in caption and "gzip: " in caption and "bits/sample" in caption, caption
    import soundfile

    clip, rate = soundfile.read(players[0], dtype="int16")
    assert rate == 16000 and len(clip) == 1600 + 80
    caption, grid = client.predict("camera", None, ["cm"], 16, 0.5, 1.0, 0, api_name="/complete_image")
    assert "done." in caption and "cm: " in caption and "bits/pixel" in caption and grid, caption
