"""The context-mixing model's core: per bit, the inputs (order 0 and 1 counters, the hashed
contexts, the match model, the external input), three online logistic mixers and a second layer,
then two APM/SSE stages; per byte, the hand-over to the data kind's sub-models (kinds.py). A refined
model (layout.R_REFINED: the byte model's revisions 2 and 4 to 10) also has a count map per hashed context (a
second input each), a fourth mixer and two more APMs. A model with runs (layout.R_RUNS: revisions 4 to 10)
also has a third input per hashed context, the byte the context last saw and how many times in a row
(paq8's run map), and mixers E and F; one with groups (revisions 5 to 10) also mixer G. The image model's revision 4
has mixers D to G without the inputs (its groups, layout.R_SEL_D, R_SEL_E and R_SEL_G: where the pixel is
and the shape of its neighbourhood).
A settled core (layout.R_SETTLED: the byte model's revisions 6 to 10, and `cm`'s revision 3 from gencomp 0.28)
differs in three ways, each measured on its own (CHANGELOG 0.27): its hashed counters forget on a surprise
(counters.count_surprised), the second layer's weight set is chosen by the partial byte, not the bit position alone,
and after SETTLE_BYTES the mixers learn at slower rates (which cost in 2048-byte chunks, so a stream of at most
16 KiB never reaches them). Revision 7 chooses the second layer's weights by the bit position in a stream of at most
16 KiB (layout.R_BYTE_FINAL), where 256 weight sets learn too little.
A model with tokens (layout.R_TOKEN: the byte model's revisions 8 to 10) has two inputs more, the token model's and
the hex-run input (token.py, hex_runs.py). A fine one (layout.R_FINE: revisions 9 and 10) lets its final probability
come within 2^-16 of 0 or 1, not 32 · 2^-16.
A model with a mixer skip (layout.R_MIXER_SKIP: `cm` from gencomp 0.29, 64) lets a first-layer mixer learn only
from a bit it missed by at least that much (12-bit probability units): a mixer so nearly right would move no weight
by more than 0.0012. `cm` skips 63–93 % of its mixers' updates so (the log most), at no cost in size; left out
altogether, they took a tenth of its time (benchmarks/results/byte_revisions_cm_skip.md, paired_speed_cm_skip.md:
6 % faster, the median over the suite's files).
A model with decaying mixers (layout.R_DECAY: the byte model's revision 10, the image model's 5) gives each
first-layer weight set a learning rate of its own that falls with the updates it has had, from R_DECAY to R_DECAY_LOW
(paq8px's mixers decay theirs likewise): a weight set chosen often settles, one seldom chosen still learns fast.
The image model's revision 5 also chooses mixer F's weights by R_SEL_F and has two APMs of its own
(layout.R_KIND_APMS) in place of a refined model's third and fourth.
A kind may add relative maps (layout.R_MAPS: the image model's revisions 3 to 5), direct inputs on its own
predictions (maps.py), which the coding loops set and count around predict and update.

Hashed contexts live in one table of 64-byte slots, one slot per context and nibble (15 counters and
a first word: the check, and in a model with runs the context's run), two probes a lookup, the less
used slot replaced: two cache misses per context per byte. Mixer A's weight set is chosen by the
partial byte (and, in a model with tokens, whether a long hex run is on: hex_runs.own_mixer_set); B's by the
kind's state (kinds.mixer_b_state) and the bit position; C's by R_SEL (the previous byte, or the predicted pixel or
sample byte); D's by R_SEL_D and the bit position's half;
E's by R_SEL_E and the bit position's half; F's by the byte hashed context 2 last saw (the byte
model's order 4; in a model without runs, R_SEL_F: the image model's revision 5, else by the bit position alone)
and the bit position; G's (a
model with groups: the byte model's revisions 5 to 10, the image model's 4) by R_SEL_G and the bit position.

`predict` and `update` are inlined into the coding loops at numba's IR level (inline='always';
sampling's byte_weights calls `predict_not_inlined`): LLVM does not inline across numba's compiled
functions, and each call passed some 60 words of array structs and 20 reference counts. The mixers
index through views, whose indices numba knows to be non-negative, so their loops load and store
contiguously (with mixer[base + i], numba's wrap-around of negative indices made them gather).
Together 1.2× the speed of `cm`, the same archives.
"""

