"""A context-mixing model's memory (State) and how a fresh one is made (new_state)."""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from typing import Union

import numpy as np

from gencomp.models.context_mixing.audio import Audio
from gencomp.models.context_mixing.core import (
    A_3,
    A_COUNT,
    APM_BUCKETS,
    APM_SIZE,
    COUNT_BUCKETS,
    INPUT_WEIGHT,
    KIND_APM_SIZE,
    M_FINAL,
    begin_byte,
)
from gencomp.models.context_mixing.counters import COUNTER_INIT, SQUASH, STRETCH
from gencomp.models.context_mixing.image import Image
from gencomp.models.context_mixing.layout import (
    DIRECT_SIZE,
    HASHED,
    KIND_MAPS_SIZE,
    N_MIXERS,
    R_ACTIVE,
    R_BYTE_FINAL,
    R_CONTEXT_LIMIT,
    R_DECAY,
    R_DECAY_LOW,
    R_DECAY_SHIFT,
    R_FINE,
    R_INPUTS,
    R_KIND,
    R_KIND_APMS,
    R_MAPS,
    R_MATCH_MIN,
    R_MIXER_SKIP,
    R_MIXERS,
    R_MODEL,
    R_REFINED,
    R_REVISION,
    R_RUNS,
    R_SETTLED,
    R_SLOT,
    R_TOKEN,
    X_EXT,
    X_HASHED,
)
from gencomp.models.context_mixing.orders import Bytes

Model = Union[Bytes, Image, Audio]  # what the model codes, with the settings of that kind's sub-model
HUGE_PAGE_BYTES = 2 << 20
MADV_POPULATE_WRITE = getattr(mmap, "MADV_POPULATE_WRITE", 23)  # Linux 5.14 on; Python names it from 3.13


@dataclass
class State:
    """One model's memory. table: (slots · 16,) uint32; direct: counters; mixer: int64 (each weight
    within ±2^24; 64 bits spare the kernel a widening per product); apm: int32; match: (2^k,) int32
    positions; regs: (layout.R_MODEL + the kind's registers,) int64 registers."""

    table: np.ndarray
    direct: np.ndarray
    mixer: np.ndarray
    apm: np.ndarray
    match: np.ndarray
    regs: np.ndarray

    @property
    def arrays(self) -> tuple:
        return self.table, self.direct, self.mixer, self.apm, self.match, self.regs

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.arrays)


