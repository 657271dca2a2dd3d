"""The one integer-exact path from a model's prediction to the coder's frequencies.

An archive must decode on any machine, with any later numpy, numba or torch. So nothing
that decides a coder frequency may come from `exp`, `log` or a BLAS reduction, whose last
bits differ by CPU (numpy picks a SIMD implementation per CPU), library and release.

The design, in three rules:

1. **Predictors give integer weights.** Every `Predictor` returns its next-symbol
   distribution as `weights`: int64, every entry >= 0, each row summing to less than
   2**62 (an all-zero row means uniform). The distribution is w / Σ w.
2. **The coder quantizes integers with integer arithmetic.** `range_coder` scales each
   row to frequencies summing to 2**24, each >= 1, with shifts, one integer division per
   row and integer multiplies (`_quantize_row`): the same on every machine.
3. **Where a model thinks in logarithms**, it rounds its scores to an integer grid (units
   of 1/256 nat or 1/256 bit) and turns them into weights through an exp table built here
   from Python integers and `decimal` (software arithmetic, identical everywhere), never
   through a libm or numpy `exp`. Models computing in floats use only +, −, ×, ÷, sqrt and
   rounding, which IEEE-754 rounds correctly, in a fixed order (no reductions whose order a
   library may pick), before the step to integers.

Floats (`log_probs`) are derived from the weights for sampling and analysis; they never
feed the coder. `tests/portability/test_cpu_matrix.py` decodes archives under other numpy SIMD paths,
numba targets, thread counts and a libm whose exp/log are off by one ulp.
"""

from __future__ import annotations

from decimal import Context, Decimal
from functools import lru_cache

import numpy as np

from gencomp.coding.range_coder import PRECISION_BITS, weights_to_frequencies

WEIGHT_SUM_LIMIT = 1 << 62  # a row of weights sums to less than this
UNITS_PER_NAT = 256  # log-domain grid of the exp tables: 1/256 nat (or 1/256 bit, base 2)
_FIXED_BITS = 160  # precision of the table recurrence: errors stay below 2^-150


@lru_cache(maxsize=None)
def exp_table(base: int | str, out_bits: int, length: int, floor: int = 0) -> np.ndarray:
    """(length,) int64: round(2^out_bits · base^(−d/256)) for d = 0 … length−1, at least `floor`.

    base is 2 or "e". Built from integers and `decimal`, so every machine gets the same table.
    """
    if out_bits > 62:
        raise ValueError("exp_table entries must fit int64: out_bits <= 62")
    ctx = Context(prec=60)
    log_base = Decimal(1) if base == "e" else ctx.ln(Decimal(base))
    factor = ctx.exp(ctx.divide(-log_base, UNITS_PER_NAT))  # base^(-1/256)
    factor_fixed = int(ctx.multiply(factor, Decimal(1 << _FIXED_BITS)).to_integral_value())
    value, half = 1 << _FIXED_BITS, 1 << (_FIXED_BITS - out_bits - 1)
    out = np.empty(length, np.int64)
    for d in range(length):
        out[d] = max(floor, (value + half) >> (_FIXED_BITS - out_bits))
        value = (value * factor_fixed) >> _FIXED_BITS
    return out


@lru_cache(maxsize=None)
def log2_table(steps: int, units: int) -> np.ndarray:
    """(steps,) int64: round(units · log2(1 + j/steps)) for j = 0 … steps−1, the fractional part of a
    fixed-point log2. Built from `decimal`, so every machine gets the same table."""
    ctx = Context(prec=60)
    ln2 = ctx.ln(Decimal(2))
    return np.array([int(ctx.multiply(ctx.divide(ctx.ln(ctx.divide(Decimal(steps + j), Decimal(steps))), ln2),
                                      Decimal(units)).to_integral_value()) for j in range(steps)], np.int64)


def weights_from_units(units: np.ndarray, table: np.ndarray) -> np.ndarray:
    """(..., V) integer log-scores in table units (higher = likelier) -> (..., V) int64 weights.

    Each score is looked up by its distance below its row's best; distances past the table
    take its last entry."""
    units = np.asarray(units)
    distance = np.minimum(units.max(-1, keepdims=True) - units, len(table) - 1).astype(np.int64)
    return table[distance]


