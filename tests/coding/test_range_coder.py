import math

import numpy as np
import pytest

from gencomp.coding import TOTAL, StreamDecoder, StreamEncoder, decode, encode, weights_to_frequencies
from gencomp.errors import GencompError
from tests.conftest import SEEDS, rng_for


def random_case(seed: int, alphabet: int, n: int, concentration: float = 0.1):
    """(N, V) int64 weights (floor(p · 2^40)) and symbols drawn from p."""
    rng = rng_for(seed)
    pmf = rng.dirichlet(np.full(alphabet, concentration), size=n)
    symbols = (pmf.cumsum(1) < rng.random((n, 1))).sum(1).clip(0, alphabet - 1)
    return np.floor(pmf * 2.0**40).astype(np.int64), symbols


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alphabet", [2, 3, 256, 4099])
def test_round_trip_random_streams(seed, alphabet):
    pmf, symbols = random_case(seed, alphabet, 3000)
    lengths = [0, 1, 999, 2000]
    enc = encode(pmf, symbols, lengths)
    assert np.array_equal(decode(enc.blobs, pmf, lengths), symbols), f"seed {seed}"


@pytest.mark.parametrize("seed", SEEDS)
def test_size_matches_ideal_code_length(seed):
    pmf, symbols = random_case(seed, 256, 20_000, concentration=0.05)
    enc = encode(pmf, symbols, [20_000])
    freqs = weights_to_frequencies(pmf)
    ideal_bits = -np.log2(freqs[np.arange(20_000), symbols] / TOTAL).sum()
    assert enc.ideal_bits[0] == pytest.approx(ideal_bits, rel=1e-12)
    # at most two bytes over the ideal, and never more than 1 byte under (zeros past the end are free)
    assert ideal_bits / 8 - 1 <= len(enc.blobs[0]) <= math.ceil(ideal_bits / 8) + 2, f"seed {seed}"
    # the quantizer's worst case: -log2(1 - V/TOTAL) + 2^-22 bits per symbol over the true -log2 p
    true_bits = -np.log2(pmf[np.arange(20_000), symbols] / pmf.sum(1)).sum()
    assert ideal_bits <= true_bits + 20_000 * (-math.log2(1 - 256 / TOTAL) + 2.0**-22)


def test_quantizer_contract():
    rng = rng_for(5)
    weights = (rng.random((50, 300)) ** 8 * 2.0**50).astype(np.int64)
    weights[0] = 0  # all zero: uniform
    weights[1, :] = 0
    weights[1, 7] = 1  # p -> 1, from a row summing to 1 (shifted up)
    weights[2, :] = (1 << 62) // 300  # near the contract's limit (shifted down)
    freqs = weights_to_frequencies(weights)
    assert (freqs >= 1).all() and (freqs.sum(1) == TOTAL).all()
    assert (freqs[0] == freqs[0, 1]).sum() >= 299  # uniform, the remainder on one symbol
    assert freqs[1, 7] == TOTAL - 299
    assert (freqs[2] == freqs[2, 1]).sum() >= 299
    # exact integer quantization: weights shifted until they sum below 2^32, then 1 + ⌊w (TOTAL − V) / S⌋
    for row, weight_row in ((7, weights[7]), (8, weights[8] >> 30)):
        w = [int(x) >> max(0, int(weight_row.sum()).bit_length() - 32) for x in weight_row]
        expected = [1 + x * (TOTAL - 300) // sum(w) for x in w]
        expected[int(np.argmax(expected))] += TOTAL - sum(expected)
        assert weights_to_frequencies(weight_row[None])[0].tolist() == expected, row
    with pytest.raises(ValueError, match="integer"):
        weights_to_frequencies(rng.random((2, 4)))
    with pytest.raises(ValueError, match=">= 0"):
        weights_to_frequencies(np.array([[1, -1, 3]]))


@pytest.mark.parametrize("seed", SEEDS)
def test_extreme_distributions(seed):
    rng = rng_for(seed)
    n = 4000
    one_hot = np.zeros((n, 256), np.int64)
    one_hot[:, 42] = 1
    symbols = np.full(n, 42)
    symbols[rng.integers(0, n, 10)] = rng.integers(0, 256, 10)  # a few "impossible" symbols
    enc = encode(one_hot, symbols, [n])
    assert np.array_equal(decode(enc.blobs, one_hot, [n]), symbols), f"seed {seed}"
    # the 10 surprises cost about 24 bits each, the rest almost nothing
    assert len(enc.blobs[0]) <= 10 * 24 / 8 + n * 255 / TOTAL / math.log(2) / 8 + 4

    uniform = np.full((3000, 65536), 7, dtype=np.int64)
    symbols = rng.integers(0, 65536, 3000)
    enc = encode(uniform, symbols, [3000])
    assert np.array_equal(decode(enc.blobs, uniform, [3000]), symbols), f"seed {seed}"
    assert abs(len(enc.blobs[0]) - 3000 * 2) <= 2  # exactly 2 bytes a symbol: no rounding loss


@pytest.mark.parametrize("seed", SEEDS)
def test_blocks_and_stepwise_decoding_agree_with_bulk(seed):
    pmf, symbols = random_case(seed, 256, 1200)
    lengths = np.array([500, 700])
    bulk = encode(pmf, symbols, lengths)
    encoder = StreamEncoder(2)
    stream0, stream1 = np.arange(500), np.arange(500, 1200)
    for a, b in [(0, 100), (100, 500)]:
        rows = np.concatenate([stream0[a:b], stream1[a:b]])
        encoder.encode(pmf[rows], symbols[rows], [b - a, b - a])
        encoder.encode(np.zeros((0, 256), np.int64), np.zeros(0, np.int64), [0, 0])
    encoder.encode(pmf[stream1[500:]], symbols[stream1[500:]], [0, 200])
    blocks = encoder.finish()
    assert blocks.blobs == bulk.blobs
    decoder = StreamDecoder(bulk.blobs)
    out = np.zeros(1200, np.int64)
    for t in range(700):
        active = np.flatnonzero(lengths > t)
        rows = np.array([0, 500])[active] + t
        out[rows] = decoder.step(pmf[rows], active)
    decoder.check()
    assert np.array_equal(out, symbols), f"seed {seed}"


def test_corrupt_stream_is_flagged_not_hung():
    pmf, symbols = random_case(0, 256, 5000, concentration=0.02)
    blob = bytearray(encode(pmf, symbols, [5000]).blobs[0])
    blob[len(blob) // 2] ^= 0xFF
    try:
        out = decode([bytes(blob)], pmf, [5000])
    except GencompError as exc:
        assert "corrupt" in str(exc)
    else:
        assert not np.array_equal(out, symbols)


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="alphabet"):
        encode(np.ones((2, 1), np.int64), np.zeros(2, np.int64), [2])
    with pytest.raises(ValueError, match="symbols must lie"):
        encode(np.ones((2, 4), np.int64), np.array([0, 4]), [2])
    with pytest.raises(ValueError):
        encode(np.ones((2, 4), np.int64), np.array([0, 1]), [3])
