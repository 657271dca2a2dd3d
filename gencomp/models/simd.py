"""Integer dot products on int16 data with int32 sums, the pmaddwd way, for the exact transformer.

numba widens every int16 product to 64 bits, so LLVM cannot use the instruction that multiplies
int16 pairs and adds each pair into an int32 lane (x86's pmaddwd; vpdpwssd where the CPU has VNNI).
The kernels here emit it directly: `llvm.x86.avx2.pmadd.wd` (8 lanes) where the CPU numba compiles
for has AVX2, else `llvm.x86.sse2.pmadd.wd` (4 lanes; SSE2 is part of x86-64), and off x86 the same
operation written as plain vector arithmetic. Sums are int32 with wraparound: exact whenever the
true sum fits int32, which the caller must know (exact_step proves or checks a bound first).

The kernels take raw addresses (numba's `arr.ctypes.data`) and read whole blocks of BLOCK
positions: the caller sizes and pads its arrays (exact_step checks before each call).
"""

from __future__ import annotations

import platform

from llvmlite import ir
from numba import types
from numba.core import cgutils, config
from numba.core.codegen import get_host_cpu_features
from numba.extending import intrinsic

BLOCK = 32  # positions (or outputs) a pass: several independent accumulators hide the instruction's latency
_X86 = platform.machine().lower() in ("x86_64", "amd64")
_I16, _I32, _I64 = ir.IntType(16), ir.IntType(32), ir.IntType(64)


def _lanes() -> int:
    """int32 lanes one pmaddwd fills on the CPU numba compiles for (its NUMBA_CPU_FEATURES, else the host's)."""
    features = config.CPU_FEATURES if config.CPU_FEATURES is not None else get_host_cpu_features()
    return 8 if _X86 and "+avx2" in str(features).split(",") else 4


def _pmadd(builder, a, b, lanes):
    """<2·lanes x i16> a, b -> <lanes x i32>: a[2i] b[2i] + a[2i+1] b[2i+1], wrapping."""
    halves, sums = ir.VectorType(_I16, 2 * lanes), ir.VectorType(_I32, lanes)
    if _X86:
        name = "llvm.x86.avx2.pmadd.wd" if lanes == 8 else "llvm.x86.sse2.pmadd.wd"
        return builder.call(cgutils.get_or_insert_function(builder.module, ir.FunctionType(sums, [halves, halves]), name),
                            [a, b])
    wide = ir.VectorType(_I32, 2 * lanes)
    m = builder.mul(builder.sext(a, wide), builder.sext(b, wide))
    pick = lambda first: ir.Constant(ir.VectorType(_I32, lanes), list(range(first, 2 * lanes, 2)))
    return builder.add(builder.shuffle_vector(m, m, pick(0)), builder.shuffle_vector(m, m, pick(1)))


def _at(builder, address, offset_elements, element_bytes, vector):
    """A pointer to `vector` at address + offset_elements × element_bytes."""
    byte = builder.add(address, builder.mul(offset_elements, ir.Constant(_I64, element_bytes)))
    return builder.inttoptr(byte, vector.as_pointer())


def _accumulators(builder, count, lanes):
    """`count` <lanes x i32> accumulators: stack slots LLVM keeps in registers (the caller zeroes them)."""
    vector = ir.VectorType(_I32, lanes)
    acc = cgutils.alloca_once(builder, ir.ArrayType(vector, count))
    slots = [builder.gep(acc, [ir.Constant(_I32, 0), ir.Constant(_I32, i)]) for i in range(count)]
    return slots, vector


