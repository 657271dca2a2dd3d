"""The audio model: 16-bit little-endian PCM (24-bit: three bytes a sample), channels interleaved
(the `audio` codec).

Each sample is predicted (31/32 of the channel's last sample plus a cascade of two stages on
pre-emphasized samples: stage 1 recursive least squares over the last 16 (least_squares.py, as Sac
and OptimFROG predict; it converges within about a hundred samples, where the normalised LMS of the
first `audio` archives, still decoded, needed thousands), stage 2 normalised LMS on stage 1's
residuals). The built-in input is a discrete Laplace distribution around the prediction (revision 1,
gencomp 0.25 on: a mixture of it and Laplaces around five more least-squares fits, audio_mixture.py), its width
a running mean |error| (of three, at rates 1/4, 1/16 and 1/64, the one whose Laplace has lately cost
the fewest bits): on the low byte summed over the three nearest high bytes, on the high byte given
the low byte, so the two bytes cost together about what the sample costs under the Laplace.
Contexts: the predicted byte, the error size, the byte pair, the previous sample. The mixers start
from the Laplace input alone (every other weight 0): a 2048-byte chunk is over before they would
learn to discount untrained contexts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gencomp.jit import CACHE
from gencomp.models.context_mixing import audio_mixture as mixture
from gencomp.models.context_mixing import least_squares as lsq
from gencomp.models.context_mixing.counters import CONTEXT_LIMIT
from gencomp.models.context_mixing.laplace import LAPLACE, bit_p12, bit_values, laplace_cost
from gencomp.models.context_mixing.layout import R_C4, R_MODEL, R_REVISION, R_SEL
from gencomp.native import njit

ORDER, FAST_ORDER = lsq.ORDER, 4  # the predictors' orders (on pre-emphasized samples)
RATE, FAST_RATE = (4, 12), 1  # the normalised LMS steps: stage 2 1/4 (revision 0) or 1/12 (1); fast 1
FORGET = (lsq.FORGET, 0.995)  # stage 1 forgets this a sample: revision 0 (≈ 500 samples), 1 (≈ 200)
SCALE_RATES = (2, 4, 6)  # the error scales' rates (1/4, 1/16, 1/64); archives of 0.5 and 0.6 track the first alone
SCALE_COST_RATE = 7  # the scales' running costs (bits a sample under the Laplace) move by 1/128 of each sample's
RING = 16 * 8  # stage-1 residuals kept: ORDER per channel, up to 8 channels
GENERATION_SHRINK = 0.97  # sampling: weight i scaled by this^(i+1), every pole pulled inward (bandwidth expansion)

R_CHANNELS = R_MODEL  # interleaved channels
R_ABYTES = R_CHANNELS + 1  # bytes a sample (2: 16-bit, 3: 24-bit)
R_LSQ = R_ABYTES + 1  # 1: stage 1 is least squares; 0: normalised LMS (archives of gencomp 0.4)
R_GENERATING = R_LSQ + 1  # 1: sampling, not coding (Audio.generating)
R_AMU = R_GENERATING + 1  # the predicted sample
R_AERR = R_AMU + 1  # the error scale in use (mean |residual| × 16: of the scales, the one lately cheapest)
R_SCALES = R_AERR + 1  # how many error scales (SCALE_RATES) are tracked
R_SCALE = R_SCALES + 1  # each error scale (mean |residual| × 16 at its rate)
R_SCALE_COST = R_SCALE + len(SCALE_RATES)  # each error scale's running cost
R_AW = R_SCALE_COST + len(SCALE_RATES)  # weights (2^14 = 1.0): stage 1 as LMS (16), stage 2 (16), fast (4)
R_AP = R_AW + 2 * ORDER + FAST_ORDER  # predictions (2^14 units): stage 1, stage 2, fast; then the running
#   mean |error| × 16 of the cascade (stage 1 + 2) and of the fast predictor
R_RING = R_AP + 5  # stage 1's residuals, a ring of RING; then its next index
R_ROW = R_RING + RING + 1  # the current byte's cumulative weights (257) under the Laplace
R_LSQ_STATE = R_ROW + 257  # stage 1's float64 state, bit for bit in int64 registers (least_squares.STATE_SIZE)
R_END = R_LSQ_STATE + lsq.STATE_SIZE
R_MIXTURE = R_END  # revision 1: the mixture's registers (audio_mixture.SIZE)


@dataclass(frozen=True)
class Audio:
    """PCM of `channels` interleaved channels of `bits` (16 or 24). least_squares: stage 1 is recursive
    least squares (gencomp 0.5; False: 0.4's normalised LMS, 16-bit only); error_scales: how many of
    SCALE_RATES are tracked (1: the fastest alone, as in archives of 0.5 and 0.6); generating: for
    sampling, not coding: stage 1's weights shrunk (GENERATION_SHRINK), stage 2 left out and the
    Laplace alone coding, so that the predictor run on its own samples is a stable filter (as coded,
    it may resonate and grow to full scale within milliseconds)."""

    channels: int = 1
    bits: int = 16
    least_squares: bool = True
    error_scales: int = len(SCALE_RATES)
    generating: bool = False
    revision: int = 1  # layout.R_REVISION: 1, the Laplace a mixture (audio_mixture.py); 0 reads gencomp 0.4 to 0.24
    kind = 2  # kinds.AUDIO
    contexts = 8  # hashed contexts in use (layout.R_ACTIVE)
    refined = False  # layout.R_REFINED
    runs = False  # layout.R_RUNS
    settled = False  # layout.R_SETTLED
    short_final_by_bit = False  # state.new_state
    tokens = False  # the byte model's token model and hex-run input (orders.Bytes.tokens)
    fine = False  # the byte model's finer final probability (orders.Bytes.fine)
    mixer_decay = None  # layout.R_DECAY (orders.Bytes.mixer_decay)
    kind_apms = False  # layout.R_KIND_APMS
    mixer_skip = 0  # layout.R_MIXER_SKIP
    groups = False  # mixer G (layout.R_SEL_G)
    relative_maps = 0  # layout.R_MAPS
    context_limit = CONTEXT_LIMIT  # layout.R_CONTEXT_LIMIT
    match_min_bytes = 6  # layout.R_MATCH_MIN

    @property
    def registers(self) -> int:
        """The kind's registers after layout.R_MODEL."""
        return R_END - R_MODEL + (mixture.SIZE if self.revision else 0)

    def init(self, regs: np.ndarray) -> None:
        regs[R_CHANNELS], regs[R_ABYTES] = self.channels, self.bits // 8
        regs[R_LSQ], regs[R_GENERATING] = int(self.least_squares), int(self.generating and self.least_squares)
        regs[R_AERR] = 16 * 256
        regs[R_SCALES] = self.error_scales
        regs[R_SCALE : R_SCALE + len(SCALE_RATES)] = 16 * 256
        if self.revision:
            mixture.init(regs, R_MIXTURE)

    @property
    def external_alone(self) -> bool:
        """The mixers start from the Laplace input alone (least squares converges fast enough to trust)."""
        return self.least_squares

    def identity(self) -> dict:
        """The archive identity's entries: archives of 0.4 name no predictor, of 0.5 and 0.6 no error
        scales, of 0.4 to 0.24 no revision; 16-bit ones no sample width."""
        identity = {"audio_channels": self.channels}
        identity |= {"audio_predictor": "least-squares"} if self.least_squares else {}
        identity |= {"audio_error_scales": self.error_scales} if self.error_scales > 1 else {}
        identity |= {"audio_revision": self.revision} if self.revision else {}
        return identity | ({"audio_bits": self.bits} if self.bits != 16 else {})


@njit(cache=CACHE)
def _sample(history, at, width):
    """The signed little-endian sample of `width` bytes (2: 16-bit, 3: 24-bit) whose low byte is history[at]."""
    v = np.int64(0)
    for j in range(width):
        v |= np.int64(history[at + j]) << (8 * j)
    half = np.int64(1) << (8 * width - 1)
    return v - 2 * half if v >= half else v


@njit(cache=CACHE)
def _emphasized(history, at, stride, width):
    """The pre-emphasized sample x[t] − 31/32 · x[t−1] whose low byte is at history[at] (0 before the start)."""
    if at < 0:
        return 0
    previous = _sample(history, at - stride, width) if at >= stride else 0
    return _sample(history, at, width) - ((31 * previous) >> 5)


@njit(cache=CACHE)
def _lsq_state(regs):
    """Stage 1's float64 state, a view of its registers."""
    return regs[R_LSQ_STATE : R_LSQ_STATE + lsq.STATE_SIZE].view(np.float64)


@njit(cache=CACHE)
def _ring_residual(regs, channels, i):
    """Stage 1's residual of this channel's sample i + 1 samples back (0 before the start)."""
    at = (regs[R_RING + RING] - channels * (i + 1)) % RING
    return regs[R_RING + at]


@njit(cache=CACHE)
def _predict_sample(regs, history, pos):
    """At a sample's low byte: predict the sample (R_AMU) as 31/32 of the last one plus the cascade
    (stage 2 and the fast predictor: integer sums sized for 16-bit samples; in gencomp 0.4's archives,
    the fast short predictor instead when its recent errors were smaller)."""
    channels, width = regs[R_CHANNELS], regs[R_ABYTES]
    stride = width * channels
    half = np.int64(1) << (8 * width - 1)
    p1, p2, pf = 0, 0, 0
    least_squares, generating = regs[R_LSQ] == 1, regs[R_GENERATING] == 1
    cascade = width == 2
    weights = _lsq_state(regs)[lsq.WEIGHTS :]
    ys = _inputs(history, pos, stride, width,
                 mixture.inputs(regs, R_MIXTURE) if regs[R_REVISION] else np.empty(ORDER, np.int64))
    p1f, shrink = 0.0, 1.0
    for i in range(ORDER):
        y = ys[i]
        if least_squares:
            if generating:
                shrink *= GENERATION_SHRINK
            p1f += weights[i] * shrink * y
        else:
            p1 += regs[R_AW + i] * y
        if cascade:
            p2 += regs[R_AW + ORDER + i] * _ring_residual(regs, channels, i)
            if i < FAST_ORDER:
                pf += regs[R_AW + 2 * ORDER + i] * y
    if least_squares:
        bound = 1e6 if width == 2 else 1e8
        p1 = np.int64(np.floor(min(max(p1f, -bound), bound) * 16384.0 + 0.5))
    regs[R_AP], regs[R_AP + 1], regs[R_AP + 2] = p1, p2, pf
    chosen = p1 + p2 if least_squares or regs[R_AP + 3] <= regs[R_AP + 4] else pf  # else the one erring less lately
    if generating:
        chosen = p1
    last = _sample(history, pos - stride, width) if pos >= stride else 0
    regs[R_AMU] = min(max(((chosen + (1 << 13)) >> 14) + ((31 * last) >> 5), -half), half - 1)
    if regs[R_REVISION]:
        mixture.predict(regs, R_MIXTURE, ys, (31 * last) >> 5, half)


@njit(cache=CACHE)
def _inputs(history, pos, stride, width, ys):
    """ys (count,) int64, filled and returned: the pre-emphasized samples of this channel before the one
    at `pos`, newest first (revision 1: the mixture's registers, which its fits learn from)."""
    for i in range(ys.shape[0]):
        ys[i] = _emphasized(history, pos - stride * (i + 1), stride, width)
    return ys


@njit(cache=CACHE)
def contexts(regs, history, pos):
    """At the byte `pos`: on a sample's low byte, predict the sample; then fill regs[R_ROW:] with this
    byte's cumulative weights under the Laplace around the prediction, given the sample's bytes
    below it, summed over the three nearest values of the bytes above it. Sets R_SEL to the byte the
    prediction expects here; returns the 8 hashed context values (computed on the top 16 bits)."""
    c4 = regs[R_C4]
    channels, width = regs[R_CHANNELS], regs[R_ABYTES]
    stride = width * channels
    k = pos % width  # the byte's place in its sample, 0: lowest
    half = np.int64(1) << (8 * width - 1)
    if k == 0:
        _predict_sample(regs, history, pos)
    mu = regs[R_AMU]
    mean16 = max(regs[R_AERR], 16)
    if regs[R_REVISION]:
        _mixture_row(regs, history, pos, k, width, half)
    else:
        _laplace_row(regs[R_ROW : R_ROW + 257], history, pos, k, width, mu + half, _step(mean16))
    scale = 8 * (width - 2)  # contexts see the top 16 bits
    error_class = min((mean16 >> scale) >> 6, 63)
    predicted = (mu >> (8 * k)) & 255
    regs[R_SEL] = predicted
    previous = _sample(history, pos - k - stride, width) if pos - k - stride >= 0 else 0
    top, previous_top = mu >> scale, previous >> scale
    return ((k << 16) | (predicted << 8) | error_class,
            (k << 16) | (c4 & 0xFFFF),
            (k << 16) | ((top >> 4) & 0xFFF),
            (k << 24) | (c4 & 0xFFFFFF),
            (k << 20) | (((previous_top >> 6) & 0x3FF) << 6) | error_class,
            (k << 16) | (predicted << 8) | (c4 & 255),
            (k << 16) | (((top - previous_top) >> 5) & 0x7FF),
            k | (error_class << 1))


@njit(cache=CACHE)
def _step(mean16):
    """A Laplace's step for a mean |error| × 16 of mean16 (≥ 16): 256 / its halving distance (≈ 0.69 ×
    mean), in 2^12 units."""
    return (256 * 256 << 12) // (mean16 * 11)


@njit(cache=CACHE)
def _mixture_row(regs, history, pos, k, width, half):
    """Revision 1: regs[R_ROW:] for byte k under the mixture of Laplaces around the components'
    predictions (audio_mixture.py), each row as _laplace_row's, weighted to a total of 2^16."""
    count = mixture.COMPONENTS
    steps, centres, weights = np.empty(count, np.int64), np.empty(count, np.int64), np.empty(count, np.int64)
    steps[0], centres[0] = _step(max(regs[R_AERR], 16)), regs[R_AMU]
    for f in range(count - 1):
        steps[1 + f] = _step(max(regs[R_MIXTURE + mixture.M_SCALE + f], 16))
        centres[1 + f] = regs[R_MIXTURE + mixture.M_PREDICTION + f]
    steps[:] = np.maximum(steps, 1)  # 0 for a 24-bit Laplace wider than 2^20: still a weight
    mixture.normalised_weights(regs, R_MIXTURE, steps, weights)
    row, part = regs[R_ROW : R_ROW + 257], np.empty(257, np.int64)
    row[:] = 0
    for c in range(count):
        if weights[c] == 0:
            continue
        _laplace_row(part, history, pos, k, width, centres[c] + half, steps[c])
        for v in range(257):
            row[v] += (part[v] >> 16) * weights[c]


@njit(cache=CACHE)
def _laplace_row(row, history, pos, k, width, centre_value, step):
    """row (257,) for byte k of a sample of `width` bytes: candidate v's weight is the Laplace
    around centre_value (the prediction, offset to unsigned) of the sample made of v, the bytes
    below it (known) and the three nearest values of the bytes above it (the top byte is signed:
    its offset value is v ^ 0x80); row[v] is the sum of the weights of the candidates below v."""
    below = np.int64(0)
    for j in range(k):
        below |= np.int64(history[pos - k + j]) << (8 * j)
    shift = 8 * (k + 1)
    top = k == width - 1
    centre = centre_value >> shift
    first, last = (0, 0) if top else (max(centre - 1, 0), min(centre + 1, (np.int64(1) << (8 * width - shift)) - 1))
    weights = row[1:]  # candidate v's weight at row[v + 1], then summed in place
    weights[:] = 0
    flip = 0x80 if top else 0
    for u in range(first, last + 1):
        _add_weights(weights, (u << shift) + below - centre_value, 8 * k, flip, step)
    row[0] = 0
    for v in range(256):
        row[v + 1] += row[v]


@njit(cache=CACHE, inline='always')
def _add_weights(weights, offset, byte_shift, flip, step):
    """weights[v] += the Laplace weight at distance |offset + ((v ^ flip) << byte_shift)|, for every v."""
    for v in range(256):
        weights[v] += LAPLACE[min((abs(offset + ((v ^ flip) << byte_shift)) * step) >> 12, 8191)]


@njit(cache=CACHE)
def laplace_p12(regs, c0):
    """The built-in input: P(bit = 1) in units of 2^-12 from the byte's cumulative weights (regs[R_ROW:])."""
    first, half = bit_values(c0)
    return bit_p12(regs[R_ROW + first], regs[R_ROW + first + half], regs[R_ROW + first + 2 * half])


@njit(cache=CACHE)
def input_alone(regs):
    """Whether the final probability is the input's alone (generating: the Laplace around the prediction,
    or an external model's), the mixers' discarded."""
    return regs[R_GENERATING] == 1


@njit(cache=CACHE)
def override(regs, p, ext_p12):
    """The final P(bit = 1) (2^-16 units): when generating, the Laplace around the prediction alone."""
    if input_alone(regs) and ext_p12 >= 0:
        return ext_p12 * 16
    return p


@njit(cache=CACHE)
def learn(regs, history, pos):
    """After byte `pos`; after a sample's high byte, learn its prediction error (scale, and the
    predictors' weights)."""
    channels, width = regs[R_CHANNELS], regs[R_ABYTES]
    if pos % width != width - 1:
        return
    stride = width * channels
    start = pos - (width - 1)
    value = _sample(history, start, width)
    revision, error16 = regs[R_REVISION], abs(value - regs[R_AMU]) * 16
    main_cost = laplace_cost(max(regs[R_AERR], 16), error16) if revision else 0  # before the scale moves
    if regs[R_GENERATING] == 0:  # sampling keeps the prompt's error scale: fed its own samples it would drift
        learn_error_scale(regs, error16)
    target = _emphasized(history, start, stride, width)
    r1 = target - ((regs[R_AP] + (1 << 13)) >> 14)  # stage 1's residual: what stage 2 predicts
    cascade = target - ((regs[R_AP] + regs[R_AP + 1] + (1 << 13)) >> 14)
    fast = target - ((regs[R_AP + 2] + (1 << 13)) >> 14)
    regs[R_AP + 3] += (abs(cascade) * 16 - regs[R_AP + 3]) >> 4
    regs[R_AP + 4] += (abs(fast) * 16 - regs[R_AP + 4]) >> 4
    r2 = r1 - ((regs[R_AP + 1] + (1 << 13)) >> 14)
    ys = mixture.inputs(regs, R_MIXTURE) if revision else _inputs(history, start, stride, width,
                                                                  np.empty(ORDER, np.int64))
    rs = np.empty(ORDER, np.int64)
    norm_y, norm_r, norm_f = 1, 1, 1
    for i in range(ORDER):
        rs[i] = _ring_residual(regs, channels, i)
        norm_y += ys[i] * ys[i]
        norm_r += rs[i] * rs[i]
        if i < FAST_ORDER:
            norm_f += ys[i] * ys[i]
    least_squares, index = regs[R_LSQ] == 1, start // stride  # the sample's index in its channel
    if least_squares and index > ORDER:  # only rows whose history is all real samples
        lsq.fit(_lsq_state(regs), ys[:ORDER], target, index % lsq.SOLVE_EVERY == 0, ORDER, FORGET[revision],
                lsq.RIDGE)
    if revision:
        mixture.learn(regs, R_MIXTURE, target, value, main_cost, index)
    if width != 2:  # the integer stages below are sized for 16-bit samples (see _predict_sample)
        return
    for i in range(ORDER):
        if not least_squares:
            regs[R_AW + i] += (r1 * ys[i] << 14) // (norm_y * RATE[0])
        regs[R_AW + ORDER + i] += (r2 * rs[i] << 14) // (norm_r * RATE[revision])
        if i < FAST_ORDER:
            regs[R_AW + 2 * ORDER + i] += (fast * ys[i] << 14) // (norm_f * FAST_RATE)
    at = regs[R_RING + RING]
    regs[R_RING + at] = r1
    regs[R_RING + RING] = (at + 1) % RING


@njit(cache=CACHE)
def learn_error_scale(regs, error16):
    """Track the |error| × 16 of the sample just coded at each of R_SCALES rates, and each scale's running
    cost: what the sample cost under a Laplace of that scale, −log2 p ≈ log2(scale) + |error| / (scale ·
    ln 2) plus a constant, in 1/4096 bit. The next sample's Laplace takes the scale that has lately cost
    the least (a loop's steady notes favour the slow ones, speech's syllables the fast one)."""
    count = regs[R_SCALES]
    best = 0
    for i in range(count):
        if count > 1:
            cost = laplace_cost(max(regs[R_SCALE + i], 16), error16)
            regs[R_SCALE_COST + i] += (cost - regs[R_SCALE_COST + i]) >> SCALE_COST_RATE
            if regs[R_SCALE_COST + i] < regs[R_SCALE_COST + best]:
                best = i
        regs[R_SCALE + i] += (error16 - regs[R_SCALE + i]) >> SCALE_RATES[i]
    regs[R_AERR] = regs[R_SCALE + best]
