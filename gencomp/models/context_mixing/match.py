"""The match model: it predicts the byte that followed the longest recent match of the last
R_MATCH_MIN bytes (each model's match_min_bytes: 4 to 6); how much to trust it is learned per match
length (direct counters)."""

from __future__ import annotations

import numpy as np

from gencomp.jit import CACHE
from gencomp.models.context_mixing.counters import hash2, stretched
from gencomp.models.context_mixing.layout import D_MATCH, R_MATCH_MIN, R_MBYTE, R_MCTX, R_MLEN, R_MPTR, R_X, X_MATCH
from gencomp.native import njit

MATCH_MAX_LEN = 65535


@njit(cache=CACHE)
def expect(regs, history):
    """At a byte's start: the byte the match predicts (R_MBYTE), or -1 without a match."""
    regs[R_MBYTE] = np.int64(history[regs[R_MPTR]]) if regs[R_MLEN] > 0 else -1


@njit(cache=CACHE)
def predict(direct, regs, c0, bitpos, stretch):
    """Set the match input for the bit after partial byte c0; returns the match state for mixer B's
    weight set (0: no prediction; else 1 + 2 × length class + expected bit)."""
    regs[R_MCTX] = -1
    expected = regs[R_MBYTE]
    if expected >= 0 and ((expected | 256) >> (8 - bitpos)) == c0:
        bit = (expected >> (7 - bitpos)) & 1
        length = regs[R_MLEN]
        regs[R_MCTX] = D_MATCH + min(length, 31) * 2 + bit
        regs[R_X + X_MATCH] = stretched(direct, regs[R_MCTX], stretch)
        return 1 + 2 * ((length >= 8) + (length >= 16) + (length >= 32)) + bit
    regs[R_X + X_MATCH] = 0
    return 0


@njit(cache=CACHE)
def learn(match, regs, history, pos, byte):
    """After the byte at pos: extend the match, or look the last R_MATCH_MIN bytes up in the index
    match (2^k,) int32 of positions."""
    if regs[R_MLEN] > 0 and regs[R_MBYTE] == byte:
        regs[R_MLEN] = min(regs[R_MLEN] + 1, MATCH_MAX_LEN)
        regs[R_MPTR] += 1
    else:
        regs[R_MLEN] = 0
    min_bytes = regs[R_MATCH_MIN]
    if pos + 1 >= min_bytes:
        h = 0
        for i in range(pos + 1 - min_bytes, pos + 1):
            h = hash2(h, history[i])
        h &= match.shape[0] - 1
        if regs[R_MLEN] == 0:
            candidate = np.int64(match[h])
            if candidate > 0:
                length = 0
                while length < 255 and candidate - 1 - length >= 0 and history[candidate - 1 - length] == history[pos - length]:
                    length += 1
                if length > 0:
                    regs[R_MLEN], regs[R_MPTR] = length, candidate
        match[h] = pos + 1
