"""The image model: 8-bit grayscale pixels in rows (the `image` codec).

The hashed contexts come from the causal neighbours (W, N, NW, NE, WW, NN, the LOCO-I median and
gradient predictions with quantized local activity, as JPEG-LS and paq8px's image model use them);
the built-in input is a discrete Laplace distribution around the median prediction whose width is
learned per activity class, so a 2048-byte patch is predicted well from its first row; since
gencomp 0.8 its centre is the median plus the mean residual of the pixel's bias context (signs of
three gradients × activity), as JPEG-LS cancels its predictor's bias per context. The predicted
pixel, not the previous byte, selects mixer C's weights and APM 2's context, and the activity class
mixer B's.

Revision 1 (gencomp 0.16) centres the Laplace on a blend of nine predictors (the median, the
gradient W + N − NW, W + NE − N, N, W, N + (NE − NW) / 2, CALIC's gradient-adjusted prediction and
the means of N and NE and of W and N), each weighted by 1 / (1 + its error at W, N, NW and NE)³, as
JPEG XL's weighted predictor weighs its sub-predictors, or on the median alone where the median
erred less there than the blend (flat and noisy regions, where the median is the better guess). The
bias correction then learns the chosen prediction's residuals, and the chosen prediction's error
there replaces the texture term of the activity class (the Laplace's width, mixer B's weights).

Revision 2 (gencomp 0.17) adds a tenth sub-predictor to the blend: recursive least squares over
the 20 nearest causal neighbours (least_squares.fit, forgetting 0.999 a pixel, solved every second
pixel; paq8px's image models predict with such OLS fits), the median standing in within 4 pixels of
the edges; and two hashed contexts on its prediction: with the activity of the chosen prediction's
error, and with its difference from the blend.

Revision 3 (gencomp 0.22) adds eight relative maps (maps.py), direct inputs on eight of the
predictions (the blend, least squares, the median, W + N − NW, CALIC's, W + NE − N, N + (NE − NW) / 2 and the
mean of N and NE), each chosen by that prediction's error at W, N, NW and NE (MAP_LEVELS) and by where the
pixel's bits so far stand from it: what the Laplace says around one centre, learned around eight, as
paq8px's image models map their predictions. And a hashed context on W and N with the parities of the
column and the row (images scaled up by pixel doubling, as `moon`). benchmarks/media_files.py measures it.

Revision 4 (gencomp 0.24) adds fifteen predictions, each with a relative map of its own and kept out of the
blend (in it, 0.05 % larger): three local least-squares fits (LOCAL_FITS: 10 to 14 neighbours, forgetting 0.8 to
0.9 a pixel, so each follows the last few pixels' texture, as paq8px's image models fit several) and twelve
linear extrapolations from neighbours up to three pixels away (image_predictions.py, such as 3N − 3NN + NNN); and
four more mixers in the core (the model's groups): D chosen by the pixel's column, E by eight comparisons among
its neighbours, F by the bit position alone, G by the pixel's diagonal (column + row, in steps of 32), as
paq8px's image models choose mixer weights by where the pixel is. On the shared photographs 0.4–3.7 % smaller
than revision 3 (chelsea most), in about twice the time (benchmarks/media_files.py).

Revision 5 (gencomp 0.33) changes how the inputs are mixed, not the inputs: each first-layer weight set learns at a
rate of its own that falls with its updates (layout.R_DECAY; paq8px's mixers decay theirs), mixer F is chosen by the
parities of the pixel's column and row (images scaled up by pixel doubling: `moon`), and two APMs of its own follow
the mixers (layout.R_KIND_APMS): by the mean of W and N with those parities, and by the least-squares prediction.
Residual histograms per prediction (paq8px's ResidualMap) as a second input to each relative map, the coding loss
of the neighbours (paq8px's lossQ) as mixer or map context and two hashed contexts on the neighbours' signed residuals
made some photographs larger and gained under 0.3 % on the others (measured on revision 4 with mixer F by parity); a
learning rate falling with the position alone gained half as much as the decay per weight set. On the 8 shared
photographs 0.3–2.7 % smaller than revision 4 (`moon` most; benchmarks/results/media_files_shared.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from gencomp.jit import CACHE
from gencomp.models.context_mixing import least_squares as lsq
from gencomp.models.context_mixing.image_predictions import (
    EXTRAPOLATIONS,
    extrapolations,
    median,
    neighbours,
    predictions,
)
from gencomp.models.context_mixing.laplace import LAPLACE, bit_p12, bit_values
from gencomp.models.context_mixing.layout import (
    R_KIND_APM_CTX,
    R_MAP_LEVEL,
    R_MAP_PRED,
    R_MAPS,
    R_MODEL,
    R_REVISION,
    R_SEL,
    R_SEL_D,
    R_SEL_E,
    R_SEL_F,
    R_SEL_G,
)
from gencomp.native import njit

CLASSES = 64  # activity classes: 8 × 8
BIAS_CONTEXTS = 5 * 5 * 5 * 8
BIAS_LIMIT, BIAS_MIN = 64, 16  # a bias context's residuals are halved at BIAS_LIMIT, used once BIAS_MIN are in
MAX_STEP = 1024  # the widest step (the narrowest Laplace)
PREFIX_LENGTH = 257  # a step's prefix sums P[0 … 256]
CONTEXT_LIMIT = 1023  # the hashed contexts' counters slow down to 1/1024 (bytes: 1/256)

R_WIDTH = R_MODEL  # pixels a row
R_ACT = R_WIDTH + 1  # the pixel's activity class
R_MU = R_ACT + 1  # the Laplace's centre: the median prediction (R_SEL) corrected by its bias context's mean residual
R_BIAS_ON = R_MU + 1  # 1 when the centre is corrected (gencomp 0.8 on), 0 in earlier archives
R_BIAS_CTX = R_BIAS_ON + 1  # the pixel's bias context (signs and sizes of three gradients, activity)
R_STEP = R_BIAS_CTX + 1  # the Laplace's step (256 / halving distance)
R_CLASS = R_STEP + 1  # per activity class, (sum of |residual|, count), halved every 64
R_BIAS = R_CLASS + 2 * CLASSES  # per bias context, (sum of residuals from the median, count)
R_PREFIX = R_BIAS + 2 * BIAS_CONTEXTS  # per step 0 … MAX_STEP, P[d] = Σ_{i<d} LAPLACE[min(i · step, 8191)],
#   made on the step's first use (P[1] = LAPLACE[0] > 0 marks them made; 2.1 MB, a few pages touched)
R_END = R_PREFIX + (MAX_STEP + 1) * PREFIX_LENGTH
PREDICTORS = 11  # revision 1: nine sub-predictors (the median first), least squares (revision 2), their blend (last)
OLS = PREDICTORS - 2  # the least-squares prediction's place
# revision 2's least-squares predictor: the causal neighbours it weighs, (row, column) offsets
OLS_NEIGHBOURS = ((0, -1), (0, -2), (0, -3), (-1, -2), (-1, -1), (-1, 0), (-1, 1), (-1, 2), (-2, -1), (-2, 0), (-2, 1),
                  (-3, 0), (-1, -3), (-1, 3), (-2, -2), (-2, 2), (-3, -1), (-3, 1), (0, -4), (-4, 0))
OLS_ORDER, OLS_FORGET, OLS_RIDGE = len(OLS_NEIGHBOURS), 0.999, 1.0
OLS_DY = np.array([dy for dy, _ in OLS_NEIGHBOURS], np.int64)
OLS_DX = np.array([dx for _, dx in OLS_NEIGHBOURS], np.int64)


def _margins(neighbours) -> tuple[int, int, int]:
    """The rows above, columns to the left and columns to the right that (row, column) offsets reach: where a
    fit over them can read every one (else the median stands in)."""
    return (-min(dy for dy, _ in neighbours), -min(min(dx for _, dx in neighbours), 0),
            max(max(dx for _, dx in neighbours), 0))


OLS_MARGINS = _margins(OLS_NEIGHBOURS)
# revision 4's local least-squares predictions: (their neighbours, their forgetting factor a pixel). Three more
# (15 neighbours of the rows above, 6 nearest, 12 nearest at 0.97): chelsea 0.15 % smaller, the other photographs
# within 0.03 %, 1.17× the time
LOCAL_FITS = (
    (((0, -3), (0, -2), (0, -1), (-1, -2), (-1, -1), (-1, 0), (-1, 1), (-1, 2), (-2, -1), (-2, 0), (-2, 1), (-3, 0)),
     0.87),
    (((-1, 0), (-1, 1), (-1, 2), (-1, 3), (-2, 0), (-2, 1), (-2, 2), (-3, 0), (-3, 1), (-4, 0)), 0.8),  # above alone
    (((0, -4), (0, -3), (0, -2), (0, -1), (-1, -3), (-1, -2), (-1, -1), (-1, 0), (-2, -2), (-2, -1), (-2, 0),
      (-3, -1), (-3, 0), (-4, 0)), 0.9),  # the left and above alone
)
LOCALS = len(LOCAL_FITS)
PREDICTIONS = PREDICTORS + LOCALS + EXTRAPOLATIONS  # revision 4's follow the blend: the local fits, the extrapolations
LOCAL_MAX = max(len(neighbours) for neighbours, _ in LOCAL_FITS)
LOCAL_ORDER = np.array([len(neighbours) for neighbours, _ in LOCAL_FITS], np.int64)
LOCAL_STATE = np.array([lsq.state_size(order) for order in LOCAL_ORDER], np.int64)
LOCAL_WEIGHTS = np.array([lsq.weights_offset(order) for order in LOCAL_ORDER], np.int64)
LOCAL_FORGET = np.array([forget for _, forget in LOCAL_FITS], np.float64)
LOCAL_DY = np.array([[dy for dy, _ in nb] + [0] * (LOCAL_MAX - len(nb)) for nb, _ in LOCAL_FITS], np.int64)
LOCAL_DX = np.array([[dx for _, dx in nb] + [0] * (LOCAL_MAX - len(nb)) for nb, _ in LOCAL_FITS], np.int64)
LOCAL_MARGINS = np.array([_margins(nb) for nb, _ in LOCAL_FITS], np.int64)
LOCAL_SIZE = lsq.state_size(LOCAL_MAX) + LOCAL_MAX  # registers a fit: its state (of its own order), then its inputs
R_SEL_ERROR = R_END  # revision 1: the chosen prediction's error at W, N, NW and NE
R_PRED = R_SEL_ERROR + 1  # revision 1: the pixel's predictions
R_OLS = R_PRED + PREDICTIONS  # revision 2: the least-squares predictor's float64 state
R_OLS_INPUTS = R_OLS + lsq.state_size(OLS_ORDER)  # revision 2: the pixel's OLS_NEIGHBOURS (float64), read once
R_ERROR_SUMS = R_OLS_INPUTS + OLS_ORDER  # revision 3: each prediction's error at W, N, NW and NE (_blend)
R_LOCAL = R_ERROR_SUMS + PREDICTIONS  # revision 4: the local fits' float64 states and inputs, LOCAL_SIZE each
R_ERRORS = R_LOCAL + LOCALS * LOCAL_SIZE  # revision 1: |residual| of each prediction, this row and the one above
OLS_WEIGHTS = lsq.weights_offset(OLS_ORDER)  # where the weights start in the state
OLS_SOLVE_EVERY = 2  # pixels between solves (every pixel: 0.01 % smaller, 25 % slower)
BLEND_ONE = 1 << 40  # a sub-predictor's weight with no error around it
# revision 3: the predictions with relative maps (the first 8; revision 4: all, ≤ layout.KIND_MAPS)
MAPPED = (PREDICTORS - 1, OLS, 0, 1, 6, 2, 5, 7) + tuple(range(PREDICTORS, PREDICTIONS))
# revision 3: a relative map's error level, how many of these its prediction's error sum (at W, N, NW, NE) reaches
MAP_LEVELS = np.array([round(1.25 ** i) + i for i in range(31)], np.int64)


@dataclass(frozen=True)
class Image:
    """8-bit grayscale pixels, rows of `width`; bias: the Laplace's centre corrected per bias context
    (gencomp 0.8; False: as archives of 0.4 to 0.7 were made)."""

    width: int
    bias: bool = True
    revision: int = 5  # layout.R_REVISION: 0 reads archives of gencomp 0.4 to 0.15, 1 those of 0.16, 2 of 0.17 to
    #   0.21, 3 of 0.22 and 0.23, 4 of 0.24 to 0.32
    kind = 1  # kinds.IMAGE
    external_alone = False  # the mixers start from every input (Audio: from its Laplace alone)
    refined = False  # layout.R_REFINED
    runs = False  # layout.R_RUNS
    settled = False  # layout.R_SETTLED
    short_final_by_bit = False  # state.new_state
    tokens = False  # the byte model's token model and hex-run input (orders.Bytes.tokens)
    fine = False  # the byte model's finer final probability (orders.Bytes.fine)
    mixer_skip = 0  # layout.R_MIXER_SKIP
    context_limit = CONTEXT_LIMIT  # layout.R_CONTEXT_LIMIT

    @property
    def contexts(self) -> int:
        """Hashed contexts in use (layout.R_ACTIVE): revision 2 adds two on its least-squares prediction, 3 one on
        W, N and the pixel's parities."""
        return (8, 8, 10, 11, 11, 11)[self.revision]

    @property
    def relative_maps(self) -> int:
        """Relative maps (layout.R_MAPS), one per prediction in MAPPED: revision 3's eight, 4's and 5's twenty-three."""
        return (0, 0, 0, 8, len(MAPPED), len(MAPPED))[self.revision]

    @property
    def groups(self) -> bool:
        """Mixers D to G in the core (layout.R_SEL_D, R_SEL_E, R_SEL_G; `_mixer_sets`): revision 4."""
        return self.revision >= 4

    @property
    def mixer_decay(self) -> Optional[tuple[int, int, int]]:
        """Decaying mixers (layout.R_DECAY): revision 5's first-layer weight sets learn at rate 24 (core.MIX_RATE: 10)
        less one for each 128 updates they have had, down to 4."""
        return (24, 4, 7) if self.revision >= 5 else None

    @property
    def kind_apms(self) -> bool:
        """Two APMs of the image model's own (layout.R_KIND_APMS; `_mixer_sets`): revision 5."""
        return self.revision >= 5

    @property
    def registers(self) -> int:
        """The kind's registers after layout.R_MODEL (revision 1's error rows grow with the width)."""
        return R_END - R_MODEL + (R_ERRORS - R_END + 2 * self.width * PREDICTIONS if self.revision else 0)

    def init(self, regs: np.ndarray) -> None:
        regs[R_WIDTH] = self.width
        regs[R_BIAS_ON] = int(self.bias)

    @property
    def match_min_bytes(self) -> int:
        """The match model's lookup length (layout.R_MATCH_MIN): 6 bytes in revision 0, 5 in 1, 4 from 2 on (5
        there: 0.003 % larger photographs)."""
        return max(6 - self.revision, 4)

    def identity(self) -> dict:
        """The archive identity's entries (archives of 0.4 to 0.7 name no image_bias)."""
        return ({"image_width": self.width} | ({"image_bias": 1} if self.bias else {})
                | ({"image_revision": self.revision} if self.revision else {}))


