"""Exact DEFLATE code lengths, in bits, of a context followed by each of the 256 bytes (or by
each of a list of byte strings: the multi-byte continuations generation scores).

Python's zlib reports whole bytes only, so most next-byte candidates tie. The system
libz reports more: after a Z_BLOCK flush, `deflatePending` gives the bits not yet
written, so 8 · bytes out + pending bits is the exact length of the stream so far.

Fast path: the context is fed once; each candidate runs on a `deflateCopy` of that
state, so only the unparsed look-ahead (the last 262 bytes), the Huffman trees and
the block are redone per candidate. The 256 candidates run in a numba `prange` (no
GIL) that calls libz directly.

The codec is the registered gzip's: raw DEFLATE, level 9, 32 KiB window, memLevel 9.
The state deflateCopy copies (window, hash table, symbol buffer: 400 KB at those
settings, more than the work at a 2 KB context) is sized to the context instead: a
window that holds it and a symbol buffer that holds one block of it. Neither limit
is reached, so the code lengths are those of the full-size state (tested on text,
images and random bytes; `size_state_to_context=False` turns it off).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
from typing import Optional

import numpy as np
from numba import njit, prange

from gencomp.compressors.deflate_window import MAX_CONTEXT_BYTES, MIN_LOOKAHEAD
from gencomp.errors import GencompError

Z_NO_FLUSH, Z_BLOCK = 0, 5
# numba's built-in "workqueue" threading layer (where OpenMP and TBB are missing) aborts the process
# when two threads enter a parallel region at once, as two app users would: one region at a time.
_PARALLEL_REGION = threading.Lock()


class _ZStream(ctypes.Structure):
    """zlib's z_stream, as zlib.h lays it out (the offsets are read from here, not assumed)."""

    _fields_ = [
        ("next_in", ctypes.c_void_p), ("avail_in", ctypes.c_uint), ("total_in", ctypes.c_ulong),
        ("next_out", ctypes.c_void_p), ("avail_out", ctypes.c_uint), ("total_out", ctypes.c_ulong),
        ("msg", ctypes.c_char_p), ("state", ctypes.c_void_p),
        ("zalloc", ctypes.c_void_p), ("zfree", ctypes.c_void_p), ("opaque", ctypes.c_void_p),
        ("data_type", ctypes.c_int), ("adler", ctypes.c_ulong), ("reserved", ctypes.c_ulong),
    ]


@functools.lru_cache(maxsize=1)
def _libz():
    """(library, its version, the njit-callable functions) or a GencompError naming what is missing."""
    name = ctypes.util.find_library("z")
    if name is None:
        raise GencompError("exact deflate bit lengths need the system zlib (libz), which was not found")
    lib = ctypes.CDLL(name)
    lib.zlibVersion.restype = ctypes.c_char_p
    addr = ctypes.c_size_t  # pointers pass as integers, so numba can hand over array addresses
    fns = (
        ctypes.CFUNCTYPE(ctypes.c_int, addr, addr)(("deflateCopy", lib)),
        ctypes.CFUNCTYPE(ctypes.c_int, addr, ctypes.c_int)(("deflate", lib)),
        ctypes.CFUNCTYPE(ctypes.c_int, addr, addr, addr)(("deflatePending", lib)),
        ctypes.CFUNCTYPE(ctypes.c_int, addr)(("deflateEnd", lib)),
    )
    return lib, lib.zlibVersion(), fns


def _offsets() -> np.ndarray:
    f = _ZStream
    return np.array([f.next_in.offset, f.avail_in.offset, f.next_out.offset, f.avail_out.offset,
                     f.total_out.offset, ctypes.sizeof(_ZStream)], np.int64)


@functools.lru_cache(maxsize=1)
def _candidate_kernel():
    """Compile the per-candidate loop against this process's libz (once)."""
    deflate_copy, deflate, deflate_pending, deflate_end = _libz()[2]

    @njit(parallel=True, nogil=True)
    def kernel(base_addr, flat, starts, lengths, offsets, n_workers, out_capacity):
        """bits[i] = exact bits of the base stream followed by flat[starts[i] : starts[i] + lengths[i]];
        -1 where libz failed."""
        o_next_in, o_avail_in, o_next_out, o_avail_out, o_total_out, size = offsets
        n = len(starts)
        bits = np.empty(n, np.int64)
        streams = np.zeros((n_workers, size), np.uint8)
        outputs = np.empty((n_workers, out_capacity), np.uint8)
        pending = np.zeros((n_workers, 2), np.int32)  # (unsigned pending bytes, int bits)
        per_worker = (n + n_workers - 1) // n_workers
        for w in prange(n_workers):
            stream = streams[w]
            s = stream.ctypes.data
            for x in range(w * per_worker, min(n, (w + 1) * per_worker)):
                if deflate_copy(s, base_addr) != 0:
                    bits[x] = -1
                    continue
                stream[o_next_in : o_next_in + 8].view(np.uint64)[0] = flat.ctypes.data + starts[x]
                stream[o_avail_in : o_avail_in + 4].view(np.uint32)[0] = lengths[x]
                stream[o_next_out : o_next_out + 8].view(np.uint64)[0] = outputs[w].ctypes.data
                stream[o_avail_out : o_avail_out + 4].view(np.uint32)[0] = out_capacity
                status = deflate(s, Z_BLOCK)
                p = pending[w].ctypes.data
                deflate_pending(s, p, p + 4)
                total_out = stream[o_total_out : o_total_out + 8].view(np.uint64)[0]
                if status == 0:
                    bits[x] = 8 * (np.int64(total_out) + pending[w, 0]) + pending[w, 1]
                else:
                    bits[x] = -1
                deflate_end(s)
        return bits

    return kernel


