"""The decoder sees the encoder's probabilities bit for bit: full pass vs KV-cache steps,
across batch sizes and thread counts, on real text and random bytes."""

import os
from unittest import mock

import numpy as np
import pytest
import torch

from gencomp.models.exact_transformer import ExactTransformer
from gencomp.models.predictor import Predictor
from gencomp.models.transformer import ByteTransformer, TransformerConfig
from gencomp.models.zoo import load_byte_transformer
from tests.conftest import SEEDS, rng_for


def random_model(seed: int, d_model: int = 0, scale: float = 0.3) -> ExactTransformer:
    """Weights ~ N(0, scale²): at 0.3, larger than init, attention patterns far from uniform."""
    torch.manual_seed(seed)
    d_model = d_model or (32 if seed % 2 == 0 else 24)  # head dimensions 8 and 6
    net = ByteTransformer(TransformerConfig(d_model=d_model, n_layers=2, n_heads=4, d_ff=64, attention_window=48))
    with torch.no_grad():
        for p in net.parameters():
            p.normal_(0, scale)
    return ExactTransformer.from_model(net.eval(), "random", f"seed{seed}")


def inputs(seed: int, wiki_heldout: bytes, length: int) -> np.ndarray:
    rng = rng_for(seed)
    start = int(rng.integers(0, len(wiki_heldout) - 3 * length))
    text = np.frombuffer(wiki_heldout[start : start + 3 * length], np.uint8).reshape(3, length)
    return np.concatenate([text, rng.integers(0, 256, (2, length))]).astype(np.int64)  # 3 text rows, 2 random


def stepwise(model: Predictor, symbols: np.ndarray) -> np.ndarray:
    state, previous, out = model.start(len(symbols)), None, []
    for t in range(symbols.shape[1]):
        out.append(model.step(state, previous))
        previous = symbols[:, t]
    return np.stack(out, axis=1)


def assert_full_pass_equals_steps(model: Predictor, symbols: np.ndarray, label: str) -> None:
    """The full pass over 5 rows on 3 threads (2, 2 and 1 rows) == steps over 3 of them, and a pass
    over 1 on one thread."""
    with mock.patch.object(os, "cpu_count", lambda: 3):
        full = model.weights(symbols)
    steps = stepwise(model, symbols[[4, 0, 2]])
    with mock.patch.object(os, "cpu_count", lambda: 1):
        single = model.weights(symbols[3:4])
    assert full.dtype == np.int64 and (full >= 0).all() and (full.sum(-1) > 0).all(), label
    assert np.array_equal(full[[4, 0, 2]], steps), label
    assert np.array_equal(full[3:4], single), label


@pytest.mark.parametrize("seed", SEEDS)
def test_full_pass_equals_steps_at_any_batch_size_and_thread_count(seed, wiki_heldout):
    symbols = inputs(seed, wiki_heldout, 150)  # longer than the window and than one query block
    assert_full_pass_equals_steps(random_model(seed), symbols, f"seed {seed}")


@pytest.mark.parametrize("seed", SEEDS)
def test_int16_and_float32_caches_give_the_same_integers(seed, wiki_heldout):
    """A model whose weights prove |q|, |k|, |v| fit int16 keeps its cache in int16 (every shipped model
    does) and attends with pmaddwd where it can; its integers are those of a float32 cache, for whole
    passes and steps, with head dimensions even and odd (20 / 4 = 5). Larger weights keep float32, and
    their linear layers sum the inputs' two halves (exact_step._linear)."""
    symbols = inputs(seed, wiki_heldout, 150)
    large = random_model(seed, scale=3.0)
    assert large.start(1).keys.dtype == np.float32 and list(large.packed[15][:4]) == [2] * 4  # no single pass proven
    assert_full_pass_equals_steps(large, symbols, f"seed {seed} float32")
    for model in (random_model(seed, d_model=20, scale=0.05), random_model(seed, scale=0.05)):
        assert model.start(1).keys.dtype == np.int16
        assert_full_pass_equals_steps(model, symbols, f"seed {seed} int16")
        wide = ExactTransformer.__new__(ExactTransformer)
        wide.__dict__.update(model.__dict__, _cache_dtype=np.float32)
        assert np.array_equal(model.weights(symbols), wide.weights(symbols))
        assert np.array_equal(stepwise(model, symbols[:2]), stepwise(wide, symbols[:2]))


def test_shipped_model_is_exact_and_close_to_its_float_twin(wiki_heldout):
    model = load_byte_transformer("tiny")
    symbols = inputs(0, wiki_heldout, 600)[[0, 1]]  # text
    assert np.array_equal(model.weights(symbols)[:, :80], stepwise(model, symbols[:, :80]))
    full = model.log_probs(symbols)
    # integer grids (and the e^-12 floor on unlikely bytes) cost well under 0.01 bits per byte on text
    net = ByteTransformer(model.cfg)
    from gencomp.models.checkpoint import load_checkpoint
    from gencomp.models.zoo import resolve

    net.load_state_dict(load_checkpoint(resolve("tiny"))[0])
    with torch.no_grad():
        tokens = torch.cat([torch.full((2, 1), net.bos), torch.from_numpy(symbols[:, :-1])], 1)
        float_lp = net.eval()(tokens).double().numpy()
    pick = lambda lp: -np.take_along_axis(lp, symbols[..., None], -1).mean() / np.log(2)
    assert abs(pick(full) - pick(float_lp)) < 0.01


def test_no_byte_costs_more_than_the_floor_allows():
    """Bytes a text model never saw (random, image) cost at most 8 + 12/ln 2 bits, not 40+."""
    from gencomp.models.exact_transformer import LOGIT_RANGE_NATS

    model = load_byte_transformer("tiny")
    symbols = rng_for(3).integers(0, 256, (1, 700))
    bits = -np.take_along_axis(model.log_probs(symbols), symbols[..., None], -1) / np.log(2)
    assert bits.max() <= 8 + LOGIT_RANGE_NATS / np.log(2)