def weights_from_log_probs(log_probs: np.ndarray, range_nats: float = 20.0) -> np.ndarray:
    """(..., V) float log-probabilities -> (..., V) int64 weights on the 1/256-nat grid.

    Exact given the same input floats (rounding is correctly rounded); for models that can
    only offer floats (Hugging Face LMs). No symbol gets less than e^-range_nats of the best."""
    table = exp_table("e", 40, int(range_nats * UNITS_PER_NAT) + 1, floor=1)
    scores = np.nan_to_num(np.asarray(log_probs, dtype=np.float64), nan=-1e9, posinf=0.0, neginf=-1e9)
    return weights_from_units(np.round(scores * UNITS_PER_NAT), table)


def weights_from_bits(code_lengths_bits: np.ndarray, range_bits: float = 40.0) -> np.ndarray:
    """(..., V) code lengths in bits -> (..., V) int64 weights ∝ 2^-bits on the 1/256-bit grid."""
    table = exp_table(2, 48, int(range_bits * UNITS_PER_NAT) + 1, floor=1)
    return weights_from_units(-np.round(np.asarray(code_lengths_bits, dtype=np.float64) * UNITS_PER_NAT), table)


def normalize(weights: np.ndarray, bits: int) -> np.ndarray:
    """(..., V) int64 weights -> (..., V) int64 probabilities in units of 2^-bits (rows sum to about
    2^bits, never more than 2^bits + V; an all-zero row becomes uniform).

    floor(w · (2^bits / Σ w)): an exact integer sum, then one correctly rounded division per row
    and one correctly rounded product per entry. bits <= 52."""
    weights = np.asarray(weights, dtype=np.int64)
    total = weights.sum(-1, keepdims=True)
    scale = (2.0**bits) / np.maximum(total, 1).astype(np.float64)  # int64 -> float64 is correctly rounded
    probs = np.floor(weights * scale).astype(np.int64)
    probs[(total == 0)[..., 0]] = (1 << bits) // weights.shape[-1]
    return probs


def log_probs(weights: np.ndarray) -> np.ndarray:
    """(..., V) int64 weights -> (..., V) float64 natural-log probabilities the coder would use.

    For sampling and analysis (never for coding): log(freq / 2^24) of the coder's own frequencies."""
    weights = np.asarray(weights, dtype=np.int64)
    freq = weights_to_frequencies(weights.reshape(-1, weights.shape[-1])).reshape(weights.shape)
    return np.log(freq) - PRECISION_BITS * np.log(2.0)


STRETCH_LIMIT = 2047  # logits: units of 1/256, in [-2047, 2047]


@lru_cache(maxsize=None)
def squash_table() -> np.ndarray:
    """(4096,) int64: round(4096 / (1 + e^(−x/256))) for x = −2048 … 2047 (index x + 2048), in [1, 4095].

    The logistic function of bitwise models (lpaq's squash), from the integer exp table."""
    e = exp_table("e", 40, 2049)  # round(2^40 · e^(−d/256))
    one = 1 << 40
    half = [(4096 * one + (one + int(e[d])) // 2) // (one + int(e[d])) for d in range(2049)]  # x = d >= 0
    table = [4096 - half[-x] for x in range(-2048, 0)] + half[:2048]
    return np.clip(np.array(table, np.int64), 1, 4095)


@lru_cache(maxsize=None)
def stretch_table() -> np.ndarray:
    """(4096,) int64: the inverse of squash_table, ln(p / (1 − p)) in units of 1/256 for p = i / 4096,
    in [−2047, 2047]: the smallest x whose squash reaches p, as lpaq builds it."""
    squash = squash_table()
    out = np.full(4096, STRETCH_LIMIT, np.int64)
    p = 0
    for x in range(-STRETCH_LIMIT, STRETCH_LIMIT + 1):
        v = int(squash[x + 2048])
        out[p : v + 1] = x
        p = max(p, v + 1)
    return out
