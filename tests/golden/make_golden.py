"""Write the golden archives of the current format: one per codec and input kind, made by this
version, in v<format>/ with the SHA-256 of each original in its manifest.json; and archives of
media files (format 9, v9/; formats 5, 6 and 8 are in v5/, v6/ and v8/), with the SHA-256 of the coded pixels
or samples and of what the rebuilt file must hold (its pixels, or its bytes: a WAV's, an exact PNG's). Existing files are never rewritten: once
committed, a golden archive must decode as it is, forever (test_golden.py). A codec whose identity
changed (a new model version under the same name) gets archives of its own beside the old ones,
named with a tag of its identity.

    python -m tests.golden.make_golden
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np

import gencomp
from gencomp.archive.layout import FORMAT_VERSION, MEDIA_FORMAT_VERSION
from gencomp.archive.stream import peek_header
from gencomp.compressors import COMPRESSORS
from gencomp.data.corpus import shared_data_dir
from gencomp.data.modalities import load_modality
from gencomp.evaluation.datasets import modality_bytes
from gencomp.media import media_archive, read_media_file

FOLDER = Path(__file__).resolve().parent / f"v{FORMAT_VERSION}"
MANIFEST = FOLDER / "manifest.json"
MEDIA_FOLDER = Path(__file__).resolve().parent / f"v{MEDIA_FORMAT_VERSION}"


def inputs() -> dict[str, bytes]:
    """A few KB of each kind: held-out Wikipedia, a patch of a photograph, speech, random bytes, nothing; and
    20 KB of Wikipedia, for the codecs that learn a prime before a stream that long (codecs.cm: mix) or settle
    past 16 KiB (cm)."""
    root = shared_data_dir()
    image = load_modality("image", [root / "image" / "camera.png"], 1 << 20)
    audio = load_modality("audio", [root / "audio" / "librispeech-1272-128104-0000.flac"], 1 << 20)
    return {"text": modality_bytes("text", 3000), "long-text": modality_bytes("text", 20000),
            "image": image[len(image) // 2 :][:2048],
            "audio": audio[len(audio) // 2 :][:2500], "random": np.random.default_rng(17).bytes(1000), "empty": b""}


def codec_specs() -> list[str]:
    """Every registered codec that builds without an argument, and each shipped model's lm: and mix:."""
    from gencomp.evaluation.report import transformer_codecs
    from gencomp.models.zoo import shipped_models

    plain = [n for n in COMPRESSORS.standalone_names() if n not in ("lm", "mix")]
    return plain + transformer_codecs(list(shipped_models()))


