"""Image and audio files as a user has them, through `gencomp compress -c image/audio`, against PNG,
lossless WebP, JPEG XL (cjxl -d 0 -e 9), FLAC -8, WavPack (-hhx6) and paq8px -8 (v216; images given to it
as PGM/PPM, audio as WAV, which its models detect) on the same pixels and samples, in one run; a
program not installed is shown as –.

Images: the eight real photographs of ../shared/data/image (8-bit gray PNGs) and colour photographs
from scikit-image's bundled sample data (astronaut and hubble_deep_field: NASA, public domain; chelsea
and coffee: CC0) and matplotlib's grace_hopper.jpg (US Navy, public domain); a JPEG's decoded pixels
are what is coded. Peers: Pillow's PNG (optimize, level 9) and lossless WebP (method 6), each with
the ICC profile and EXIF that gencomp keeps, and the file as it was given. gencomp's size is the
whole archive (headers, media record, checksums). JPEG XL and paq8px keep no ICC profile (cjxl drops a gray
PNG's RGB profile, paq8px is given a PGM), so gencomp is measured against them on the pixels alone: its archive
of the PGM or PPM paq8px codes (three shared photographs carry a 2.6 KB ICC profile that a byte-exact archive of
the PNG keeps).

Audio: the speech files as they are (16-bit mono WAV and FLAC; jfk.flac is 24-bit stereo), and
jfk's top 16 bits as a 16-bit stereo WAV (what most stereo files hold). Music: 12 recordings of
instruments and loops (piano, guitars, choir, tabla, drums; 16-bit, 44.1 kHz, mono and stereo, 1.6 to
10.7 s) from Debian's sonic-pi-samples package, whose samples are from freesound.org and dedicated to
the public domain (CC0; each one's author and source are in the package's copyright file). The
package is fetched with `apt-get download` into ~/.cache/gencomp (music is skipped, with a note,
where apt cannot fetch it). Peer: FLAC -8 (libsndfile, compression level 1.0) on the same samples at
the same width.

Every archive is decoded and the rebuilt file's pixels or samples checked against the original.
Speeds are raw pixel or sample bytes per second from reading the file to the archive, and from the
archive to the rebuilt file: the faster of two round trips, after one untimed round trip of an
image and of a speech file has loaded the kernels.

    pip install scikit-image   # the colour photographs (skipped without it)
    python benchmarks/media_files.py [--shared-only] [--out media_files]

Writes benchmarks/results/OUT.{json,md} (default media_files).
"""

from __future__ import annotations

import io
import json
import subprocess
import time
from pathlib import Path
from typing import Optional

import numpy as np
import soundfile
from peers import (  # benchmarks/peers.py, beside this script
    flac8_bytes,
    jxl_lossless_bytes,
    paq8px_audio_bytes,
    paq8px_image_bytes,
    png9_bytes,
    pnm_file,
    wavpack_bytes,
    webp_lossless_bytes,
)
from PIL import Image

from gencomp.data.corpus import shared_data_dir
from gencomp.evaluation.datasets import PHOTOGRAPHS
from gencomp.media import MediaStream, media_archive, media_file_of, read_media_file

RESULTS = Path(__file__).resolve().parent / "results"
MUSIC_PACKAGE = "sonic-pi-samples=3.2.2~repack-8"
MUSIC = ["ambi_piano", "ambi_choir", "guit_harmonics", "guit_e_slide", "guit_e_fifths", "guit_em9", "loop_tabla",
         "loop_compus", "loop_safari", "loop_garzul", "loop_amen_full", "loop_mika"]
SCIKIT_IMAGE_PHOTOS = ["astronaut.png", "chelsea.png", "coffee.png", "hubble_deep_field.jpg"]


