"""Integer dot products on int16 data with int32 sums, the pmaddwd way, for the exact transformer.

numba widens every int16 product to 64 bits, so LLVM cannot use the instruction that multiplies
int16 pairs and adds each pair into an int32 lane (x86's pmaddwd, 8 products an instruction, and
vpdpwssd where the CPU has VNNI). These two kernels emit it directly: `llvm.x86.sse2.pmadd.wd`
on x86-64 (SSE2 is part of x86-64, so every such CPU has it), elsewhere the same operation written
as plain vector arithmetic. Sums are int32 with wraparound: exact whenever the true sum fits
int32, which the caller must know (exact_step checks a bound before it calls them).
"""

from __future__ import annotations

import platform

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_X86 = platform.machine().lower() in ("x86_64", "amd64")
_I16, _I32, _I64 = ir.IntType(16), ir.IntType(32), ir.IntType(64)
_V8I16, _V4I32 = ir.VectorType(_I16, 8), ir.VectorType(_I32, 4)
BLOCK = 32  # positions a pass: four independent accumulators hide the instruction's latency


def _pmadd(builder, a, b):
    """<8 x i16> a, b -> <4 x i32>: a[2i] b[2i] + a[2i+1] b[2i+1], wrapping."""
    if _X86:
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_V4I32, [_V8I16, _V8I16]),
                                            "llvm.x86.sse2.pmadd.wd")
        return builder.call(fn, [a, b])
    wide = ir.VectorType(_I32, 8)
    m = builder.mul(builder.sext(a, wide), builder.sext(b, wide))
    lanes = lambda first: ir.Constant(ir.VectorType(_I32, 4), list(range(first, 8, 2)))
    return builder.add(builder.shuffle_vector(m, m, lanes(0)), builder.shuffle_vector(m, m, lanes(1)))


def _at(builder, address, offset_elements, element_bytes, vector):
    """A pointer to `vector` at address + offset_elements × element_bytes."""
    byte = builder.add(address, builder.mul(offset_elements, ir.Constant(_I64, element_bytes)))
    return builder.inttoptr(byte, vector.as_pointer())


@intrinsic
def pair_scores(typingctx, out_addr, keys_addr, pair_stride, q_addr, pairs, blocks):
    """out[j] = Σ_p q[2p] k[p, j, 0] + q[2p+1] k[p, j, 1] for j < BLOCK × blocks, as int32.

    keys_addr: int16 keys in pairs of dimensions, k[p, j, :] at element p × pair_stride + 2j;
    q_addr: int16 (2 × pairs,); out_addr: int32 (BLOCK × blocks,). Addresses in bytes."""
    sig = types.void(types.intp, types.intp, types.intp, types.intp, types.intp, types.intp)

    def codegen(context, builder, signature, args):
        out_addr, keys_addr, pair_stride, q_addr, pairs, blocks = args
        lanes = BLOCK // 4
        acc = cgutils.alloca_once(builder, ir.ArrayType(_V4I32, lanes))
        slots = [builder.gep(acc, [ir.Constant(_I32, 0), ir.Constant(_I32, i)]) for i in range(lanes)]
        with cgutils.for_range(builder, blocks) as block:
            first = builder.mul(block.index, ir.Constant(_I64, BLOCK))
            for slot in slots:
                builder.store(ir.Constant(_V4I32, None), slot)
            with cgutils.for_range(builder, pairs) as pair:
                q = builder.load(_at(builder, q_addr, builder.mul(pair.index, ir.Constant(_I64, 2)), 2, _I32))
                q = builder.bitcast(builder.insert_element(ir.Constant(_V4I32, ir.Undefined), q, ir.Constant(_I32, 0)), _V8I16)
                q = builder.shuffle_vector(q, q, ir.Constant(ir.VectorType(_I32, 8), [0, 1] * 4))
                row = builder.add(builder.mul(pair.index, pair_stride), builder.mul(first, ir.Constant(_I64, 2)))
                for i, slot in enumerate(slots):
                    k = builder.load(_at(builder, keys_addr, builder.add(row, ir.Constant(_I64, 8 * i)), 2, _V8I16), align=2)
                    builder.store(builder.add(builder.load(slot), _pmadd(builder, k, q)), slot)
            for i, slot in enumerate(slots):
                j = builder.add(first, ir.Constant(_I64, 4 * i))
                builder.store(builder.load(slot), _at(builder, out_addr, j, 4, _V4I32), align=4)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def weighted_row(typingctx, row_addr, weights_addr, blocks):
    """Σ_j w[j] r[j] for j < BLOCK × blocks, as int32 (wrapping): row_addr and weights_addr int16."""
    sig = types.int32(types.intp, types.intp, types.intp)

    def codegen(context, builder, signature, args):
        row_addr, weights_addr, blocks = args
        parts = BLOCK // 8
        acc = cgutils.alloca_once(builder, ir.ArrayType(_V4I32, parts))
        slots = [builder.gep(acc, [ir.Constant(_I32, 0), ir.Constant(_I32, i)]) for i in range(parts)]
        for slot in slots:
            builder.store(ir.Constant(_V4I32, None), slot)
        with cgutils.for_range(builder, blocks) as block:
            first = builder.mul(block.index, ir.Constant(_I64, BLOCK))
            for i, slot in enumerate(slots):
                at = builder.add(first, ir.Constant(_I64, 8 * i))
                r = builder.load(_at(builder, row_addr, at, 2, _V8I16), align=2)
                w = builder.load(_at(builder, weights_addr, at, 2, _V8I16), align=2)
                builder.store(builder.add(builder.load(slot), _pmadd(builder, r, w)), slot)
        total = builder.load(slots[0])
        for slot in slots[1:]:
            total = builder.add(total, builder.load(slot))
        lanes = [builder.extract_element(total, ir.Constant(_I32, i)) for i in range(4)]
        return builder.add(builder.add(lanes[0], lanes[1]), builder.add(lanes[2], lanes[3]))

    return sig, codegen
