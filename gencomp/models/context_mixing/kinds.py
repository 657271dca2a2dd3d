"""Each data kind's model, composed from the sub-models: the one place that says which run for which kind.

    BYTES  orders.py (orders 2–6, words, column, nesting, indirect, field) + match.py
    IMAGE  image.py (pixel neighbourhood; a Laplace around the blend; image_predictions.py) + match.py + maps.py
           (revisions 3 and 4)
    AUDIO  audio.py (linear prediction; a Laplace around the prediction)   + match.py

Every hook reads the kind from one register and calls that kind's function: one well-predicted
branch a call. (numba caches no closure, so models made by a factory would compile at every start;
dispatching on a literal kind costs ~3 ms a call from Python. Measured with numba 0.68.)
"""

from __future__ import annotations

from gencomp.jit import CACHE
from gencomp.models.context_mixing import audio, image, orders
from gencomp.models.context_mixing.counters import store_contexts
from gencomp.models.context_mixing.layout import HASHED, R_KIND
from gencomp.native import njit

BYTES, IMAGE, AUDIO = orders.Bytes.kind, image.Image.kind, audio.Audio.kind


@njit(cache=CACHE)
def contexts(regs, history, pos):
    """Write the byte at pos's R_ACTIVE context values to regs[R_CTX:]; set R_SEL (the byte selecting
    mixer C and APM 2)."""
    kind = regs[R_KIND]
    if kind == AUDIO:
        store_contexts(regs, 0, audio.contexts(regs, history, pos))
    elif kind == IMAGE:
        store_contexts(regs, 0, image.contexts(regs, history, pos))
    else:
        orders.contexts(regs, history, pos)


@njit(cache=CACHE)
def learn(regs, history, pos, byte):
    """After the byte at pos, before the match model and the next byte's contexts."""
    kind = regs[R_KIND]
    if kind == AUDIO:
        audio.learn(regs, history, pos)
    elif kind == IMAGE:
        image.learn(regs, byte, pos)
    else:
        orders.learn(regs, history, pos, byte)


@njit(cache=CACHE)
def builtin_p12(regs, c0):
    """The kind's own external input, P(bit = 1) in units of 2^-12 (its Laplace), or -1 (bytes: none)."""
    kind = regs[R_KIND]
    if kind == AUDIO:
        return audio.laplace_p12(regs, c0)
    if kind == IMAGE:
        return image.laplace_p12(regs, c0)
    return -1


@njit(cache=CACHE)
def mixer_b_state(regs, match_state, known):
    """What selects mixer B's weight set (with the bit position): the image's activity class; else the
    match state × how many hashed contexts were seen before (0 … 8)."""
    if regs[R_KIND] == IMAGE:
        return regs[image.R_ACT]
    return match_state * (HASHED + 1) + known


@njit(cache=CACHE)
def input_alone(regs):
    """Whether the kind's final probability is its input's alone (final_p discards the mixers'): audio,
    generating."""
    return regs[R_KIND] == AUDIO and audio.input_alone(regs)


@njit(cache=CACHE)
def final_p(regs, p, ext_p12):
    """The model's P(bit = 1) (2^-16 units) after the APMs, as the kind may override it."""
    if regs[R_KIND] == AUDIO:
        return audio.override(regs, p, ext_p12)
    return p