def media_inputs(folder: Path) -> dict[str, Path]:
    """Small media files written into folder: a colour crop of a photograph (RGB), 16-bit gray, a stereo
    WAV of speech (right = left / 2 + 3: stored as side and right since format 6, left and side in
    format 5), 24-bit stereo speech (jfk's own samples), and speech s with noise n as (s + n, s − n),
    stored as mid and side (format 6)."""
    import soundfile
    from PIL import Image

    root = shared_data_dir()
    gray = np.asarray(Image.open(root / "image" / "coins.png"))[100:148, 100:180].astype(np.int16)
    rgb = np.stack([gray, gray // 2 + 60, np.clip(gray + 25, 0, 255)], -1).astype(np.uint8)
    Image.fromarray(rgb).save(folder / "colour.png")
    Image.fromarray(gray.astype(np.uint16) * 251).save(folder / "gray16.png")
    (folder / "gray.pgm").write_bytes(b"P5\n80 48\n255\n" + gray.astype(np.uint8).tobytes())  # format 9: byte for byte
    Image.fromarray(rgb[:, :78]).save(folder / "colour.bmp")  # format 9: byte for byte, rows padded
    speech = soundfile.read(root / "audio" / "spk1_snt1.wav", dtype="int16")[0][8000:9500].astype(np.int64)
    out = io.BytesIO()
    soundfile.write(out, np.stack([speech, speech // 2 + 3], -1).astype(np.int16), 16000, format="WAV",
                    subtype="PCM_16")
    (folder / "stereo.wav").write_bytes(out.getvalue())
    wide = soundfile.read(root / "audio" / "jfk.flac", dtype="int32")[0][60000:61500]  # 24-bit, at full scale 2^31
    out = io.BytesIO()
    soundfile.write(out, wide, 44100, format="WAV", subtype="PCM_24")
    (folder / "stereo24.wav").write_bytes(out.getvalue())
    noise = np.random.default_rng(3).integers(-200, 200, len(speech))
    out = io.BytesIO()
    soundfile.write(out, np.stack([speech // 2 + noise, speech // 2 - noise], -1).astype(np.int16), 16000,
                    format="WAV", subtype="PCM_16")
    (folder / "stereo-mid.wav").write_bytes(out.getvalue())
    return {name: folder / name for name in ("colour.png", "gray16.png", "gray.pgm", "colour.bmp", "stereo.wav",
                                             "stereo24.wav", "stereo-mid.wav")}


def archive_identity(blob: bytes) -> dict:
    """The codec identity a framed archive's header records."""
    return peek_header(io.BytesIO(blob))[0].identity


def golden_name(folder: Path, base: str, identity: dict) -> str:
    """base.gcz, or base.<tag of identity>.gcz when base.gcz holds an earlier version of the codec."""
    first = folder / f"{base}.gcz"
    if not first.exists() or archive_identity(first.read_bytes()) == identity:
        return first.name
    return f"{base}.{hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:8]}.gcz"


def rebuilt_sha256(blob: bytes, suffix: str, exact: bool) -> str:
    """What a rebuilt media file must hold: its bytes where it comes back byte for byte (a WAV; since format 9
    a PNG whose record holds its layout, a PGM, a BMP), else its pixels (mode, size, values)."""
    from PIL import Image

    if exact:
        return hashlib.sha256(blob).hexdigest()
    image = Image.open(io.BytesIO(blob))
    return hashlib.sha256(f"{image.mode} {image.size}".encode() + np.asarray(image).tobytes()).hexdigest()


def make_media(scratch: Path) -> None:
    MEDIA_FOLDER.mkdir(exist_ok=True)
    manifest_path = MEDIA_FOLDER / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    for name, path in media_inputs(scratch).items():
        kind = "audio" if name.endswith(".wav") else "image"
        stream = read_media_file(str(path), kind)
        golden = golden_name(MEDIA_FOLDER, name, COMPRESSORS.create(stream.spec).identity())
        if golden in manifest:
            continue
        blob = media_archive(stream)
        (MEDIA_FOLDER / golden).write_bytes(blob)
        manifest[golden] = {"codec": stream.spec, "bytes": len(stream.data),
                                   "sha256": hashlib.sha256(stream.data).hexdigest(),
                                   "rebuilt_sha256": rebuilt_sha256(path.read_bytes(), path.suffix, stream.byte_exact),
                                   "gencomp": gencomp.__version__}
        print(f"wrote {golden} ({len(blob)} bytes)")
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        make_media(Path(scratch))
    FOLDER.mkdir(exist_ok=True)
    manifest = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    for spec in codec_specs():
        compressor = gencomp.get_compressor(spec)
        for kind, data in inputs().items():
            if kind == "long-text" and not {"prime", "settled"} & set(compressor.identity()):
                continue
            name = golden_name(FOLDER, f"{spec.replace(':', '-')}.{kind}", compressor.identity())
            if name in manifest:
                continue
            blob = compressor.compress(data)
            assert gencomp.decompress(blob) == data
            (FOLDER / name).write_bytes(blob)
            manifest[name] = {"codec": spec, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                              "gencomp": gencomp.__version__}
            print(f"wrote {name} ({len(blob)} bytes)")
    MANIFEST.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
