"""Archives decode on every machine: the same archive bytes and exact decodes under other numpy
SIMD paths, numba's generic CPU target, 1 or 2 threads, and a libm that is one ulp off.

A reference process compresses real text and random bytes with each model codec; every other
setting, each in a fresh process, must write byte-identical archives and decode the reference
ones exactly. Settings that the CPU cannot tell apart (e.g. no AVX-512 to turn off) are skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.portability.worker import CODECS

ROOT = Path(__file__).resolve().parents[2]


def numpy_settings() -> dict[str, str]:
    """NPY_DISABLE_CPU_FEATURES values, one per dispatch level this CPU has: AVX-512 off, AVX2/FMA off."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    present = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    avx512 = [f for f in present if f.startswith(("AVX512", "X86_V4"))]
    settings = {}
    if avx512:
        settings["numpy-avx2"] = " ".join(avx512)
    if len(present) > len(avx512):
        settings["numpy-baseline"] = " ".join(present)
    return settings


SETTINGS = {name: {"NPY_DISABLE_CPU_FEATURES": value} for name, value in numpy_settings().items()}
SETTINGS |= {
    "numba-generic": {"NUMBA_CPU_NAME": "generic", "NUMBA_CPU_FEATURES": ""},
    "one-thread": {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    "libm-one-ulp-off": {},
}


def run_worker(folder: Path, env_extra: dict[str, str], perturb: bool) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NPY_", "NUMBA_CPU", "OMP_", "OPENBLAS_"))}
    env |= {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2"} | env_extra
    command = [sys.executable, "-m", "tests.portability.worker", str(folder)] + (["--perturb-libm"] if perturb else [])
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def reference(tmp_path_factory, wiki_heldout) -> Path:
    folder = tmp_path_factory.mktemp("portability")
    (folder / "inputs").mkdir()
    (folder / "inputs" / "text.bin").write_bytes(wiki_heldout[5000:6500])
    (folder / "inputs" / "random.bin").write_bytes(np.random.default_rng(3).bytes(600))
    run_worker(folder, {}, perturb=False)
    shutil.move(folder / "out", folder / "archives")
    return folder


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_same_archives_and_exact_decodes_under(setting, reference, tmp_path):
    shutil.copytree(reference / "inputs", tmp_path / "inputs")
    shutil.copytree(reference / "archives", tmp_path / "archives")
    run_worker(tmp_path, SETTINGS[setting], perturb=setting == "libm-one-ulp-off")
    decoded = json.loads((tmp_path / "out" / "decoded.json").read_text())
    expected_names = {f"{c.replace(':', '-')}.{i}.gcz" for c in CODECS for i in ("text", "random")}
    assert set(decoded) == expected_names
    assert all(ok is True for ok in decoded.values()), {k: v for k, v in decoded.items() if v is not True}
    for name in sorted(expected_names):
        assert (tmp_path / "out" / name).read_bytes() == (reference / "archives" / name).read_bytes(), \
            f"{name}: the archive written under {setting} differs from the reference"
