"""The byte model's contexts (text and anything else): orders 2, 3, 4 and 6, the current word, the
last two words, the byte above in the previous line (columns of logs and tables) and a sparse
context (the two bytes before the last one)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from gencomp.jit import CACHE
from gencomp.models.context_mixing.counters import hash2
from gencomp.models.context_mixing.layout import R_C4, R_C8, R_LINE, R_POS, R_PREV_LINE, R_SEL, R_W0, R_W1


@dataclass(frozen=True)
class Bytes:
    """The byte model: no settings, no registers of its own."""

    kind = 0  # kinds.BYTES
    registers = 0
    external_alone = False  # the mixers start from every input (Audio: from its Laplace alone)

    def init(self, regs) -> None:
        """Nothing to set."""

    def identity(self) -> dict:
        return {}


@njit(cache=CACHE)
def contexts(regs, history, pos):
    """The HASHED context values of the byte at pos; the previous byte selects mixer C and APM 2."""
    c4, c8 = regs[R_C4], regs[R_C8]
    c1 = c4 & 255
    w0, w1 = regs[R_W0], regs[R_W1]
    col = pos - regs[R_LINE]
    above_at = regs[R_PREV_LINE] + col
    above = np.int64(history[above_at]) if above_at < regs[R_LINE] else 0
    regs[R_SEL] = c1
    return (c4 & 0xFFFF, c4 & 0xFFFFFF, c4, hash2(c4, c8 & 0xFFFF), hash2(w0, c1), hash2(w0, w1),
            (above << 8) | c1, (c4 >> 8) & 0xFFFF)


@njit(cache=CACHE)
def learn(regs, byte):
    """After the byte at regs[R_POS]: extend the current word (letters, digits, bytes ≥ 128; case
    folded) or close it; note a new line's start."""
    letter = byte | 32 if 65 <= byte <= 90 else byte
    if 97 <= letter <= 122 or 48 <= letter <= 57 or letter >= 128:
        regs[R_W0] = hash2(regs[R_W0] + 1, letter)
    elif regs[R_W0] != 0:
        regs[R_W1], regs[R_W0] = regs[R_W0], 0
    if byte == 10:
        regs[R_PREV_LINE], regs[R_LINE] = regs[R_LINE], regs[R_POS] + 1
