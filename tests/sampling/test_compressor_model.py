"""A compressor as a model: a proper distribution, both Predictor forms identical, and the loop
compressor -> model -> compressor round-trips."""

import numpy as np
import pytest

from gencomp.compressors import get_compressor
from gencomp.compressors.lm import LMCompressor
from gencomp.errors import GencompError
from gencomp.sampling.compressor_model import CompressorModel
from tests.conftest import SEEDS, rng_for


@pytest.mark.parametrize("spec,resolution", [("gzip", "exact"), ("gzip", "bytes"), ("zstd", "bytes")])
def test_batched_and_stepwise_forms_agree_bit_for_bit(spec, resolution, wiki_heldout):
    model = CompressorModel(get_compressor(spec), max_context_bytes=24, resolution=resolution)
    rows = np.frombuffer(wiki_heldout[:80], np.uint8).astype(np.int64).reshape(2, 40)
    full = model.weights(rows)  # (2, 40, 256)
    state = model.start(2)
    steps = [model.step(state, None)] + [model.step(state, rows[:, t]) for t in range(39)]
    assert np.array_equal(np.stack(steps, axis=1), full)
    state, after = model.start_from(rows[:, :17])
    assert np.array_equal(after, full[:, 17])


def test_exact_bits_break_the_ties_of_byte_lengths(wiki_heldout):
    context = wiki_heldout[1000:3048]
    exact = CompressorModel(get_compressor("gzip")).candidate_bits(context)
    coarse = CompressorModel(get_compressor("gzip"), resolution="bytes").candidate_bits(context)
    assert np.array_equal(np.ceil(exact / 8) * 8, coarse)
    assert len(np.unique(exact)) > 2 * len(np.unique(coarse))


def test_a_common_continuation_is_more_probable_than_a_rare_byte(wiki_heldout):
    model = CompressorModel(get_compressor("gzip"))
    context = b"the cat sat on the mat. the cat sat on the mat. the cat sat on the m"
    _, weights = model.start_from(np.frombuffer(context, np.uint8)[None].astype(np.int64))
    assert weights[0, ord("a")] > 2 * weights[0, 0x07]


def test_context_is_cut_to_the_last_max_context_bytes(wiki_heldout):
    model = CompressorModel(get_compressor("gzip"), max_context_bytes=100)
    assert np.array_equal(model.candidate_bits(wiki_heldout[:500]), model.candidate_bits(wiki_heldout[400:500]))
    assert not np.array_equal(model.candidate_bits(wiki_heldout[:90]), model.candidate_bits(wiki_heldout[10:90]))
    empty = CompressorModel(get_compressor("gzip"), max_context_bytes=0)
    assert np.array_equal(empty.candidate_bits(wiki_heldout[:500]), empty.candidate_bits(b""))


@pytest.mark.parametrize("seed", SEEDS)
def test_compressor_to_model_to_compressor_round_trips(seed, wiki_heldout):
    rng = rng_for(seed)
    start = int(rng.integers(0, len(wiki_heldout) - 200))
    text, noise = wiki_heldout[start : start + 150], rng.bytes(40)
    coder = LMCompressor(CompressorModel(get_compressor("gzip"), max_context_bytes=100), "gzip-model", 100)
    for data in (text, noise, text + noise):
        assert coder.decompress(coder.compress(data)) == data, f"seed {seed}"
    assert coder.code_length_bits(text) < 8 * len(text), f"seed {seed}"  # (gzip's own is lower: see equivalence.py)


def test_bad_settings_are_clear_errors():
    with pytest.raises(GencompError, match="resolution"):
        CompressorModel(get_compressor("gzip"), resolution="nibbles")
    with pytest.raises(GencompError, match="max_context_bytes"):
        CompressorModel(get_compressor("gzip"), max_context_bytes=-1)


@pytest.mark.parametrize("spec,resolution", [("gzip", "exact"), ("lzma", "bytes")])
def test_unseen_bytes_share_the_lowest_unseen_bytes_exact_score(spec, resolution, wiki_heldout):
    context = wiki_heldout[500:900]
    every = CompressorModel(get_compressor(spec), resolution=resolution, score_unseen_once=False).candidate_bits(context)
    fast = CompressorModel(get_compressor(spec), resolution=resolution).candidate_bits(context)
    seen = np.zeros(256, bool)
    seen[np.frombuffer(context, np.uint8)] = True
    assert np.array_equal(fast[seen], every[seen])
    lowest_unseen = int(np.flatnonzero(~seen)[0])
    assert np.all(fast[~seen] == every[lowest_unseen])