def new_state(slot_bits: int, match_bits: int, history: np.ndarray, model: Model = Bytes(),
              ext_weight: int = INPUT_WEIGHT, input_weight: int = INPUT_WEIGHT, short: bool = False) -> State:
    """A fresh `model` with 2^slot_bits 64-byte slots and a 2^match_bits match index, positioned
    before history[0] (history: the uint8 buffer its bytes will be written to, in order).
    ext_weight: the external input's initial mixing weight (2^16 = 1.0); input_weight: every other
    input's (0 where the model starts from its external input alone: Audio.external_alone). short: the stream
    is short (compressors.cm.SHORT_STREAM_BYTES or less), where a model with short_final_by_bit chooses its second
    layer's weights by the bit position, as an unsettled core does."""
    mixers = 7 if model.groups else 6 if model.runs else 4 if model.refined else 3
    maps = model.relative_maps
    tokens = int(model.tokens)
    inputs = X_HASHED + model.contexts * (1 + model.refined + model.runs) + maps + 2 * tokens  # each weight set's size
    byte_final = model.settled and not (short and model.short_final_by_bit)
    final_sets = 256 if byte_final else 8  # chosen by the partial byte, or the bit position (core.predict)
    decay = model.mixer_decay  # (start, floor, shift) or None: layout.R_DECAY
    mixer = np.zeros(M_FINAL * inputs + final_sets * N_MIXERS + (M_FINAL if decay else 0), np.int64)
    first_layer = mixer[: M_FINAL * inputs].reshape(M_FINAL, inputs)
    first_layer[:, : X_HASHED + model.contexts] = 0 if model.external_alone else input_weight
    first_layer[:, inputs - maps - 2 * tokens : inputs] = input_weight
    first_layer[:, X_EXT] = ext_weight  # count-map and run inputs start at 0: they join as they learn
    mixer[M_FINAL * inputs : M_FINAL * inputs + final_sets * N_MIXERS].reshape(final_sets, N_MIXERS)[:, :mixers] = (
        (1 << 16) // mixers)
    apm = _zeroed_in_huge_pages(APM_SIZE if model.refined else KIND_APM_SIZE if model.kind_apms else A_3, np.int32)
    stretch_at = ((np.arange(APM_BUCKETS) - 16) * 128).clip(-2047, 2047)
    apm[: A_COUNT if model.refined else apm.shape[0]].reshape(-1, APM_BUCKETS)[:] = SQUASH[stretch_at + 2048] * 16
    if model.refined:  # each count map starts as the identity: its buckets' centres
        apm[A_COUNT:].reshape(-1, COUNT_BUCKETS)[:] = SQUASH[(np.arange(COUNT_BUCKETS) << 6) + 32] * 16
    regs = np.zeros(R_MODEL + model.registers, np.int64)
    regs[R_KIND], regs[R_ACTIVE], regs[R_REVISION] = model.kind, model.contexts, model.revision
    regs[R_REFINED], regs[R_MIXERS], regs[R_MATCH_MIN] = model.refined, mixers, model.match_min_bytes
    regs[R_RUNS], regs[R_CONTEXT_LIMIT] = model.runs, model.context_limit
    regs[R_INPUTS], regs[R_MAPS], regs[R_SETTLED] = inputs, maps, model.settled
    regs[R_MIXER_SKIP], regs[R_BYTE_FINAL], regs[R_TOKEN] = model.mixer_skip, byte_final, tokens
    regs[R_FINE], regs[R_KIND_APMS] = model.fine, model.kind_apms
    if decay:
        regs[R_DECAY], regs[R_DECAY_LOW], regs[R_DECAY_SHIFT] = decay
    regs[R_SLOT : R_SLOT + HASHED] = -1  # contexts past R_ACTIVE stay absent
    model.init(regs)
    direct = np.full(DIRECT_SIZE + (KIND_MAPS_SIZE if maps else 0), COUNTER_INIT, np.uint32)
    state = State(_zeroed_in_huge_pages((1 << slot_bits) * 16, np.uint32), direct, mixer, apm,
                  _zeroed_in_huge_pages(1 << match_bits, np.int32), regs)
    begin_byte(*state.arrays, history, SQUASH, STRETCH)
    return state


def initial_weights(model: Model, short: bool, short_inputs_weight: int = INPUT_WEIGHT) -> tuple[int, int]:
    """(external input's, every other input's) initial mixing weight (2^16 = 1.0). The external input is
    trusted at once by the image and audio models, whose built-in input is their best guess, and in a
    short stream of bytes, where the others start at short_inputs_weight; else 0.25 each."""
    if model.kind != Bytes.kind:
        return 1 << 16, INPUT_WEIGHT
    return (1 << 16, short_inputs_weight) if short else (INPUT_WEIGHT, INPUT_WEIGHT)


def _zeroed_in_huge_pages(count: int, dtype) -> np.ndarray:
    """np.zeros(count, dtype), in memory the kernel is asked to back with 2 MiB pages where it is
    2 MiB or more and the system has transparent huge pages (Linux; elsewhere plain np.zeros).
    Every byte coded looks up 16 random slots of the context table: with 4 KiB pages nearly each
    lookup also misses the TLB, and a fresh table's first touches fault a page each (16,384 for 64
    MiB); the APM and the match index are looked up at random too. The pages are then faulted in at
    once (MADV_POPULATE_WRITE): where the kernel had no huge pages free, a process's first 268 MB table
    (a 1.4 MB input) took 0.4–0.6 s of faults one by one, 0.03–0.1 s so. The contents, and so the
    archives, are the same either way; this is 3–10 % faster."""
    size = count * np.dtype(dtype).itemsize
    if size < HUGE_PAGE_BYTES or not hasattr(mmap, "MADV_HUGEPAGE"):
        return np.zeros(count, dtype)
    memory = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)  # zero-filled by the kernel
    for advice in (mmap.MADV_HUGEPAGE, MADV_POPULATE_WRITE):
        try:
            memory.madvise(advice)
        except OSError:  # a kernel without transparent huge pages (ordinary pages), or before Linux 5.14
            pass
    return np.frombuffer(memory, dtype)  # holds the mapping until the array goes
