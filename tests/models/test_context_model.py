import numpy as np
import pytest

from gencomp.models.context_model import ContextModel
from tests.conftest import SEEDS, rng_for


@pytest.mark.parametrize("seed", SEEDS)
def test_bulk_equals_steps_and_is_normalized(seed, wiki_heldout):
    rng = rng_for(seed)
    start = int(rng.integers(0, len(wiki_heldout) - 3000))
    text = np.frombuffer(wiki_heldout[start : start + 3000], np.uint8).astype(np.int64)
    symbols = np.stack([text, rng.integers(0, 256, 3000)])
    model = ContextModel(max_order=3, table_bits=10)  # small tables: hash collisions exercised
    bulk = model.weights(symbols)
    state, previous = model.start(2), None
    for t in range(3000):
        step = model.step(state, previous)
        assert np.array_equal(step, bulk[:, t]), f"seed {seed} position {t}"
        previous = symbols[:, t]
    total = bulk.sum(-1)  # floor(p · 2^40) of a pmf: at most 2^40, less by under one per symbol
    assert ((total <= 2**40) & (total > 2**40 - 256)).all()


def test_learns_repetition():
    symbols = np.tile(np.frombuffer(b"abcdefgh", np.uint8), 400).astype(np.int64)[None]
    bits = -ContextModel().log_probs(symbols)[0, np.arange(3200), symbols[0]] / np.log(2)
    assert bits[0] == pytest.approx(8.0, abs=1e-12)  # empty model: uniform
    assert (bits[1:8] > 8.0).all()  # unseen symbols get less than uniform once others were seen
    assert bits[-800:].mean() < 0.05
