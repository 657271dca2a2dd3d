"""Sampling: reproducible, streaming, greedy and top-k as documented, clear errors, media in and out."""


import numpy as np
import pytest
import soundfile
from PIL import Image

import gencomp.media.audio as audio_media
import gencomp.media.image as image_media
from gencomp.cli.main import main
from gencomp.compressors import get_compressor
from gencomp.compressors.gzip import Gzip
from gencomp.errors import GencompError
from gencomp.media.audio import COPY_WEIGHT, continue_audio, read_pcm16
from gencomp.media.image import TOP_K as IMAGE_TOP_K
from gencomp.media.image import complete_image, read_grayscale, shrink_image
from gencomp.models.exact_transformer import ExactTransformer
from gencomp.sampling.compressor_model import CompressorModel
from gencomp.sampling.generate import (
    MAX_GENERATE_BYTES,
    as_predictor,
    generate,
    sample_next_byte,
    stream,
)
from tests.conftest import SEEDS, rng_for

PROMPT = b"The city council met on Tuesday. The city council"


@pytest.mark.parametrize("spec", ["gzip", "cm", "lm:tiny"])
def test_same_seed_same_bytes_other_seed_other_bytes(spec):
    compressor = get_compressor(spec)
    first = generate(compressor, PROMPT, 12, seed=3)
    assert len(first) == 12
    assert generate(compressor, PROMPT, 12, seed=3) == first
    assert b"".join(stream(compressor, PROMPT, 12, seed=3)) == first
    assert generate(compressor, PROMPT, 12, seed=4) != first


def test_model_based_codecs_sample_from_their_own_predictor():
    lm, cm = get_compressor("lm:tiny"), get_compressor("cm")
    sampler = as_predictor(lm)  # the same weights, attending to the whole 2048-byte context
    assert sampler.packed is lm.predictor.packed and lm.predictor.cfg.attention_window == 256
    assert sampler.cfg.attention_window == sampler.max_context_symbols == 2048
    assert as_predictor(cm) is cm.byte_predictor
    assert isinstance(as_predictor(get_compressor("lzma")), CompressorModel)


def test_a_transformer_is_primed_with_the_last_bytes_of_its_context_only(monkeypatch):
    fed = []
    start_from = ExactTransformer.start_from
    monkeypatch.setattr(ExactTransformer, "start_from",
                        lambda self, contexts: fed.append(contexts) or start_from(self, contexts))
    filler = bytes(rng_for(SEEDS[0]).integers(97, 123, 5000, dtype=np.uint8))
    generate(get_compressor("lm:tiny"), PROMPT, 5, seed=2, dictionary=filler)
    assert len(fed) == 1 and fed[0].astype(np.uint8).tobytes() == (filler + PROMPT)[-2048:]


def test_greedy_is_the_argmax_and_top_k_one_is_greedy():
    compressor = get_compressor("lm:tiny")
    greedy = generate(compressor, PROMPT, 8, temperature=0)
    assert generate(compressor, PROMPT, 8, temperature=-1, seed=9) == greedy
    assert generate(compressor, PROMPT, 8, top_k=1, seed=5) == greedy
    _, log_probs = compressor.predictor.start_from(np.frombuffer(PROMPT, np.uint8)[None].astype(np.int64))
    assert greedy[0] == int(np.argmax(log_probs[0]))


@pytest.mark.parametrize("seed", SEEDS)
def test_top_k_samples_only_the_k_most_probable(seed):
    rng = rng_for(seed)
    log_probs = np.log(rng.dirichlet(np.ones(256)))
    allowed = set(np.argsort(-log_probs)[:5].tolist())
    drawn = {sample_next_byte(log_probs, 1.0, 5, rng) for _ in range(300)}
    assert drawn <= allowed and len(drawn) > 1, f"seed {seed}"
    assert sample_next_byte(log_probs, 0.0, 0, rng) == int(np.argmax(log_probs))


@pytest.mark.parametrize("seed", SEEDS)
def test_min_p_samples_only_bytes_near_the_likeliest(seed):
    rng = rng_for(seed)
    log_probs = np.log(rng.dirichlet(np.ones(256)))
    allowed = set(np.flatnonzero(log_probs >= log_probs.max() + np.log(0.3)).tolist())
    drawn = {sample_next_byte(log_probs, 1.0, 0, rng, min_p=0.3) for _ in range(300)}
    assert drawn <= allowed and drawn, f"seed {seed}"
    assert len(allowed) < 256


