"""The audio codec: exact round trips (any length, odd ones too, several channels, 16- and 24-bit), smaller than FLAC on speech."""

import numpy as np
import pytest

import gencomp
from gencomp.compressors import get_compressor
from gencomp.errors import GencompError
from gencomp.media.audio import read_pcm16
from gencomp.models import context_mixing as cmx
from gencomp.models.context_mixing import SQUASH, STRETCH, audio, laplace, new_state
from tests.conftest import SEEDS, rng_for


@pytest.mark.parametrize("seed", SEEDS)
def test_round_trips_any_bytes_and_channel_count(seed):
    rng = rng_for(seed)
    for spec in ("audio", "audio:2", "audio:8", "audio:1:24", "audio:3:24"):
        n = int(rng.integers(0, 6000))
        noise = rng.integers(0, 256, n, dtype=np.uint8).tobytes()  # odd lengths, extreme samples
        tone = (np.sin(np.arange(n) / 7.0) * rng.integers(1, 32767)).astype("<i2").tobytes()
        if spec.endswith(":24"):
            wide = (np.sin(np.arange(n) / 7.0) * rng.integers(1, 1 << 23)).astype(np.int64) & 0xFFFFFF
            tone = np.stack([(wide >> (8 * j)) & 255 for j in range(3)], -1).astype(np.uint8).tobytes()
        for data in (noise, tone, tone[:-1]):
            assert gencomp.decompress(get_compressor(spec).compress(data)) == data


def test_speech_costs_less_than_flac(data_dir):
    pcm, rate = read_pcm16(data_dir / "audio" / "spk1_snt2.wav")
    chunks = [pcm[i : i + 2048] for i in range(0, len(pcm) - 2047, 2048 * 4)]
    audio_bits = get_compressor("audio").chunk_code_length_bits(chunks).sum()
    flac_bytes = sum(len(get_compressor("flac").encode(c)) for c in chunks)
    assert audio_bits / 8 < 0.9 * flac_bytes
    whole = get_compressor("audio").compress(pcm)
    assert gencomp.decompress(whole) == pcm and len(whole) < 0.5 * len(pcm)


@pytest.mark.parametrize("spec", ["audio:0", "audio:9", "audio:stereo", "audio:0:24"])
def test_bad_channel_counts_are_named(spec):
    with pytest.raises(GencompError, match="channels"):
        get_compressor(spec)


@pytest.mark.parametrize("spec", ["audio:1:8", "audio:1:32", "audio:1:x"])
def test_bad_sample_widths_are_named(spec):
    with pytest.raises(GencompError, match="B = 16 or 24"):
        get_compressor(spec)


def test_archives_of_the_first_audio_decode_and_name_no_predictor():
    """gencomp 0.4's audio (normalised LMS, no audio_predictor in its identity) still decodes; a
    different identity is refused by name."""
    from gencomp.compressors.cm import ContextMixingCompressor

    tone = (np.sin(np.arange(3000) / 5.0) * 9000).astype("<i2").tobytes()
    first = ContextMixingCompressor("audio", None, model=cmx.Audio(1, least_squares=False, error_scales=1, revision=0))
    archive = first.compress(tone)
    assert "audio_predictor" not in first.identity() and archive != get_compressor("audio").compress(tone)
    assert gencomp.decompress(archive) == tone
    with pytest.raises(GencompError, match="archive needs audio"):
        ContextMixingCompressor("audio", None, model=cmx.Audio(1, 24)).decompress(archive)


