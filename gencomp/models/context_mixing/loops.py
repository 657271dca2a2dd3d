"""The compiled loops that code, decode and learn runs of bytes with a context-mixing model, and its
next-byte distribution for sampling. Each takes the model's arrays (State.arrays) and the stretch
and squash tables; ext holds an external model's byte distributions (the transformer in mix:NAME),
one row a byte, or no rows (then the kind's built-in input, if any)."""

from __future__ import annotations

import numpy as np

from gencomp.coding.range_coder import decode_bit, encode_bit
from gencomp.jit import CACHE
from gencomp.models.context_mixing import kinds, maps
from gencomp.models.context_mixing.core import clamped, learn_input_alone, predict, predict_not_inlined, update
from gencomp.models.context_mixing.counters import find_slot, hash2
from gencomp.models.context_mixing.laplace import bit_values
from gencomp.models.context_mixing.layout import HASHED, R_ACTIVE, R_C0, R_CTX, R_MAPS, R_SLOT
from gencomp.native import njit

_NEG_LOG2 = -np.log2(np.maximum(np.arange(1 << 16), 1) / 65536.0)  # for reporting code lengths only


@njit(cache=CACHE)
def ext_p12(ext_row, c0):
    """P(bit = 1) in units of 2^-12 from a byte distribution (256,) int64, given the partial byte c0."""
    first, half = bit_values(c0)
    zero, one = 0, 0
    for i in range(first, first + half):
        zero += ext_row[i]
    for i in range(first + half, first + 2 * half):
        one += ext_row[i]
    if zero + one == 0:
        return 2048
    return min(max((one << 12) // (zero + one), 1), 4095)


@njit(cache=CACHE)
def _external_p12(ext, row, regs, c0):
    """The external input of this bit: the external model's (ext[row]), else the kind's built-in one, else -1."""
    if ext.shape[0]:
        return ext_p12(ext[row], c0)
    return kinds.builtin_p12(regs, c0)


@njit(cache=CACHE, nogil=True,  # chunks are coded on threads (ContextMixingCompressor)
      native="u4[:] u4[:] i8[:] i4[:] i4[:] i8[:] u1[:] i8[:] i8[:] i8[:,:] i8 i8 i8[:] u1[:] i8 b1 -> i8 f8")
def encode_bytes(table, direct, mixer, apm, match, regs, history, squash, stretch, ext, start, stop,
                 coder, out, out_pos, count_bits):
    """Code history[start:stop] (the model stands at start); ext: (stop − start, 256) int64 external
    weights or (0, 256). Returns (out position, ideal bits Σ −log2 p if count_bits, else 0), or
    (-1, 0) when out would overflow."""
    bits = 0.0
    limit = out.shape[0] - 16
    for pos in range(start, stop):
        byte = np.int64(history[pos])
        for b in range(8):
            c0 = regs[R_C0]
            e = _external_p12(ext, pos - start, regs, c0)
            if regs[R_MAPS]:
                maps.inputs(direct, regs, c0, stretch)
            p = predict(table, direct, mixer, apm, match, regs, squash, stretch, e, c0, regs[R_SLOT : R_SLOT + HASHED])
            bit = (byte >> (7 - b)) & 1
            if regs[R_MAPS]:
                maps.count_bit(direct, regs, c0, bit)
            out_pos = encode_bit(coder, p, bit, out, out_pos)
            if count_bits:  # a 512 KiB table: its cache misses cost 15 % when nobody asks
                bits += _NEG_LOG2[p] if bit else _NEG_LOG2[65536 - p]
            if out_pos >= limit:
                return -1, 0.0
            update(table, direct, mixer, apm, match, regs, history, squash, stretch, bit)
    return out_pos, bits


@njit(cache=CACHE, nogil=True,  # chunks are coded on threads (ContextMixingCompressor)
      native="u4[:] u4[:] i8[:] i4[:] i4[:] i8[:] u1[:] i8[:] i8[:] i8[:,:] i8 i8 i8[:] u1[:] ->")
def decode_bytes(table, direct, mixer, apm, match, regs, history, squash, stretch, ext, start, stop, coder, buf):
    """Decode history[start:stop] in place (the inverse of encode_bytes with the same ext)."""
    for pos in range(start, stop):
        for _ in range(8):
            c0 = regs[R_C0]
            e = _external_p12(ext, pos - start, regs, c0)
            if regs[R_MAPS]:
                maps.inputs(direct, regs, c0, stretch)
            p = predict(table, direct, mixer, apm, match, regs, squash, stretch, e, c0, regs[R_SLOT : R_SLOT + HASHED])
            bit = decode_bit(coder, p, buf)
            if regs[R_MAPS]:
                maps.count_bit(direct, regs, c0, bit)
            update(table, direct, mixer, apm, match, regs, history, squash, stretch, bit)


@njit(cache=CACHE, nogil=True)  # chunks are coded on threads (ContextMixingCompressor)
def learn_bytes(table, direct, mixer, apm, match, regs, history, squash, stretch, ext, start, stop):
    """Learn history[start:stop] as encode_bytes would, without coding it (where the kind's input alone is
    the probability, kinds.input_alone, only what byte_weights then reads)."""
    if kinds.input_alone(regs):
        for _ in range(start, stop):
            learn_input_alone(regs, history)
        return
    for pos in range(start, stop):
        byte = np.int64(history[pos])
        for b in range(8):
            c0 = regs[R_C0]
            e = _external_p12(ext, pos - start, regs, c0)
            if regs[R_MAPS]:
                maps.inputs(direct, regs, c0, stretch)
            predict(table, direct, mixer, apm, match, regs, squash, stretch, e, c0, regs[R_SLOT : R_SLOT + HASHED])
            bit = (byte >> (7 - b)) & 1
            if regs[R_MAPS]:
                maps.count_bit(direct, regs, c0, bit)
            update(table, direct, mixer, apm, match, regs, history, squash, stretch, bit)


@njit(cache=CACHE)
def byte_weights(table, direct, mixer, apm, match, regs, squash, stretch, ext_row, out):
    """The model's next-byte distribution as out (256,) int64 weights, learning nothing: the product
    of the 8 bit probabilities along each byte's path (2^40 scale, at least 1). Where the kind's final
    probability is its input's alone (kinds.input_alone), the mixers are not run: the same weights."""
    alone = kinds.input_alone(regs)
    second = np.full((16, HASHED), -1, np.int64)  # slots of the second nibble, by first nibble
    for nibble in range(16 if not alone else 0):
        for k in range(regs[R_ACTIVE]):
            second[nibble, k] = find_slot(table, hash2(regs[R_CTX + k], 16 + nibble), False)
    prob = np.empty(512, np.int64)  # prob[c0] = P(reaching the partial byte c0) · 2^40
    prob[1] = 1 << 40
    bitpos = 0
    for c0 in range(1, 256):
        if c0 >> bitpos > 1:
            bitpos += 1
        slots = regs[R_SLOT : R_SLOT + HASHED] if bitpos < 4 else second[(c0 >> (bitpos - 4)) - 16]
        e = ext_p12(ext_row, c0) if ext_row.shape[0] else kinds.builtin_p12(regs, c0)
        if alone:
            p1 = clamped(regs, kinds.final_p(regs, 0, e))
        else:
            if regs[R_MAPS]:
                maps.inputs(direct, regs, c0, stretch)
            p1 = predict_not_inlined(table, direct, mixer, apm, match, regs, squash, stretch, e, c0, slots)
        prob[2 * c0 + 1] = max((prob[c0] * p1) >> 16, 1)
        prob[2 * c0] = max((prob[c0] * (65536 - p1)) >> 16, 1)
    for byte in range(256):  # a loop, not out[:] = …: numba's shape-mismatch message would format with log10
        out[byte] = prob[256 + byte]