@pytest.mark.parametrize("seed", SEEDS)
def test_a_draw_is_rng_choice_over_the_kept_symbols_most_probable_first(seed):
    """sample_next_byte sorts only the symbols within min_p of the likeliest and draws as rng.choice does, without
    its checks: the same symbol, from the same generator state, as rng.choice over every allowed symbol sorted
    (stable, most probable first), cut to top_k and min_p, at the temperature (ties, masks and greedy included)."""
    def reference(log_probs, temperature, top_k, rng, allowed, min_p):
        order = np.argsort(-log_probs, kind="stable")
        order = order[allowed[order]] if allowed is not None else order
        if temperature <= 0:
            return int(order[0])
        keep = order[:top_k] if top_k > 0 else order
        keep = keep[log_probs[keep] >= log_probs[keep[0]] + np.log(min_p)] if min_p > 0 else keep
        weights = np.exp(log_probs[keep] / temperature - (log_probs[keep] / temperature).max())
        return int(keep[rng.choice(len(keep), p=weights / weights.sum())])

    rng = rng_for(seed)
    for _ in range(300):
        size = int(rng.choice([2, 7, 256, 1000]))
        log_probs = np.log(rng.dirichlet(np.full(size, rng.choice([0.05, 0.5, 5.0]))) + 1e-300)
        log_probs = np.round(log_probs) if rng.random() < 0.3 else log_probs  # ties
        allowed = rng.random(size) < 0.7 if rng.random() < 0.5 else None
        if allowed is not None:
            allowed[rng.integers(size)] = True
        settings = (float(rng.choice([0.0, 0.5, 1.0, 1.3])), int(rng.choice([0, 1, 3, 40])))
        min_p, state = float(rng.choice([0.0, 0.001, 0.3])), int(rng.integers(1 << 30))
        mine, theirs = np.random.default_rng(state), np.random.default_rng(state)
        for _ in range(3):
            assert sample_next_byte(log_probs, *settings, mine, allowed, min_p) == \
                reference(log_probs, *settings, theirs, allowed, min_p)


def test_audio_continuation_stays_a_waveform_not_a_runaway(data_dir):
    """Coded, the predictor may resonate when fed its own samples; sampling uses a stable form of it
    (bandwidth-expanded least squares, the prompt's error scale) and drops the coder's probability
    floor (AUDIO_MIN_P): 50 ms of speech stay within a few times the prompt's loudness."""
    pcm, rate = read_pcm16(data_dir / "audio" / "spk1_snt2.wav")
    samples = np.frombuffer(pcm, "<i2").astype(np.int16)
    audio = get_compressor("audio")
    assert audio.byte_predictor.for_generation().identity() != audio.byte_predictor.identity()
    for seed in (0, 1):
        clip = list(continue_audio(audio, samples, rate, keep_seconds=1.0, seconds=0.05, seed=seed, copies=0))[-1]
        new, before = clip[rate:].astype(float), samples[rate - round(0.05 * rate) : rate].astype(float)
        loudness = np.sqrt((new ** 2).mean() / (before ** 2).mean())
        assert 0.2 < loudness < 5 and np.abs(new).max() < 20000, (seed, loudness, np.abs(new).max())


def test_audio_copies_keep_the_speech_loudness_without_replaying_it(data_dir):
    """Grains of the kept second at a gain never above its peak: the continuation is as loud as the
    speech (not 3-5x, as the sample model alone gets), yet hardly a run of 64 samples is verbatim."""
    pcm, rate = read_pcm16(data_dir / "audio" / "spk1_snt4.wav")
    samples = np.frombuffer(pcm, "<i2").astype(np.int16)
    kept = samples[:rate]
    clip = list(continue_audio(get_compressor("audio"), samples, rate, keep_seconds=1.0, seconds=0.3, seed=2))[-1]
    new = clip[rate:]
    assert len(new) == round(0.3 * rate)
    rms = np.sqrt(np.mean(new.astype(float) ** 2) / np.mean(kept.astype(float) ** 2))
    assert 0.3 < rms < 2 and np.abs(new.astype(int)).max() <= 1.1 * np.abs(kept.astype(int)).max(), rms
    runs = {kept[i : i + 64].tobytes() for i in range(len(kept) - 63)}
    verbatim = sum(new[i : i + 64].tobytes() in runs for i in range(len(new) - 63))
    assert verbatim < 0.2 * len(new), verbatim