from __future__ import annotations

import numpy as np

from gencomp.jit import CACHE
from gencomp.models.context_mixing import hex_runs, kinds, match, token
from gencomp.models.context_mixing.counters import (
    CHECK_MASK,
    CONTEXT_LIMIT,
    COUNTER_INIT,
    MASK32,
    MATCH_LIMIT,
    RUN_BYTE_SHIFT,
    RUN_LENGTH_SHIFT,
    bit_position,
    count,
    count_surprised,
    find_slot,
    hash2,
    stretched,
)
from gencomp.models.context_mixing.layout import (
    D_MATCH,
    D_O1,
    D_RUN,
    HASHED,
    N_MIXERS,
    R_ACTIVE,
    R_APM,
    R_BITPOS,
    R_BYTE_FINAL,
    R_C0,
    R_C4,
    R_C8,
    R_CMAP,
    R_CONTEXT_LIMIT,
    R_CTX,
    R_DECAY,
    R_DECAY_LOW,
    R_DECAY_SHIFT,
    R_FINE,
    R_INPUTS,
    R_KIND_APM_CTX,
    R_KIND_APMS,
    R_KNOWN,
    R_MCTX,
    R_MIXER_SKIP,
    R_MIXERS,
    R_P,
    R_PF,
    R_POS,
    R_REFINED,
    R_RUN,
    R_RUN_AT,
    R_RUNS,
    R_S,
    R_SEL,
    R_SEL_D,
    R_SEL_E,
    R_SEL_F,
    R_SEL_G,
    R_SETS,
    R_SETTLED,
    R_SLOT,
    R_SLOT0,
    R_TOKEN,
    R_X,
    RUN_MAX,
    X_BIAS,
    X_EXT,
    X_HASHED,
    X_O0,
    X_O1,
)
from gencomp.native import njit

INPUT_WEIGHT = 1 << 14  # an input's initial mixing weight, 0.25 (2^16 = 1.0)
# mixer weight sets (R_INPUTS weights each, 16 fractional bits): partial byte (a second bank in a long hex run:
# hex_runs.own_mixer_set); kind state × bit position;
# R_SEL; R_SEL_D + bit position // 2; R_SEL_E + bit position // 2; (hashed context 2's run byte + 1, or 0) ×
# bit position; R_SEL_G + bit position; then the second layer: 8 sets (bit position) of N_MIXERS weights, 256 in a
# settled core (chosen by the partial byte: layout.R_BYTE_FINAL)
M_A, M_B = 0, 512
M_C = M_B + 9 * (HASHED + 1) * 8
M_D = M_C + 256
M_E = M_D + 1024
M_F = M_E + 1024
M_G = M_F + 257 * 8
M_FINAL = M_G + 256 * 8
MIX_RATE = 10  # first-layer learning rate (weight += x · err · rate >> 14)
FINAL_RATE = 2  # second layer, likewise
SETTLE_BYTES = 16 << 10  # a settled core's mixers learn at the rates below once the model has seen this many bytes
SETTLED_MIX_RATE, SETTLED_FINAL_RATE = 8, 1  # (a prime and a 16 KiB stream's start: quicker learning paid there)
# APMs: 33 buckets over the stretched probability per context; 16-bit probabilities
APM_BUCKETS = 33
A_1 = 0  # context: partial byte (256)
A_2 = 256 * APM_BUCKETS  # context: partial byte and R_SEL (65,536)
A_3 = A_2 + 65536 * APM_BUCKETS  # context: partial byte and the two bytes before it, hashed (65,536)
A_4 = A_3 + 65536 * APM_BUCKETS  # context: partial byte and the match state (none, or length × expected bit: 65)
A_COUNT = A_4 + 65 * 256 * APM_BUCKETS  # count maps: per hashed context, its count (32) × stretched p (64)
A_KIND = A_3  # a model with the kind's own APMs (layout.R_KIND_APMS; not refined): two of 256 contexts × partial byte
KIND_APM_SIZE = A_KIND + 2 * 65536 * APM_BUCKETS
COUNT_LEVELS, COUNT_BUCKETS = 32, 64
APM_SIZE = A_COUNT + HASHED * COUNT_LEVELS * COUNT_BUCKETS  # a refined model's; others' end at A_3
APM_RATE = 6
RUN_LIMIT = MATCH_LIMIT  # the run inputs' confidences are counted as the match model's


