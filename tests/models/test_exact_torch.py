"""The torch form of the exact transformer (what `--device cuda` runs) gives the compiled kernel's
integers: here on the CPU in float64, at several batch sizes and thread counts, on real text, random
bytes and random models whose sums leave the int16/int32 fast paths; and its archives are the kernel's."""


import numpy as np
import pytest
import torch

from gencomp.compressors import get_compressor
from gencomp.errors import GencompError
from gencomp.models.exact_torch import TorchExactTransformer, check_device
from gencomp.models.zoo import load_byte_transformer
from tests.conftest import SEEDS, rng_for
from tests.models.test_exact_transformer import inputs, random_model, stepwise


@pytest.mark.parametrize("seed", SEEDS)
def test_random_models_give_the_kernels_integers(seed, wiki_heldout):
    model = random_model(seed)
    symbols = inputs(seed, wiki_heldout, 400)  # past the window (48) and the cache's 48 + 256 slots
    expected = model.weights(symbols)
    on_torch = TorchExactTransformer(model, "cpu")
    assert np.array_equal(on_torch.weights(symbols), expected)
    assert np.array_equal(stepwise(on_torch, symbols[:2, :70]), expected[:2, :70])


@pytest.mark.parametrize("name, length, threads", [("tiny-v2", 1100, 1), ("small-v3", 1300, 2)])
def test_shipped_models_give_the_kernels_integers_past_their_window(name, length, threads, wiki_heldout):
    """tiny-v2 attends 256 bytes back, so 1100 positions move its cache's contents 3 times; small-v3 1024."""
    model = load_byte_transformer(name)
    symbols = inputs(SEEDS[0], wiki_heldout, length)
    expected = model.weights(symbols)
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        on_torch = TorchExactTransformer(model, "cpu")
        assert np.array_equal(on_torch.weights(symbols), expected)
        assert np.array_equal(on_torch.weights(symbols[3:4]), expected[3:4])  # batch of one: the same rows
    finally:
        torch.set_num_threads(before)


def test_its_archives_are_the_kernels_both_ways(monkeypatch, wiki_heldout):
    rng = rng_for(SEEDS[-1])
    start = int(rng.integers(0, len(wiki_heldout) - 1500))
    data = wiki_heldout[start : start + 1200] + rng.integers(0, 256, 300, dtype=np.uint8).tobytes()
    on_cpu = get_compressor("lm:tiny-v2", 700)
    archive = on_cpu.compress(data)
    monkeypatch.setenv("GENCOMP_DEVICE", "cpu:0")  # any device but "cpu" takes the torch form
    on_torch = get_compressor("lm:tiny-v2", 700)
    assert isinstance(on_torch.predictor, TorchExactTransformer)
    assert on_torch.compress(data) == archive
    assert on_torch.decompress(archive) == data
    assert on_cpu.decompress(on_torch.compress(data[::-1])) == data[::-1]


@pytest.mark.parametrize("device, message", [
    ("gpu", "not a torch device"),
    ("mps", "needs float64 on a CPU or a CUDA GPU"),
    pytest.param("cuda", "sees no CUDA device", marks=pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU")),
])
def test_a_device_that_cannot_code_is_named(device, message):
    with pytest.raises(GencompError, match=message):
        check_device(device)


def test_the_command_line_takes_a_device(tmp_path):
    from tests.cli.test_cli import run

    (tmp_path / "a.txt").write_bytes(b"the same archive on every device " * 40)
    assert run("compress", "-c", "lm:tiny-v2", "--device", "cpu:0", "-k", tmp_path / "a.txt").returncode == 0
    made_by_torch = (tmp_path / "a.txt.gcz").read_bytes()
    assert run("compress", "-c", "lm:tiny-v2", "-f", "-k", tmp_path / "a.txt").returncode == 0
    assert (tmp_path / "a.txt.gcz").read_bytes() == made_by_torch
    failed = run("decompress", "--device", "cuda:7", "-o", tmp_path / "b.txt", tmp_path / "a.txt.gcz")
    assert failed.returncode != 0 and b"--device cuda:7" in failed.stderr and b"Traceback" not in failed.stderr
