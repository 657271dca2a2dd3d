"""The hex-run input (the byte model's revisions 8 to 10): within a run of lowercase hexadecimal digits that holds
both a digit and a letter a–f (a SHA-256, a UUID's groups, a commit id), each bit as a direct counter per exact run
length (up to HEX_LENGTHS − 1) and partial byte has found it; else 0. A 64-digit hash is 4 bits a digit and a quote
after the 64th: the counters learn both, where the hashed contexts spread them over whatever bytes came before. In a
run of MIXER_RUN or more, mixer A takes a weight set of its own (core.predict), so that it can trust this input there.
JSON of a software bill of materials (the suite's, 126 SHA-256 values) codes 1 % smaller.

R_HEX (layout) holds the run's length in its low 8 bits, bit 8 once it held a digit, bit 9 once a letter a–f.
"""

from __future__ import annotations

from gencomp.jit import CACHE
from gencomp.models.context_mixing.counters import MATCH_LIMIT, count, stretched
from gencomp.models.context_mixing.layout import D_HEX, HEX_LENGTHS, R_HEX
from gencomp.native import njit

MIXED = 768  # bits 8 and 9: the run held a digit and a letter a–f
MIXER_RUN = 8  # mixer A's own weight sets from this run length on


@njit(cache=CACHE)
def learn(regs, byte):
    """After `byte`: the run grows by a hexadecimal digit, else ends."""
    run = regs[R_HEX]
    if 48 <= byte <= 57:
        regs[R_HEX] = min((run & 255) + 1, 255) | (run & MIXED) | 256
    elif 97 <= byte <= 102:
        regs[R_HEX] = min((run & 255) + 1, 255) | (run & MIXED) | 512
    else:
        regs[R_HEX] = 0


@njit(cache=CACHE, inline='always')
def _counter(regs, c0):
    """The direct counter for this bit (0: no mixed run)."""
    run = regs[R_HEX]
    if run & MIXED != MIXED:
        return 0
    return D_HEX + (min(run & 255, HEX_LENGTHS - 1) << 8) + c0


@njit(cache=CACHE, inline='always')
def predict(direct, regs, c0, stretch):
    """The input for the bit after partial byte c0 (stretched, 0 outside a mixed run)."""
    i = _counter(regs, c0)
    return stretched(direct, i, stretch) if i else 0


@njit(cache=CACHE, inline='always')
def update(direct, regs, c0, bit):
    i = _counter(regs, c0)
    if i:
        count(direct, i, bit, MATCH_LIMIT)


@njit(cache=CACHE, inline='always')
def own_mixer_set(regs):
    """1 in a mixed run of MIXER_RUN digits or more, where mixer A takes its second bank of weight sets."""
    return 1 if regs[R_HEX] & MIXED == MIXED and regs[R_HEX] & 255 >= MIXER_RUN else 0
