"""gencomp.models.simd: int16 pair products summed in int32, on x86 (pmaddwd, SSE2's 4 lanes and AVX2's 8)
and as the plain vector arithmetic other CPUs get; each must give the int64 sums modulo 2^32."""

from unittest import mock

import numpy as np
import pytest
from numba import njit

from gencomp.models import simd
from tests.conftest import SEEDS, rng_for


def _wrapped(sums: np.ndarray) -> np.ndarray:
    return ((sums + 2**31) % 2**32 - 2**31).astype(np.int64)


def _kernels():
    """Fresh compilations (the intrinsics lower at compile time, so each sees the current simd._X86 and _lanes)."""
    @njit
    def scores(q, k_pairs, first, blocks, out):
        simd.pair_scores(out.ctypes.data, k_pairs.ctypes.data + first * 4, k_pairs.shape[1] * 2, q.ctypes.data,
                         k_pairs.shape[0], blocks)

    @njit
    def scores2(q, q2, k_pairs, first, blocks, out, out2):
        simd.pair_scores2(out.ctypes.data, out2.ctypes.data, k_pairs.ctypes.data + first * 4, k_pairs.shape[1] * 2,
                          q.ctypes.data, q2.ctypes.data, k_pairs.shape[0], blocks)

    @njit
    def rows(x, high, low, first, blocks, out):
        simd.weighted_rows(out.ctypes.data, x.ctypes.data + first * 2, x.shape[1], high.ctypes.data, low.ctypes.data,
                           x.shape[0], blocks)

    return scores, scores2, rows


@pytest.mark.parametrize("x86, lanes", [(True, 4), (True, 8), (False, 4), (False, 8)])
@pytest.mark.parametrize("seed", SEEDS)
def test_int32_sums_of_int16_products_wrap_like_int64_ones(seed, x86, lanes):
    if x86 and lanes == 8 and (not simd._X86 or simd._lanes() != 8):
        pytest.skip("this CPU has no AVX2")
    rng = rng_for(seed)
    pairs, capacity = 5, 200
    keys = rng.integers(-32768, 32768, (pairs, capacity, 2)).astype(np.int16)
    keys[0, :8] = -32768  # the one product pair whose sum, 2^31, wraps even in pmaddwd
    q = rng.integers(-32768, 32768, 2 * pairs).astype(np.int16)
    q[:2] = -32768
    high, low = rng.integers(-32768, 32768, (2, capacity)).astype(np.int16)
    with mock.patch.object(simd, "_X86", x86), mock.patch.object(simd, "_lanes", lambda: lanes):
        scores, scores2, rows = _kernels()
        for first, blocks in [(0, 1), (3, 2), (capacity - 2 * simd.BLOCK, 2)]:
            n = blocks * simd.BLOCK
            out = np.zeros(n, np.int32)
            scores(q, keys, first, blocks, out)
            dense = keys[:, first : first + n].transpose(1, 0, 2).reshape(n, -1).astype(np.int64)
            assert np.array_equal(out, _wrapped(dense @ q.astype(np.int64))), (first, blocks)
            out2 = np.zeros(n, np.int32)
            scores2(q[::-1].copy(), q, keys, first, blocks, out, out2)  # two vectors, each key read once
            assert np.array_equal(out, _wrapped(dense @ q[::-1].astype(np.int64))), (first, blocks)
            assert np.array_equal(out2, _wrapped(dense @ q.astype(np.int64))), (first, blocks)
            x = np.ascontiguousarray(keys[:, :, 0])  # 5 rows of `capacity`
            sums = np.zeros(2 * len(x), np.int32)
            rows(x, high, low, first, blocks, sums)
            expected = np.stack([x[:, first : first + n].astype(np.int64) @ w[:n].astype(np.int64) for w in (high, low)], 1)
            assert np.array_equal(sums, _wrapped(expected).reshape(-1)), (first, blocks)


@pytest.mark.parametrize("seed", SEEDS)
def test_table_weights_gathers_each_entry_in_halves_and_sums_them(seed):
    """simd.table_weights: for every score, the table's entry at min(best − score, last) (scores with
    fractions truncate as numba's int() does), split into its int16 halves, and the halves' sums."""
    @njit
    def lookup(scores, count, best, last, table, high, low, sums):
        simd.table_weights(scores.ctypes.data, count, best, last, table.ctypes.data, high.ctypes.data,
                           low.ctypes.data, sums.ctypes.data)

    rng = rng_for(seed)
    last = 3000
    table = (rng.integers(0, 1025, last + 1) << 16 | rng.integers(0, 1024, last + 1)).astype(np.int32)
    count, best = 96, 500.0
    scores = best - np.concatenate([rng.uniform(0, 2 * last, count - 3), [0.0, last - 0.25, 4 * last]])
    high, low, sums = np.zeros(count + 8, np.int16), np.zeros(count + 8, np.int16), np.zeros(2, np.int32)
    lookup(scores, count, best, float(last), table, high, low, sums)
    rows = np.minimum(best - scores, last).astype(np.int64)
    assert np.array_equal(high[:count], table[rows] >> 16) and np.array_equal(low[:count], table[rows] & 0xFFFF)
    assert not high[count:].any()
    assert sums.tolist() == [int((table[rows] >> 16).sum()), int((table[rows] & 0xFFFF).sum())]
