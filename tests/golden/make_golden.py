"""Write the golden archives of the current format: one per codec and input kind, made by this
version, in v<format>/ with the SHA-256 of each original in its manifest.json. Existing files are
never rewritten: once committed, a golden archive must decode as it is, forever (test_golden.py).

    python -m tests.golden.make_golden
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

import gencomp
from gencomp.compressors import COMPRESSORS
from gencomp.data.corpus import shared_data_dir
from gencomp.data.modalities import load_modality
from gencomp.evaluation.datasets import modality_bytes

from gencomp.container import FORMAT_VERSION

FOLDER = Path(__file__).resolve().parent / f"v{FORMAT_VERSION}"
MANIFEST = FOLDER / "manifest.json"


def inputs() -> dict[str, bytes]:
    """A few KB of each kind: held-out Wikipedia, a patch of a photograph, speech, random bytes, nothing."""
    root = shared_data_dir()
    image = load_modality("image", [root / "image" / "camera.png"], 1 << 20)
    audio = load_modality("audio", [root / "audio" / "librispeech-1272-128104-0000.flac"], 1 << 20)
    return {"text": modality_bytes("text", 3000), "image": image[len(image) // 2 :][:2048],
            "audio": audio[len(audio) // 2 :][:2500], "random": np.random.default_rng(17).bytes(1000), "empty": b""}


def codec_specs() -> list[str]:
    """Every registered codec that builds without an argument, and each shipped model's lm: and mix:."""
    from gencomp.evaluation.report import transformer_codecs
    from gencomp.models.zoo import shipped_models

    plain = [n for n in COMPRESSORS.standalone_names() if n not in ("lm", "mix")]
    return plain + transformer_codecs(list(shipped_models()))


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    manifest = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    for spec in codec_specs():
        for kind, data in inputs().items():
            name = f"{spec.replace(':', '-')}.{kind}.gcz"
            if name in manifest:
                continue
            blob = gencomp.get_compressor(spec).compress(data)
            assert gencomp.decompress(blob) == data
            (FOLDER / name).write_bytes(blob)
            manifest[name] = {"codec": spec, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                              "gencomp": gencomp.__version__}
            print(f"wrote {name} ({len(blob)} bytes)")
    MANIFEST.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