@njit(cache=CACHE, native="u4[:] u4[:] i8[:] i4[:] i4[:] i8[:] u1[:] i8[:] i8[:] ->")
def begin_byte(table, direct, mixer, apm, match_index, regs, history, squash, stretch):
    """Set the contexts for the byte at regs[R_POS]: hashes, slots for its first nibble, match prediction."""
    kinds.contexts(regs, history, regs[R_POS])
    known = 0
    runs = regs[R_RUNS]
    for k in range(regs[R_ACTIVE]):
        h = hash2(k + 1, regs[R_CTX + k])
        regs[R_CTX + k] = h
        slot = find_slot(table, hash2(h, 0), True)
        regs[R_SLOT + k] = slot
        if runs:
            regs[R_SLOT0 + k] = slot
            regs[R_RUN + k] = np.int64(table[slot]) >> RUN_BYTE_SHIFT
        known += (table[slot + 1] & 1023) > 0
    regs[R_KNOWN] = known
    match.expect(regs, history)
    regs[R_C0], regs[R_BITPOS] = 1, 0


@njit(cache=CACHE)
def end_byte(table, direct, mixer, apm, match_index, regs, history, squash, stretch):
    """Fold the byte just completed (history[regs[R_POS]]) into the history registers and the
    sub-models, then begin the next."""
    pos = regs[R_POS]
    byte = np.int64(history[pos])
    if regs[R_RUNS]:
        _note_runs(table, regs, byte)
    _fold(regs, history, pos, byte)
    match.learn(match_index, regs, history, pos, byte)
    regs[R_POS] = pos + 1
    begin_byte(table, direct, mixer, apm, match_index, regs, history, squash, stretch)


@njit(cache=CACHE)
def learn_input_alone(regs, history):
    """end_byte, for a model whose probability is its kind's input alone (kinds.input_alone): the byte at
    regs[R_POS] (in history) learned by the kind's own model, which alone is read; the hashed contexts,
    mixers, APMs and match model are left as they are. Then the next byte's contexts, as begin_byte."""
    pos = regs[R_POS]
    _fold(regs, history, pos, np.int64(history[pos]))
    regs[R_POS] = pos + 1
    kinds.contexts(regs, history, pos + 1)
    regs[R_C0], regs[R_BITPOS] = 1, 0


@njit(cache=CACHE, inline='always')
def _fold(regs, history, pos, byte):
    """The byte at pos (in history) into the last 4 and 8 bytes' registers and the kind's own model (kinds.learn)."""
    regs[R_C8] = ((regs[R_C8] << 8) | (regs[R_C4] >> 24)) & MASK32
    regs[R_C4] = ((regs[R_C4] << 8) | byte) & MASK32
    kinds.learn(regs, history, pos, byte)


@njit(cache=CACHE)
def _note_runs(table, regs, byte):
    """After `byte`, in a model with runs: each hashed context's run grows where the context last saw
    this byte (up to RUN_MAX), else starts at 1 with it; written to the first word of the context's slot
    for the byte's first nibble, beside its check."""
    for k in range(regs[R_ACTIVE]):
        run = regs[R_RUN + k]
        length = min((run >> 8) + 1, RUN_MAX) if (run >> 8) > 0 and (run & 255) == byte else 1
        slot = regs[R_SLOT0 + k]
        table[slot] = (np.int64(table[slot]) & CHECK_MASK) | (byte << RUN_BYTE_SHIFT) | (length << RUN_LENGTH_SHIFT)


@njit(cache=CACHE)
def _nibble_index(c0, bitpos):
    """The counter within a context's slot for this bit: the bits so far of the current nibble,
    after a leading 1 (1 … 15)."""
    return c0 if bitpos < 4 else (c0 & ((1 << (bitpos - 4)) - 1)) | (1 << (bitpos - 4))


@njit(cache=CACHE)
def _mix(mixer, regs, base):
    inputs = regs[R_INPUTS]
    weights, x = mixer[base : base + inputs], regs[R_X : R_X + inputs]  # views: see the module's docstring
    dot = 0
    for i in range(inputs):
        dot += x[i] * weights[i]
    return min(max(dot >> 16, -2047), 2047)


