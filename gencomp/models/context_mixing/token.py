"""The token model (the byte model's revisions 8 to 10): it predicts the byte that followed this token's bytes so far
in the most recent token that began with them. A token is the bytes since a space, tab or newline.

A log repeats a package name from the line above in another field (`install libperl5.36:amd64 …`, then
`status half-installed libperl5.36:amd64 …`), where the match model still follows the last such line
(`status half-installed libgdbm-compat4…`) and misses at the name's first differing byte; the latest token
with the prefix `lib` is the one just written. At a token's first byte it follows on from the last token's
source where that was right (a name's version after it). How much to trust it is learned per prefix length and
run of right guesses (direct counters), as the match model's length.

Its index (the position after each prefix's latest occurrence, by a hash of the prefix) is the byte model's
registers from `index` on (orders.R_TOKEN_AT); its own registers are layout.R_TOKEN's.
"""

from __future__ import annotations

import numpy as np

from gencomp.jit import CACHE
from gencomp.models.context_mixing.counters import MATCH_LIMIT, count, hash2, stretched
from gencomp.models.context_mixing.layout import (
    D_HEX,
    D_TOKEN,
    R_TBYTE,
    R_TCTX,
    R_THASH,
    R_TLEN,
    R_TPLEN,
    R_TPTR,
)
from gencomp.native import njit

INDEX_BITS = 18  # 2^18 prefixes' latest positions
RIGHT_MAX = 15  # the longest run of right guesses told apart
PREFIX_MAX = 7  # prefix lengths told apart (longer ones count as 7)
# its direct counters, by prefix length × run of right guesses × expected bit, fill the layout's D_TOKEN
assert D_TOKEN + (PREFIX_MAX + 1) * (RIGHT_MAX + 1) * 2 == D_HEX


@njit(cache=CACHE)
def learn(regs, history, pos, byte, index):
    """After the byte at pos: note whether the guess was right, extend the prefix (or end the token at a space,
    tab or newline) and look the prefix up in regs[index:] (2^INDEX_BITS positions); set R_TBYTE to the
    byte expected next + 1 (0: none)."""
    right = regs[R_TBYTE] - 1 == byte
    regs[R_TLEN] = min(regs[R_TLEN] + 1, RIGHT_MAX) if right else 0
    if byte == 32 or byte == 10 or byte == 9:
        regs[R_THASH], regs[R_TPLEN] = 0, 0
        regs[R_TPTR] = regs[R_TPTR] + 1 if right and regs[R_TPTR] > 0 else 0
    else:
        regs[R_THASH] = hash2(regs[R_THASH] + 1, byte)
        regs[R_TPLEN] += 1
        slot = index + (regs[R_THASH] & ((1 << INDEX_BITS) - 1))
        regs[R_TPTR] = regs[slot]
        regs[slot] = pos + 1
    regs[R_TBYTE] = np.int64(history[regs[R_TPTR]]) + 1 if 0 < regs[R_TPTR] <= pos else 0


@njit(cache=CACHE, inline='always')
def predict(direct, regs, c0, bitpos, stretch):
    """The token input for the bit after partial byte c0: while the bits so far agree with the expected byte,
    its next bit, as sure as its direct counter; else 0. Notes the counter in R_TCTX (0: none) for `update`."""
    expected = regs[R_TBYTE] - 1
    regs[R_TCTX] = 0
    if expected < 0 or ((expected | 256) >> (8 - bitpos)) != c0:
        return 0
    bit = (expected >> (7 - bitpos)) & 1
    regs[R_TCTX] = D_TOKEN + ((min(regs[R_TPLEN], PREFIX_MAX) * (RIGHT_MAX + 1) + regs[R_TLEN]) << 1) + bit
    return stretched(direct, regs[R_TCTX], stretch)


@njit(cache=CACHE, inline='always')
def update(direct, regs, bit):
    if regs[R_TCTX] > 0:
        count(direct, regs[R_TCTX], bit, MATCH_LIMIT)
