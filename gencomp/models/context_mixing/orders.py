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

Revision 2 (`mix`'s in gencomp 0.18 and 0.19; `cm` would run at about 0.6 of its speed) adds seven contexts,
matches from 4 bytes (match.py), and refines the core (layout.R_REFINED: a count map per context, a
fourth mixer, two more APMs):

* field above: the byte as far into the same field of the previous line (logs whose fields vary in
  width, where the byte above is in another field), with the field's number and the previous byte;
* order 8, the last 16 bytes, and the previous two bytes with the current word and bracket depth;
* the current word with the one two back, and with the last two;
* the line's first byte and the column (where lines of wrapped text end).

Each, added on its own, made the suite (benchmarks/suite-files) smaller; order 5 made it larger and is
left out. benchmarks/byte_revisions.py measures revision 2 against revision 1.

Revision 3 (gencomp 0.19 on; `cm`'s) is revision 1 with the last 16 bytes in place of order 3: a source
tree's tarball repeats long strings far apart, where order 3 adds little to orders 2 and 4 (replacing
any other context lost more). As many contexts, the same speed; benchmarks/byte_revisions.py measures it.

Revision 4 (gencomp 0.20 on; `mix`'s) is revision 2 with runs in the core (layout.R_RUNS: each
context's last byte and how many times in a row it came, as paq8's run maps; mixer E chosen by the
field and the previous byte's class, mixer F by the byte order 4 last saw), count limit 127, and three
contexts more:

* the byte the match model expects, its length (up to 15) and the previous byte;
* the previous line's same field, as a whole (a hash of its bytes), with this field's bytes so far;
* this line's previous field, likewise (a JSON key and its value, a log's verb and its object).

Added one at a time to revision 2, in a copy of the package, each made the suite (benchmarks/suite.py)
smaller, the runs most of all, logs above all; a second match model (from 12 bytes), two sparse contexts,
a linear input per context, a learning rate falling with the position and a twice larger table did not
pay for their cost. benchmarks/byte_revisions.py measures revision 4 against 2.

Revision 5 (gencomp 0.21 on; `mix`'s) is revision 4 with three contexts on the shape of the text, as paq8px's
character-group model: each byte becomes its group (a digit, an upper-case letter, a lower-case letter,
a byte ≥ 128, or else itself), and a run of digits or of letters of one case counts as one group:

* the last 4 groups (`2025-06-24 14:36` is 0-0-0 0:0: a date, then a time, whatever the digits);
* the last 8, and the last 12 (where in a line of a log, a JSON record or a sentence the next byte falls).

and a seventh mixer, G, whose weights are chosen by the last three groups. Any one context alone made the
suite 1.5 % smaller, 4 and 12 together 2 %, all three 2.2 %, mixer G 0.5 % more, every file smaller;
a context on the classes of the last six bytes without collapsing runs gained a fifth as much as one of
them, 16 groups less than 12; choosing mixer E by the groups in place of the field lost on logs.
benchmarks/byte_revisions.py measures revision 5 against 4.

Revision 6 (gencomp 0.27 on; `mix`'s) is revision 5 with the same contexts in a settled core (layout.R_SETTLED,
core.py): counters that forget on a surprise, the second mixing layer chosen by the partial byte, and slower mixers
once 16 KiB are seen. Each made the suite smaller on its own; together 0.7 % without the transformer (unprimed)
and 0.8 % inside `mix`; a mixer chosen by the byte three back, APMs on orders 3 and 4 and a paq8px-like history
of misses, three word contexts with the gaps between words (paq8px's word model), and slower order 0 and 1
counters gained 0.1 % or less, or lost. benchmarks/byte_revisions.py measures revision 6 against 5.

Revision 7 (gencomp 0.30 on; `mix`'s) is revision 6 whose second layer, in a stream of at most 16 KiB
(compressors.cm.SHORT_STREAM_BYTES: a 2048-byte chunk of Table 1, a small file), chooses its weights by the bit
position, as before the settled core: 256 weight sets, one per partial byte, learn too little in so few bits.
`mix` in chunks of 1 to 16 KiB: image bytes 1.7–5.1 % smaller than with revision 6, speech 1.2–2.7 %, the suite's
files 0.1 %, WikiText 0.04–0.07 % larger; longer streams code as in revision 6 (benchmarks/short_streams.py).

Revision 8 (gencomp 0.31 on; `mix`'s) is revision 7 with two inputs more (layout.R_TOKEN):

* the token model (token.py): the byte that followed this token's bytes so far (since a space, tab or newline) in the
  latest token that began with them. A log repeats a name from the line above in another field, where the match
  model follows an older line of the same kind and misses at the name's first new byte;
* the hex-run input (hex_runs.py): in a run of hexadecimal digits with both digits and letters (a SHA-256), a direct
  counter per exact run length and partial byte, with mixer A's own weight sets from 8 digits on.

Without the transformer (code lengths, whole files): the suite's dpkg log 3.3 % smaller, its JSON 1 %, the other files
0.02–0.25 %. The match model's confidence keyed by whether it agrees with the token model gained nothing; the
token's byte as a hashed context 0.16 % more on the log and lost elsewhere; tokens split at punctuation too gained on
code and Markdown and lost a fifth of the log's gain, both tokenisations as two inputs 0.1 % more for twice the cost;
a hex run's input in any run of hex digits lost 0.14 % on the log (dates, versions), an APM by the hex run gained
0.01 %, a like input on runs of decimal digits (by length and the byte before) 0.18 % on the release notes and lost
0.08 % on the log.

Revision 9 (gencomp 0.32 on; `mix`'s) is revision 8 with two changes, found by comparing `mix`'s cost of each byte
with paq8px's (a build that writes them):

* a finer final probability (layout.R_FINE): revision 8's stops 32/65536 from 0 and 1, so each bit of a byte the model
  is sure of costs at least 0.0007 bits. Past their first 15 KB, three quarters of the suite's JSON and four fifths of
  its log are bytes paq8px codes in under 0.01 bits, where `mix` spent six times paq8px's bits (111 and 139 bytes
  against 19 and 24: benchmarks/results/byte_costs_rev8.md); revision 9's may come within 1/65536 (71 and 98 bytes:
  byte_costs.md). A counting map of the final probability, as paq8px's last stage, gained 0.1 % more on the log and
  nothing elsewhere; the APMs' rate 5 or 7 lost;
* the current word with the 1 KiB block it falls in (BLOCK_BYTES; a context of paq8px's word model): a name or a
  version that recurs within a record (a JSON object's `bom-ref`, `name` and `purl`) shares counters there, and
  nowhere else. Blocks of 512 bytes gained as much, 4 KiB less.

Without the transformer the suite's log codes 1.3 % smaller, its JSON 0.7 %, the other files 0.1–0.5 %; inside `mix`
1.4 %, 0.7 % and 0.1–0.5 % (the suite 0.4 %), at the same speed (benchmarks/results/byte_revisions_9.md).

`cm` (gencomp 0.28 on) runs revision 3 in the same settled core (Bytes.settle): 1.2 % smaller than revision 3
alone, at 98 % of its speed (benchmarks/results/byte_revisions_cm_settled.md). From gencomp 0.29 its first-layer
mixers learn only from bits they missed by 64/4096 or more (Bytes.mixer_skip, core.update): the same size, faster
(benchmarks/results/byte_revisions_cm_skip.md).

Where revision 9 stands against paq8px -8 (benchmarks/results/byte_costs_suite.md): inside `mix` it is smaller over
the first 50 KB of most of the suite's files, where the prime and the transformer pay, and larger past it on every
one, where paq8px's model learns more from the file (and from the files before it in a concatenation). Tried on
revision 9 inside `mix` after that (gencomp 0.32.2, whole-file code lengths of three or four of the suite's files:
the manual, German, JSON, Java; the log for the calibration), each either making one of them larger or all smaller
by well under 0.1 % (count maps at rate 7, not 6), so none kept: each of eight contexts more, one at a time or
together (skipping sparse pairs of the last four bytes, orders 5 and 7, the previous word with the last byte, the
two bytes that followed the last byte and the last two when they last occurred); each of the 24 contexts left out in
turn; a linear input per context (its probability less 1/2, as paq8px's context maps give); a young context's input
halved; a counting calibration after the APMs (paq8px's last stage) alone or averaged with them; an APM chosen by
the transformer's probability; slower count maps, or count maps with counts; hashed counters to count 1023,
surprises that reset to 12 or start at 1/8; mixers at rate 6 past 16 KiB. A table of 16 or 32 slots a byte, not 8,
made the files of 150 KB smaller, by less than a percent, at twice or four times the memory.

Revision 10 (gencomp 0.33 on; `mix`'s) is revision 9 with decaying mixers (Bytes.mixer_decay, layout.R_DECAY): each
first-layer weight set learns at a rate of its own, 16 at first (revision 9: 10, then 8 past 16 KiB) less one for each
512 updates it has had, down to 6, as paq8px's mixers decay theirs. A weight set chosen at nearly every bit (mixer B's,
F's) settles within a few KB, one chosen rarely (a partial byte after an unusual byte, a rare character group) keeps
learning fast. What the mixers of revision 9 could not do: take in more inputs without the seldom-chosen weight sets
lagging behind. Schedules tried inside `mix` (ideal code lengths of six of the suite's files): 24 to 4 or 6 in steps
of 128 updates, 32 to 8 in steps of 64, and 20 to 5–7 in steps of 256–512 each gained less on some file; a rate
falling with the position alone (revision 4's era) did not pay. In chunks of 1–16 KiB (benchmarks/short_streams.py
--against 9, results/short_streams_10.md) image bytes code 0.4–1.0 % smaller, speech 0.6–1.0 %, the suite's files
0.3–0.7 %, WikiText 0.03–0.15 % larger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from gencomp.jit import CACHE
from gencomp.models.context_mixing import hex_runs, token
from gencomp.models.context_mixing.counters import CONTEXT_LIMIT, MASK32, hash2, store_contexts
from gencomp.models.context_mixing.layout import (
    R_C4,
    R_C8,
    R_CTX,
    R_LINE,
    R_MLEN,
    R_MODEL,
    R_MPTR,
    R_POS,
    R_PREV_LINE,
    R_REVISION,
    R_SEL,
    R_SEL_D,
    R_SEL_E,
    R_SEL_G,
    R_W0,
    R_W1,
)
from gencomp.native import njit

REVISED_CONTEXT_LIMIT = 30  # revisions 1 to 3's hashed counters' count limit (revision 0: counters.CONTEXT_LIMIT)
RUNS_CONTEXT_LIMIT = 127  # revisions 4 to 10: their runs say what came last, so their counters can adapt more slowly
R_FIELD = R_MODEL  # fields begun in this line
R_NEST = R_FIELD + 1  # bracket depth << 9 | inside a quoted string << 8 | the last of { [ ( , : = ;
R_FOLLOWS = R_NEST + 1  # where the bytes after the last occurrence of the last three start (0: none)
LAST_AT_BITS = 18
R_LAST_AT = R_FOLLOWS + 1  # per hash of three bytes, the position after their last occurrence
R_W2 = R_LAST_AT + (1 << LAST_AT_BITS)  # revisions 2, 4 to 10: the word before R_W1
FIELDS = 32  # revisions 2 and 4 to 10 track where the first 32 fields of a line start
LONG_BYTES = 16  # the longest context (revisions 2 to 7)
R_STARTS = R_W2 + 1  # revisions 2, 4 to 10: where each field of this line starts (FIELDS), then the previous line's
R_FIELD_HASH = R_STARTS + 2 * FIELDS  # revisions 4 to 10: a hash of this field's bytes so far
R_FIELD_HASHES = R_FIELD_HASH + 1  # revisions 4 to 10: the hash of each field of this line (FIELDS), then the previous line's
R_GROUPS = R_FIELD_HASHES + 2 * FIELDS  # revisions 5 to 10: the last 12 character groups, 4 a register, latest first
R_TOKEN_AT = R_GROUPS + 3  # revisions 8 to 10: the token model's index (token.INDEX_BITS positions)
R_END = R_TOKEN_AT + (1 << token.INDEX_BITS)
SEPARATORS = (32, 9, 44, 59, 124)  # space, tab, comma, semicolon, bar
BLOCK_BYTES = 1024  # revision 9's block context: the words of the last 1 KiB or so (paq8px's word model's)


@dataclass(frozen=True)
class Bytes:
    """The byte model; revision 0 reads archives made before gencomp 0.15, 1 those of 0.15 to 0.18, 2
    `mix`'s of 0.18 and 0.19, 4 `mix`'s of 0.20, 5 `mix`'s of 0.21 to 0.26, 6 `mix`'s of 0.27 to 0.29 and 7 `mix`'s
    of 0.30, 8 `mix`'s of 0.31, 9 `mix`'s of 0.32, 3 unsettled `cm`'s of 0.19 to 0.27; `cm` uses revision 3 with
    `settle` and `mixer_skip` (0.28: without it) and `mix` revision 10 (see the module docstring)."""

    revision: int = 3
    settle: bool = False  # revision 3 in the settled core (`cm`, gencomp 0.28 on); revisions 6 to 10 are settled anyway
    mixer_skip: int = 0  # layout.R_MIXER_SKIP: mixers whose error is smaller learn nothing (`cm`, gencomp 0.29 on)
    kind = 0  # kinds.BYTES
    registers = R_END - R_MODEL
    relative_maps = 0  # layout.R_MAPS
    external_alone = False  # the mixers start from every input (Audio: from its Laplace alone)

    @property
    def contexts(self) -> int:
        """Hashed contexts in use (layout.R_ACTIVE)."""
        return (8, 10, 17, 10, 20, 23, 23, 23, 23, 24, 24)[self.revision]

    @property
    def refined(self) -> bool:
        """Count maps, mixer D and APMs 3 and 4 in the core (layout.R_REFINED): revisions 2 and 4 to 10."""
        return self.revision == 2 or self.revision >= 4

    @property
    def context_limit(self) -> int:
        """The hashed contexts' counters' count limit (layout.R_CONTEXT_LIMIT)."""
        return (CONTEXT_LIMIT, REVISED_CONTEXT_LIMIT, REVISED_CONTEXT_LIMIT, REVISED_CONTEXT_LIMIT)[self.revision] \
            if self.revision < 4 else RUNS_CONTEXT_LIMIT

    @property
    def runs(self) -> bool:
        """Run inputs and mixers E and F in the core (layout.R_RUNS): revisions 4 to 10."""
        return self.revision >= 4

    @property
    def groups(self) -> bool:
        """Mixer G in the core, chosen by the last character groups (layout.R_SEL_G): revisions 5 to 10."""
        return self.revision >= 5

    @property
    def settled(self) -> bool:
        """The settled core (layout.R_SETTLED): revisions 6 to 10, and any revision with `settle`."""
        return self.revision >= 6 or self.settle

    @property
    def short_final_by_bit(self) -> bool:
        """In a short stream, the second layer's weights chosen by the bit position (state.new_state): revisions 7
        to 10."""
        return self.revision >= 7

    @property
    def tokens(self) -> bool:
        """The token model and the hex-run input (token.py, hex_runs.py, layout.R_TOKEN): revisions 8 to 10."""
        return self.revision >= 8

    @property
    def fine(self) -> bool:
        """The final probability within 2^-16 of 0 or 1, not 32 · 2^-16 (layout.R_FINE): revisions 9 and 10."""
        return self.revision >= 9

    @property
    def mixer_decay(self) -> Optional[tuple[int, int, int]]:
        """Decaying mixers (layout.R_DECAY): revision 10's first-layer weight sets learn at rate 16 (core.MIX_RATE: 10)
        less one for each 512 updates they have had, down to 6."""
        return (16, 6, 9) if self.revision >= 10 else None

    kind_apms = False  # layout.R_KIND_APMS

    @property
    def match_min_bytes(self) -> int:
        """The match model's lookup length (layout.R_MATCH_MIN)."""
        return (6, 5, 4, 5, 4, 4, 4, 4, 4, 4, 4)[self.revision]

    def init(self, regs) -> None:
        """Nothing to set (new_state sets the revision)."""

    def identity(self) -> dict:
        identity = {"bytes_revision": self.revision} if self.revision else {}
        identity |= {"settled": True} if self.settle and self.revision < 6 else {}
        return identity | ({"mixer_skip": self.mixer_skip} if self.mixer_skip else {})


@njit(cache=CACHE)
def contexts(regs, history, pos):
    """Write the byte at pos's context values to regs[R_CTX:] (revision 0: 8, 1 and 3: 10, 2: 17, 4: 20,
    5 to 8: 23, 9 and 10: 24); the previous byte selects mixer C and APM 2, the one before it mixer D (revisions 2, 4 to 10),
    the field and the previous byte's class mixer E (revisions 4 to 10)."""
    c4, c8 = regs[R_C4], regs[R_C8]
    c1 = c4 & 255
    w0, w1 = regs[R_W0], regs[R_W1]
    col = pos - regs[R_LINE]
    above_at = regs[R_PREV_LINE] + col
    above = np.int64(history[above_at]) if above_at < regs[R_LINE] else 0
    regs[R_SEL] = c1
    regs[R_SEL_D] = ((c4 >> 8) & 255) << 2
    store_contexts(regs, 0, (c4 & 0xFFFF, c4 & 0xFFFFFF, c4, hash2(c4, c8 & 0xFFFF), hash2(w0, c1), hash2(w0, w1),
                             (above << 8) | c1))
    if regs[R_REVISION] == 0:
        regs[R_CTX + 7] = (c4 >> 8) & 0xFFFF
        return
    follows, indirect = regs[R_FOLLOWS], 0
    if follows > 0:
        indirect = np.int64(history[follows]) | 256
        if follows + 1 < pos:
            indirect |= np.int64(history[follows + 1]) << 9
    line_head = np.int64(history[regs[R_LINE]]) if regs[R_LINE] < pos else 256
    store_contexts(regs, 7, (hash2(regs[R_NEST], c1), hash2(c1, indirect),
                             hash2(w0, min(regs[R_FIELD], 63) | (line_head << 6))))
    if regs[R_REVISION] == 1:
        return
    last_bytes = _last_bytes(history, pos)
    if regs[R_REVISION] == 3:
        regs[R_CTX + 1] = last_bytes  # in order 3's place
        return
    field = min(regs[R_FIELD], FIELDS - 1)
    field_above = 512  # the byte as far into the previous line's same field, if it has one
    above_start = regs[R_STARTS + FIELDS + field]
    if above_start >= regs[R_PREV_LINE]:
        field_above_at = above_start + pos - regs[R_STARTS + field]
        if field_above_at < regs[R_LINE]:
            field_above = np.int64(history[field_above_at])
    w2 = regs[R_W2]
    store_contexts(regs, 10, (hash2(field_above | (field << 10), c1), hash2(c4, c8), last_bytes,
                              hash2(hash2(c4 & 0xFFFF, w0), regs[R_NEST] >> 8), hash2(w0, w2),
                              hash2(hash2(w0, w1), w2), hash2(line_head, col)))
    if regs[R_REVISION] >= 4:
        _revision_4_contexts(regs, history, c1, field)
    if regs[R_REVISION] >= 5:
        groups, older = regs[R_GROUPS], regs[R_GROUPS + 1]
        store_contexts(regs, 20, (hash2(groups, 0x4E5E), hash2(hash2(older, groups), 0x4E59),
                                  hash2(hash2(hash2(regs[R_GROUPS + 2], older), groups), 0x4E5C)))
        regs[R_SEL_G] = (hash2(groups & 0xFFFFFF, 0x51) & 255) << 3  # the last three groups, hashed
    if regs[R_REVISION] >= 9:  # the current word in this block of BLOCK_BYTES
        regs[R_CTX + 23] = hash2(hash2(w0, pos // BLOCK_BYTES), 0xB10C)


@njit(cache=CACHE)
def _revision_4_contexts(regs, history, c1, field):
    """Revision 4's three contexts more (17 to 19) and mixer E's weight set."""
    expected = np.int64(history[regs[R_MPTR]]) if regs[R_MLEN] > 0 else 256
    this_field = regs[R_FIELD_HASH]
    above = regs[R_FIELD_HASHES + FIELDS + field]
    before = regs[R_FIELD_HASHES + field - 1] if field > 0 else 1
    store_contexts(regs, 17, (hash2(expected | (min(regs[R_MLEN], 15) << 9), c1 | 0x10000),
                              hash2(hash2(above, this_field), field), hash2(hash2(before, this_field), 78)))
    byte_class = 0 if 97 <= (c1 | 32) <= 122 else 1 if 48 <= c1 <= 57 else 2 if c1 == 32 else 3  # letter, digit, space, other
    regs[R_SEL_E] = ((min(regs[R_FIELD], 63) << 2) | byte_class) << 2


@njit(cache=CACHE)
def _last_bytes(history, pos):
    """A hash of the LONG_BYTES bytes before pos (fewer at the start)."""
    h = 0
    for i in range(max(pos - LONG_BYTES, 0), pos):
        h = hash2(h, history[i])
    return h


@njit(cache=CACHE)
def learn(regs, history, pos, byte):
    """After the byte at pos: extend the current word (letters, digits, bytes ≥ 128; case folded) or
    close it; note a new line's start; from revision 1 on also the field, the nesting and where the
    last three bytes last occurred; in revisions 2 and 4 to 10 where each field starts, in 4 to 10 also each
    field's hash, in 5 to 10 the character groups, in 8 to 10 the token model's index (token.learn)."""
    letter = byte | 32 if 65 <= byte <= 90 else byte
    if 97 <= letter <= 122 or 48 <= letter <= 57 or letter >= 128:
        regs[R_W0] = hash2(regs[R_W0] + 1, letter)
    elif regs[R_W0] != 0:
        regs[R_W2], regs[R_W1], regs[R_W0] = regs[R_W1], regs[R_W0], 0
    if byte == 10:
        regs[R_PREV_LINE], regs[R_LINE] = regs[R_LINE], regs[R_POS] + 1
    revision = regs[R_REVISION]
    if revision == 0:
        return
    fields, hashes = revision == 2 or revision >= 4, revision >= 4
    if revision >= 5:
        _note_group(regs, byte)
    if byte == 10:
        if fields:
            for field in range(FIELDS):  # a loop: a slice's shape check would format its message with log10
                regs[R_STARTS + FIELDS + field] = regs[R_STARTS + field]
            regs[R_STARTS] = pos + 1
        if hashes:
            if regs[R_FIELD] < FIELDS:  # the line's last field ends here
                regs[R_FIELD_HASHES + regs[R_FIELD]] = regs[R_FIELD_HASH]
            for field in range(FIELDS):
                regs[R_FIELD_HASHES + FIELDS + field] = regs[R_FIELD_HASHES + field]
                regs[R_FIELD_HASHES + field] = 0
            regs[R_FIELD_HASH] = 0
        regs[R_FIELD] = 0
    elif pos > 0 and byte != history[pos - 1] and byte in SEPARATORS:
        if hashes and regs[R_FIELD] < FIELDS:
            regs[R_FIELD_HASHES + regs[R_FIELD]] = regs[R_FIELD_HASH]
            regs[R_FIELD_HASH] = 0
        regs[R_FIELD] += 1
        if fields and regs[R_FIELD] < FIELDS:
            regs[R_STARTS + regs[R_FIELD]] = pos + 1
    elif hashes:
        regs[R_FIELD_HASH] = hash2(regs[R_FIELD_HASH] + 1, byte)
    regs[R_NEST] = _nest(regs[R_NEST], byte)
    if revision >= 8:
        token.learn(regs, history, pos, byte, R_TOKEN_AT)
        hex_runs.learn(regs, byte)
    last_three = hash2(regs[R_C4] & 0xFFFFFF, 7) & ((1 << LAST_AT_BITS) - 1)
    regs[R_FOLLOWS] = regs[R_LAST_AT + last_three]
    regs[R_LAST_AT + last_three] = pos + 1


@njit(cache=CACHE)
def _note_group(regs, byte):
    """Shift the byte's character group into R_GROUPS (a digit: '0', an upper-case letter: 'A', a lower-case
    letter: 'a', a byte ≥ 128: 128, else the byte), unless it continues a run of digits or of letters of one
    case, which counts once."""
    group = 48 if 48 <= byte <= 57 else 65 if 65 <= byte <= 90 else 97 if 97 <= byte <= 122 else min(byte, 128)
    latest = regs[R_GROUPS]
    if (group == 48 or group == 65 or group == 97) and group == (latest & 255):
        return
    for i in range(2, 0, -1):
        regs[R_GROUPS + i] = ((regs[R_GROUPS + i] << 8) | (regs[R_GROUPS + i - 1] >> 24)) & MASK32
    regs[R_GROUPS] = ((latest << 8) | group) & MASK32


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
