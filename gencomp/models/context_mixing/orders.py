"""The byte model's contexts (text and anything else).

Revision 0 (archives of gencomp 0.5 to 0.14): orders 2, 3, 4 and 6, the current word, the last two
words, the byte above in the previous line (columns of logs and tables) and a sparse context (the two
bytes before the last one). Revision 1 (gencomp 0.15 on) replaces the sparse context with a nesting
context and adds two, as paq8's structured-data models suggest:

* nesting: bracket depth, whether inside a quoted string, and the last of { [ ( , : = ; with the
  previous byte (JSON keys against values, code blocks);
* indirect: the two bytes that followed the last three bytes when they last occurred, with the
  previous byte (what came next last time);
* field: the current word, which field of its line it is in (fields begin after a space, tab, comma,
  semicolon or bar) and the line's first byte (logs, CSV, tables).

It also matches from 5 bytes, not 6 (match.py), and its hashed counters adapt faster (count limit 30,
not 255). `benchmarks/adaptive.py` measures it against revision 0 and the peers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gencomp.jit import CACHE
from gencomp.models.context_mixing.counters import hash2
from gencomp.models.context_mixing.layout import (
    R_C4,
    R_C8,
    R_LINE,
    R_MODEL,
    R_POS,
    R_PREV_LINE,
    R_REVISION,
    R_SEL,
    R_W0,
    R_W1,
)
from gencomp.native import njit

REVISED_CONTEXT_LIMIT = 30  # revision 1's hashed counters' count limit (revision 0: counters.CONTEXT_LIMIT)
R_FIELD = R_MODEL  # fields begun in this line
R_NEST = R_FIELD + 1  # bracket depth << 9 | inside a quoted string << 8 | the last of { [ ( , : = ;
R_FOLLOWS = R_NEST + 1  # where the bytes after the last occurrence of the last three start (0: none)
LAST_AT_BITS = 18
R_LAST_AT = R_FOLLOWS + 1  # per hash of three bytes, the position after their last occurrence
R_END = R_LAST_AT + (1 << LAST_AT_BITS)
SEPARATORS = (32, 9, 44, 59, 124)  # space, tab, comma, semicolon, bar


@dataclass(frozen=True)
class Bytes:
    """The byte model; revision 0 reads archives made before gencomp 0.15 (see the module docstring)."""

    revision: int = 1
    kind = 0  # kinds.BYTES
    registers = R_END - R_MODEL
    external_alone = False  # the mixers start from every input (Audio: from its Laplace alone)

    @property
    def contexts(self) -> int:
        """Hashed contexts in use (layout.R_ACTIVE)."""
        return 10 if self.revision else 8

    def init(self, regs) -> None:
        """Nothing to set (new_state sets the revision)."""

    def identity(self) -> dict:
        return {"bytes_revision": self.revision} if self.revision else {}


@njit(cache=CACHE)
def contexts(regs, history, pos):
    """The HASHED context values of the byte at pos (revision 0: 8, then two unused); the previous byte
    selects mixer C and APM 2."""
    c4, c8 = regs[R_C4], regs[R_C8]
    c1 = c4 & 255
    w0, w1 = regs[R_W0], regs[R_W1]
    col = pos - regs[R_LINE]
    above_at = regs[R_PREV_LINE] + col
    above = np.int64(history[above_at]) if above_at < regs[R_LINE] else 0
    regs[R_SEL] = c1
    orders = (c4 & 0xFFFF, c4 & 0xFFFFFF, c4, hash2(c4, c8 & 0xFFFF), hash2(w0, c1), hash2(w0, w1), (above << 8) | c1)
    if regs[R_REVISION] == 0:
        return orders + ((c4 >> 8) & 0xFFFF, 0, 0)
    follows, indirect = regs[R_FOLLOWS], 0
    if follows > 0:
        indirect = np.int64(history[follows]) | 256
        if follows + 1 < pos:
            indirect |= np.int64(history[follows + 1]) << 9
    line_head = np.int64(history[regs[R_LINE]]) if regs[R_LINE] < pos else 256
    return orders + (hash2(regs[R_NEST], c1), hash2(c1, indirect), hash2(w0, min(regs[R_FIELD], 63) | (line_head << 6)))


@njit(cache=CACHE)
def learn(regs, history, pos, byte):
    """After the byte at pos: extend the current word (letters, digits, bytes ≥ 128; case folded) or
    close it; note a new line's start; in revision 1 also the field, the nesting and where the last
    three bytes last occurred."""
    letter = byte | 32 if 65 <= byte <= 90 else byte
    if 97 <= letter <= 122 or 48 <= letter <= 57 or letter >= 128:
        regs[R_W0] = hash2(regs[R_W0] + 1, letter)
    elif regs[R_W0] != 0:
        regs[R_W1], regs[R_W0] = regs[R_W0], 0
    if byte == 10:
        regs[R_PREV_LINE], regs[R_LINE] = regs[R_LINE], regs[R_POS] + 1
    if regs[R_REVISION] == 0:
        return
    if byte == 10:
        regs[R_FIELD] = 0
    elif pos > 0 and byte != history[pos - 1] and byte in SEPARATORS:
        regs[R_FIELD] += 1
    regs[R_NEST] = _nest(regs[R_NEST], byte)
    last_three = hash2(regs[R_C4] & 0xFFFFFF, 7) & ((1 << LAST_AT_BITS) - 1)
    regs[R_FOLLOWS] = regs[R_LAST_AT + last_three]
    regs[R_LAST_AT + last_three] = pos + 1


@njit(cache=CACHE)
def _nest(nest, byte):
    """R_NEST after `byte`: a quote toggles the string state; outside a string, brackets move the depth
    (0 … 31) and they, commas, colons, equals signs and semicolons become the last structural byte."""
    if byte == 34:
        return nest ^ 256
    if nest & 256:
        return nest
    if byte == 123 or byte == 91 or byte == 40:
        return (min((nest >> 9) + 1, 31) << 9) | byte
    if byte == 125 or byte == 93 or byte == 41:
        return (max((nest >> 9) - 1, 0) << 9) | byte
    if byte == 44 or byte == 58 or byte == 61 or byte == 59:
        return (nest & ~255) | byte
    return nest