def image_files(scratch: Path) -> list[Path]:
    """The gray photographs (PHOTOGRAPHS), then the colour ones that are installed."""
    root = shared_data_dir() / "image"
    files = [root / f"{name}.png" for name in sorted(PHOTOGRAPHS)]
    try:
        import skimage

        folder = Path(skimage.__file__).parent / "data"
        files += [folder / name for name in SCIKIT_IMAGE_PHOTOS if (folder / name).exists()]
    except ImportError:
        print("scikit-image is not installed: no colour photographs from it")
    import matplotlib

    files.append(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg")
    return files


def audio_files(scratch: Path) -> list[Path]:
    """The speech files, and jfk's top 16 bits as a stereo WAV written into scratch."""
    root = shared_data_dir() / "audio"
    files = sorted(root.glob("*.wav")) + sorted(root.glob("*.flac"))
    samples, rate = soundfile.read(root / "jfk.flac", dtype="int16")
    stereo16 = scratch / "jfk-16bit-stereo.wav"
    soundfile.write(stereo16, samples, rate, subtype="PCM_16")
    return files + [stereo16]


def music_files() -> list[Path]:
    """The MUSIC recordings of Debian's sonic-pi-samples (CC0), fetched once into ~/.cache/gencomp."""
    cache = Path.home() / ".cache" / "gencomp" / "sonic-pi-samples"
    folder = cache / "usr" / "share" / "sonic-pi" / "samples"
    if not folder.is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(["apt-get", "download", MUSIC_PACKAGE], cwd=cache, check=True, capture_output=True)
            deb = next(cache.glob("sonic-pi-samples_*.deb"))
            subprocess.run(["dpkg-deb", "-x", str(deb), str(cache)], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError, StopIteration) as exc:
            print(f"no music: apt-get could not fetch {MUSIC_PACKAGE} ({exc})")
            return []
    return [folder / f"{name}.flac" for name in MUSIC]


def timed_round_trip(path: Path, kind: str, runs: int = 2) -> tuple[MediaStream, bytes, bytes, float, float]:
    """(stream, archive, rebuilt file, compress seconds, decompress seconds): the fastest of `runs`
    round trips (file read to rebuilt file) each way, as this VM's timings wander by ±20 %."""
    encode = decode = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        stream = read_media_file(str(path), kind)
        archive = media_archive(stream)
        encode = min(encode, time.perf_counter() - start)
        start = time.perf_counter()
        rebuilt = media_file_of(archive)
        decode = min(decode, time.perf_counter() - start)
    return stream, archive, rebuilt, encode, decode


def image_row(path: Path, scratch: Path) -> dict:
    original = Image.open(path)
    pixels = np.asarray(original)
    stream, archive, rebuilt, encode, decode = timed_round_trip(path, "image")
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(rebuilt))), pixels), path
    raw = len(stream.data)
    return {"file": path.name, "mode": original.mode, "size": f"{original.width}×{original.height}", "raw_bytes": raw,
            "file_bytes": path.stat().st_size, "png9_bytes": png9_bytes(original),
            "webp_bytes": webp_lossless_bytes(original), "jxl_bytes": jxl_lossless_bytes(original),
            "paq8px_bytes": paq8px_image_bytes(original), "gencomp_bytes": len(archive),
            "gencomp_pixels_bytes": pixels_alone_bytes(original, scratch),
            "compress_kb_per_s": raw / encode / 1e3, "decompress_kb_per_s": raw / decode / 1e3}


def pixels_alone_bytes(image: Image.Image, scratch: Path) -> Optional[int]:
    """gencomp's archive of the image's pixels alone: the binary PGM (gray) or PPM (RGB) paq8px is given, whose
    media record holds no ICC profile or other chunks (as JPEG XL's and paq8px's outputs hold none); None for
    other modes, as paq8px_image_bytes."""
    pnm = pnm_file(image)
    if pnm is None:
        return None
    data, suffix = pnm
    path = scratch / f"pixels{suffix}"
    path.write_bytes(data)
    return len(media_archive(read_media_file(str(path), "image")))


def audio_row(path: Path) -> dict:
    info = soundfile.info(path)
    samples, rate = soundfile.read(path, dtype="int32")
    stream, archive, rebuilt, encode, decode = timed_round_trip(path, "audio")
    assert np.array_equal(soundfile.read(io.BytesIO(rebuilt), dtype="int32")[0], samples), path
    raw = info.frames * info.channels * {"PCM_16": 2, "PCM_24": 3}[info.subtype]
    return {"file": path.name, "kind": "music" if path.stem in MUSIC else "speech",
            "format": f"{info.format} {info.subtype} ×{info.channels}", "raw_bytes": raw,
            "file_bytes": path.stat().st_size, "flac8_bytes": flac8_bytes(samples, rate, info.subtype),
            "wavpack_bytes": wavpack_bytes(samples, rate, info.subtype),
            "paq8px_bytes": paq8px_audio_bytes(samples, rate, info.subtype),
            "gencomp_bytes": len(archive), "byte_exact": stream.byte_exact and rebuilt == path.read_bytes(),
            "stereo": stream.record.get("stereo", ""), "compress_kb_per_s": raw / encode / 1e3,
            "decompress_kb_per_s": raw / decode / 1e3}


