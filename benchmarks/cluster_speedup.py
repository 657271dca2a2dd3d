"""Speed-up of a model codec on a Dask cluster of N local worker processes against one local
process, in one run, on the same input; the two archives must be byte-identical.

    python benchmarks/cluster_speedup.py [--codec lm:tiny] [--workers 2] [--kib 256] [--json out.json]

The cluster is started and each worker loads the model before the clock starts (a cluster is
started once and serves many files); the local run is `gencomp compress` as a user runs it.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

from gencomp.cluster import frame_mapper
from gencomp.compressors import get_compressor
from gencomp.compressors.frames import compress_stream
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
    with frame_mapper(f"local:{args.workers}") as map_frames:
        list(map_frames(lambda frame: len(get_compressor(args.codec).compress(frame)), [data[:4096]] * args.workers))

        def cluster() -> bytes:
            sink = io.BytesIO()
            compress_stream(compressor, io.BytesIO(data), sink, map_frames=map_frames)
            return sink.getvalue()

        t_cluster, blob_cluster = timed(cluster)
    assert blob_cluster == blob_local, "the cluster's archive differs from the local one"
    row = {"codec": args.codec, "input_bytes": len(data), "workers": args.workers, "local_s": t_local,
           "cluster_s": t_cluster, "speedup": t_local / t_cluster, "speedup_per_worker": t_local / t_cluster / args.workers,
           "archives_identical": True}
    print(f"{args.codec} on {len(data) >> 10} KiB: one process {t_local:.1f} s ({len(data) / t_local / 1e3:.1f} KB/s), "
          f"local:{args.workers} cluster {t_cluster:.1f} s ({len(data) / t_cluster / 1e3:.1f} KB/s): "
          f"{row['speedup']:.2f}x = {row['speedup_per_worker']:.2f} x N; archives byte-identical")
    if args.json:
        args.json.write_text(json.dumps(row, indent=1))


if __name__ == "__main__":
    main()
