"""Measure compression rates with chunks spread over processes (or a cluster).

Chunks are independent, so an evaluation is a list of `RateTask`s (a codec spec, a chunking
and a slice of whole chunks) and a pure function, `run_task`, from a task to its payload size.
`run_tasks` maps it with any executor that has `map(fn, iterable)`:

- default: a local process pool on every core (one thread per process: gencomp.jit.limit_threads);
- Dask: `client.get_executor()` from `dask.distributed.Client(...)`;
- Ray: `ray.util.multiprocessing.Pool()`.

Each worker builds its compressor from the spec (models load once per process), so a task
carries only names and bytes and needs no shared state.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from gencomp.compressors import get_compressor
from gencomp.evaluation.bench import rate_row
from gencomp.jit import limit_threads

BYTES_PER_TASK = 16 * 2048  # small enough to balance two cores, large enough to batch a model's chunks


@dataclass(frozen=True)
class RateTask:
    codec: str
    chunk_size_bytes: int  # 0: the data is one stream
    modality: str
    data: bytes


@functools.lru_cache(maxsize=16)
def _compressor(codec: str, chunk_size_bytes: int):
    return get_compressor(codec, chunk_size_bytes)


def run_task(task: RateTask) -> dict:
    """One task's rate_row: payload bytes and seconds (no archive header, as the paper counts)."""
    return rate_row(task.codec, _compressor(task.codec, task.chunk_size_bytes), task.modality, task.data)


def split_tasks(codec: str, chunk_size_bytes: int, modality: str, data: bytes) -> list[RateTask]:
    """Whole chunks grouped into tasks of about BYTES_PER_TASK; one task for a single stream."""
    if chunk_size_bytes == 0:
        return [RateTask(codec, 0, modality, data)]
    step = max(chunk_size_bytes, BYTES_PER_TASK // chunk_size_bytes * chunk_size_bytes)
    return [RateTask(codec, chunk_size_bytes, modality, data[i : i + step]) for i in range(0, len(data), step)]


def merge(parts: list[dict]) -> list[dict]:
    """Sum the tasks of each (codec, chunking, modality) into one row with its raw rate."""
    rows: dict[tuple, dict] = {}
    for p in parts:
        key = (p["codec"], p["chunk_size_bytes"], p["modality"])
        row = rows.setdefault(key, {**p, "raw_bytes": 0, "compressed_bytes": 0, "seconds": 0.0})
        for field in ("raw_bytes", "compressed_bytes", "seconds"):
            row[field] += p[field]
    for row in rows.values():
        row["rate"] = row["compressed_bytes"] / row["raw_bytes"] if row["raw_bytes"] else 0.0
    return list(rows.values())


def run_tasks(tasks: Iterable[RateTask], executor=None, workers: Optional[int] = None,
              progress: Optional[Callable[[int], None]] = None) -> list[dict]:
    """Rows (one per codec, chunking and modality) from all tasks, run on `executor` or on a local
    pool of `workers` processes (default: every core). progress gets raw bytes as tasks finish."""
    tasks = list(tasks)
    if executor is None:
        # spawn, not fork: a forked child of a process that ran torch or numba threads can deadlock
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers or os.cpu_count() or 1, context, initializer=limit_threads,
                                 initargs=(1,)) as pool:
            return run_tasks(tasks, pool, progress=progress)
    parts = []
    for part in executor.map(run_task, tasks):
        parts.append(part)
        if progress:
            progress(part["raw_bytes"])
    return merge(parts)