@njit(cache=CACHE)
def _count_map(apm, regs, k, counter, stretched_p, stretch):
    """Hashed context k's second input in a refined model: its counter's probability (stretched_p)
    mapped through an adaptive table chosen by the context and the counter's count (a context seen once
    or twice, and what its bits were, means more in some contexts than in others: paq8's state maps
    learn this from bit histories). Notes the entry in R_CMAP for `update`."""
    level = min(counter & 1023, COUNT_LEVELS - 1)
    i = A_COUNT + (k * COUNT_LEVELS + level) * COUNT_BUCKETS + ((stretched_p + 2048) >> 6)
    regs[R_CMAP + k] = i
    return stretch[apm[i] >> 4]


@njit(cache=CACHE, inline='always')
def _run_input(direct, regs, k, c0, bitpos, stretch):
    """Hashed context k's run input in a model with runs: while the byte's bits so far agree with the
    byte the context last saw, that byte's next bit, as sure as a direct counter (per context, run length
    and bit position) has found it right; else 0. Notes the counter in R_RUN_AT for `update`."""
    run = regs[R_RUN + k]
    length, expected = run >> 8, run & 255
    if length == 0 or ((expected | 256) >> (8 - bitpos)) != c0:
        regs[R_RUN_AT + k] = -1
        return 0
    bit = (expected >> (7 - bitpos)) & 1
    i = D_RUN + ((k * (RUN_MAX + 1) + length) << 3) + bitpos
    regs[R_RUN_AT + k] = i * 2 + bit
    x = stretched(direct, i, stretch)
    return x if bit else -x


@njit(cache=CACHE)
def _apm(apm, i, weight):
    """APM entry i and the next, interpolated (weight: the next's share, 12 bits)."""
    return (np.int64(apm[i]) * (4096 - weight) + np.int64(apm[i + 1]) * weight) >> 12