@pytest.mark.parametrize("spec,channels,bits", [("audio", 1, 16), ("audio:2:24", 2, 24)])
def test_archives_with_one_error_scale_decode(spec, channels, bits):
    """gencomp 0.5 and 0.6 tracked one error scale (no audio_error_scales in the identity): their
    archives decode, and differ from today's."""
    from gencomp.compressors.cm import ContextMixingCompressor

    tone = (np.sin(np.arange(6000) / 5.0) * 9000 * (1 + np.arange(6000) % 700 // 350)).astype("<i2").tobytes()
    earlier = ContextMixingCompressor(spec, None, model=cmx.Audio(channels, bits, error_scales=1, revision=0))
    archive = earlier.compress(tone)
    assert "audio_error_scales" not in earlier.identity() and archive != get_compressor(spec).compress(tone)
    assert gencomp.decompress(archive) == tone


def test_the_error_scale_that_lately_cost_least_is_used():
    """Steady small errors with a rare burst: the slowest scale (1/64) prices them best and is taken;
    errors whose level jumps every 100 samples favour the fastest (1/4). One scale alone moves
    by 1/4 of each error, as in gencomp 0.5 and 0.6."""
    def scale_after(errors, count):
        regs = np.zeros(audio.R_END, np.int64)
        audio.Audio(error_scales=count).init(regs)
        for e in errors:
            audio.learn_error_scale(regs, e * 16)
        return regs[audio.R_AERR], regs[audio.R_SCALE : audio.R_SCALE + 3].tolist()

    steady = [50] * 2000
    for at in range(100, 2000, 400):
        steady[at : at + 3] = [3000] * 3
    chosen, scales = scale_after(steady, 3)
    assert chosen == scales[2]
    jumping = ([10] * 100 + [2000] * 100) * 20
    chosen, scales = scale_after(jumping, 3)
    assert chosen == scales[0]
    one = 16 * 256
    for e in steady[:50]:
        one += (e * 16 - one) >> 2
    assert scale_after(steady[:50], 1)[0] == one


def test_fixed_point_log2_is_within_a_unit_of_the_true_one():
    import math

    for x in [1, 2, 3, 16, 255, 256, 257, 1000, 12345, 1 << 20, (1 << 28) + 12345]:
        assert abs(laplace.log2_4096(x) - 4096 * math.log2(x)) < 4096 / 256 + 1


def test_chunks_coded_side_by_side_make_the_same_archive(monkeypatch, data_dir):
    """A frame's chunks (an audio file's channels, an image's colour planes) are coded on threads:
    the archive is the one a single thread writes, and it decodes on threads too."""
    import threading

    from gencomp import jit
    from gencomp.compressors import cm

    pcm, _ = read_pcm16(data_dir / "audio" / "spk1_snt3.wav")
    pcm = pcm[: 5 * 3000]
    coded_on = []
    real_encode = cm.ContextMixingCompressor._encode_one

    def encode_one(self, *args, **kwargs):
        coded_on.append(threading.get_ident())
        return real_encode(self, *args, **kwargs)

    monkeypatch.setattr(cm.ContextMixingCompressor, "_encode_one", encode_one)
    monkeypatch.setattr(jit, "_thread_limit", 2)
    archive = get_compressor("audio", chunk_size_bytes=3000).compress(pcm)
    assert len(set(coded_on)) == 2  # two threads took the five chunks
    monkeypatch.setattr(jit, "_thread_limit", 1)
    assert get_compressor("audio", chunk_size_bytes=3000).compress(pcm) == archive
    monkeypatch.setattr(jit, "_thread_limit", 2)
    assert gencomp.decompress(archive) == pcm


def test_revision_1_codes_speech_smaller_and_revision_0_archives_decode(data_dir):
    """0.25's mixture of Laplaces (revision 1) codes a speech clip at least 3 % smaller than 0.7–0.24's
    cascade alone (4.2 % over the seven shared clips); an archive without "audio_revision" is decoded
    with revision 0."""
    from gencomp.archive.legacy import earlier_codec
    from gencomp.compressors.cm import ContextMixingCompressor

    pcm, _ = read_pcm16(data_dir / "audio" / "spk1_snt4.wav")
    codec = get_compressor("audio")
    assert codec.identity()["audio_revision"] == 1
    older = earlier_codec(codec, {k: v for k, v in codec.identity().items() if k != "audio_revision"})
    assert older is not None and older.model.revision == 0
    assert older.model == ContextMixingCompressor("audio", None, model=cmx.Audio(revision=0)).model
    new, old = codec.compress(pcm), older.compress(pcm)
    assert len(new) < 0.97 * len(old)
    assert gencomp.decompress(new) == pcm and gencomp.decompress(old) == pcm


def test_the_mixture_weighs_most_the_component_that_costs_least():
    """Noise repeated every 100 samples: only the 128-sample fit (the last component) can predict it,
    so after a few periods it holds nearly all the weight and the repeats cost next to nothing."""
    from gencomp.models.context_mixing import audio_mixture as mixture
    from gencomp.models.context_mixing.loops import learn_bytes

    rng = np.random.default_rng(7)
    pcm = np.tile(rng.integers(-3000, 3000, 100), 40).astype("<i2").tobytes()
    history = np.zeros(len(pcm), np.uint8)
    state = new_state(12, 12, history, cmx.Audio(), 1 << 16, cmx.INPUT_WEIGHT)
    history[:] = np.frombuffer(pcm, np.uint8)
    learn_bytes(*state.arrays, history, SQUASH, STRETCH, np.zeros((0, 256), np.int64), 0, len(pcm))
    steps, weights = np.ones(mixture.COMPONENTS, np.int64), np.empty(mixture.COMPONENTS, np.int64)
    mixture.normalised_weights(state.regs, audio.R_MIXTURE, steps, weights)
    assert mixture.ORDERS[-1] == 128 and weights[-1] > weights.sum() * 3 // 4
    first, whole = get_compressor("audio").chunk_code_length_bits([pcm[: 4 * 200], pcm]).tolist()
    assert whole - first < first / 10  # 36 periods more: about 40 bits, the first four about 2,000


def test_the_sampling_model_skips_the_mixers_it_overrides_and_gives_the_coders_probabilities(data_dir):
    """Sampling audio, the final probability is the Laplace alone (Audio.generating): the predictor then
    runs neither the mixers nor the hashed contexts (kinds.input_alone), and its byte distributions still
    cost what the coder, running every sub-model, codes with the same model, within rounding; stepping
    byte by byte, the whole pass and start_from give the same integers. A byte learned but not folded
    into the Laplace's prediction would make them differ by far more."""
    from dataclasses import replace

    from gencomp.coding import exact
    from gencomp.compressors.cm import ContextMixingCompressor, table_bits
    from gencomp.models.context_mixing.predictor import ContextMixingPredictor

    pcm, _ = read_pcm16(data_dir / "audio" / "spk1_snt3.wav")
    data = pcm[20_000:26_000]
    model = replace(get_compressor("audio").model, generating=True, revision=0)
    assert get_compressor("audio").byte_predictor.for_generation().model == model

    class SizedAsTheCoder(ContextMixingPredictor):
        PREDICTOR_SLOT_BITS, PREDICTOR_MATCH_BITS = table_bits(len(data))

    predictor = SizedAsTheCoder(None, model)
    symbols = np.frombuffer(data, np.uint8).astype(np.int64)[None]
    full = predictor.weights(symbols)
    predictor_bits = -exact.log_probs(full)[0, np.arange(len(data)), symbols[0]].sum() / np.log(2)
    coded_bits = float(ContextMixingCompressor("audio", model=model).chunk_code_length_bits([data])[0])
    assert abs(predictor_bits - coded_bits) < 0.001 * len(data), (predictor_bits, coded_bits)
    assert coded_bits < 6 * len(data)
    state = predictor.start(1)
    steps = [predictor.step(state, None)] + [predictor.step(state, symbols[:, t]) for t in range(599)]
    assert np.array_equal(np.stack(steps, 1), full[:, :600])
    assert np.array_equal(predictor.start_from(symbols[:, :301])[1][0], full[0, 301])
