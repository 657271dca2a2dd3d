"""The image codec against PNG and lossless WebP on the real photographs, in one run.

1. The paper's set-up: 32×64 patches (2048 bytes) of each photograph, each coded alone; every
   `--stride`-th patch; `image` against `png` (gencomp's PNG codec on the same patch).
2. Whole photographs: `image:W` (W = the photo's width) on its pixels against Pillow's PNG
   (optimize, level 9) and lossless WebP (method 6, the slowest and smallest), with compress and
   decompress speed.

    python benchmarks/image.py [--stride 8]

Writes benchmarks/results/image.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from peers import chunk_table, png9_bytes, webp_lossless_bytes  # benchmarks/peers.py, beside this script
from PIL import Image

import gencomp
from gencomp.compressors import get_compressor
from gencomp.data.corpus import shared_data_dir
from gencomp.evaluation.datasets import PHOTOGRAPHS
from gencomp.media.image import image_to_patches, read_grayscale

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stride", type=int, default=8, help="use every N-th patch of each photograph")
    args = parser.parse_args()
    root = shared_data_dir() / "image"
    get_compressor("image").compress(bytes(4096))  # compile before timing
    patches, whole = [], []
    for name in PHOTOGRAPHS:
        gray = read_grayscale(root / f"{name}.png")
        data = image_to_patches(gray)
        chunks = [data[i : i + 2048] for i in range(0, len(data), 2048 * args.stride)]
        image_bits = float(get_compressor("image").chunk_code_length_bits(chunks).sum())
        png = sum(len(get_compressor("png").encode(c)) for c in chunks)
        patches.append({"photo": name, "patches": len(chunks), "png_bytes": png, "image_bytes": image_bits / 8})
        codec = get_compressor(f"image:{gray.shape[1]}")
        start = time.perf_counter()
        archive = codec.compress(gray.tobytes())
        encode = time.perf_counter() - start
        start = time.perf_counter()
        assert gencomp.decompress(archive) == gray.tobytes()
        decode = time.perf_counter() - start
        whole.append({"photo": name, "width": gray.shape[1], "height": gray.shape[0], "pixels": gray.size,
                      "png_bytes": png9_bytes(Image.fromarray(gray)), "webp_bytes": webp_lossless_bytes(Image.fromarray(gray)),
                      "image_bytes": len(archive), "compress_kb_per_s": gray.size / encode / 1e3,
                      "decompress_kb_per_s": gray.size / decode / 1e3})
        print(whole[-1])
    result = {"stride": args.stride, "patches": patches, "whole": whole}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "image.json").write_text(json.dumps(result, indent=1))
    (RESULTS / "image.md").write_text(report(result))
    print(report(result))


def report(r: dict) -> str:
    lines = ["# The image codec on real photographs", "",
             f"## 32×64 patches, each coded alone (every {r['stride']}th patch; % of raw)", ""]
    lines += chunk_table(r["patches"], "photo", "patches", "png", "image")
    lines += ["", "## Whole photographs (bytes; image:W against PNG -9 optimised and lossless WebP -m 6)", "",
              "| photo | size | PNG | WebP | image | / PNG | / WebP | compress KB/s | decompress KB/s |",
              "|---|---|---|---|---|---|---|---|---|"]
    for w in r["whole"]:
        lines.append(f"| {w['photo']} | {w['width']}×{w['height']} | {w['png_bytes']:,} | {w['webp_bytes']:,} | "
                     f"{w['image_bytes']:,} | {w['image_bytes'] / w['png_bytes']:.3f} | {w['image_bytes'] / w['webp_bytes']:.3f} | "
                     f"{w['compress_kb_per_s']:.0f} | {w['decompress_kb_per_s']:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