@njit(cache=CACHE, inline='always')
def predict(table, direct, mixer, apm, match_index, regs, squash, stretch, ext_p12, c0, slots):
    """P(next bit = 1) in units of 2^-16 after the partial byte c0 (leading 1, then the bits so far),
    reading slots[k] for the hashed contexts (-1: absent). ext_p12: the external input's P(bit = 1)
    in units of 2^-12, or -1. Leaves in regs what `update` needs."""
    bitpos = bit_position(c0)
    nib = _nibble_index(c0, bitpos)
    c1 = regs[R_C4] & 255
    regs[R_X + X_O0] = stretched(direct, c0, stretch)
    regs[R_X + X_O1] = stretched(direct, D_O1 + (c1 << 8) + c0, stretch)
    active, refined, runs = regs[R_ACTIVE], regs[R_REFINED], regs[R_RUNS]
    for k in range(active):
        counter = np.int64(table[slots[k] + nib]) if slots[k] >= 0 else COUNTER_INIT  # absent (byte_weights): as new
        regs[R_X + X_HASHED + k] = stretch[counter >> 20]
        if refined:
            regs[R_X + X_HASHED + active + k] = _count_map(apm, regs, k, counter, regs[R_X + X_HASHED + k], stretch)
        if runs:
            regs[R_X + X_HASHED + (1 + refined) * active + k] = _run_input(direct, regs, k, c0, bitpos, stretch)
    match_state = match.predict(direct, regs, c0, bitpos, stretch)
    if regs[R_TOKEN]:
        regs[R_X + regs[R_INPUTS] - 2] = hex_runs.predict(direct, regs, c0, stretch)
        regs[R_X + regs[R_INPUTS] - 1] = token.predict(direct, regs, c0, bitpos, stretch)
    regs[R_X + X_EXT] = stretch[ext_p12] if ext_p12 >= 0 else 0
    regs[R_X + X_BIAS] = 256
    inputs = regs[R_INPUTS]
    regs[R_SETS + 0] = (M_A + c0 + (hex_runs.own_mixer_set(regs) << 8)) * inputs
    regs[R_SETS + 1] = (M_B + (kinds.mixer_b_state(regs, match_state, regs[R_KNOWN]) << 3) + bitpos) * inputs
    regs[R_SETS + 2] = (M_C + regs[R_SEL]) * inputs
    regs[R_SETS + 3] = (M_D + regs[R_SEL_D] + (bitpos >> 1)) * inputs
    if regs[R_MIXERS] > 4:  # a model with runs or groups
        regs[R_SETS + 4] = (M_E + regs[R_SEL_E] + (bitpos >> 1)) * inputs
        order4 = regs[R_RUN + 2]  # 0 in a model without runs
        regs[R_SETS + 5] = (M_F + ((((order4 & 255) + 1) if order4 >> 8 else regs[R_SEL_F]) << 3) + bitpos) * inputs
    if regs[R_MIXERS] == N_MIXERS:
        regs[R_SETS + 6] = (M_G + regs[R_SEL_G] + bitpos) * inputs
    final = M_FINAL * inputs + (c0 if regs[R_BYTE_FINAL] else bitpos) * N_MIXERS
    dot = 0
    for j in range(regs[R_MIXERS]):
        s = _mix(mixer, regs, regs[R_SETS + j])
        regs[R_S + j] = s
        regs[R_P + j] = squash[s + 2048]
        dot += s * np.int64(mixer[final + j])
    s = min(max(dot >> 16, -2047), 2047)
    regs[R_PF] = squash[s + 2048]
    # APMs: interpolate between the two buckets around s
    t = (s + 2048) * (APM_BUCKETS - 1)
    low, weight = t >> 12, t & 4095
    regs[R_APM + 0] = A_1 + c0 * APM_BUCKETS + low
    regs[R_APM + 1] = A_2 + ((regs[R_SEL] << 8) | c0) * APM_BUCKETS + low
    a1, a2 = _apm(apm, regs[R_APM], weight), _apm(apm, regs[R_APM + 1], weight)
    if regs[R_REFINED]:
        matched = regs[R_MCTX] - D_MATCH + 1 if regs[R_MCTX] >= 0 else 0  # match length and expected bit
        regs[R_APM + 2] = A_3 + (hash2(regs[R_C4] & 0xFFFF, c0) & 0xFFFF) * APM_BUCKETS + low
        regs[R_APM + 3] = A_4 + ((matched << 8) | c0) * APM_BUCKETS + low
        a3, a4 = _apm(apm, regs[R_APM + 2], weight), _apm(apm, regs[R_APM + 3], weight)
        p = (regs[R_PF] * 16 + a1 + 2 * a2 + 2 * a3 + 2 * a4) >> 3
    elif regs[R_KIND_APMS]:
        regs[R_APM + 2] = A_KIND + ((regs[R_KIND_APM_CTX] << 8) | c0) * APM_BUCKETS + low
        regs[R_APM + 3] = A_KIND + ((256 + regs[R_KIND_APM_CTX + 1]) << 8 | c0) * APM_BUCKETS + low
        a3, a4 = _apm(apm, regs[R_APM + 2], weight), _apm(apm, regs[R_APM + 3], weight)
        p = (regs[R_PF] * 32 + a1 + a2 + 2 * a3 + 2 * a4) >> 3
    else:
        p = (regs[R_PF] * 16 + a1 + 2 * a2) >> 2
    return clamped(regs, kinds.final_p(regs, p, ext_p12))


@njit(cache=CACHE, inline='always')
def clamped(regs, p):
    """A final P(bit = 1) (2^-16 units) within what the coder takes from this model."""
    return min(max(p, 1), 65535) if regs[R_FINE] else min(max(p, 32), 65536 - 32)


@njit(cache=CACHE)
def predict_not_inlined(table, direct, mixer, apm, match_index, regs, squash, stretch, ext_p12, c0, slots):
    """`predict` as a call, for loops that call it from one site many times a byte (loops.byte_weights:
    255 times; inlined there, audio continuations took 8 % longer)."""
    return predict(table, direct, mixer, apm, match_index, regs, squash, stretch, ext_p12, c0, slots)


@njit(cache=CACHE, inline='always')
def _learn_set(mixer, regs, base, inputs, err):
    """The first-layer weight set at base (inputs weights) moves by err (target − p, times the rate) × each input."""
    weights, x = mixer[base : base + inputs], regs[R_X : R_X + inputs]
    for i in range(inputs):
        weights[i] = min(max(weights[i] + ((x[i] * err) >> 14), -(1 << 24)), 1 << 24)


