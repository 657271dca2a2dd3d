"""Discrete Laplace distributions over byte values, the built-in input of the image and audio models:
integer weights from one table, and a bit's probability from cumulative weights."""

from __future__ import annotations

from gencomp.coding import exact
from gencomp.jit import CACHE
from gencomp.models.context_mixing.counters import bit_position
from gencomp.native import njit

LAPLACE = exact.exp_table(2, 30, 8192, floor=1)  # 2^(30 - i/256): the Laplace weights by distance · step


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