@njit(cache=CACHE)
def _activity(d):
    """|difference| quantized to 0 … 7 (0, 1, 2, 3–4, 5–8, 9–16, 17–32, more), as JPEG-LS quantizes gradients."""
    d = abs(d)
    q = 0
    while q < 7 and d > (0 if q == 0 else 1 << (q - 1)):
        q += 1
    return q


@njit(cache=CACHE)
def _signed_level(d):
    """A signed difference quantized to 0 … 4 (≤ −8, −7 … −2, −1 … 1, 2 … 7, ≥ 8)."""
    return 0 if d <= -8 else (1 if d < -1 else (2 if d <= 1 else (3 if d < 8 else 4)))


@njit(cache=CACHE)
def neighbourhood(history, pos, width):
    """The 8 hashed context values for pixel `pos`, the median prediction, the activity class (the
    Laplace's width) and the bias context (the Laplace's centre).

    Neighbours W, N, NW, NE, WW, NN (missing ones at the edges take the nearest present one); the
    contexts: W and N; the median (LOCO-I) prediction with the local activity; the gradient W + N − NW
    with |N − NW| and |W − NW|; W + NE − N; N, NE and NN; the mean of W and N with |W − N|; the
    linear extrapolations 2W − WW and 2N − NN; W, NW, N, NE coarsely (texture)."""
    w, n, nw, ne, ww, nn, _ = neighbours(history, pos, width)
    med = median(w, n, nw)
    grad = min(max(w + n - nw, 0), 255)
    values = (
        (w << 8) | n,
        (med << 6) | (_activity(n - nw) << 3) | _activity(w - nw),
        (grad << 6) | (_activity(n - nw) << 3) | _activity(w - nw),
        min(max(w + ne - n, 0), 255) | (_activity(ne - n) << 8),
        ((n >> 2) << 12) | ((ne >> 2) << 6) | (nn >> 2),
        (((w + n + 1) >> 1) << 3) | _activity(w - n),
        ((min(max(2 * w - ww, 0), 255) >> 2) << 6) | (min(max(2 * n - nn, 0), 255) >> 2),
        ((w >> 4) << 12) | ((nw >> 4) << 8) | ((n >> 4) << 4) | (ne >> 4),
        0, 0, 0,  # revision 2's two and 3's one, set in `contexts` (unused before: Image.contexts)
    )
    activity = _activity(abs(w - nw) + abs(n - nw) + abs(n - ne))
    cls = activity * 8 + _activity(abs(w - ww) + abs(n - nn))
    bias_ctx = ((_signed_level(n - nw) * 5 + _signed_level(w - nw)) * 5 + _signed_level(ne - n)) * 8 + activity
    return values, med, cls, bias_ctx