def window_bits_for(context_bytes: int) -> int:
    """Smallest DEFLATE window (9 … 15 bits) that holds the context, a one-byte candidate and the
    look-ahead (pass context + candidate length - 1 for longer candidates)."""
    need = context_bytes + 1 + MIN_LOOKAHEAD
    return max(9, (need - 1).bit_length())


def mem_level_for(context_bytes: int) -> int:
    """Smallest memLevel (1 … 9) whose symbol buffer, 2^(memLevel + 6) symbols, holds context + candidate."""
    return min(9, max(1, context_bytes.bit_length() - 6))


class DeflateBits:
    """Exact bits of DEFLATE level 9 on context + each byte; see the module docstring."""

    def __init__(self, workers: int = 2, size_state_to_context: bool = True):
        _libz()  # fail early, with a clear message, where there is no libz
        self.workers, self.size_state_to_context = workers, size_state_to_context

    def __call__(self, context: bytes, candidates: Optional[np.ndarray] = None) -> np.ndarray:
        """(N,) int64: exact code length in bits of DEFLATE(context + bytes([x])) for each candidate
        byte x (default: all 256, in order)."""
        candidates = np.arange(256, dtype=np.uint8) if candidates is None else np.asarray(candidates, np.uint8)
        ones = np.ones(len(candidates), np.int64)
        return self._score(context, np.ascontiguousarray(candidates), np.arange(len(candidates), dtype=np.int64), ones)

    def continuations(self, context: bytes, suffixes: list[bytes]) -> np.ndarray:
        """(N,) int64: exact code length in bits of DEFLATE(context + s) for each non-empty byte string s."""
        lengths = np.array([len(x) for x in suffixes], np.int64)
        if len(lengths) and lengths.min() < 1:
            raise GencompError("continuations must be non-empty byte strings")
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        return self._score(context, np.frombuffer(b"".join(suffixes) or b"\0", np.uint8).copy(), starts, lengths)

    def _score(self, context: bytes, flat: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        longest = int(lengths.max()) if len(lengths) else 1
        if len(context) + longest - 1 > MAX_CONTEXT_BYTES:
            raise GencompError(f"deflate scores contexts of at most {MAX_CONTEXT_BYTES} bytes, got {len(context)}"
                               + (f" followed by {longest} bytes" if longest > 1 else ""))
        lib, version, _ = _libz()
        base = _ZStream()
        window_bits, mem_level = 15, 9
        if self.size_state_to_context:
            sized = len(context) + longest - 1
            window_bits, mem_level = window_bits_for(sized), mem_level_for(sized)
        status = lib.deflateInit2_(ctypes.byref(base), 9, 8, -window_bits, mem_level, 0, version, ctypes.sizeof(_ZStream))
        if status != 0:
            raise GencompError(f"libz deflateInit2 failed with status {status}")
        try:
            data = ctypes.create_string_buffer(bytes(context), max(1, len(context)))
            capacity = len(context) + longest + (len(context) + longest) // 8 + 1024  # DEFLATE's worst case is far smaller
            sink = ctypes.create_string_buffer(capacity)
            base.next_in, base.avail_in = ctypes.addressof(data), len(context)
            base.next_out, base.avail_out = ctypes.addressof(sink), capacity
            if lib.deflate(ctypes.byref(base), Z_NO_FLUSH) not in (0, -5):  # -5: nothing to do
                raise GencompError("libz deflate failed on the context")
            kernel = _candidate_kernel()
            with _PARALLEL_REGION:
                bits = kernel(ctypes.addressof(base), flat, starts, lengths, _offsets(), self.workers, capacity)
        finally:
            lib.deflateEnd(ctypes.byref(base))
        if (bits < 0).any():
            raise GencompError("libz failed while scoring next-byte candidates")
        return bits
