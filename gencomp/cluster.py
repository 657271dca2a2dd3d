"""Run frames and Table 1 tasks on a Dask distributed cluster (pip install 'gencomp[cluster]').

ADDRESS is a running scheduler (`tcp://host:8786`, started with `dask scheduler` and joined by
`dask worker tcp://host:8786` on each machine) or `local:N`, a cluster of N worker processes on
this machine. Workers rebuild codecs from their registry specs, so archives are byte-identical
to local ones and Table 1 figures equal.
"""

from __future__ import annotations

import collections
import contextlib
import functools
from typing import Iterable, Iterator

from gencomp.archive.stream import MapFrames, encode_frame
from gencomp.compressors import Compressor, get_compressor
from gencomp.errors import GencompError
from gencomp.jit import limit_threads

FRAMES_IN_FLIGHT_PER_WORKER = 2  # bounds memory: frames waiting for a worker or for their turn to be written
# Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which turns off glibc's adaptive mmap
# threshold: every large numpy temporary of a model codec is then a fresh mmap, faulted in page by
# page (3.6 million page faults and 9.5 s of system time for a 64 KiB frame of lm:tiny, 3x slower than
# a plain process). These keep freed memory for reuse; glibc reads them only at process start, so
# they go in Dask's pre-spawn environment (remote workers: see docs/streams.md).
WORKER_MALLOC = {"MALLOC_TRIM_THRESHOLD_": str(1 << 30), "MALLOC_MMAP_THRESHOLD_": str(32 << 20)}
WORKER_THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}  # a worker per core


def _client(address: str):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise GencompError("--cluster needs Dask distributed: pip install 'gencomp[cluster]'") from None
    if address.startswith("local:"):
        try:
            workers = int(address.partition(":")[2])
        except ValueError:
            workers = 0
        if workers < 1:
            raise GencompError(f"{address!r}: give the number of local worker processes, e.g. local:2")
        import dask

        with dask.config.set({"distributed.nanny.pre-spawn-environ": WORKER_MALLOC | WORKER_THREADS}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(address, timeout="5s"), None
    except (OSError, TimeoutError) as exc:
        raise GencompError(f"cannot reach the Dask scheduler at {address} ({exc})") from None


@contextlib.contextmanager
def connect(address: str):
    """A dask.distributed Client for ADDRESS, closed (and a local:N cluster shut down) afterwards."""
    client, cluster = _client(address)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@functools.lru_cache(maxsize=8)
def _registered(spec: str, chunk_size_bytes: int) -> Compressor:
    limit_threads(1)  # a cluster runs a worker process per core: threads on top would oversubscribe it
    return get_compressor(spec, chunk_size_bytes)


def encode_frame_by_spec(spec: str, chunk_size_bytes: int, data: bytes) -> bytes:
    """encode_frame with the codec rebuilt from its spec (once per process): what a cluster worker runs."""
    return encode_frame(_registered(spec, chunk_size_bytes), data)


@contextlib.contextmanager
def frame_mapper(address: str) -> Iterator[MapFrames]:
    """A map_frames for gencomp.archive.stream.compress_stream that encodes frames on the cluster, each
    worker rebuilding the codec from its spec: packed frames in order, at most
    FRAMES_IN_FLIGHT_PER_WORKER frames per worker held at once."""
    with connect(address) as client:
        def map_frames(spec: str, chunk_size_bytes: int, frames: Iterable[bytes]) -> Iterator[bytes]:
            window = FRAMES_IN_FLIGHT_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))
            pending: collections.deque = collections.deque()
            for frame in frames:
                pending.append(client.submit(encode_frame_by_spec, spec, chunk_size_bytes, frame, pure=False))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

        yield map_frames


@contextlib.contextmanager
def executor(address: str):
    """An executor with map(fn, iterable) on the cluster, for gencomp.evaluation.parallel.run_tasks."""
    with connect(address) as client:
        yield client.get_executor(pure=False)
