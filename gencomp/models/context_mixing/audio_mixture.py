"""The audio model's revision 1: the built-in input is a mixture of Laplace distributions, one around
each of several predictions of the sample, weighted by how few bits each has lately cost.

Component 0 is the model's cascade (audio.py: least squares, then normalised LMS) with its error scale;
components 1 … FITS are least-squares fits of their own orders and memories on the same pre-emphasized
samples, each with its own error scale: short ones that forget within a hundred samples follow a
syllable's onset, a long slow one keeps a steady tone, and one over the last 128 samples that forgets
within a hundred finds the pitch period of voiced speech (2.5–8 ms, 40–128 samples at 16 kHz), past the
reach of the 16-sample cascade. A component's weight is 2^(−L/2), L its running cost in bits (each
sample's cost under its Laplace, older samples fading by 1/16 a sample) above the cheapest one's.
paq8px mixes its predictors bit by bit instead; this keeps the one input the mixers already trust.
Over the seven shared speech clips (benchmarks/media_files.py) revision 1 is 4.2 % smaller than
revision 0, 2.3 % of it the 128-sample fit's, at about half the speed.
"""

from __future__ import annotations

import numpy as np

from gencomp.coding import exact
from gencomp.jit import CACHE
from gencomp.models.context_mixing import least_squares as lsq
from gencomp.models.context_mixing.laplace import laplace_cost
from gencomp.native import njit

ORDERS = (8, 24, 4, 32, 128)  # the fits' orders
FORGETS = (0.99, 0.997, 0.98, 0.999, 0.99)  # what each fit keeps of its past a sample
SOLVE_EVERY = (1, 2, 1, 4, 16)  # samples between each fit's solves
FITS, LAGS = len(ORDERS), max(ORDERS)  # LAGS: pre-emphasized samples the fits read
COMPONENTS = 1 + FITS
RIDGE = 1.0  # added to each fit's covariance diagonal (squared sample units)
LOSS_FADE = 4  # each component's running cost keeps 1 − 1/16 of itself a sample
WEIGHT_TABLE = exact.exp_table(2, 16, 4096)  # 2^(16 − d/256): a component's weight by its excess cost d (1/128 bit)
WEIGHT_SHIFT = 5  # excess cost in 1/4096 bit → d: weight 2^(−excess bits / 2) (3, 2^(−2 bits): 0.3 % larger)
NORMAL_BITS = 16  # the components' normalised weights sum to 2^16
STATE_STARTS = tuple(sum(lsq.state_size(order) for order in ORDERS[:f]) for f in range(FITS + 1))  # each fit's state
WEIGHTS_AT = tuple(lsq.weights_offset(order) for order in ORDERS)  # where its weights start in its state

# registers, from the model's base `at` (audio.R_MIXTURE)
M_PREDICTION = 0  # each fit's predicted sample (component 0's is audio.R_AMU)
M_SCALE = M_PREDICTION + FITS  # each fit's mean |error| × 16 (component 0's is audio.R_AERR)
M_LOSS = M_SCALE + FITS  # each component's running cost (1/4096 bit)
M_INPUTS = M_LOSS + COMPONENTS  # the LAGS pre-emphasized samples before the one predicted, newest first
M_STATE = M_INPUTS + LAGS  # the fits' float64 states, one after another
SIZE = M_STATE + STATE_STARTS[FITS]


def init(regs: np.ndarray, at: int) -> None:
    """The fits' error scales start at 256 (× 16)."""
    regs[at + M_SCALE : at + M_SCALE + FITS] = 16 * 256


@njit(cache=CACHE)
def _state(regs, at, f):
    """Fit f's float64 state, a view of its registers."""
    return regs[at + M_STATE + STATE_STARTS[f] : at + M_STATE + STATE_STARTS[f + 1]].view(np.float64)


@njit(cache=CACHE)
def predict(regs, at, ys, base, half):
    """Each fit's prediction of the sample: its weights on ys (LAGS pre-emphasized samples, newest
    first: `inputs`, which `learn` fits), rounded, plus `base` (31/32 of the last sample), within the
    sample's range [−half, half)."""
    for f in range(FITS):
        weights = _state(regs, at, f)[WEIGHTS_AT[f] :]
        total = 0.0
        for i in range(ORDERS[f]):
            total += weights[i] * ys[i]
        total = min(max(total, -1e8), 1e8)
        regs[at + M_PREDICTION + f] = min(max(np.int64(np.floor(total + 0.5)) + base, -half), half - 1)


@njit(cache=CACHE)
def normalised_weights(regs, at, steps, out):
    """out (COMPONENTS,): each component's weight 2^(−excess cost / 2) times its Laplace's step (which
    is inversely proportional to its width, so each Laplace counts as one unit of probability),
    normalised to sum to 2^NORMAL_BITS. steps: each component's step (audio.contexts)."""
    cheapest = regs[at + M_LOSS]
    for c in range(1, COMPONENTS):
        cheapest = min(cheapest, regs[at + M_LOSS + c])
    total = 0
    for c in range(COMPONENTS):
        excess = (regs[at + M_LOSS + c] - cheapest) >> WEIGHT_SHIFT
        out[c] = WEIGHT_TABLE[min(excess, WEIGHT_TABLE.shape[0] - 1)] * steps[c]
        total += out[c]
    for c in range(COMPONENTS):
        out[c] = (out[c] << NORMAL_BITS) // total


@njit(cache=CACHE)
def inputs(regs, at):
    """(LAGS,) int64, a view of the registers: the inputs `predict` last read, which `learn` fits."""
    return regs[at + M_INPUTS : at + M_INPUTS + LAGS]


@njit(cache=CACHE)
def learn(regs, at, target, value, main_cost, sample_index):
    """After a sample: charge each component its cost (component 0: main_cost, the rest laplace_cost of
    their own scale and error; 1/4096 bit), track the fits' error scales, and fold the row inputs → target
    (the pre-emphasized sample) into each fit whose inputs are all real samples (sample_index: the
    sample's index in its channel, so that many of the inputs are)."""
    ys = inputs(regs, at)
    regs[at + M_LOSS] += main_cost - (regs[at + M_LOSS] >> LOSS_FADE)
    for f in range(FITS):
        error16 = abs(value - regs[at + M_PREDICTION + f]) * 16
        scale = max(regs[at + M_SCALE + f], 16)
        regs[at + M_LOSS + 1 + f] += laplace_cost(scale, error16) - (regs[at + M_LOSS + 1 + f] >> LOSS_FADE)
        regs[at + M_SCALE + f] += (error16 - regs[at + M_SCALE + f]) >> 4
        order = ORDERS[f]
        if sample_index > order:
            lsq.fit(_state(regs, at, f), ys[:order], target, sample_index % SOLVE_EVERY[f] == 0, order, FORGETS[f],
                    RIDGE)