def test_a_narrower_window_stays_exact_and_says_so_in_its_identity(wiki_heldout):
    """mix runs the shipped model with a 32-byte window: full pass == steps past two windows."""
    model = load_byte_transformer("tiny")
    narrow = model.with_window(32)
    symbols = inputs(1, wiki_heldout, 100)
    assert_full_pass_equals_steps(narrow, symbols, "window 32")
    assert narrow.identity()["attention_window"] == 32 and "attention_window" not in model.identity()
    assert not np.array_equal(narrow.weights(symbols[:1]), model.weights(symbols[:1]))


@pytest.mark.parametrize("seed", SEEDS)
def test_attention_equals_the_whole_window_written_out_on_every_path(seed):
    """exact_step._attend leaves out positions too far back to weigh anything (exact_step._reach) and,
    with an int16 cache, sums in int32 with pmaddwd wherever a bound allows: its output equals the
    whole window's attention written out in int64, with keys small and large, and with values large
    enough that the int32 sums must give way to float64 ones."""
    from gencomp.models import exact_step
    from gencomp.models.exact_transformer import _ATTN_HALVES, _ATTN_TABLE

    rng = rng_for(seed)
    H, hd, C, index, lo = 4, 8, 300, 290, 10
    slopes = np.array([64.0, 16.0, 4.0, 1.0])  # ALiBi's, in score units a position
    last = len(_ATTN_TABLE) - 1
    # int16: int32 sums; flat weights over large values (Σw · max|v| >= 2^31) and queries and keys near
    # int16's limit (‖q‖‖k‖ >= 2^31) take the float64 sums instead, for most heads
    for magnitude, value_magnitude, dtype in [(30, 3000, np.float32), (3000, 3000, np.float32),
                                              (300_000, 3000, np.float32), (30, 3000, np.int16),
                                              (3000, 3000, np.int16), (30, 30_000, np.int16),
                                              (25_000, 3000, np.int16)]:
        limit = 32767 if dtype == np.int16 else 2**20
        k = np.clip(np.round(rng.normal(0, magnitude, (H, hd, C))), -limit, limit)
        v = np.clip(np.round(rng.normal(0, value_magnitude, (H, hd, C))), -limit, limit)
        q = np.clip(np.round(rng.normal(0, magnitude, H * hd)), -limit, limit)
        score_scale = 256 / (1024.0**2 * np.sqrt(hd))
        bounds = np.stack([(k**2).sum(1).max(1), np.abs(v).max((1, 2))], axis=1)  # (H, 2)
        k_pairs = np.zeros((H, hd // 2, C + 32, 2), dtype)
        k_pairs[:, :, :C] = k.reshape(H, hd // 2, 2, C).transpose(0, 1, 3, 2)
        values = np.zeros((H, hd, C + 32), dtype)
        values[:, :, :C] = v
        out = np.empty(H * hd)
        exact_step._attend(q, k[:, :, index].reshape(-1), k_pairs, values, bounds, index, lo, slopes, score_scale,
                           _ATTN_HALVES, exact_step.attention_scratch(C, hd), out)
        expected = np.empty(H * hd)
        for h in range(H):
            qh, keys = q[h * hd : (h + 1) * hd].astype(np.int64), k[h, :, lo : index + 1].astype(np.int64)
            scores = np.rint((qh @ keys) * score_scale) - slopes[h] * (index - np.arange(lo, index + 1))
            weights = _ATTN_TABLE[np.minimum(scores.max() - scores, last).astype(np.int64)].astype(np.int64)
            sums = v[h, :, lo : index + 1].astype(np.int64) @ weights
            expected[h * hd : (h + 1) * hd] = sums.astype(np.float64) / float(weights.sum()) / 1024.0
        assert np.array_equal(out, expected), (magnitude, dtype)
        reach = exact_step._reach(q[:hd], q[:hd] @ q[:hd], k[0, :, index], bounds[0, 0], slopes[0], score_scale, last)
        if magnitude in (30, 300_000):  # small keys leave most positions out; huge ones none
            assert (reach < index + 1 - lo) == (magnitude == 30), (magnitude, reach)


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_layers_sum_exactly_in_one_or_two_int32_passes(seed):
    """exact_step._linear against the int64 matmul: inputs anywhere on the grid (|x| <= 2^20) in two
    passes, int16 inputs in one, over odd and even widths and more inputs than one pass takes."""
    from gencomp.models import exact_step
    from gencomp.models.exact_transformer import _in_pairs

    rng = rng_for(seed)
    for inputs, outputs in [(7, 5), (64, 192), (1100, 40), (2049, 33)]:
        w = rng.integers(-2047, 2048, (outputs, inputs))
        w[0] = -2047
        scale = rng.uniform(0.5, 2.0, outputs)
        w_pairs = _in_pairs(w.astype(np.float32))
        one_pass_limit = min(32767, (2**31 - 1) // (inputs * 2047))  # int16, and sums in int32 (_pack proves it)
        for passes, limit in [(2, 2**20), (1, one_pass_limit)]:
            x = rng.integers(-limit, limit + 1, (3, inputs))
            x[0] = -limit  # the extreme row: every product at its largest
            out = np.empty((3, outputs))
            exact_step._linear(x.astype(np.float64), w_pairs, scale, passes, out,
                               exact_step.linear_scratch(inputs, w_pairs.shape[1]))
            assert np.array_equal(out, (x @ w.T).astype(np.float64) * scale), (inputs, passes)
