"""Discrete Laplace distributions over byte values, the built-in input of the image and audio models:
integer weights from one table, and a bit's probability from cumulative weights."""

from __future__ import annotations

from gencomp.coding import exact
from gencomp.jit import CACHE
from gencomp.models.context_mixing.counters import bit_position
from gencomp.native import njit

LAPLACE = exact.exp_table(2, 30, 8192, floor=1)  # 2^(30 - i/256): the Laplace weights by distance · step
LOG2_FRACTION = exact.log2_table(256, 4096)  # 4096 · log2(1 + j/256): log2_4096's fractions


@njit(cache=CACHE)
def bit_values(c0):
    """(first, half): the byte values the partial byte c0 still allows are first … first + 2·half − 1;
    the next bit is 0 for the lower half."""
    bitpos = bit_position(c0)
    return (c0 - (1 << bitpos)) << (8 - bitpos), 1 << (7 - bitpos)


@njit(cache=CACHE)
def bit_p12(low, mid, high):
    """P(bit = 1) in units of 2^-12 from the cumulative weights at first, first + half, first + 2·half."""
    zero, one = mid - low, high - mid
    if zero + one == 0:
        return 2048
    return min(max((one << 12) // (zero + one), 1), 4095)


@njit(cache=CACHE)
def laplace_cost(scale16, error16):
    """What a value `error16` / 16 from the centre costs under a Laplace of mean |error| scale16 / 16
    (scale16 ≥ 1), −log2 p ≈ log2(scale) + |error| / (scale · ln 2) plus a constant, in 1/4096 bit."""
    return log2_4096(scale16) + error16 * 5909 // scale16  # 5909 ≈ 4096 / ln 2


@njit(cache=CACHE)
def log2_4096(x):
    """log2(x) in units of 1/4096, for x ≥ 1: the integer part from x's bit length, the fraction from
    LOG2_FRACTION by the 8 bits below x's leading 1."""
    top = 0
    while (x >> (top + 1)) > 0:
        top += 1
    mantissa = (x << 8 >> top) & 255
    return top * 4096 + LOG2_FRACTION[mantissa]
