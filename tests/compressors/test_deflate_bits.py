"""Exact deflate bit lengths: consistent with zlib's own byte lengths, state sizing changes nothing."""

import zlib

import numpy as np
import pytest

from gencomp.compressors.deflate_bits import MAX_CONTEXT_BYTES, DeflateBits
from gencomp.errors import GencompError
from tests.conftest import SEEDS, rng_for


def zlib_bytes(context: bytes) -> np.ndarray:
    """Byte length of each candidate through Python's zlib with the registered gzip's settings."""
    out = []
    for x in range(256):
        packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
        out.append(len(packer.compress(context + bytes([x])) + packer.flush()))
    return np.array(out)


def contexts(wiki_heldout, data_dir, seed):
    rng = rng_for(seed)
    start = int(rng.integers(0, len(wiki_heldout) - 6000))
    image = (data_dir / "image" / "coins.png").read_bytes()
    return {"empty": b"", "one": wiki_heldout[start : start + 1], "text-100": wiki_heldout[start : start + 100],
            "text-2047": wiki_heldout[start : start + 2047], "text-5000": wiki_heldout[start : start + 5000],
            "random-2048": rng.bytes(2048), "png-file-3000": image[start % 1000 : start % 1000 + 3000]}


@pytest.mark.parametrize("seed", SEEDS)
def test_bits_round_up_to_zlibs_byte_lengths(seed, wiki_heldout, data_dir):
    scorer = DeflateBits()
    for name, context in contexts(wiki_heldout, data_dir, seed).items():
        bits = scorer(context)
        assert np.array_equal((bits + 7) // 8, zlib_bytes(context)), f"{name}, seed {seed}"
        if name.startswith("text"):  # random bytes go into a stored block: every byte costs 8 bits there
            assert len(np.unique(bits)) > len(np.unique(zlib_bytes(context))), name


@pytest.mark.parametrize("seed", SEEDS)
def test_state_sized_to_context_and_worker_count_change_nothing(seed, wiki_heldout, data_dir):
    for name, context in contexts(wiki_heldout, data_dir, seed).items():
        reference = DeflateBits(workers=1, size_state_to_context=False)(context)
        assert np.array_equal(DeflateBits(workers=2)(context), reference), f"{name}, seed {seed}"
        assert np.array_equal(DeflateBits(workers=3)(context), reference), f"{name}, seed {seed}"


def test_too_long_context_is_a_clear_error():
    with pytest.raises(GencompError, match="at most"):
        DeflateBits()(bytes(MAX_CONTEXT_BYTES + 1))


def test_a_subset_of_candidates_scores_as_in_the_full_run(wiki_heldout):
    context = wiki_heldout[:3000]
    subset = np.array([200, 3, 101, 32], np.uint8)
    assert np.array_equal(DeflateBits()(context, subset), DeflateBits()(context)[subset])


def test_threads_scoring_at_once_agree_even_on_numbas_workqueue_layer(wiki_heldout):
    """Two app users at once: numba's workqueue layer aborts on concurrent parallel regions."""
    import subprocess
    import sys

    script = """
import sys
from concurrent.futures import ThreadPoolExecutor
import numpy as np
from gencomp.compressors.deflate_bits import DeflateBits
text = sys.stdin.buffer.read()
contexts = [text[i * 300 : i * 300 + 1500] for i in range(8)]
expected = [DeflateBits()(c) for c in contexts]
with ThreadPoolExecutor(4) as pool:
    got = list(pool.map(DeflateBits(), contexts * 3))
assert all(np.array_equal(g, expected[i % 8]) for i, g in enumerate(got))
import numba; print(numba.threading_layer())
"""
    env = {**__import__("os").environ, "NUMBA_THREADING_LAYER": "workqueue"}
    run = subprocess.run([sys.executable, "-c", script], input=wiki_heldout[:5000], capture_output=True, env=env,
                         timeout=300)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    assert run.stdout.decode().strip() == "workqueue"


@pytest.mark.parametrize("seed", SEEDS)
def test_multi_byte_continuations_round_up_to_zlibs_byte_lengths(seed, wiki_heldout):
    rng = rng_for(seed)
    start = int(rng.integers(0, len(wiki_heldout) - 3000))
    context = wiki_heldout[start : start + 2000]
    suffixes = [wiki_heldout[a : a + n] for a, n in zip(rng.integers(0, len(wiki_heldout) - 64, 40), rng.integers(1, 64, 40))]
    suffixes += [context[-300:-280], bytes([7])]  # a copy from the context, one byte
    bits = DeflateBits().continuations(context, suffixes)
    expected = []
    for s in suffixes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
        expected.append(len(packer.compress(context + s) + packer.flush()))
    assert np.array_equal((bits + 7) // 8, expected)
    assert bits[-1] == DeflateBits()(context, np.array([7], np.uint8))[0]
    with pytest.raises(GencompError, match="non-empty"):
        DeflateBits().continuations(context, [b"ab", b""])