@njit(cache=CACHE)
def contexts(regs, history, pos):
    """At pixel `pos`: set the median prediction (R_SEL), the Laplace's centre (R_MU: the median plus
    its bias context's rounded mean residual, where R_BIAS_ON), the activity class and the step of
    the Laplace, whose width is this class's mean |residual| from the centre (the step's prefix sums
    made on its first use). Returns the 8 hashed context values."""
    values, med, cls, bias_ctx = neighbourhood(history, pos, regs[R_WIDTH])
    if regs[R_REVISION]:
        med = _blend(regs, history, pos)
        cls = (cls >> 3) * 8 + _activity(regs[R_SEL_ERROR])
    mu = med
    total, count = regs[R_BIAS + 2 * bias_ctx], regs[R_BIAS + 2 * bias_ctx + 1]
    if regs[R_BIAS_ON] and count >= BIAS_MIN:
        shift = (2 * total + count) // (2 * count) if total >= 0 else -((count - 2 * total) // (2 * count))
        mu = min(max(med + shift, 0), 255)
    regs[R_SEL], regs[R_MU], regs[R_BIAS_CTX], regs[R_ACT] = med, mu, bias_ctx, cls
    total, count = regs[R_CLASS + 2 * cls], regs[R_CLASS + 2 * cls + 1]
    mean16 = (total * 16 + count // 2) // count if count > 0 else 64  # mean |residual| × 16
    step = 4096 // max(mean16 * 11 // 16, 4)  # 256 / halving distance (≈ 0.69 × mean)
    regs[R_STEP] = step
    if regs[R_PREFIX + step * PREFIX_LENGTH + 1] == 0:  # P[1], zero until made
        laplace_prefix(regs, step)
    if regs[R_REVISION] >= 2:  # the two hashed contexts on the least-squares prediction
        ols, blend = regs[R_PRED + OLS], regs[R_PRED + PREDICTORS - 1]
        values = values[:8] + ((ols << 4) | _activity(regs[R_SEL_ERROR]) | (1 << 20),
                               (blend << 8) | min(max(ols - blend + 128, 0), 255) | (2 << 20), values[10])
    if regs[R_REVISION] >= 3:
        values = values[:10] + (_parities(history, pos, regs[R_WIDTH]),)
        for j in range(regs[R_MAPS]):
            regs[R_MAP_PRED + j] = regs[R_PRED + MAPPED[j]]
            regs[R_MAP_LEVEL + j] = np.searchsorted(MAP_LEVELS, regs[R_ERROR_SUMS + MAPPED[j]], side="right")
    if regs[R_REVISION] >= 4:
        _mixer_sets(regs, history, pos)
    return values


@njit(cache=CACHE)
def _mixer_sets(regs, history, pos):
    """Revision 4: choose mixer D's weights by the pixel's column (256 steps across the row), E's by eight
    comparisons among its neighbours, G's by its diagonal (column + row, steps of 32; F's by the bit
    position alone). Revision 5: F's by the parities of the pixel's column and row; the contexts of its own two APMs,
    the mean of W and N in steps of 8 with those parities, and the least-squares prediction."""
    width = regs[R_WIDTH]
    col, row = pos % width, pos // width
    w, n, nw, ne, ww, nn, _ = neighbours(history, pos, width)
    shape = ((nw > nn) | ((ne > nn) << 1) | ((ww > nw) << 2) | ((n + w > 2 * nw) << 3) | ((n + ne > 2 * nn) << 4)
             | ((abs(w - ww) > 4) << 5) | ((abs(n - nn) > 4) << 6) | ((abs(ne - nw) > 8) << 7))
    regs[R_SEL_D] = (col * 256 // width) << 2
    regs[R_SEL_E] = shape << 2
    regs[R_SEL_G] = min((col + row) >> 5, 255) << 3
    if regs[R_REVISION] >= 5:
        parities = (col & 1) | ((row & 1) << 1)
        regs[R_SEL_F] = 1 + parities
        regs[R_KIND_APM_CTX] = ((w + n) >> 3) | (parities << 6)
        regs[R_KIND_APM_CTX + 1] = regs[R_PRED + OLS]


@njit(cache=CACHE)
def _parities(history, pos, width):
    """Revision 3's context: W and N (0 where missing) with the parities of the pixel's column and row."""
    col, row = pos % width, pos // width
    w = np.int64(history[pos - 1]) if col > 0 else 0
    n = np.int64(history[pos - width]) if row > 0 else 0
    return (w << 8) | n | ((col & 1) << 16) | ((row & 1) << 17) | (3 << 20)


@njit(cache=CACHE)
def laplace_prefix(regs, step):
    """Make the step's prefix sums (R_PREFIX)."""
    at = R_PREFIX + step * PREFIX_LENGTH
    total = 0
    for d in range(PREFIX_LENGTH):
        regs[at + d] = total
        total += LAPLACE[min(d * step, 8191)]


@njit(cache=CACHE)
def cumulative(regs, k):
    """Σ_{v<k} LAPLACE[min(|v − mu| · step, 8191)], the cumulative Laplace weight of the pixel values
    below k (0 … 256; mu: the Laplace's centre), as two or three prefix sums of the step's: the same
    integer a 256-term sum gives, for 3 reads a bit instead of 256 terms a pixel."""
    mu = regs[R_MU]
    at = R_PREFIX + regs[R_STEP] * PREFIX_LENGTH
    if k <= mu:
        return regs[at + mu + 1] - regs[at + mu - k + 1]
    return regs[at + mu + 1] - regs[at + 1] + regs[at + k - mu]


@njit(cache=CACHE)
def laplace_p12(regs, c0):
    """The built-in input: P(bit = 1) in units of 2^-12 under the pixel's Laplace, given partial byte c0."""
    first, half = bit_values(c0)
    return bit_p12(cumulative(regs, first), cumulative(regs, first + half), cumulative(regs, first + 2 * half))


@njit(cache=CACHE)
def _blend(regs, history, pos):
    """Revision 1: the pixel's prediction (see the module docstring), its sub-predictions and blend
    kept in R_PRED for learn."""
    width = regs[R_WIDTH]
    col, row = pos % width, pos // width
    pred = regs[R_PRED : R_PRED + PREDICTIONS]
    predictions(history, pos, width, pred)
    pred[OLS] = pred[0]
    if regs[R_REVISION] >= 2 and _ols_inside(pos, width):
        pred[OLS] = _fit_prediction(_ols_state(regs)[OLS_WEIGHTS:], _ols_inputs(regs), history, pos, width, OLS_DY,
                                    OLS_DX, OLS_ORDER)
    if regs[R_REVISION] >= 4:
        for f in range(LOCALS):
            pred[PREDICTORS + f] = pred[0]
            if _local_inside(f, pos, width):
                pred[PREDICTORS + f] = _fit_prediction(_local_state(regs, f)[LOCAL_WEIGHTS[f]:], _local_inputs(regs, f),
                                                       history, pos, width, LOCAL_DY[f], LOCAL_DX[f], LOCAL_ORDER[f])
        extrapolations(history, pos, width, pred[PREDICTORS + LOCALS :])
    here, above = R_ERRORS + (row & 1) * width * PREDICTIONS, R_ERRORS + ((row + 1) & 1) * width * PREDICTIONS
    total, weighted, errors_med, errors_blend = 0, 0, 0, 0
    for k in range(PREDICTIONS if regs[R_REVISION] >= 4 else PREDICTORS):
        if k == OLS and regs[R_REVISION] < 2:
            continue
        e = 0
        if col > 0:
            e += regs[here + (col - 1) * PREDICTIONS + k]
        if row > 0:
            e += regs[above + col * PREDICTIONS + k]
            if col > 0:
                e += regs[above + (col - 1) * PREDICTIONS + k]
            if col + 1 < width:
                e += regs[above + (col + 1) * PREDICTIONS + k]
        regs[R_ERROR_SUMS + k] = e
        if k == 0:
            errors_med = e
        if k == PREDICTORS - 1:
            errors_blend = e
        elif k < PREDICTORS:  # revision 4's local fits stay out of the blend
            weight = BLEND_ONE // ((e + 1) * (e + 1) * (e + 1))
            total += weight
            weighted += weight * pred[k]
    pred[PREDICTORS - 1] = (weighted + total // 2) // total
    regs[R_SEL_ERROR] = min(errors_med, errors_blend)
    return pred[0] if errors_med <= errors_blend else pred[PREDICTORS - 1]


@njit(cache=CACHE)
def _ols_state(regs):
    """Revision 2's least-squares state, a float64 view of its registers."""
    return regs[R_OLS:R_OLS_INPUTS].view(np.float64)


@njit(cache=CACHE)
def _ols_inputs(regs):
    """The pixel's OLS_NEIGHBOURS as _blend read them, a float64 view of their registers."""
    return regs[R_OLS_INPUTS:R_ERROR_SUMS].view(np.float64)


@njit(cache=CACHE)
def _local_state(regs, f):
    """Revision 4: local fit f's least-squares state, a float64 view of its registers."""
    at = R_LOCAL + f * LOCAL_SIZE
    return regs[at : at + LOCAL_STATE[f]].view(np.float64)


@njit(cache=CACHE)
def _local_inputs(regs, f):
    """Revision 4: local fit f's neighbours of the pixel as _blend read them (float64)."""
    at = R_LOCAL + f * LOCAL_SIZE + LOCAL_SIZE - LOCAL_MAX
    return regs[at : at + LOCAL_ORDER[f]].view(np.float64)


@njit(cache=CACHE)
def _fit_prediction(weights, inputs, history, pos, width, dy, dx, order):
    """A least-squares fit's prediction of pixel pos (0 … 255) from its neighbours at (dy, dx), which it keeps
    in `inputs` (float64) for learn."""
    total = 0.0
    for i in range(order):
        inputs[i] = history[pos + dy[i] * width + dx[i]]
        total += weights[i] * inputs[i]
    return min(max(np.int64(np.floor(min(max(total, -1e4), 1e4) + 0.5)), 0), 255)


@njit(cache=CACHE)
def _inside(pos, width, margins):
    """Whether the rows above and the columns either side that `margins` (_margins) names lie inside the image."""
    col, row = pos % width, pos // width
    return row >= margins[0] and margins[1] <= col < width - margins[2]


@njit(cache=CACHE)
def _local_inside(f, pos, width):
    """Whether all of local fit f's neighbours of pixel pos lie inside the image."""
    return _inside(pos, width, LOCAL_MARGINS[f])


@njit(cache=CACHE)
def _ols_inside(pos, width):
    """Whether all of pixel pos's OLS_NEIGHBOURS lie inside the image (else the median stands in)."""
    return _inside(pos, width, OLS_MARGINS)


@njit(cache=CACHE)
def learn(regs, byte, pos):
    """After a pixel: learn the residual's size in its activity class (halved every 64) and the
    prediction's bias in its bias context; in revision 1 each prediction's error, in revision 2 the
    least-squares fit, in revision 4 the local fits."""
    if regs[R_REVISION]:
        width = regs[R_WIDTH]
        at = R_ERRORS + ((pos // width) & 1) * width * PREDICTIONS + (pos % width) * PREDICTIONS
        for k in range(PREDICTIONS if regs[R_REVISION] >= 4 else PREDICTORS):
            regs[at + k] = abs(byte - regs[R_PRED + k])
        if regs[R_REVISION] >= 4:
            for f in range(LOCALS):
                if _local_inside(f, pos, width):
                    lsq.fit(_local_state(regs, f), _local_inputs(regs, f), np.float64(byte),
                            pos % OLS_SOLVE_EVERY == 0, LOCAL_ORDER[f], LOCAL_FORGET[f], OLS_RIDGE)
        if regs[R_REVISION] >= 2 and _ols_inside(pos, width):  # the inputs _blend read for this pixel
            lsq.fit(_ols_state(regs), _ols_inputs(regs), np.float64(byte), pos % OLS_SOLVE_EVERY == 0,
                    OLS_ORDER, OLS_FORGET, OLS_RIDGE)
    at = R_CLASS + 2 * regs[R_ACT]
    regs[at] += abs(byte - regs[R_MU])
    regs[at + 1] += 1
    if regs[at + 1] >= 64:
        regs[at] >>= 1
        regs[at + 1] >>= 1
    at = R_BIAS + 2 * regs[R_BIAS_CTX]
    regs[at] += byte - regs[R_SEL]
    regs[at + 1] += 1
    if regs[at + 1] >= BIAS_LIMIT:
        regs[at] = regs[at] // 2 if regs[at] >= 0 else -(-regs[at] // 2)
        regs[at + 1] >>= 1
