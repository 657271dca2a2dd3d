"""Relative maps: direct inputs on a kind's own predictions of the byte (layout.R_MAPS; the image model's
revision 3 has eight, 4 twenty-three). Map j is a direct counter (after layout.DIRECT_SIZE) chosen by the map's error level,
its prediction minus the value of the byte's bits so far (its high bits, the rest 0) and the bit position:
it learns, the same at every brightness, how the byte falls around that prediction when it errs this much
(paq8px's image models map their predictions so).

The coding loops (loops.py) set their inputs before each bit's prediction (`inputs`) and count the bit
before the model's update (`count_bit`), where the model has maps. Placed in core.predict and update, or
reached through kinds' per-bit hooks (which then took two arrays more a call), they made `cm`, which has
none, 4–7 % slower; here 0–3 %.
"""

from __future__ import annotations

from gencomp.jit import CACHE
from gencomp.models.context_mixing.counters import CONTEXT_LIMIT, bit_position, count, stretched
from gencomp.models.context_mixing.layout import (
    DIRECT_SIZE,
    KIND_MAP_LEVELS,
    KIND_MAP_SPAN,
    R_INPUTS,
    R_MAP_LEVEL,
    R_MAP_PRED,
    R_MAPS,
    R_X,
)
from gencomp.native import njit

MAP_LIMIT = CONTEXT_LIMIT  # the maps' counters' count limit


@njit(cache=CACHE)
def _counter(regs, j, c0, bitpos):
    """Map j's counter for the bit after partial byte c0 (bitpos bits in)."""
    so_far = (c0 - (1 << bitpos)) << (8 - bitpos)
    return (DIRECT_SIZE + (((j * KIND_MAP_LEVELS + regs[R_MAP_LEVEL + j]) * KIND_MAP_SPAN
                            + regs[R_MAP_PRED + j] - so_far + KIND_MAP_SPAN // 2) << 3) + bitpos)


@njit(cache=CACHE)
def inputs(direct, regs, c0, stretch):
    """Each map's input for the bit after partial byte c0: the last R_MAPS of the R_INPUTS inputs."""
    bitpos = bit_position(c0)
    first = regs[R_INPUTS] - regs[R_MAPS]
    for j in range(regs[R_MAPS]):
        regs[R_X + first + j] = stretched(direct, _counter(regs, j, c0, bitpos), stretch)


@njit(cache=CACHE)
def count_bit(direct, regs, c0, bit):
    """Each map's counter for the bit after partial byte c0 learns `bit`."""
    bitpos = bit_position(c0)
    for j in range(regs[R_MAPS]):
        count(direct, _counter(regs, j, c0, bitpos), bit, MAP_LIMIT)
