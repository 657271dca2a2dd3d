"""mix's decoder loop: the context-mixing decoder and the transformer stepped in one compiled loop."""

from __future__ import annotations

import os
import threading

import numpy as np

from gencomp.jit import CACHE
from gencomp.models import context_mixing as cmx
from gencomp.models import exact_step
from gencomp.models.context_mixing.layout import R_MBYTE, R_MLEN
from gencomp.models.sync import load_acquire, store_release, yield_cpu
from gencomp.native import njit


@njit(cache=CACHE)
def decode_stepping(model, history, squash, stretch, start, stop, coder, buf, packed, keys, values, key_norms, meta,
                    window, ext):
    """Decode history[start:stop] with the transformer stepped in the same compiled loop: no Python
    between bytes. ext (1, 256): the transformer's weights for history[start]; the cache (keys,
    values, key_norms, meta) stands before it (exact_step.advance)."""
    token, fed = np.empty((1, 1), np.int64), ext.reshape((1, 1, ext.shape[1]))  # fed: a view of ext
    never = np.zeros(0, np.int64)
    for pos in range(start, stop):
        cmx.decode_bytes(*model, history, squash, stretch, ext, pos, pos + 1, coder, buf)
        if pos + 1 < stop:
            token[0, 0] = history[pos]
            exact_step.advance(token, packed, keys, values, key_norms, meta, window, fed, never, 0)


SEQ, POS, DONE = 0, 8, 16  # speculation's sync words, a cache line apart: the latest request (its number << 8 | its
#   token; negative: stop), its position, the number of the request last finished (FAILED: the thread failed)
SYNC_WORDS, FAILED = 24, -1
SPECULATES = os.name == "posix"  # where a waiting thread can yield its core (sync.yield_cpu: sched_yield)
SPINS = 1 << 14  # turns a thread waits on the other before it yields its core to whatever else is ready


@njit(cache=CACHE, nogil=True)
def decode_speculating(model, history, squash, stretch, start, stop, coder, buf, meta, ext, guessed, sync):
    """decode_stepping with the transformer on another thread (`speculate`, which owns its cache), a step
    ahead: while the byte at pos decodes, that thread advances the transformer by a guess of it (the match
    model's byte, else the transformer's likeliest), into guessed (1, 1, 256); where the byte decoded is
    another, the guess's step is called off and taken again with it. The same bytes as decode_stepping.
    Returns False where the other thread failed (history[start:stop] then incomplete)."""
    regs, first = model[5], meta[0]
    request = 0
    for pos in range(start, stop):
        ahead = pos + 1 < stop
        if ahead:
            guess = guessed_byte(regs, ext)
            request = _ask(sync, request, guess, first + pos - start)
        cmx.decode_bytes(*model, history, squash, stretch, ext, pos, pos + 1, coder, buf)
        if ahead:
            if history[pos] != guess:
                request = _ask(sync, request, np.int64(history[pos]), first + pos - start)
            spins = 0
            done = load_acquire(sync, DONE)
            while done != request:
                if done == FAILED:
                    return False
                spins = _spun(spins)
                done = load_acquire(sync, DONE)
            ext[0, :] = guessed[0, 0, :]
    return True


@njit(cache=CACHE, inline="always")
def guessed_byte(regs, ext):
    """The byte decode_speculating steps the transformer on ahead: the match model's expected byte where it has a
    match, else the transformer's likeliest (ext (1, 256): its weights for the byte)."""
    return regs[R_MBYTE] if regs[R_MLEN] > 0 else np.argmax(ext[0])


@njit(cache=CACHE, inline="always")
def _spun(spins):
    """One more turn of a wait: past SPINS turns (tens of microseconds), each yields the core; returns the count."""
    if spins >= SPINS:
        yield_cpu()
    return spins + 1


@njit(cache=CACHE, inline="always")
def _ask(sync, request, token, position):
    """Post request + 1: the step on `token` at `position` (calling off any step in progress); returns its number."""
    sync[POS] = position
    store_release(sync, SEQ, ((request + 1) << 8) | token)
    return request + 1


@njit(cache=CACHE, nogil=True)
def speculate(packed, keys, values, key_norms, meta, window, guessed, sync, cancel):
    """The other thread of decode_speculating: for each request posted in sync, advance the transformer by
    its token at its position, the weights into guessed, and publish its number at sync[DONE]; a step is
    called off when a newer request comes (cancel: a view of sync[SEQ]). Returns when sync[SEQ] is negative."""
    token = np.empty((1, 1), np.int64)
    done, spins = 0, 0
    while True:
        word = load_acquire(sync, SEQ)
        if word < 0:
            return
        if word >> 8 == done:
            spins = _spun(spins)
        else:
            spins = 0
            token[0, 0], meta[0] = word & 255, sync[POS]
            exact_step.advance(token, packed, keys, values, key_norms, meta, window, guessed, cancel, word)
            done = word >> 8
            store_release(sync, DONE, done)


def decode(model, history, start, stop, coder, buf, packed, cache, window, ext, threads: int) -> None:
    """Decode history[start:stop] (the arguments as decode_stepping's; cache: keys, values, key_norms, meta), the
    transformer's next steps taken ahead on a second thread where the caller may use `threads` of 2 or more and
    the system can yield a core (SPECULATES; decode_speculating)."""
    if threads < 2 or not SPECULATES or stop - start < 2:
        decode_stepping(model, history, cmx.SQUASH, cmx.STRETCH, start, stop, coder, buf, packed, *cache, window, ext)
        return
    sync, guessed, failures = np.zeros(SYNC_WORDS, np.int64), np.empty((1, 1, ext.shape[1]), np.int64), []

    def helper() -> None:
        try:
            speculate(packed, *cache, window, guessed, sync, sync[SEQ : SEQ + 1])
        except BaseException as error:  # noqa: BLE001 — handed to the decoding thread, which raises it
            failures.append(error)
            sync[DONE] = FAILED

    thread = threading.Thread(target=helper, name="gencomp-speculate", daemon=True)
    thread.start()
    try:
        finished = decode_speculating(model, history, cmx.SQUASH, cmx.STRETCH, start, stop, coder, buf, cache[3], ext,
                                      guessed, sync)
    finally:
        sync[SEQ] = -1
        thread.join()
    if not finished:
        raise failures[0]