def _pair_scores(vectors: int):
    """Codegen for pair_scores over `vectors` q vectors at once (each key load serves all of them)."""

    def codegen(context, builder, signature, args):
        outs, (keys_addr, pair_stride), qs = args[:vectors], args[vectors : vectors + 2], args[vectors + 2 : -2]
        pairs, blocks = args[-2:]
        lanes = _lanes()
        halves = ir.VectorType(_I16, 2 * lanes)
        per_vector = BLOCK // lanes
        slots, vector = _accumulators(builder, vectors * per_vector, lanes)
        with cgutils.for_range(builder, blocks) as block:
            first = builder.mul(block.index, ir.Constant(_I64, BLOCK))
            for slot in slots:
                builder.store(ir.Constant(vector, None), slot)
            with cgutils.for_range(builder, pairs) as pair:
                broadcast = []
                for q_addr in qs:
                    q = builder.load(_at(builder, q_addr, builder.mul(pair.index, ir.Constant(_I64, 2)), 2, _I32))
                    q = builder.insert_element(ir.Constant(ir.VectorType(_I32, lanes), ir.Undefined), q,
                                               ir.Constant(_I32, 0))
                    q = builder.bitcast(q, halves)
                    broadcast.append(builder.shuffle_vector(q, q, ir.Constant(ir.VectorType(_I32, 2 * lanes),
                                                                              [0, 1] * lanes)))
                row = builder.add(builder.mul(pair.index, pair_stride), builder.mul(first, ir.Constant(_I64, 2)))
                for i in range(per_vector):
                    at = builder.add(row, ir.Constant(_I64, 2 * lanes * i))
                    k = builder.load(_at(builder, keys_addr, at, 2, halves), align=2)
                    for v, q in enumerate(broadcast):
                        slot = slots[v * per_vector + i]
                        builder.store(builder.add(builder.load(slot), _pmadd(builder, k, q, lanes)), slot)
            for v, out_addr in enumerate(outs):
                for i in range(per_vector):
                    j = builder.add(first, ir.Constant(_I64, lanes * i))
                    builder.store(builder.load(slots[v * per_vector + i]), _at(builder, out_addr, j, 4, vector), align=4)
        return context.get_dummy_value()

    return codegen


@intrinsic
def pair_scores(typingctx, out_addr, keys_addr, pair_stride, q_addr, pairs, blocks):
    """out[j] = Σ_p q[2p] k[p, j, 0] + q[2p+1] k[p, j, 1] for j < BLOCK × blocks, as int32.

    keys_addr: int16 in pairs, k[p, j, :] at element p × pair_stride + 2j; q_addr: int16 (2 × pairs,);
    out_addr: int32 (BLOCK × blocks,). Addresses in bytes. Attention scores (p: pairs of a head's
    dimensions, j: positions) and linear layers (p: pairs of inputs, j: outputs) both take this form."""
    return types.void(*[types.intp] * 6), _pair_scores(1)


@intrinsic
def pair_scores2(typingctx, out_a, out_b, keys_addr, pair_stride, q_a, q_b, pairs, blocks):
    """pair_scores for two q vectors over the same keys, each key read once: out_a from q_a, out_b from q_b
    (a linear layer's two rows, or one row's high and low halves)."""
    return types.void(*[types.intp] * 8), _pair_scores(2)


