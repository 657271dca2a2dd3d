"""The audio codec against FLAC on the speech in ../shared/data/audio, in one run.

1. The paper's set-up: 16-bit mono PCM in 2048-byte chunks, each coded alone (every `--stride`-th
   chunk, at most 32 a file); `audio` against `flac` (gencomp's FLAC codec on the same chunk).
2. Whole files, as 16-bit mono PCM: `audio` against FLAC -8 (libsndfile, compression level 1.0),
   with compress and decompress speed.

Music, and audio files as they are given (stereo, 24-bit, FLAC), are measured by
benchmarks/media_files.py.

    python benchmarks/audio.py [--stride 4]

Writes benchmarks/results/audio.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from peers import chunk_table, flac8_bytes  # benchmarks/peers.py, beside this script

import gencomp
from gencomp.compressors import get_compressor
from gencomp.data.corpus import shared_data_dir
from gencomp.media.audio import read_pcm16

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stride", type=int, default=4, help="use every N-th 2048-byte chunk of each file")
    args = parser.parse_args()
    get_compressor("audio").compress(bytes(4096))  # compile before timing
    chunked, whole = [], []
    for path in sorted((shared_data_dir() / "audio").iterdir()):
        pcm, rate = read_pcm16(path)
        chunks = [pcm[i : i + 2048] for i in range(0, len(pcm) - 2047, 2048 * args.stride)][:32]
        audio_bits = float(get_compressor("audio").chunk_code_length_bits(chunks).sum())
        flac = sum(len(get_compressor("flac").encode(c)) for c in chunks)
        chunked.append({"file": path.name, "chunks": len(chunks), "flac_bytes": flac, "audio_bytes": audio_bits / 8})
        start = time.perf_counter()
        archive = get_compressor("audio").compress(pcm)
        encode = time.perf_counter() - start
        start = time.perf_counter()
        assert gencomp.decompress(archive) == pcm
        decode = time.perf_counter() - start
        whole.append({"file": path.name, "rate": rate, "bytes": len(pcm), "flac8_bytes": flac8_bytes(np.frombuffer(pcm, "<i2"), rate),
                      "audio_bytes": len(archive), "compress_kb_per_s": len(pcm) / encode / 1e3,
                      "decompress_kb_per_s": len(pcm) / decode / 1e3})
        print(whole[-1])
    result = {"stride": args.stride, "chunks": chunked, "whole": whole}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "audio.json").write_text(json.dumps(result, indent=1))
    (RESULTS / "audio.md").write_text(report(result))
    print(report(result))


def report(r: dict) -> str:
    lines = ["# The audio codec on speech (16-bit mono PCM)", "",
             f"## 2048-byte chunks, each coded alone (every {r['stride']}th, at most 32 a file; % of raw)", ""]
    lines += chunk_table(r["chunks"], "file", "chunks", "flac", "audio")
    lines += ["", "## Whole files (bytes; audio against FLAC -8)", "",
              "| file | rate | PCM | FLAC -8 | audio | / FLAC | compress KB/s | decompress KB/s |", "|---|---|---|---|---|---|---|---|"]
    for w in r["whole"]:
        lines.append(f"| {w['file']} | {w['rate']} | {w['bytes']:,} | {w['flac8_bytes']:,} | {w['audio_bytes']:,} | "
                     f"{w['audio_bytes'] / w['flac8_bytes']:.3f} | {w['compress_kb_per_s']:.0f} | {w['decompress_kb_per_s']:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