def report(images: list[dict], audio: list[dict]) -> str:
    lines = ["# Media files through `gencomp compress -c image/audio` (benchmarks/media_files.py)", "",
             "## Images (bytes; ratios below 1 favour gencomp)", "",
             "gencomp: the whole archive of the file as given (its ICC profile and other chunks kept), against PNG "
             "and WebP, which keep them too; pixels: gencomp's archive of the pixels alone (the PGM paq8px is "
             "given), against JPEG XL and paq8px, which keep none.", "",
             "| file | mode | size | as given | PNG -9 | WebP lossless | JPEG XL -e 9 | paq8px -8 | gencomp | pixels | "
             "/ PNG | / WebP | / JPEG XL | / paq8px | compress KB/s | decompress KB/s |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in images:
        lines.append(f"| {r['file']} | {r['mode']} | {r['size']} | {r['file_bytes']:,} | {r['png9_bytes']:,} | "
                     f"{r['webp_bytes']:,} | {_size(r.get('jxl_bytes'))} | {_size(r.get('paq8px_bytes'))} | "
                     f"{r['gencomp_bytes']:,} | {_size(r['gencomp_pixels_bytes'])} | {r['gencomp_bytes'] / r['png9_bytes']:.3f} | "
                     f"{r['gencomp_bytes'] / r['webp_bytes']:.3f} | {_ratio(r, 'jxl_bytes', 'gencomp_pixels_bytes')} | "
                     f"{_ratio(r, 'paq8px_bytes', 'gencomp_pixels_bytes')} | "
                     f"{r['compress_kb_per_s']:.0f} | {r['decompress_kb_per_s']:.0f} |")
    lines += ["", "## Audio (bytes; FLAC -8 on the same samples at the same width)", "",
              "| file | kind | format | as given | FLAC -8 | WavPack -hhx6 | paq8px -8 | gencomp | / FLAC | / WavPack | "
              "/ paq8px | stored as | byte-exact file | compress KB/s | decompress KB/s |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in audio:
        lines.append(f"| {r['file']} | {r['kind']} | {r['format']} | {r['file_bytes']:,} | {r['flac8_bytes']:,} | "
                     f"{_size(r.get('wavpack_bytes'))} | {_size(r.get('paq8px_bytes'))} | "
                     f"{r['gencomp_bytes']:,} | {r['gencomp_bytes'] / r['flac8_bytes']:.3f} | "
                     f"{_ratio(r, 'wavpack_bytes')} | {_ratio(r, 'paq8px_bytes')} | "
                     f"{r['stereo'] or 'channels as given'} | {'yes' if r['byte_exact'] else 'samples'} | "
                     f"{r['compress_kb_per_s']:.0f} | {r['decompress_kb_per_s']:.0f} |")
    return "\n".join(lines) + "\n"


def _size(value: Optional[int]) -> str:
    return "–" if value is None else f"{value:,}"


def _ratio(row: dict, peer: str, ours: str = "gencomp_bytes") -> str:
    """gencomp's bytes (row[ours]) over the peer's ("–": the peer is not installed, or ours not measured)."""
    return "–" if row.get(peer) is None or row.get(ours) is None else f"{row[ours] / row[peer]:.3f}"


def main() -> None:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-only", action="store_true",
                        help="only the files in ../shared/data (the photographs and speech issue 35's goals name): "
                             "paq8px takes about 40 minutes for the music and 20 for the colour photographs")
    parser.add_argument("--out", default="media_files", help="results file name, without suffix")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        image_paths, audio_paths = image_files(Path(scratch)), audio_files(Path(scratch)) + music_files()
        if args.shared_only:
            shared = shared_data_dir()
            image_paths, audio_paths = ([p for p in paths if p.is_relative_to(shared)] for paths in (image_paths, audio_paths))
        for path, kind in ((image_paths[0], "image"), (audio_paths[0], "audio")):
            timed_round_trip(path, kind, runs=1)  # kernels compiled or loaded, both ways, before timing
        images = [image_row(p, Path(scratch)) for p in image_paths]
        audio = [audio_row(p) for p in audio_paths]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"images": images, "audio": audio}, indent=1) + "\n")
    text = report(images, audio)
    (RESULTS / f"{args.out}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
