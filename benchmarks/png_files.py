"""PNG files as people have them, given back byte for byte: `gencomp FILE` with no codec named (a PNG whose
deflated rows zlib reproduces is coded as its pixels by `image`: gencomp/media/png_exact.py; any other as
bytes by `cm`) against the file's bytes through `cm`, xz -9e and paq8px -8, which must give it back byte for
byte too. Every archive is checked to rebuild the file.

    python benchmarks/png_files.py                               # the shared photographs -> results/png_files.{md,json}
    python benchmarks/png_files.py --files a.png b.png --out png_files_other

Per file: whether gencomp found the file's layout (if not, why: interlaced, fewer than 8 bits a sample, no
zlib setting reproduces its stream), the seconds reading it took (Pillow's decoding and the search for zlib's
settings), the archive's bytes, and the seconds to compress and decompress.
"""

from __future__ import annotations

import argparse
import json
import lzma
import time
from pathlib import Path

from peers import paq8px_file_bytes  # benchmarks/peers.py, beside this script

import gencomp
from gencomp.compressors import get_compressor
from gencomp.data.corpus import shared_data_dir
from gencomp.media import media_archive, media_file_of, read_exact_media_file

RESULTS = Path(__file__).resolve().parent / "results"


def why_not(blob: bytes) -> str:
    """Why a PNG has no layout, from its header: interlaced, its bits a sample, else its deflater."""
    depth, interlace = blob[24], blob[28]
    if interlace:
        return "interlaced"
    if depth < 8:
        return f"{depth}-bit samples"
    return "no zlib setting reproduces it"


def row(path: Path) -> dict:
    blob = path.read_bytes()
    started = time.perf_counter()
    stream = read_exact_media_file(str(path))
    found = time.perf_counter() - started
    if stream is not None:
        archive = media_archive(stream)
        compressed = time.perf_counter() - started
        rebuilt = media_file_of(archive)
        layout = stream.record["png"]
        how = f"filters {layout['filters'] if len(layout['filters']) < 16 else 'recorded'}, zlib {layout['deflate']}"
    else:
        archive = get_compressor("cm").compress(blob)
        compressed = time.perf_counter() - started
        rebuilt = gencomp.decompress(archive)
        how = why_not(blob)
    decompressed = time.perf_counter() - started - compressed
    assert rebuilt == blob, f"{path.name} did not come back byte for byte"
    cm = len(get_compressor("cm").compress(blob)) if stream is not None else len(archive)
    return {"file": path.name, "bytes": len(blob), "exact": stream is not None, "how": how, "search_s": found,
            "gencomp": len(archive), "compress_s": compressed, "decompress_s": decompressed, "cm": cm,
            "xz": len(lzma.compress(blob, preset=9 | lzma.PRESET_EXTREME)),
            "paq8px": paq8px_file_bytes(blob, ".png")}


def markdown(rows: list[dict]) -> str:
    lines = ["# PNG files byte for byte (benchmarks/png_files.py)", "",
             "`gencomp` is `gencomp FILE` with no codec named: the whole archive, which rebuilds the file byte for "
             "byte (checked). cm, xz -9e and paq8px -8 code the file's bytes. Seconds: reading the file (decoding "
             "and the search for zlib's settings), then the whole compress and decompress.", "",
             "| file | bytes | layout | reading s | gencomp | / PNG | cm | xz -9e | paq8px -8 | gencomp / paq8px "
             "| compress s | decompress s |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        paq = f"{r['paq8px']:,}" if r["paq8px"] else "-"
        ratio = f"{r['gencomp'] / r['paq8px']:.3f}" if r["paq8px"] else "-"
        lines.append(f"| {r['file']} | {r['bytes']:,} | {r['how']} | {r['search_s']:.2f} | {r['gencomp']:,} | "
                     f"{r['gencomp'] / r['bytes']:.3f} | {r['cm']:,} | {r['xz']:,} | {paq} | {ratio} | "
                     f"{r['compress_s']:.2f} | {r['decompress_s']:.2f} |")
    total = {k: sum(r[k] for r in rows) for k in ("bytes", "gencomp", "cm", "xz")}
    exact = sum(r["exact"] for r in rows)
    lines += ["", f"{exact} of {len(rows)} files coded as their pixels; all together {total['gencomp']:,} bytes, "
              f"{total['gencomp'] / total['bytes']:.3f} of the PNGs' {total['bytes']:,} (cm on the bytes: "
              f"{total['cm'] / total['bytes']:.3f}, xz -9e: {total['xz'] / total['bytes']:.3f}).", ""]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="+", type=Path, help="PNG files (default: the shared photographs)")
    parser.add_argument("--out", default="png_files", help="results file stem under benchmarks/results/")
    args = parser.parse_args(argv)
    files = args.files or sorted((shared_data_dir() / "image").glob("*.png"))
    rows = []
    for path in files:
        if not path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n":
            print(f"{path}: not a PNG, skipped", flush=True)
            continue
        rows.append(row(path))
        print(json.dumps(rows[-1]), flush=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"gencomp": gencomp.__version__, "rows": rows}, indent=1) + "\n")
    (RESULTS / f"{args.out}.md").write_text(markdown(rows))
    print(markdown(rows))


if __name__ == "__main__":
    main()