def test_audio_copy_grains_have_room_to_fade_out():
    """Each copy grain starts where it can run whole and on through the next one's fade-in: one that ran
    into the kept audio's end was cut off, a step (clicks of up to 1,900 in jfk.flac's continuations)."""
    kept = np.random.default_rng().normal(0, 3000, 1500).round()
    copies = audio_media._CopyProposals(kept, 16000, 4000, 1.0, seed=int(np.random.default_rng().integers(1 << 30)))
    sources = []
    for i in range(8000):  # take every proposed byte
        byte = int(np.argmax(copies(i)[0]))
        if i % 2 == 0 and copies.left == copies.grain:
            sources.append(copies.source)
        copies.feed(i, byte)
    assert len(sources) == -(-4000 // copies.grain)  # each grain runs whole
    assert max(sources) + copies.grain + copies.fade <= len(copies.followers), (max(sources), len(copies.followers))


@pytest.mark.parametrize("seed", SEEDS)
def test_audio_grains_follow_the_stretch_that_correlates_not_the_quietest(seed):
    """The clip ends on a quiet echo of a loud stretch of the kept audio: the grain copies from the loud
    part (what followed that stretch, or one of the next best), not the silence. Squared differences
    chose silence (nearer to anything quiet), and continuations drifted quieter than their prompts."""
    rng = rng_for(seed)
    burst = rng.normal(0, 3000, 2000).round()
    kept = np.r_[burst, np.zeros(3000), (0.3 * burst[500:532]).round()]  # 32 samples: MATCH_SECONDS at 16 kHz
    copies = audio_media._CopyProposals(kept, 16000, 1000, 1.0, seed=seed)
    copies(0)
    assert copies.match == 32 and copies.source < 2000 - 32, copies.source


def test_audio_noise_floor_is_white_noise_power_and_falls_with_the_band():
    rng = np.random.default_rng()
    noise = rng.normal(0, 30, 16000)
    assert 0.8 * 900 < audio_media._noise_floor(noise) < 1.25 * 900
    spectrum = np.fft.rfft(noise)
    spectrum[len(spectrum) // 2 :] = 0  # no sound above half the band, as in a band-limited recording
    assert audio_media._noise_floor(np.fft.irfft(spectrum, len(noise))) < 0.01 * 900


def test_audio_active_level_leaves_out_the_pauses():
    speech = np.r_[np.zeros(8000), np.full(8000, 100.0)]
    assert audio_media._active_level(speech, 320) == 100.0
    assert np.sqrt(np.mean(speech ** 2)) < 71


def test_audio_copies_of_a_clean_recording_add_no_model_noise(data_dir):
    """jfk.flac is band-limited to 12 kHz with a 16-bit floor: the model's share of each byte (its
    samples flip high bytes, ±256 clicks) falls with that floor, so the continuation keeps nothing above
    13 kHz but rounding, while a noisy 16 kHz recording keeps the full share."""
    pcm, rate = read_pcm16(data_dir / "audio" / "jfk.flac")
    samples = np.frombuffer(pcm, "<i2").astype(np.int16)
    kept = samples[:rate].astype(np.float64)
    clean = audio_media._CopyProposals(kept, rate, 10, COPY_WEIGHT, 0)
    assert clean.weight > 1 - 1e-4 and clean.spread < 1e-4 * audio_media.GAIN_SPREAD  # rounding a gain adds noise too
    noisy = np.frombuffer(read_pcm16(data_dir / "audio" / "spk1_snt1.wav")[0], "<i2")[:16000].astype(np.float64)
    loud = audio_media._CopyProposals(noisy, 16000, 10, COPY_WEIGHT, 0)
    assert loud.weight == COPY_WEIGHT and loud.spread == audio_media.GAIN_SPREAD
    clip = list(continue_audio(get_compressor("audio"), samples[: 2 * rate], rate, 1.0, 0.3, seed=1))[-1]

    def high_band_db(x):  # mean power above 13 kHz of the long-term spectrum (512-sample Hann frames)
        frames = np.lib.stride_tricks.sliding_window_view(x, 512)[::256] * np.hanning(512)
        power = (np.abs(np.fft.rfft(frames, axis=1)) ** 2).mean(axis=0)
        return 10 * np.log10(power[np.fft.rfftfreq(512, 1 / rate) > 13000].mean())

    assert high_band_db(clip[rate:].astype(np.float64)) < high_band_db(kept) + 6  # the model's clicks: +40 dB


def test_low_temperature_concentrates_on_the_likely_bytes():
    log_probs = np.log(np.r_[[0.5, 0.3], np.full(254, 0.2 / 254)])
    rng = np.random.default_rng(0)
    cold = [sample_next_byte(log_probs, 0.1, 0, rng) for _ in range(200)]
    assert cold.count(0) >= 195


class _RecordingGzip(Gzip):
    """The real gzip codec, recording every context it is asked to score."""

    def __init__(self):
        super().__init__()
        self.contexts = []

    def next_byte_code_lengths_bits(self, context, candidates=None):
        self.contexts.append(bytes(context))
        return super().next_byte_code_lengths_bits(context, candidates)

    def continuation_code_lengths_bits(self, context, suffixes):
        self.contexts.append(bytes(context))
        return super().continuation_code_lengths_bits(context, suffixes)


@pytest.mark.parametrize("copies", [False, True])
def test_gzip_scores_its_whole_window_by_default_and_the_last_context_bytes_when_told(copies):
    dictionary = bytes(rng_for(SEEDS[0]).integers(97, 123, 20_000, dtype=np.uint8))
    codec = _RecordingGzip()
    out = generate(codec, PROMPT, 30, seed=1, dictionary=dictionary, copies=copies)
    history = dictionary + PROMPT + out
    assert codec.contexts[0] == dictionary + PROMPT  # all of it, every time
    assert all(c.startswith(dictionary) and history.startswith(c) for c in codec.contexts)
    codec.contexts.clear()
    out = generate(codec, PROMPT, 30, seed=1, max_context_bytes=64, dictionary=dictionary, copies=copies)
    history = dictionary + PROMPT + out
    assert codec.contexts[0] == history[len(dictionary) + len(PROMPT) - 64 : len(dictionary) + len(PROMPT)]
    assert any(codec.contexts[-1] == history[-64 - k : -k] for k in range(1, 33))


def test_empty_prompt_zero_bytes_and_bad_settings():
    gzip = get_compressor("gzip")
    assert len(generate(gzip, b"", 3, seed=0)) == 3
    assert generate(gzip, PROMPT, 0) == b""
    for kwargs, message in [({"n": -1}, "0 …"), ({"n": MAX_GENERATE_BYTES + 1}, "0 …"), ({"n": 3, "top_k": -2}, "top_k"),
                            ({"n": 3, "temperature": float("nan")}, "temperature")]:
        with pytest.raises(GencompError, match=message):
            generate(gzip, PROMPT, **kwargs)


def test_image_completion_keeps_the_rows_it_was_given(data_dir):
    photo = shrink_image(read_grayscale(data_dir / "image" / "coins.png"), 16)
    assert photo.shape == (13, 16)
    frames = list(complete_image(get_compressor("cm"), photo, keep_rows=8, seed=1))
    assert len(frames) == 5 and frames[-1].shape == photo.shape and frames[-1].dtype == np.uint8
    assert np.array_equal(frames[-1][:8], photo[:8]) and not np.array_equal(frames[-1], photo)
    assert not frames[0][9:].any()  # rows not yet sampled are 0
    for keep in (0, 13, 40):
        with pytest.raises(GencompError, match="keep_rows"):
            next(complete_image(get_compressor("cm"), photo, keep_rows=keep))


def test_the_shipped_image_codec_completes_an_image_of_any_width_with_that_width(data_dir):
    """`image` (rows of 64) is rebuilt for the image's width, so a pixel's neighbours are the ones above it."""
    photo = shrink_image(read_grayscale(data_dir / "image" / "camera.png"), 48)
    shipped, made_for_it = (list(complete_image(get_compressor(spec), photo, keep_rows=30, seed=3))[-1]
                            for spec in ("image", "image:48"))
    assert np.array_equal(shipped, made_for_it)


def test_copy_proposals_keep_the_texture_of_the_prompt(data_dir):
    """Sampled on its own output the pixel model drifts to smooth noise (grass: a third of the true
    half's gradient); with copies of the best-matching neighbourhoods proposed, the completed half is
    about as rough as the true one."""
    photo = shrink_image(read_grayscale(data_dir / "image" / "grass.png"), 64)
    keep = photo.shape[0] // 2

    def roughness(image: np.ndarray) -> float:
        x = image[keep:].astype(float)
        return (np.abs(np.diff(x, axis=0)).mean() + np.abs(np.diff(x, axis=1)).mean()) / 2

    plain, copied = (list(complete_image(get_compressor("image"), photo, keep, seed=0, copies=w))[-1] for w in (0, 0.8))
    assert roughness(plain) < 0.6 * roughness(photo), roughness(plain) / roughness(photo)
    assert 0.75 < roughness(copied) / roughness(photo) < 1.33, roughness(copied) / roughness(photo)


@pytest.mark.parametrize("seed", SEEDS)
def test_image_copies_come_from_the_kept_rows_only(seed):
    """Completed rows are never a copy source, so a streak in them cannot feed itself."""
    rng = rng_for(seed)
    canvas = rng.integers(0, 128, (12, 20)).astype(np.uint8)  # kept rows: values below 128
    canvas[6:] = 200 + rng.integers(0, 50, (6, 20))  # rows "completed" so far: values of 200 and more
    proposals = image_media._CopyProposals(canvas, 6, 0.8)
    for row in range(6, 12):
        for col in range(20):
            pmf, weight = proposals((row - 6) * 20 + col)
            assert weight == 0.8 and abs(pmf.sum() - 1) < 1e-12 and pmf[128:].sum() == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_image_copies_continue_where_they_are(seed):
    """A completed pixel copied from kept pixel (y, x) makes (y, x + 1) a coherent candidate for its
    right neighbour, weighted as 32 of the 4 nearest neighbourhoods' pixels."""
    rng = rng_for(seed)
    canvas = rng.integers(0, 256, (12, 20)).astype(np.uint8)  # random pixels: no neighbourhood like another
    canvas[6:8] = canvas[2:4]  # rows completed so far continue as rows 2 and 3 did
    proposals = image_media._CopyProposals(canvas, 6, 0.8)
    for col in range(2, 17):  # row 8 goes on as row 4: each pixel is sampled as row 4's, so copied from it
        pmf, _ = proposals(2 * 20 + col)  # (4, col) is one of the 4 nearest (distance 0), and coherent after col 2
        assert pmf[canvas[4, col]] >= (33 / 36 if col > 2 else 1 / 4) - 1e-12
        canvas[8, col] = canvas[4, col]
        proposals.sampled(8, col)


def test_image_completion_samples_among_the_likeliest_pixels_by_default(data_dir):
    """At top-k 0 the bitwise model's tails turn an image completion into salt-and-pepper noise."""
    photo = shrink_image(read_grayscale(data_dir / "image" / "camera.png"), 48)
    image = get_compressor("image:48")

    def completed(top_k):  # the pixel model's own tails: no copy proposals
        return list(complete_image(image, photo, keep_rows=24, top_k=top_k, seed=0, copies=0))[-1][24:].astype(int)
    default, truncated, full = completed(None), completed(IMAGE_TOP_K), completed(0)
    assert np.array_equal(default, truncated)
    jumps = [np.abs(np.diff(x, axis=1)).mean() for x in (default, full, photo[24:].astype(int))]
    assert jumps[1] > 2 * jumps[0], jumps  # neighbouring pixels far apart: noise
    assert jumps[0] < 2 * jumps[2], jumps  # about as smooth as the photo's own lower half


def test_audio_continuation_keeps_the_start(data_dir):
    pcm, rate = read_pcm16(data_dir / "audio" / "spk1_snt1.wav")
    samples = np.frombuffer(pcm, "<i2").astype(np.int16)
    clips = list(continue_audio(get_compressor("cm"), samples, rate, keep_seconds=0.05, seconds=0.01, update_every=64))
    keep, new = round(0.05 * rate), round(0.01 * rate)
    assert [len(c) for c in clips] == [keep + 64 * i for i in range(1, new // 64 + 1)] + ([keep + new] if new % 64 else [])
    assert np.array_equal(clips[-1][:keep], samples[:keep])
    with pytest.raises(GencompError, match="cannot keep"):
        next(continue_audio(get_compressor("cm"), samples[:100], rate, keep_seconds=1.0, seconds=0.01))
    with pytest.raises(GencompError, match="at least one sample"):
        next(continue_audio(get_compressor("cm"), samples, rate, keep_seconds=0.05, seconds=0.0))
    silence = np.zeros(rate // 10, np.int16)
    assert len(list(continue_audio(get_compressor("gzip"), silence, rate, 0.05, 0.001))[-1]) == len(silence) // 2 + 16


def test_cli_samples_text_at_the_generators_own_temperature(tmp_path):
    def sample(*flags):
        out = tmp_path / f"{len(list(tmp_path.iterdir()))}.txt"
        assert main(["generate", "-c", "gzip", "--prompt", "The cat sat on the", "--bytes", "30", "--seed", "2", "-q",
                     "-o", str(out), *flags]) == 0
        return out.read_bytes()
    assert sample() == sample("-t", "2") != sample("-t", "1")
    assert sample("--plain") == sample("--plain", "-t", "1")  # the model itself


def test_cli_generates_text_images_and_audio(tmp_path, data_dir, capsys):
    out = tmp_path / "story.txt"
    assert main(["generate", "-c", "cm", "--prompt", "Once upon a time", "--bytes", "30", "-o", str(out), "-q"]) == 0
    assert len(out.read_bytes()) == 30
    assert main(["generate", "-c", "cm", "--prompt", "x", "--bytes", "5", "-o", str(out), "-q"]) == 1
    assert "already exists" in capsys.readouterr().err and len(out.read_bytes()) == 30

    picture = tmp_path / "done.png"
    assert main(["generate", "-c", "cm", "--image", str(data_dir / "image" / "chelsea.png"), "--width", "16",
                 "--keep-rows", "9", "-o", str(picture), "-q"]) == 0
    with Image.open(picture) as side_by_side:
        assert side_by_side.size == (16 + 4 + 16, 11)

    sound = tmp_path / "more.wav"
    assert main(["generate", "-c", "cm", "--audio", str(data_dir / "audio" / "librispeech-1272-128104-0000.flac"),
                 "--keep-seconds", "0.05", "--seconds", "0.005", "-o", str(sound), "-q"]) == 0
    clip, rate = soundfile.read(sound, dtype="int16")
    assert rate == 16000 and len(clip) == 800 + 80
    speech = data_dir / "audio" / "librispeech-1272-128104-0000.flac"
    samples = np.frombuffer(read_pcm16(speech)[0], "<i2").astype(np.int16)
    for flags, copies in (([], COPY_WEIGHT), (["--plain"], 0.0)):  # --plain: the model alone, no copy proposals
        assert main(["generate", "-c", "cm", "--audio", str(speech), "--keep-seconds", "1", "--seconds", "0.02",
                     "-o", str(sound), "-q", "-f", *flags]) == 0
        expected = list(continue_audio(get_compressor("cm"), samples, 16000, 1.0, 0.02, copies=copies))[-1]
        assert np.array_equal(soundfile.read(sound, dtype="int16")[0], expected), flags

    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    assert main(["generate", "--image", str(notes), "-o", str(tmp_path / "x.png")]) == 1
    assert "cannot read image" in capsys.readouterr().err


def test_a_hugging_face_model_samples_tokens_and_yields_bytes(hf_model_dir):
    hf = get_compressor(f"hf:{hf_model_dir}")
    out = generate(hf, b"The history of", 25, seed=2)
    assert len(out) == 25 and generate(hf, b"The history of", 25, seed=2) == out
    with pytest.raises(GencompError, match="UTF-8"):
        generate(hf, b"\xff\xfe not text", 5)


def test_terminal_output_cannot_carry_escape_sequences():
    from gencomp.cli.generate import _printable

    assert _printable("a\x1b[2Jb\n\tc\x07") == "a\ufffd[2Jb\n\tc\ufffd"
