"""Shipped assets are package data: found in an installed package and from a zip (a zipapp) alike."""

import subprocess
import sys
import zipfile
from pathlib import Path

import gencomp
from gencomp.models.zoo import shipped_models
from gencomp.resources import assets_dir

PACKAGE = Path(gencomp.__file__).resolve().parent


def test_assets_are_inside_the_package():
    assert assets_dir() == PACKAGE / "assets"
    assert {"tiny", "small"} <= set(shipped_models())
    assert list((assets_dir() / "images").glob("*.png")) and list((assets_dir() / "audio").glob("*.flac"))


def test_a_zipped_package_finds_its_models_and_round_trips(tmp_path):
    archive = tmp_path / "app.pyz"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in PACKAGE.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(PACKAGE.parent))
    probe = ("import gencomp, gencomp.resources as r\n"
             "assert '.pyz' in gencomp.__file__ and '.pyz' not in str(r.assets_dir())\n"
             "data = b'the models ship inside the package ' * 40\n"
             "assert gencomp.decompress(gencomp.get_compressor('lm:tiny').compress(data)) == data\n"
             "print(sorted(p.stem for p in (r.assets_dir() / 'models').glob('*.safetensors')))")
    done = subprocess.run([sys.executable, "-c", probe], env={"PYTHONPATH": str(archive), "PATH": "/usr/bin:/bin",
                                                              "HOME": str(tmp_path),  # numba caches zipped code there
                                                              "TMPDIR": str(tmp_path)},
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "'tiny'" in done.stdout
