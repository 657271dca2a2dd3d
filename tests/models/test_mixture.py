"""The per-byte mixture: exact (full pass == steps, any batch size and thread count), the
fixed-share weights as the docstring states them, and adaptive: within the fixed-share bound of
its best component, better than both on text neither was fitted to."""

import numpy as np
import pytest

from gencomp.compressors import decompress, get_compressor
from gencomp.compressors.lm import MIX_CONTEXT_TABLE_BITS
from gencomp.models.context_model import ContextModel
from gencomp.models.mixture import MixturePredictor
from gencomp.models.predictor import Predictor
from gencomp.models.zoo import load_byte_transformer
from tests.conftest import SEEDS, rng_for
from tests.models.test_exact_transformer import assert_full_pass_equals_steps, inputs, random_model


class FixedPredictor(Predictor):
    """The same integer weights at every position, whatever came before."""

    def __init__(self, weights):
        self.fixed = np.asarray(weights, np.int64)
        self.alphabet_size = len(self.fixed)

    name = "fixed"

    def identity(self):
        return {"name": "fixed", "weights": self.fixed.tolist()}

    def weights(self, symbols):
        return np.broadcast_to(self.fixed, symbols.shape + (self.alphabet_size,)).copy()

    def start(self, batch_size):
        return batch_size

    def step(self, state, previous):
        return np.broadcast_to(self.fixed, (state, self.alphabet_size)).copy()


def test_weights_follow_bayes_then_fixed_share():
    """By hand, in the module's integers: probabilities in 2^-30, mixing weights summing to 2^16."""
    a, b = [2, 1, 1], [1, 1, 6]  # p = (1/2, 1/4, 1/4) and (1/8, 1/8, 3/4)
    pa, pb = [x << 30 >> 2 for x in a], [x << 30 >> 3 for x in b]
    share_units = round(0.2 * 2**16)
    mixture = MixturePredictor([FixedPredictor(a), FixedPredictor(b)], share=0.2)
    symbols = np.array([[2, 2, 0, 1]])
    w, expected = [2**15, 2**15], []
    for x in symbols[0]:
        expected.append([w[0] * pa[i] + w[1] * pb[i] for i in range(3)])
        posterior = [w[0] * pa[x], w[1] * pb[x]]
        posterior = [(p << 16) // sum(posterior) for p in posterior]
        w = [((2**16 - share_units) * p + share_units * 2**15) >> 16 for p in posterior]
    assert mixture.weights(symbols)[0].tolist() == expected
    # after a 2 the posterior is (0.25, 0.75), and the fixed share moves it to (0.3, 0.7)
    np.testing.assert_allclose(np.array(expected[1]) / 2**46, 0.3 * np.array(a) / 4 + 0.7 * np.array(b) / 8, rtol=1e-4)


@pytest.mark.parametrize("seed", SEEDS)
def test_full_pass_equals_steps_at_any_batch_size_and_thread_count(seed, wiki_heldout):
    mixture = MixturePredictor([random_model(seed), ContextModel(max_order=3, table_bits=10)])
    assert_full_pass_equals_steps(mixture, inputs(seed, wiki_heldout, 150), f"seed {seed}")


def rate(codec: str, data: bytes) -> float:
    return get_compressor(codec, 2048).code_length_bits(data) / 8 / len(data)


def bits(predictor: Predictor, symbols: np.ndarray) -> np.ndarray:
    """(B,) Σ −log2 p of each row."""
    return -np.take_along_axis(predictor.log_probs(symbols), symbols[..., None], -1)[..., 0].sum(1) / np.log(2)


def test_costs_at_most_the_fixed_share_bound_over_its_best_component(wiki_heldout, data_dir):
    """The best component keeps at least (1 − α) of its posterior weight at each step, so the
    mixture's loss <= that component's + log2 K + T · log2(1 / (1 − α)) bits."""
    audio = (data_dir / "audio" / "spk1_snt1.wav").read_bytes()[44 : 44 + 2048]
    text = [wiki_heldout[-2048 * (i + 1) :][:2048] for i in range(4)]
    symbols = np.stack([np.frombuffer(d, np.uint8) for d in [audio] + text]).astype(np.int64)
    components = [load_byte_transformer("tiny"), ContextModel(table_bits=MIX_CONTEXT_TABLE_BITS)]
    mixture = MixturePredictor(components)
    best = np.minimum(*[bits(c, symbols) for c in components])
    mixed = bits(mixture, symbols)
    assert (mixed <= best + 1 + 2048 * np.log2(1 / (1 - mixture.share)) + 1e-6).all()
    assert mixed[1:].sum() < best[1:].sum()  # on held-out Wikipedia the two models complement each other


def test_beats_both_components_on_text_neither_was_fitted_to():
    from pydoc_data.topics import topics  # Python's Language Reference: English, technical

    data = topics["attribute-access"].encode()[:8192]
    assert rate("mix:tiny", data) < min(rate("lm:tiny", data), rate("cm", data)) - 0.03


@pytest.mark.parametrize("seed", SEEDS)
def test_round_trips_and_names_its_models(seed, wiki_heldout):
    rng = rng_for(seed)
    start = int(rng.integers(0, len(wiki_heldout) - 3000))
    data = wiki_heldout[start : start + 3000] + rng.bytes(1500)
    compressor = get_compressor("mix:tiny", 2048)
    assert decompress(compressor.compress(data)) == data
    identity = compressor.identity()["model"]
    assert [c["name"] for c in identity["components"]] == [load_byte_transformer("tiny").name, "context-model-o4"]