@njit(cache=CACHE)
def _learn_decaying(mixer, regs, target):
    """The first layer's update in a model with decaying mixers (layout.R_DECAY): each weight set chosen this bit
    learns at max(R_DECAY_LOW, R_DECAY − its updates so far >> R_DECAY_SHIFT), counted after the second layer's
    weights (the last M_FINAL of the mixer array)."""
    inputs = regs[R_INPUTS]
    counts = mixer.shape[0] - M_FINAL
    for j in range(regs[R_MIXERS]):
        if abs(target - regs[R_P + j]) < regs[R_MIXER_SKIP]:
            continue
        base = regs[R_SETS + j]
        at = counts + base // inputs
        err = (target - regs[R_P + j]) * max(regs[R_DECAY_LOW], regs[R_DECAY] - (mixer[at] >> regs[R_DECAY_SHIFT]))
        mixer[at] += 1
        _learn_set(mixer, regs, base, inputs, err)


@njit(cache=CACHE, inline='always')
def update(table, direct, mixer, apm, match_index, regs, history, squash, stretch, bit):
    """Learn from the bit just coded (the last `predict` was for it) and move to the next."""
    c0 = regs[R_C0]
    nib = _nibble_index(c0, regs[R_BITPOS])
    c1 = regs[R_C4] & 255
    count(direct, c0, bit, CONTEXT_LIMIT)
    count(direct, D_O1 + (c1 << 8) + c0, bit, CONTEXT_LIMIT)
    limit = regs[R_CONTEXT_LIMIT]
    active = regs[R_ACTIVE]
    settled = regs[R_SETTLED]
    for k in range(active):
        if settled:
            count_surprised(table, regs[R_SLOT + k] + nib, bit, limit)
        else:
            count(table, regs[R_SLOT + k] + nib, bit, limit)
    if regs[R_MCTX] >= 0:
        count(direct, regs[R_MCTX], bit, MATCH_LIMIT)
    if regs[R_TOKEN]:
        hex_runs.update(direct, regs, c0, bit)
        token.update(direct, regs, bit)
    target = bit << 12
    inputs = regs[R_INPUTS]
    mixers = regs[R_MIXERS]
    slower = settled != 0 and regs[R_POS] >= SETTLE_BYTES
    mix_rate, final_rate = (SETTLED_MIX_RATE, SETTLED_FINAL_RATE) if slower else (MIX_RATE, FINAL_RATE)
    skip = regs[R_MIXER_SKIP]
    if regs[R_DECAY]:
        _learn_decaying(mixer, regs, target)
    else:  # the loop as it was before decaying mixers: cm's speed hangs on its shape (paired_speed_cm_decay.md)
        for j in range(mixers):
            if abs(target - regs[R_P + j]) < skip:  # nearly right: its weights would barely move
                continue
            base = regs[R_SETS + j]
            _learn_set(mixer, regs, base, inputs, (target - regs[R_P + j]) * mix_rate)
    final = M_FINAL * inputs + (c0 if regs[R_BYTE_FINAL] else regs[R_BITPOS]) * N_MIXERS
    err = (target - regs[R_PF]) * final_rate
    for j in range(mixers):
        mixer[final + j] = min(max(mixer[final + j] + ((regs[R_S + j] * err) >> 14), -(1 << 24)), 1 << 24)
    goal = (bit << 16) + (bit << APM_RATE) - bit - bit
    for a in range(4 if regs[R_REFINED] or regs[R_KIND_APMS] else 2):
        i = regs[R_APM + a]
        apm[i] += (goal - apm[i]) >> APM_RATE
        apm[i + 1] += (goal - apm[i + 1]) >> APM_RATE
    if regs[R_REFINED]:
        for k in range(active):
            i = regs[R_CMAP + k]
            apm[i] += (goal - apm[i]) >> APM_RATE
    if regs[R_RUNS]:
        for k in range(active):
            at = regs[R_RUN_AT + k]
            if at >= 0:
                count(direct, at >> 1, 1 if bit == (at & 1) else 0, RUN_LIMIT)
    regs[R_C0] = c0 * 2 + bit
    regs[R_BITPOS] += 1
    if regs[R_BITPOS] == 4:
        for k in range(active):
            regs[R_SLOT + k] = find_slot(table, hash2(regs[R_CTX + k], regs[R_C0]), True)
    elif regs[R_BITPOS] == 8:
        history[regs[R_POS]] = regs[R_C0] & 255
        end_byte(table, direct, mixer, apm, match_index, regs, history, squash, stretch)
