"""The context-mixing model's primitives: 32-bit hashing, the hashed table's slots, adaptive
counters, where context values go, and the stretch/squash tables (integer arithmetic only, the same on every machine)."""

from __future__ import annotations

import numpy as np

from gencomp.coding import exact
from gencomp.jit import CACHE
from gencomp.models.context_mixing.layout import R_CTX
from gencomp.native import njit

MASK32 = 0xFFFFFFFF
# counters: p (22 bits) << 10 | n (10 bits); rate 1 / (n + 1.5), n stops at the limit
COUNTER_INIT = (1 << 21) << 10
CONTEXT_LIMIT = 255
MATCH_LIMIT = 1023
CHECK_BITS = 17  # a slot's check, 1 … 2^16
CHECK_MASK = (1 << CHECK_BITS) - 1
RUN_BYTE_SHIFT, RUN_LENGTH_SHIFT = CHECK_BITS, CHECK_BITS + 8  # a run's byte and length (layout.RUN_MAX) above it
SQUASH = exact.squash_table()  # the kernels take both tables as arguments
STRETCH = exact.stretch_table()
_RATE = np.array([(131072 + (2 * n + 3) // 2) // (2 * n + 3) for n in range(1024)], np.int64)  # 2^16 / (n + 1.5)


@njit(cache=CACHE)
def hash2(a, b):
    """Two values below 2^32 -> a 32-bit hash (int64 arithmetic that cannot overflow)."""
    h = ((a & MASK32) * 0x5BD1E995 + 0x3C6EF372) & MASK32
    h ^= b & MASK32
    h = (h * 0x2545F491) & MASK32
    return h ^ (h >> 15)


@njit(cache=CACHE)
def store_contexts(regs, first, values):
    """regs[R_CTX + first:] = values, a tuple of context values (before they are hashed: core.begin_byte)."""
    for k in range(len(values)):
        regs[R_CTX + first + k] = values[k]


@njit(cache=CACHE)
def find_slot(table, h, insert):
    """Offset of the slot for hash h in table (slots · 16,) uint32 (two probes), or -1 when absent and not
    inserting. A slot is a first word, then 15 counters. The first word's low CHECK_BITS are the check; in
    a model with runs (layout.R_RUNS) the first word of a context's slot for a byte's first nibble also
    holds the byte last seen there (RUN_BYTE_SHIFT) and its run length (RUN_LENGTH_SHIFT). A new slot
    takes the place of the probe whose first counter has seen fewer bits."""
    mask = (table.shape[0] >> 4) - 1
    check = (((h * 0x2F0B3A49) & MASK32) >> 16) + 1
    first = (h & mask) << 4
    second = ((h & mask) ^ 1) << 4
    if (table[first] & CHECK_MASK) == check:
        return first
    if (table[second] & CHECK_MASK) == check:
        return second
    if not insert:
        return -1
    use = first if (table[first + 1] & 1023) <= (table[second + 1] & 1023) else second
    table[use] = check
    for j in range(1, 16):
        table[use + j] = COUNTER_INIT
    return use


@njit(cache=CACHE)
def count(counters, i, bit, limit):
    """Move counter i towards bit at rate 1 / (n + 1.5); its count n stops at limit."""
    v = np.int64(counters[i])
    p, n = v >> 10, v & 1023
    if bit:
        p += (((1 << 22) - 1 - p) * _RATE[n]) >> 16
    else:
        p -= (p * _RATE[n]) >> 16
    if n < limit:
        n += 1
    counters[i] = (p << 10) | n


SURPRISE_P = 1 << 20  # count_surprised: a bit whose probability was below 1/4 (22-bit p) is a surprise
SURPRISED_COUNT = 4  # after which the counter adapts at rate 1 / (4 + 1.5) or faster


@njit(cache=CACHE)
def count_surprised(counters, i, bit, limit):
    """`count`, except that a surprise (the bit had p < 1/4) first lowers n to SURPRISED_COUNT: the counter forgets
    old evidence where the data has changed (paq8's nonstationary bit histories discount the other count likewise).
    The byte model's revision 6: the suite's files 0.35 % smaller than with `count`, their concatenation 0.53 %."""
    v = np.int64(counters[i])
    p, n = v >> 10, v & 1023
    surprised = p < SURPRISE_P if bit else p > (1 << 22) - SURPRISE_P
    if surprised and n > SURPRISED_COUNT:
        counters[i] = (p << 10) | SURPRISED_COUNT
    count(counters, i, bit, limit)


@njit(cache=CACHE)
def stretched(counters, i, stretch):
    """Counter i's probability as a mixer input: ln p/(1−p) in units of 1/256 (±2047)."""
    return stretch[np.int64(counters[i]) >> 20]


_BIT_POSITION = np.array([max(c0, 1).bit_length() - 1 for c0 in range(256)], np.int64)  # of a partial byte c0


@njit(cache=CACHE)
def bit_position(c0):
    """How many bits of the byte the partial byte c0 (a leading 1, then those bits) holds: 0 … 7."""
    return _BIT_POSITION[c0]
