"""Speed-up of a model codec on a Dask cluster of N local worker processes against one local
process, in one run, on the same input; the two archives must be byte-identical.

    python benchmarks/cluster_speedup.py [--codec lm:tiny] [--workers 2] [--kib 256] [--json out.json]

The cluster is started and each worker loads the model before the clock starts (a cluster is
started once and serves many files). Two local baselines: `gencomp compress` as a user runs it
(numpy's BLAS on every core), and the same on one BLAS thread, what each cluster worker gets.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

from gencomp.archive.stream import compress_stream
from gencomp.cluster import frame_mapper
from gencomp.compressors import get_compressor
from gencomp.data.corpus import shared_data_dir


def timed(fn) -> tuple[float, bytes]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codec", default="lm:tiny")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kib", type=int, default=256)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    text = (shared_data_dir() / "corpus" / "debian-handbook-en.txt").read_bytes()
    data = text[len(text) // 2 :][: args.kib << 10]
    compressor = get_compressor(args.codec)
    compressor.compress(data[:4096])  # load the model and compile outside the timing

    def local() -> bytes:
        sink = io.BytesIO()
        compress_stream(compressor, io.BytesIO(data), sink)
        return sink.getvalue()

    t_local, blob_local = timed(local)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        t_one_thread, _ = timed(local)
    with frame_mapper(f"local:{args.workers}") as map_frames:
        list(map_frames(args.codec, get_compressor(args.codec).chunk_size_bytes, [data[:4096]] * args.workers))  # warm-up

        def cluster() -> bytes:
            sink = io.BytesIO()
            compress_stream(compressor, io.BytesIO(data), sink, map_frames=map_frames)
            return sink.getvalue()

        t_cluster, blob_cluster = timed(cluster)
    assert blob_cluster == blob_local, "the cluster's archive differs from the local one"
    row = {"codec": args.codec, "input_bytes": len(data), "workers": args.workers, "local_s": t_local,
           "local_one_thread_s": t_one_thread, "cluster_s": t_cluster, "speedup": t_local / t_cluster,
           "speedup_per_worker": t_local / t_cluster / args.workers,
           "speedup_vs_one_thread_per_worker": t_one_thread / t_cluster / args.workers, "archives_identical": True}
    kbs = lambda t: f"{t:.1f} s ({len(data) / t / 1e3:.1f} KB/s)"
    print(f"{args.codec} on {len(data) >> 10} KiB: one process {kbs(t_local)}, one process on one BLAS thread "
          f"{kbs(t_one_thread)}, local:{args.workers} cluster {kbs(t_cluster)}: {row['speedup']:.2f}x the process "
          f"= {row['speedup_per_worker']:.2f} x N ({row['speedup_vs_one_thread_per_worker']:.2f} x N against one "
          f"thread); archives byte-identical")
    if args.json:
        args.json.write_text(json.dumps(row, indent=1))


if __name__ == "__main__":
    main()