@intrinsic
def weighted_rows(typingctx, out_addr, rows_addr, row_stride, high_addr, low_addr, rows, blocks):
    """For each row r < rows: out[2r] = Σ_j high[j] x[r, j] and out[2r + 1] = Σ_j low[j] x[r, j] for
    j < BLOCK × blocks, as int32 (wrapping). rows_addr: int16, x[r, j] at element r × row_stride + j;
    high_addr, low_addr: int16 (BLOCK × blocks,); out_addr: int32 (2 × rows,). Each row is read once
    for both sums (attention's weighted values, the weights split into two halves)."""
    sig = types.void(types.intp, types.intp, types.intp, types.intp, types.intp, types.intp, types.intp)

    def codegen(context, builder, signature, args):
        out_addr, rows_addr, row_stride, high_addr, low_addr, rows, blocks = args
        lanes = _lanes()
        halves = ir.VectorType(_I16, 2 * lanes)
        parts = BLOCK // (2 * lanes)
        slots, vector = _accumulators(builder, 2 * parts, lanes)
        with cgutils.for_range(builder, rows) as row:
            start = builder.mul(row.index, row_stride)
            for slot in slots:
                builder.store(ir.Constant(vector, None), slot)
            with cgutils.for_range(builder, blocks) as block:
                first = builder.mul(block.index, ir.Constant(_I64, BLOCK))
                for i in range(parts):
                    at = builder.add(first, ir.Constant(_I64, 2 * lanes * i))
                    x = builder.load(_at(builder, rows_addr, builder.add(start, at), 2, halves), align=2)
                    for weights_addr, slot in ((high_addr, slots[i]), (low_addr, slots[parts + i])):
                        w = builder.load(_at(builder, weights_addr, at, 2, halves), align=2)
                        builder.store(builder.add(builder.load(slot), _pmadd(builder, x, w, lanes)), slot)
            for half in range(2):
                total = builder.load(slots[half * parts])
                for slot in slots[half * parts + 1 : (half + 1) * parts]:
                    total = builder.add(total, builder.load(slot))
                add_lanes = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_I32, [vector]),
                                                           f"llvm.vector.reduce.add.v{lanes}i32")
                out = builder.call(add_lanes, [total])
                where = builder.add(builder.mul(row.index, ir.Constant(_I64, 2)), ir.Constant(_I64, half))
                builder.store(out, _at(builder, out_addr, where, 4, _I32))
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def table_weights(typingctx, scores_addr, count, best, last, table_addr, high_addr, low_addr, sums_addr):
    """For j < count (a multiple of 8): t = table[int(min(best − scores[j], last))], high[j] = t >> 16 and
    low[j] = t & 0xFFFF (int16), and sums = (Σ high, Σ low) as int32 (2,). scores: float64, finite and at most
    best; table: int32 entries high << 16 | low, both halves non-negative; addresses in bytes.

    Attention's table lookups, eight a gather (llvm.masked.gather: vpgatherdd on AVX2, a load a lane
    elsewhere): numba's loop loads one entry at a time."""
    sig = types.void(types.intp, types.intp, types.float64, types.float64, types.intp, types.intp, types.intp,
                     types.intp)

    def codegen(context, builder, signature, args):
        scores_addr, count, best, last, table_addr, high_addr, low_addr, sums_addr = args
        lanes = 8
        doubles, ints = ir.VectorType(ir.DoubleType(), lanes), ir.VectorType(_I32, lanes)
        halves, wide = ir.VectorType(_I16, lanes), ir.VectorType(_I64, lanes)
        pointers = ir.VectorType(_I32.as_pointer(), lanes)
        everywhere = ir.Constant(ir.VectorType(ir.IntType(1), lanes), [1] * lanes)
        gather = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ints, [pointers, _I32, everywhere.type, ints]),
            f"llvm.masked.gather.v{lanes}i32.v{lanes}p0")
        add_lanes = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_I32, [ints]),
                                                   f"llvm.vector.reduce.add.v{lanes}i32")

        def splat(value, vector):
            v = builder.insert_element(ir.Constant(vector, ir.Undefined), value, ir.Constant(_I32, 0))
            return builder.shuffle_vector(v, v, ir.Constant(ir.VectorType(_I32, lanes), [0] * lanes))

        best_v, last_v, base = splat(best, doubles), splat(last, doubles), splat(table_addr, wide)
        sums = cgutils.alloca_once(builder, ints, 2)  # Σ high, Σ low, lane by lane
        for half in range(2):
            builder.store(ir.Constant(ints, None), builder.gep(sums, [ir.Constant(_I32, half)]))
        with cgutils.for_range(builder, builder.udiv(count, ir.Constant(_I64, lanes))) as loop:
            at = builder.mul(loop.index, ir.Constant(_I64, lanes))
            below = builder.fsub(best_v, builder.load(_at(builder, scores_addr, at, 8, doubles), align=8))
            row = builder.sext(builder.fptosi(builder.select(builder.fcmp_ordered("<", below, last_v), below, last_v),
                                              ints), wide)
            where = builder.inttoptr(builder.add(base, builder.mul(row, ir.Constant(wide, [4] * lanes))), pointers)
            entry = builder.call(gather, [where, ir.Constant(_I32, 4), everywhere, ir.Constant(ints, ir.Undefined)])
            for half, (part, addr) in enumerate(((builder.ashr(entry, ir.Constant(ints, [16] * lanes)), high_addr),
                                                 (builder.and_(entry, ir.Constant(ints, [0xFFFF] * lanes)), low_addr))):
                builder.store(builder.trunc(part, halves), _at(builder, addr, at, 2, halves), align=2)
                total = builder.gep(sums, [ir.Constant(_I32, half)])
                builder.store(builder.add(builder.load(total), part), total)
        for half in range(2):
            total = builder.call(add_lanes, [builder.load(builder.gep(sums, [ir.Constant(_I32, half)]))])
            builder.store(total, _at(builder, sums_addr, ir.Constant(_I64, half), 4, _I32))
        return context.get_dummy_value()

    return sig, codegen
