"""docs/extending.md's examples, as a user would add them: each file written into a copy of the
package, plus its one registry line, then used through the registry, the archive and the CLI."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import gencomp

DOC = Path(__file__).resolve().parents[1] / "docs" / "extending.md"
PACKAGE = Path(gencomp.__file__).parent

CHECK = """
import io, sys
import numpy as np
from gencomp import decompress, get_compressor
from gencomp.cli.main import main
from gencomp.compressors import COMPRESSORS
from gencomp.media import media_archive, media_file_of, read_media

seed, text_path, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = np.random.default_rng(seed)
text = open(text_path, "rb").read()[:6000]
assert {"zlib-fast", "order1"} <= set(COMPRESSORS.names()), COMPRESSORS.names()
for spec in ("zlib-fast", "order1"):
    codec = get_compressor(spec)
    for data in (text, rng.bytes(3000), b""):
        assert decompress(codec.compress(data)) == data, (spec, len(data), seed)
assert len(get_compressor("order1").compress(text)) < 0.8 * len(text)  # 0.76: it learns bigrams within a 2 KB chunk
assert len(get_compressor("zlib-fast").compress(text)) < 0.6 * len(text)

ramp = (np.add.outer(np.arange(40), np.arange(50)) * 2 + rng.integers(0, 3, (40, 50))).astype(np.uint8)
blob = io.BytesIO(); np.save(blob, ramp); blob = blob.getvalue()
stream = read_media(blob, "scan.npy", "image")
assert stream.record["kind"] == "npy" and stream.spec == "image:50", stream.record
assert np.array_equal(np.load(io.BytesIO(media_file_of(media_archive(stream)))), ramp)
open(f"{work}/scan.npy", "wb").write(blob)
assert main(["compress", f"{work}/scan.npy", "-c", "image", "-q"]) == 0
assert main(["decompress", f"{work}/scan.npy.gcz", "-q", "-f"]) == 0  # -c image kept the .npy
assert np.array_equal(np.load(f"{work}/scan.npy"), ramp)
print("ok")
"""


def _example_files() -> dict[str, str]:
    """The doc's code blocks that begin with '# file: PATH', by PATH."""
    blocks = re.findall(r"```python\n# file: (\S+)\n(.*?)```", DOC.read_text(), flags=re.S)
    return {path: code for path, code in blocks}


def _add_registry_lines(package: Path) -> None:
    """The one line each example asks for: two codec modules named, the media kind listed."""
    codecs = package / "compressors" / "registry.py"
    anchor = "CODEC_MODULES = {  # codec name -> the module that registers it\n"
    codecs.write_text(codecs.read_text().replace(anchor, anchor + '    "zlib-fast": "gencomp.compressors.zlib_fast",\n'
                                                 '    "order1": "gencomp.compressors.order1",\n', 1))
    media = package / "media" / "__init__.py"
    anchor = '    "audio": ("audio", "gencomp.media.audio"),\n'
    media.write_text(media.read_text().replace(anchor, anchor + '    "npy": ("image", "gencomp.media.npy"),\n', 1))
    assert "zlib_fast" in codecs.read_text() and "media.npy" in media.read_text(), "a registry moved: update the doc"


def test_the_examples_of_docs_extending_work_as_documented(tmp_path, data_dir):
    files = _example_files()
    assert set(files) == {"gencomp/compressors/zlib_fast.py", "gencomp/compressors/order1.py", "gencomp/media/npy.py"}
    root = tmp_path / "src"
    shared = ("assets", "models")  # unchanged by the examples: linked, so the models' compiled kernels are reused
    shutil.copytree(PACKAGE, root / "gencomp", ignore=shutil.ignore_patterns("__pycache__", *shared))
    for name in shared:
        (root / "gencomp" / name).symlink_to(PACKAGE / name)
    for path, code in files.items():
        (root / path).write_text(code)
    _add_registry_lines(root / "gencomp")
    # GENCOMP_NATIVE=0: native objects are keyed by the package's sources, so the copy would build its own
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GENCOMP_NATIVE": "0"}
    for seed in (0, 1):
        done = subprocess.run([sys.executable, "-c", CHECK, str(seed), str(data_dir / "text" / "wikitext2-valid.txt"),
                               str(tmp_path)], cwd=root, capture_output=True, text=True, env=env)
        assert done.returncode == 0 and done.stdout.strip() == "ok", f"seed {seed}: {done.stderr[-3000:]}"
