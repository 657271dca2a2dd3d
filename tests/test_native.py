"""gencomp.native: the kernels' native code computes what numba's dispatchers compute, loads without
numba, and steps aside wherever it cannot serve."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gencomp import native
from gencomp.coding import range_coder
from gencomp.coding.range_coder import decoder_states, encoder_states, finish_streams
from gencomp.compressors import get_compressor
from gencomp.compressors.cm import new_model
from gencomp.models import context_mixing as cmx
from gencomp.models.context_mixing import loops
from tests.conftest import SEEDS, rng_for

REPO = Path(__file__).resolve().parents[1]


def _encode(kernel, data: bytes) -> tuple:
    """(payload, ideal bits, the model's arrays after) of data coded by `kernel` (encode_bytes, native or numba)."""
    history = np.frombuffer(data, np.uint8).copy()
    model = new_model(history)
    coder, out = encoder_states(1), np.empty(len(data) + 64, np.uint8)
    pos, bits = kernel(*model.arrays, history, cmx.SQUASH, cmx.STRETCH, np.zeros((0, 256), np.int64), 0, len(data),
                       coder[0], out, 0, True)
    return finish_streams(coder, [out[:pos]])[0], bits, model.arrays


@pytest.mark.parametrize("seed", SEEDS)
def test_native_code_computes_what_numba_computes(seed, data_dir):
    rng = rng_for(seed)
    text = (data_dir / "text" / "wikitext2-valid.txt").read_bytes()
    start = int(rng.integers(0, len(text) - 20000))
    for data in (text[start : start + 20000], rng.integers(0, 256, 3000, dtype=np.uint8).tobytes()):
        entry = native.entry(loops.encode_bytes)
        assert entry is not None, "no native code for encode_bytes"
        mine, theirs = _encode(entry, data), _encode(loops.encode_bytes.dispatcher, data)
        assert mine[0] == theirs[0] and mine[1] == theirs[1]
        assert all(np.array_equal(a, b) for a, b in zip(mine[2], theirs[2]))
        history = np.zeros(len(data), np.uint8)
        model = new_model(history)
        buf, coder = decoder_states([mine[0]])
        native.entry(loops.decode_bytes)(*model.arrays, history, cmx.SQUASH, cmx.STRETCH, np.zeros((0, 256), np.int64),
                                         0, len(data), coder[0], buf)
        assert history.tobytes() == data and coder[0, 4] == 0


def test_a_started_process_codes_cm_without_numba():
    """Once the native code is written (this process's codec calls wrote it), a fresh process
    round-trips cm, one stream or chunks on threads, without importing numba, and its archives are
    byte for byte those of numba's kernels (GENCOMP_NATIVE=0)."""
    get_compressor("cm").decompress(get_compressor("cm").compress(b"warm the native code " * 50))
    script = (
        "import sys, numpy as np\n"
        "from gencomp.compressors import get_compressor\n"
        "data = np.random.default_rng(7).integers(0, 40, 200_000, dtype=np.uint8).tobytes() + b'x' * 5000\n"
        "out = []\n"
        "for chunk in (None, 65536):  # one stream; chunks coded on threads\n"
        "    codec = get_compressor('cm', chunk)\n"
        "    blob = codec.compress(data)\n"
        "    assert codec.decompress(blob) == data\n"
        "    out.append(blob)\n"
        "sys.stdout.buffer.write(b''.join(out))\n"
        "sys.stderr.write('numba' if 'numba' in sys.modules else 'no numba')\n")
    runs = {}
    for setting in ("1", "0"):
        env = {**os.environ, "GENCOMP_NATIVE": setting}
        done = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, timeout=600)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        runs[setting] = done
    assert runs["1"].stderr.decode().endswith("no numba") and runs["0"].stderr.decode().endswith("numba")
    assert runs["1"].stdout == runs["0"].stdout


def test_arguments_outside_the_abi_go_to_numba():
    """A strided array is no native argument: the kernel hands it to its dispatcher, with the same result."""
    state = np.zeros((3, 8), np.int64)[:, ::2]  # (3, 4), not C-contiguous
    state[:, 1] = (1 << 56) - 1
    state[:, 3] = 1
    tails, counts = np.zeros((3, 16), np.uint8), np.zeros(3, np.int64)
    entry = native.entry(range_coder._flush)
    with pytest.raises(native.NotNative, match="C-contiguous"):
        entry(state, tails, counts)
    range_coder._flush(state, tails, counts)  # through the kernel: numba's dispatcher takes it
    expected_tails, expected_counts = np.zeros((3, 16), np.uint8), np.zeros(3, np.int64)
    entry(np.ascontiguousarray(state), expected_tails, expected_counts)
    assert np.array_equal(tails, expected_tails) and np.array_equal(counts, expected_counts) and counts.min() > 0


def test_code_that_needs_an_unknown_symbol_is_not_loaded(tmp_path):
    """An unresolved symbol would abort the process inside LLVM: such code is refused before loading."""
    stem = tmp_path / "native-x"
    Path(f"{stem}.o").write_bytes(b"\x7fELF not really")
    Path(f"{stem}.json").write_text(json.dumps({"name": "f", "needs": ["gencomp_no_such_symbol_anywhere"]}))
    assert native._load(stem) is None
    assert native._load(tmp_path / "absent") is None


def test_abi_strings_parse_and_wrong_ones_are_refused():
    params, results = native.parse_abi("u4[:] i8[:,:] i8 b1 -> i8 f8")
    assert [(p.code, p.ndim) for p in params] == [("u4", 1), ("i8", 2), ("i8", 0), ("b1", 0)]
    assert [(r.code, r.ndim) for r in results] == [("i8", 0), ("f8", 0)]
    for wrong in ("u2[:] ->", "i8[:,:,:] ->", "u1 ->"):
        with pytest.raises(ValueError, match="native ABI"):
            native.parse_abi(wrong)
