"""Exact coding on a device (a GPU) against the CPU's compiled kernel, in one run: speed both ways,
and the archives byte for byte.

The same held-out text (lm_speed.py's sources) is compressed with `lm:MODEL` on the CPU and on
--device; each archive must equal the other and decode on the other side (a GPU archive on the CPU,
a CPU archive on the GPU). The CPU side uses every core, the device side one process.

    python benchmarks/lm_device.py --device cuda [--model small-v3] [--bytes 1048576] [--cpu-bytes 131072]
                                   [--out lm_device]

The CPU codes --cpu-bytes (a prefix of the text; its speed does not depend on the length), the
device all --bytes, and the prefix's archive is checked both ways. `--device cpu:0` runs the torch
form on the CPU: a quick check of this script without a GPU.

Writes benchmarks/results/OUT.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from lm_speed import sample_text

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", required=True)
    parser.add_argument("--model", default="small-v3")
    parser.add_argument("--bytes", type=int, default=1 << 20)
    parser.add_argument("--cpu-bytes", type=int, default=1 << 17)
    parser.add_argument("--out", default="lm_device")
    args = parser.parse_args()

    from gencomp.compressors import get_compressor
    from gencomp.models.zoo import use_device

    data = sample_text(args.bytes)
    prefix = data[: args.cpu_bytes]
    codec = f"lm:{args.model}"
    on_cpu = get_compressor(codec)
    on_cpu.decompress(on_cpu.compress(prefix[:4096]))  # warm-up: kernels loaded
    cpu_archive, cpu_compress = timed(on_cpu.compress, prefix)
    _, cpu_decompress = timed(on_cpu.decompress, cpu_archive)

    use_device(args.device)
    on_device = get_compressor(codec)
    on_device.decompress(on_device.compress(prefix[:4096]))  # warm-up
    device_prefix_archive = on_device.compress(prefix)
    identical = device_prefix_archive == cpu_archive
    device_reads_cpu = on_device.decompress(cpu_archive) == prefix
    cpu_reads_device = on_cpu.decompress(device_prefix_archive) == prefix
    device_archive, device_compress = timed(on_device.compress, data)
    restored, device_decompress = timed(on_device.decompress, device_archive)
    os.environ.pop("GENCOMP_DEVICE")

    import torch

    row = {
        "model": args.model, "device": args.device,
        "device_name": torch.cuda.get_device_name() if args.device.startswith("cuda") else "torch on the CPU",
        "cpu_cores": os.cpu_count(), "cpu_bytes": len(prefix), "device_bytes": len(data),
        "cpu_compress_kb_s": len(prefix) / cpu_compress / 1e3, "cpu_decompress_kb_s": len(prefix) / cpu_decompress / 1e3,
        "device_compress_kb_s": len(data) / device_compress / 1e3,
        "device_decompress_kb_s": len(data) / device_decompress / 1e3,
        "identical_archives": identical, "device_reads_cpu_archive": device_reads_cpu,
        "cpu_reads_device_archive": cpu_reads_device, "device_round_trip": restored == data,
        "rate": len(device_archive) / len(data),
    }
    row["compress_speedup"] = row["device_compress_kb_s"] / row["cpu_compress_kb_s"]
    row["decompress_speedup"] = row["device_decompress_kb_s"] / row["cpu_decompress_kb_s"]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(row, indent=1) + "\n")
    table = (f"# `lm:{args.model}` on {row['device_name']} against the CPU kernel ({row['cpu_cores']} cores)\n\n"
             "| | compress KB/s | decompress KB/s |\n|---|---|---|\n"
             f"| CPU kernel ({len(prefix):,} bytes) | {row['cpu_compress_kb_s']:.1f} | {row['cpu_decompress_kb_s']:.1f} |\n"
             f"| {args.device} ({len(data):,} bytes) | {row['device_compress_kb_s']:.1f} | "
             f"{row['device_decompress_kb_s']:.1f} |\n"
             f"| speed-up | {row['compress_speedup']:.1f}× | {row['decompress_speedup']:.1f}× |\n\n"
             f"Archives of the same {len(prefix):,} bytes identical: {identical}; the device decodes the CPU's: "
             f"{device_reads_cpu}; the CPU decodes the device's: {cpu_reads_device}; the device's own round trip "
             f"of {len(data):,} bytes: {row['device_round_trip']} (rate {row['rate']:.2%}).\n")
    (RESULTS / f"{args.out}.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
