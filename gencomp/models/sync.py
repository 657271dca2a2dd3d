"""Acquire loads and release stores of int64 array elements, for compiled kernels that hand work to each other on
two threads (numba has no atomics; a plain load in a spin loop may be hoisted out of it).

A thread that writes data and then `store_release`s a flag makes the data visible to a thread that
`load_acquire`s that flag's new value (the C++11 memory model's release/acquire pair). A thread that
waits on a flag spins, then yields its core (`yield_cpu`): where the threads outnumber the free cores, the
thread it waits for may need that core.

Importing this module imports numba."""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


def _element(context, builder, array_type, array, index):
    view = context.make_array(array_type)(context, builder, array)
    return cgutils.get_item_pointer(context, builder, array_type, view, [index])


@intrinsic
def load_acquire(typingctx, array, index):
    """array[index] (a 1-D int64 array), read with acquire ordering."""
    if not (isinstance(array, types.Array) and array.dtype == types.int64 and array.ndim == 1):
        return None

    def codegen(context, builder, signature, args):
        return builder.load_atomic(_element(context, builder, signature.args[0], *args), "acquire", 8)

    return types.int64(array, index), codegen


@intrinsic
def store_release(typingctx, array, index, value):
    """array[index] = value (a 1-D int64 array, an int64), written with release ordering."""
    if not (isinstance(array, types.Array) and array.dtype == types.int64 and array.ndim == 1):
        return None

    def codegen(context, builder, signature, args):
        array_type, index_type, value_type = signature.args
        value = context.cast(builder, args[2], value_type, types.int64)
        builder.store_atomic(value, _element(context, builder, array_type, args[0], args[1]), "release", 8)
        return context.get_dummy_value()

    return types.none(array, index, value), codegen


@intrinsic
def yield_cpu(typingctx):
    """sched_yield(2): another thread that is ready to run may have this core (POSIX only)."""

    def codegen(context, builder, signature, args):
        function = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(32), []), "sched_yield")
        builder.call(function, [])
        return context.get_dummy_value()

    return types.none(), codegen
