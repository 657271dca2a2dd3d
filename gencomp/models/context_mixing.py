"""A context-mixing bit predictor in the lpaq / paq8 tradition: it learns from the file it codes.

Each byte is coded as 8 binary decisions, most significant bit first. For every bit:

* **contexts** — order 0 and 1 (direct tables), orders 2, 3, 4 and 6, the current word, the last two
  words, the byte above in the previous line (columns of logs and tables), and a sparse context
  (the two bytes before the last one) — each select an adaptive probability (a 22-bit counter with
  a 10-bit count whose rate falls as 1/n, zpaq's ICM-less "CM"). Hashed contexts live in one table
  of 64-byte slots, one slot per context and nibble (15 counters + a 16-bit check), two probes a
  lookup, the less used slot replaced: two cache misses per context per byte;
* **a match model** predicts the byte that followed the longest recent match of the last
  MATCH_MIN_BYTES bytes; how much to trust it is learned per match length;
* **an external model** (optional): another predictor's byte distribution (the transformer in
  `mix:NAME`), turned into this bit's probability;
* **mixing** — the stretched probabilities (ln p/(1−p)) are mixed by three online logistic mixers
  whose weight sets are chosen by the partial byte; by the match state, how many hashed contexts
  were seen before and the bit position; and by the previous byte; a second-layer mixer per bit
  position combines them;
* **two APM/SSE stages** refine the result given the partial byte (and the previous byte).

**Image mode** (image_width > 0; the `image` codec): the bytes are 8-bit grayscale pixels in rows.
The hashed contexts come from the causal neighbours instead (`_image_contexts`: W, N, NW, NE, WW,
NN, the LOCO-I median and gradient predictions with quantized local activity, as JPEG-LS and
paq8px's image model use them); the external input becomes a discrete Laplace distribution
around the median prediction whose width is learned per activity class (`_row_p12`), so a
2048-byte patch is predicted well from its first row; since gencomp 0.8 its centre is the median
plus the mean residual of the pixel's bias context (signs of three gradients × activity), as
JPEG-LS cancels its predictor's bias per context. The predicted pixel, not the previous byte,
selects mixer C's weights and APM 2's context.

**Audio mode** (audio_channels > 0; the `audio` codec): the bytes are 16-bit little-endian PCM
(24-bit with `audio:C:24`: three bytes a sample, each byte's Laplace weights summed over the
nearest values of the bytes above it, `_laplace_row`).
Each sample is predicted (`_audio_begin`: 31/32 of the channel's last sample plus a cascade of two
stages on pre-emphasized samples: stage 1 recursive least squares over the last 16 (`_lsq_learn`,
as Sac and OptimFROG predict; it converges within about a hundred samples, where the normalised
LMS of the first `audio` archives, still decoded, needed thousands), stage 2 normalised LMS on
stage 1's residuals), and the external input is a discrete Laplace distribution around the
prediction, its width a running mean |error| (of three, at rates 1/4, 1/16 and 1/64, the one
whose Laplace has lately cost the fewest bits: `_learn_error_scale`): on the low byte summed over
the three nearest high bytes, on the high byte given the low byte, so the two bytes cost together
about what the sample costs under the Laplace. Contexts: the predicted byte, the error size, the byte pair, the
previous sample. The mixers start from the Laplace input alone (every other weight 0): a
2048-byte chunk is over before they would learn to discount untrained contexts.

Everything is integer arithmetic (tables from gencomp.coding.exact), except audio's least-squares
stage: float64 in a fixed order with no fast-math flags (so no fused multiply-adds), which IEEE
754 makes the same on every machine. So the decoder reproduces the encoder's probabilities on
every machine. The model state is a handful of arrays (`State`);
the kernels here are compiled with numba and called once per block, or once per byte when an
external model must be consulted between bytes.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass

import numpy as np
from numba import njit

from gencomp.coding import exact
from gencomp.coding.range_coder import decode_bit, encode_bit
from gencomp.jit import CACHE

INPUT_WEIGHT = 1 << 14  # an input's initial mixing weight, 0.25 (2^16 = 1.0)
HASHED = 8  # hashed contexts: orders 2, 3, 4, 6, word, word pair, column, sparse
N_INPUTS = 2 + HASHED + 3  # order 0, order 1, hashed, match, external, bias
X_MATCH, X_EXT, X_BIAS = 2 + HASHED, 3 + HASHED, 4 + HASHED
MATCH_MIN_BYTES = 6
MATCH_MAX_LEN = 65535

# counters: p (22 bits) << 10 | n (10 bits); rate 1 / (n + 1.5), n stops at the limit
COUNTER_INIT = (1 << 21) << 10
CONTEXT_LIMIT = 255
MATCH_LIMIT = 1023

# direct counters: order 0 (256), order 1 (65,536), match (32 lengths × 2 expected bits)
D_O1 = 256
D_MATCH = D_O1 + 65536
D_IMAGE = D_MATCH + 64  # image mode: (sum of |residual|, count) per activity class (64 classes)
DIRECT_SIZE = D_IMAGE + 2 * 64
LAPLACE = exact.exp_table(2, 30, 8192, floor=1)  # 2^(30 - i/256): image and audio mode's Laplace weights
LOG2_FRACTION = exact.log2_table(256, 4096)  # 4096 · log2(1 + j/256): audio's error scale costs

# mixer weight sets (N_INPUTS weights each, 16 fractional bits): partial byte; match state × known
# contexts × bit position; previous byte
M_A, M_B = 0, 256
M_C = M_B + 9 * (HASHED + 1) * 8
M_FINAL = M_C + 256  # second layer: 8 sets (bit position) of N_MIXERS weights
N_MIXERS = 3
MIXER_SIZE = M_FINAL * N_INPUTS + 8 * N_MIXERS
MIX_RATE = 10  # first-layer learning rate (weight += x · err · rate >> 14)
FINAL_RATE = 2  # second layer, likewise

# APMs: 33 buckets over the stretched probability per context; 16-bit probabilities
APM_BUCKETS = 33
A_1 = 0  # context: partial byte (256)
A_2 = 256 * APM_BUCKETS  # context: partial byte and previous byte (65,536)
APM_SIZE = A_2 + 65536 * APM_BUCKETS
APM_RATE = 6

# registers (int64 scalars)
R_C0, R_BITPOS, R_C4, R_C8, R_POS = 0, 1, 2, 3, 4
R_W0, R_W1, R_LINE, R_PREV_LINE = 5, 6, 7, 8
R_MPTR, R_MLEN, R_MBYTE, R_MCTX = 9, 10, 11, 12
R_KNOWN = 13  # hashed contexts seen before, at this byte
R_SETS = 14  # N_MIXERS chosen weight sets
R_P = R_SETS + N_MIXERS  # N_MIXERS first-layer probabilities (12 bits)
R_S = R_P + N_MIXERS  # N_MIXERS first-layer logits
R_PF = R_S + N_MIXERS  # final mixer probability (12 bits)
R_APM = R_PF + 1  # 2 APM indices, 1 interpolation weight
R_CTX = R_APM + 3  # HASHED context hashes
R_SLOT = R_CTX + HASHED  # HASHED slot offsets into the table
R_X = R_SLOT + HASHED  # N_INPUTS inputs
R_WIDTH = R_X + N_INPUTS  # 0: bytes (text and anything else); > 0: 8-bit pixels in rows of this width
R_SEL = R_WIDTH + 1  # the byte that selects mixer C's weights and APM 2's context: previous byte, or the
#   predicted pixel (image mode), or the predicted sample's byte (audio mode)
R_ACT = R_SEL + 1  # image mode: the pixel's activity class
R_CHANNELS = R_ACT + 1  # 0: not audio; > 0: 16-bit little-endian PCM, this many interleaved channels
R_AMU, R_AERR = R_CHANNELS + 1, R_CHANNELS + 2  # audio: predicted sample; the error scale in use (mean |residual|
#   × 16: of the R_SCALE scales, the one whose Laplace has lately cost the fewest bits)
AUDIO_ORDER, AUDIO_FAST_ORDER = 16, 4  # audio predictors' orders (normalised LMS on pre-emphasized samples)
AUDIO_RATE, AUDIO_FAST_RATE = 4, 1  # their steps: 1/4 and 1
AUDIO_SCALE_RATES = (2, 4, 6)  # audio: the error scales' rates (1/4, 1/16, 1/64); archives of gencomp 0.5 and 0.6
#   track the first alone
SCALE_COST_RATE = 7  # the scales' running costs (bits a sample under the Laplace) move by 1/128 of each sample's
AUDIO_RING = 16 * 8  # stage-1 residuals kept: AUDIO_ORDER per channel, up to 8 channels
R_AW = R_AERR + 1  # audio weights (2^14 = 1.0): stage 1 (16), stage 2 (16, on stage 1's residuals), fast (4)
R_AP = R_AW + 2 * AUDIO_ORDER + AUDIO_FAST_ORDER  # predictions (2^14 units): stage 1, stage 2, fast;
#   then the running mean |error| × 16 of the cascade (stage 1 + 2) and of the fast predictor
R_RING = R_AP + 5  # stage 1's residuals, a ring of AUDIO_RING; then its next index
R_ROW = R_RING + AUDIO_RING + 1  # audio: the current byte's cumulative weights (257) under the Laplace
R_LSQ = R_ROW + 257  # audio: 1 when stage 1 is the least-squares predictor (audio_least_squares), 0: normalised LMS,
#   2: least squares made stable for sampling (audio_generating)
R_ABYTES = R_LSQ + 1  # audio: bytes a sample (2: 16-bit, 3: 24-bit)
R_LSQ_STATE = R_ABYTES + 1  # its float64 state (stored bit for bit in the int64 registers): covariance
#   (AUDIO_ORDER²), cross-correlation (AUDIO_ORDER), weights (AUDIO_ORDER)
LSQ_STATE_SIZE = AUDIO_ORDER * (AUDIO_ORDER + 2)
R_SCALES = R_LSQ_STATE + LSQ_STATE_SIZE  # audio: how many error scales (AUDIO_SCALE_RATES) are tracked
R_SCALE = R_SCALES + 1  # audio: each error scale (mean |residual| × 16 at its rate)
R_SCALE_COST = R_SCALE + len(AUDIO_SCALE_RATES)  # audio: each error scale's running cost
R_STEP = R_SCALE_COST + len(AUDIO_SCALE_RATES)  # image: the Laplace's step (256 / halving distance)
MAX_STEP = 1024  # image: the widest step (the narrowest Laplace)
PREFIX_LENGTH = 257  # image: a step's prefix sums P[0 … 256]
R_PREFIX = R_STEP + 1  # image: per step 0 … MAX_STEP, P[d] = Σ_{i<d} LAPLACE[min(i · step, 8191)], made on the
#   step's first use (P[1] = LAPLACE[0] > 0 marks them made; 2.1 MB of registers, a few pages of them touched)
R_MU = R_PREFIX + (MAX_STEP + 1) * PREFIX_LENGTH  # image: the Laplace's centre, the median prediction (R_SEL)
#   corrected by its bias context's mean residual
R_BIAS_ON = R_MU + 1  # image: 1 when the centre is corrected (gencomp 0.8 on), 0 in earlier archives
R_BIAS_CTX = R_BIAS_ON + 1  # image: the pixel's bias context (signs and sizes of three gradients, activity)
BIAS_CONTEXTS = 5 * 5 * 5 * 8
R_BIAS = R_BIAS_CTX + 1  # image: per bias context, (sum of residuals from the median, count), halved at BIAS_LIMIT
BIAS_LIMIT, BIAS_MIN = 64, 16  # … and used once BIAS_MIN residuals are in
R_SIZE = R_BIAS + 2 * BIAS_CONTEXTS
LSQ_FORGET = 0.998  # the least-squares window: each sample's weight decays by this per sample (≈ 500 samples)
LSQ_SOLVE_EVERY = 2  # samples between solves (every sample: 0.1 % smaller on speech chunks, 4: 0.1 % larger)
LSQ_RIDGE = 1.0  # added to the covariance's diagonal before solving (in squared sample units)
LSQ_GENERATION_SHRINK = 0.97  # sampling: weight i scaled by this^(i+1), every pole pulled inward (bandwidth expansion)

MASK32 = 0xFFFFFFFF
HUGE_PAGE_BYTES = 2 << 20
SQUASH = exact.squash_table()  # the kernels take both tables as arguments
STRETCH = exact.stretch_table()
_RATE = np.array([(131072 + (2 * n + 3) // 2) // (2 * n + 3) for n in range(1024)], np.int64)  # 2^16 / (n + 1.5)
_BIT_POSITION = np.array([max(c0, 1).bit_length() - 1 for c0 in range(256)], np.int64)  # of a partial byte c0
_NEG_LOG2 = -np.log2(np.maximum(np.arange(1 << 16), 1) / 65536.0)  # for reporting code lengths only


@dataclass
class State:
    """One model's memory. table: (slots · 16,) uint32; direct: counters; mixer: int64 (each weight
    within ±2^24; 64 bits spare the kernel a widening per product); apm: int32; match: (2^k,) int32
    positions; regs: (R_SIZE,) int64 registers."""

    table: np.ndarray
    direct: np.ndarray
    mixer: np.ndarray
    apm: np.ndarray
    match: np.ndarray
    regs: np.ndarray

    @property
    def arrays(self) -> tuple:
        return self.table, self.direct, self.mixer, self.apm, self.match, self.regs

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.arrays)


def new_state(slot_bits: int, match_bits: int, history: np.ndarray, ext_weight: int = INPUT_WEIGHT,
              input_weight: int = INPUT_WEIGHT, image_width: int = 0, audio_channels: int = 0,
              audio_least_squares: bool = True, audio_generating: bool = False, audio_bits: int = 16,
              audio_error_scales: int = len(AUDIO_SCALE_RATES), image_bias: bool = True) -> State:
    """A fresh model with 2^slot_bits 64-byte slots and a 2^match_bits match index, positioned
    before history[0] (history: the uint8 buffer its bytes will be written to, in order).

    ext_weight: the external model's initial mixing weight (2^16 = 1.0); input_weight: every other input's.
    image_width > 0: the bytes are 8-bit grayscale pixels, row after row of that many (see _image_contexts).
    audio_channels > 0: the bytes are 16-bit little-endian PCM samples, that many channels interleaved;
    audio_least_squares: stage 1 of the sample predictor is recursive least squares (False: the
    normalised LMS of the first `audio` archives); audio_generating: for sampling, not coding: stage 1's
    weights shrunk (LSQ_GENERATION_SHRINK) and stage 2 left out, so that the predictor, run on its own
    samples, is a stable filter (as coded, it may resonate and grow to full scale within milliseconds);
    audio_bits: 16, or 24 (three bytes a sample, least squares only); audio_error_scales: how many of the
    error scales AUDIO_SCALE_RATES are tracked (1: the fastest alone, as in archives of gencomp 0.5 and 0.6);
    image_bias: the Laplace's centre is corrected by its context's mean residual (False: as in archives of
    gencomp 0.4 to 0.7)."""
    mixer = np.zeros(MIXER_SIZE, np.int64)
    mixer[: M_FINAL * N_INPUTS] = input_weight
    if audio_channels > 0 and audio_least_squares:  # the Laplace input alone at first: short chunks pay for learning
        mixer[: M_FINAL * N_INPUTS] = 0
    mixer[X_EXT : M_FINAL * N_INPUTS : N_INPUTS] = ext_weight
    mixer[M_FINAL * N_INPUTS :] = (1 << 16) // N_MIXERS
    stretch_at = ((np.arange(APM_BUCKETS) - 16) * 128).clip(-2047, 2047)
    apm = _zeroed_in_huge_pages(APM_SIZE, np.int32)
    apm.reshape(-1, APM_BUCKETS)[:] = SQUASH[stretch_at + 2048] * 16
    state = State(_zeroed_in_huge_pages((1 << slot_bits) * 16, np.uint32), np.full(DIRECT_SIZE, COUNTER_INIT, np.uint32),
                  mixer, apm, _zeroed_in_huge_pages(1 << match_bits, np.int32), np.zeros(R_SIZE, np.int64))
    state.regs[R_WIDTH] = image_width
    state.regs[R_BIAS_ON] = int(image_bias)
    state.regs[R_CHANNELS] = audio_channels
    state.regs[R_AERR] = 16 * 256
    state.regs[R_SCALES] = audio_error_scales
    state.regs[R_SCALE : R_SCALE + len(AUDIO_SCALE_RATES)] = 16 * 256
    state.regs[R_LSQ] = (2 if audio_generating else 1) if audio_least_squares else 0
    state.regs[R_ABYTES] = audio_bits // 8
    state.direct[D_IMAGE:] = 0
    _begin_byte(*state.arrays, history, SQUASH, STRETCH)
    return state


def _zeroed_in_huge_pages(count: int, dtype) -> np.ndarray:
    """np.zeros(count, dtype), in memory the kernel is asked to back with 2 MiB pages where it is
    2 MiB or more and the system has transparent huge pages (Linux; elsewhere plain np.zeros).
    Every byte coded looks up 16 random slots of the context table: with 4 KiB pages nearly each
    lookup also misses the TLB, and a fresh table's first touches fault a page each (16,384 for 64
    MiB); the APM and the match index are looked up at random too. The contents, and so the
    archives, are the same either way; this is 3–10 % faster."""
    size = count * np.dtype(dtype).itemsize
    if size < HUGE_PAGE_BYTES or not hasattr(mmap, "MADV_HUGEPAGE"):
        return np.zeros(count, dtype)
    memory = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)  # zero-filled by the kernel
    try:
        memory.madvise(mmap.MADV_HUGEPAGE)
    except OSError:  # a kernel without transparent huge pages: ordinary pages
        pass
    return np.frombuffer(memory, dtype)  # holds the mapping until the array goes


@njit(cache=CACHE)
def _hash(a, b):
    """Two values below 2^32 -> a 32-bit hash (int64 arithmetic that cannot overflow)."""
    h = ((a & MASK32) * 0x5BD1E995 + 0x3C6EF372) & MASK32
    h ^= b & MASK32
    h = (h * 0x2545F491) & MASK32
    return h ^ (h >> 15)


@njit(cache=CACHE)
def _find_slot(table, h, insert):
    """Offset of the slot for hash h (two probes), or -1 when absent and not inserting.
    A new slot takes the place of the probe whose first counter has seen fewer bits."""
    mask = (table.shape[0] >> 4) - 1
    check = (((h * 0x2F0B3A49) & MASK32) >> 16) + 1
    first = (h & mask) << 4
    second = ((h & mask) ^ 1) << 4
    if table[first] == check:
        return first
    if table[second] == check:
        return second
    if not insert:
        return -1
    use = first if (table[first + 1] & 1023) <= (table[second + 1] & 1023) else second
    table[use] = check
    for j in range(1, 16):
        table[use + j] = COUNTER_INIT
    return use


@njit(cache=CACHE)
def _count(counters, i, bit, limit):
    v = np.int64(counters[i])
    p, n = v >> 10, v & 1023
    if bit:
        p += (((1 << 22) - 1 - p) * _RATE[n]) >> 16
    else:
        p -= (p * _RATE[n]) >> 16
    if n < limit:
        n += 1
    counters[i] = (p << 10) | n


@njit(cache=CACHE)
def _begin_byte(table, direct, mixer, apm, match, regs, history, squash, stretch):
    """Set the contexts for the byte at regs[R_POS]: hashes, slots for its first nibble, match prediction."""
    c4, c8 = regs[R_C4], regs[R_C8]
    c1 = c4 & 255
    pos = regs[R_POS]
    w0, w1 = regs[R_W0], regs[R_W1]
    col = pos - regs[R_LINE]
    above_at = regs[R_PREV_LINE] + col
    above = np.int64(history[above_at]) if above_at < regs[R_LINE] else 0
    if regs[R_CHANNELS] > 0:
        values = _audio_begin(regs, history, pos, c4)
    elif regs[R_WIDTH] > 0:
        values = _image_begin(direct, regs, history, pos)
    else:
        values = (c4 & 0xFFFF, c4 & 0xFFFFFF, c4, _hash(c4, c8 & 0xFFFF), _hash(w0, c1), _hash(w0, w1),
                  (above << 8) | c1, (c4 >> 8) & 0xFFFF)
        regs[R_SEL] = c1
    known = 0
    for k in range(HASHED):
        h = _hash(k + 1, values[k])
        regs[R_CTX + k] = h
        slot = _find_slot(table, _hash(h, 0), True)
        regs[R_SLOT + k] = slot
        known += (table[slot + 1] & 1023) > 0
    regs[R_KNOWN] = known
    regs[R_MBYTE] = np.int64(history[regs[R_MPTR]]) if regs[R_MLEN] > 0 else -1
    regs[R_C0], regs[R_BITPOS] = 1, 0


@njit(cache=CACHE)
def _activity(d):
    """|difference| quantized to 0 … 7 (0, 1, 2, 3–4, 5–8, 9–16, 17–32, more), as JPEG-LS quantizes gradients."""
    d = abs(d)
    q = 0
    while q < 7 and d > (0 if q == 0 else 1 << (q - 1)):
        q += 1
    return q


@njit(cache=CACHE)
def _image_contexts(history, pos, width):
    """The HASHED context values for pixel `pos`, the median prediction (it selects mixer C and APM 2),
    the activity class (the Laplace's width) and the bias context (the Laplace's centre).

    Neighbours W, N, NW, NE, WW, NN (missing ones at the edges take the nearest present one); the
    contexts: W and N; the median (LOCO-I) prediction with the local activity; the gradient W + N − NW
    with |N − NW| and |W − NW|; W + NE − N; N, NE and NN; the mean of W and N with |W − N|; the
    linear extrapolations 2W − WW and 2N − NN; W, NW, N, NE coarsely (texture)."""
    col, row = pos % width, pos // width
    w = np.int64(history[pos - 1]) if col > 0 else (np.int64(history[pos - width]) if row > 0 else 0)
    n = np.int64(history[pos - width]) if row > 0 else w
    nw = np.int64(history[pos - width - 1]) if row > 0 and col > 0 else n
    ne = np.int64(history[pos - width + 1]) if row > 0 and col + 1 < width else n
    ww = np.int64(history[pos - 2]) if col > 1 else w
    nn = np.int64(history[pos - 2 * width]) if row > 1 else n
    if nw >= max(w, n):
        med = min(w, n)
    elif nw <= min(w, n):
        med = max(w, n)
    else:
        med = w + n - nw
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
    )
    activity = _activity(abs(w - nw) + abs(n - nw) + abs(n - ne))
    cls = activity * 8 + _activity(abs(w - ww) + abs(n - nn))
    bias_ctx = ((_signed_level(n - nw) * 5 + _signed_level(w - nw)) * 5 + _signed_level(ne - n)) * 8 + activity
    return values, med, cls, bias_ctx


@njit(cache=CACHE)
def _signed_level(d):
    """A signed difference quantized to 0 … 4 (≤ −8, −7 … −2, −1 … 1, 2 … 7, ≥ 8)."""
    return 0 if d <= -8 else (1 if d < -1 else (2 if d <= 1 else (3 if d < 8 else 4)))


@njit(cache=CACHE)
def _image_begin(direct, regs, history, pos):
    """Image mode, at pixel `pos`: set the median prediction (R_SEL), the Laplace's centre
    (R_MU: the median plus its bias context's rounded mean residual, as JPEG-LS cancels its
    predictor's bias per context; where R_BIAS_ON), the activity class and the step of the Laplace,
    whose width is this class's mean |residual| from the centre (the step's prefix sums made on its
    first use: _image_cumulative). Returns the HASHED context values."""
    values, med, cls, bias_ctx = _image_contexts(history, pos, regs[R_WIDTH])
    mu = med
    total, count = regs[R_BIAS + 2 * bias_ctx], regs[R_BIAS + 2 * bias_ctx + 1]
    if regs[R_BIAS_ON] and count >= BIAS_MIN:
        shift = (2 * total + count) // (2 * count) if total >= 0 else -((count - 2 * total) // (2 * count))
        mu = min(max(med + shift, 0), 255)
    regs[R_SEL], regs[R_MU], regs[R_BIAS_CTX], regs[R_ACT] = med, mu, bias_ctx, cls
    total, count = np.int64(direct[D_IMAGE + 2 * cls]), np.int64(direct[D_IMAGE + 2 * cls + 1])
    mean16 = (total * 16 + count // 2) // count if count > 0 else 64  # mean |residual| × 16
    step = 4096 // max(mean16 * 11 // 16, 4)  # 256 / halving distance (≈ 0.69 × mean)
    regs[R_STEP] = step
    if regs[R_PREFIX + step * PREFIX_LENGTH + 1] == 0:  # P[1], zero until made
        _laplace_prefix(regs, step)
    return values


@njit(cache=CACHE)
def _laplace_prefix(regs, step):
    """Make the step's prefix sums (R_PREFIX)."""
    at = R_PREFIX + step * PREFIX_LENGTH
    total = 0
    for d in range(PREFIX_LENGTH):
        regs[at + d] = total
        total += LAPLACE[min(d * step, 8191)]


@njit(cache=CACHE)
def _image_cumulative(regs, k):
    """Σ_{v<k} LAPLACE[min(|v − mu| · step, 8191)], the cumulative Laplace weight of the pixel values
    below k (0 … 256; mu: the Laplace's centre), as two or three prefix sums of the step's: the same
    integer a 256-term sum gives, for 3 reads a bit instead of 256 terms a pixel."""
    mu = regs[R_MU]
    at = R_PREFIX + regs[R_STEP] * PREFIX_LENGTH
    if k <= mu:
        return regs[at + mu + 1] - regs[at + mu - k + 1]
    return regs[at + mu + 1] - regs[at + 1] + regs[at + k - mu]


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
def _audio_begin(regs, history, pos, c4):
    """Audio mode, at the byte `pos`: on a sample's low byte, predict the sample (31/32 of the last one,
    plus a cascade of two stages, as Monkey's Audio cascades them: stage 1 (least squares; normalised
    LMS in archives of gencomp 0.4) on the channel's last AUDIO_ORDER pre-emphasized samples, stage 2
    on stage 1's last residuals (16-bit samples only); in gencomp 0.4's archives, a fast short
    predictor instead when its recent errors were smaller). Then fill regs[R_ROW:] with this byte's
    cumulative weights under a discrete Laplace around the prediction, given the sample's bytes
    below it, summed over the three nearest values of the bytes above it. Sets R_SEL to the byte the
    prediction expects here; returns the HASHED context values (computed on the top 16 bits)."""
    channels, width = regs[R_CHANNELS], regs[R_ABYTES]
    stride = width * channels
    k = pos % width  # the byte's place in its sample, 0: lowest
    half = np.int64(1) << (8 * width - 1)
    if k == 0:
        p1, p2, pf = 0, 0, 0
        least_squares, generating = regs[R_LSQ] >= 1, regs[R_LSQ] == 2
        cascade = width == 2  # stage 2 and the fast predictor: integer sums sized for 16-bit samples
        weights = _lsq_state(regs)[AUDIO_ORDER * (AUDIO_ORDER + 1) :]
        p1f, shrink = 0.0, 1.0
        for i in range(AUDIO_ORDER):
            y = _emphasized(history, pos - stride * (i + 1), stride, width)
            if least_squares:
                if generating:
                    shrink *= LSQ_GENERATION_SHRINK
                p1f += weights[i] * shrink * y
            else:
                p1 += regs[R_AW + i] * y
            if cascade:
                p2 += regs[R_AW + AUDIO_ORDER + i] * _ring_residual(regs, channels, i)
                if i < AUDIO_FAST_ORDER:
                    pf += regs[R_AW + 2 * AUDIO_ORDER + i] * y
        if least_squares:
            bound = 1e6 if width == 2 else 1e8
            p1 = np.int64(np.floor(min(max(p1f, -bound), bound) * 16384.0 + 0.5))
        regs[R_AP], regs[R_AP + 1], regs[R_AP + 2] = p1, p2, pf
        chosen = p1 + p2 if least_squares or regs[R_AP + 3] <= regs[R_AP + 4] else pf  # else the one erring less lately
        if generating:
            chosen = p1
        last = _sample(history, pos - stride, width) if pos >= stride else 0
        regs[R_AMU] = min(max(((chosen + (1 << 13)) >> 14) + ((31 * last) >> 5), -half), half - 1)
    mu = regs[R_AMU]
    mean16 = max(regs[R_AERR], 16)
    step = (256 * 256 << 12) // (mean16 * 11)  # 256 / halving distance (≈ 0.69 × mean), 2^12 units
    _laplace_row(regs, history, pos, k, width, mu + half, step)
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
def _laplace_row(regs, history, pos, k, width, centre_value, step):
    """regs[R_ROW:] for byte k of a sample of `width` bytes: candidate v's weight is the Laplace
    around centre_value (the prediction, offset to unsigned) of the sample made of v, the bytes
    below it (known) and the three nearest values of the bytes above it (the top byte is signed:
    its offset value is v ^ 0x80)."""
    below = np.int64(0)
    for j in range(k):
        below |= np.int64(history[pos - k + j]) << (8 * j)
    shift = 8 * (k + 1)
    top = k == width - 1
    centre = centre_value >> shift
    first, last = (0, 0) if top else (max(centre - 1, 0), min(centre + 1, (np.int64(1) << (8 * width - shift)) - 1))
    total = 0
    for v in range(256):
        regs[R_ROW + v] = total
        value = ((v ^ 0x80) if top else v) << (8 * k) | below
        for u in range(first, last + 1):
            total += LAPLACE[min((abs((u << shift) + value - centre_value) * step) >> 12, 8191)]
    regs[R_ROW + 256] = total


@njit(cache=CACHE)
def _audio_end(regs, history, pos):
    """After a sample's high byte: learn the prediction error (scale, and the predictors' weights)."""
    channels, width = regs[R_CHANNELS], regs[R_ABYTES]
    stride = width * channels
    start = pos - (width - 1)
    value = _sample(history, start, width)
    if regs[R_LSQ] != 2:  # sampling keeps the prompt's error scale: fed its own samples it would drift
        _learn_error_scale(regs, abs(value - regs[R_AMU]) * 16)
    target = _emphasized(history, start, stride, width)
    r1 = target - ((regs[R_AP] + (1 << 13)) >> 14)  # stage 1's residual: what stage 2 predicts
    cascade = target - ((regs[R_AP] + regs[R_AP + 1] + (1 << 13)) >> 14)
    fast = target - ((regs[R_AP + 2] + (1 << 13)) >> 14)
    regs[R_AP + 3] += (abs(cascade) * 16 - regs[R_AP + 3]) >> 4
    regs[R_AP + 4] += (abs(fast) * 16 - regs[R_AP + 4]) >> 4
    r2 = r1 - ((regs[R_AP + 1] + (1 << 13)) >> 14)
    ys, rs = np.empty(AUDIO_ORDER, np.int64), np.empty(AUDIO_ORDER, np.int64)  # the stages' inputs, read once
    norm_y, norm_r, norm_f = 1, 1, 1
    for i in range(AUDIO_ORDER):
        ys[i] = _emphasized(history, start - stride * (i + 1), stride, width)
        rs[i] = _ring_residual(regs, channels, i)
        norm_y += ys[i] * ys[i]
        norm_r += rs[i] * rs[i]
        if i < AUDIO_FAST_ORDER:
            norm_f += ys[i] * ys[i]
    least_squares = regs[R_LSQ] >= 1
    if least_squares and start - stride * (AUDIO_ORDER + 1) >= 0:  # only rows whose history is all real samples
        _lsq_learn(_lsq_state(regs), ys, target, (start // stride) % LSQ_SOLVE_EVERY == 0)
    if width != 2:  # the integer stages below are sized for 16-bit samples (see _audio_begin)
        return
    for i in range(AUDIO_ORDER):
        if not least_squares:
            regs[R_AW + i] += (r1 * ys[i] << 14) // (norm_y * AUDIO_RATE)
        regs[R_AW + AUDIO_ORDER + i] += (r2 * rs[i] << 14) // (norm_r * AUDIO_RATE)
        if i < AUDIO_FAST_ORDER:
            regs[R_AW + 2 * AUDIO_ORDER + i] += (fast * ys[i] << 14) // (norm_f * AUDIO_FAST_RATE)
    at = regs[R_RING + AUDIO_RING]
    regs[R_RING + at] = r1
    regs[R_RING + AUDIO_RING] = (at + 1) % AUDIO_RING


@njit(cache=CACHE)
def _learn_error_scale(regs, error16):
    """Track the |error| × 16 of the sample just coded at each of R_SCALES rates, and each scale's running
    cost: what the sample cost under a Laplace of that scale, −log2 p ≈ log2(scale) + |error| / (scale ·
    ln 2) plus a constant, in 1/4096 bit. The next sample's Laplace takes the scale that has lately cost
    the least (a loop's steady notes favour the slow ones, speech's syllables the fast one)."""
    count = regs[R_SCALES]
    best = 0
    for i in range(count):
        if count > 1:
            scale = max(regs[R_SCALE + i], 16)
            cost = _log2_4096(scale) + error16 * 5909 // scale  # 5909 ≈ 4096 / ln 2
            regs[R_SCALE_COST + i] += (cost - regs[R_SCALE_COST + i]) >> SCALE_COST_RATE
            if regs[R_SCALE_COST + i] < regs[R_SCALE_COST + best]:
                best = i
        regs[R_SCALE + i] += (error16 - regs[R_SCALE + i]) >> AUDIO_SCALE_RATES[i]
    regs[R_AERR] = regs[R_SCALE + best]


@njit(cache=CACHE)
def _log2_4096(x):
    """log2(x) in units of 1/4096, for x ≥ 1: the integer part from x's bit length, the fraction from
    LOG2_FRACTION by the 8 bits below x's leading 1."""
    top = 0
    while (x >> (top + 1)) > 0:
        top += 1
    mantissa = (x << 8 >> top) & 255
    return top * 4096 + LOG2_FRACTION[mantissa]


@njit(cache=CACHE)
def _lsq_state(regs):
    """The least-squares predictor's float64 state, a view of its registers: covariance, cross-correlation, weights."""
    return regs[R_LSQ_STATE : R_LSQ_STATE + LSQ_STATE_SIZE].view(np.float64)


@njit(cache=CACHE)
def _lsq_learn(state, ys, target, solve):
    """Recursive least squares, as Sac and OptimFROG predict audio: fold the row (ys → target) into the
    exponentially forgotten covariance R and cross-correlation b, then solve (R + LSQ_RIDGE·I) w = b by
    Cholesky (weights kept when it fails). Float64 with a fixed order of operations and no fused
    multiply-adds (numba without fastmath), so every machine computes the same weights."""
    n = AUDIO_ORDER
    cov, cross, weights = state[: n * n], state[n * n : n * n + n], state[n * n + n :]
    for i in range(n):
        for j in range(i + 1):
            cov[i * n + j] = LSQ_FORGET * cov[i * n + j] + ys[i] * ys[j]
        cross[i] = LSQ_FORGET * cross[i] + ys[i] * target
    if not solve:
        return
    lower = np.empty(n * n)
    for i in range(n):
        for j in range(i + 1):
            total = cov[i * n + j] + (LSQ_RIDGE if i == j else 0.0)
            for k in range(j):
                total -= lower[i * n + k] * lower[j * n + k]
            if i == j:
                if not total > 0.0:
                    return
                lower[i * n + i] = np.sqrt(total)
            else:
                lower[i * n + j] = total / lower[j * n + j]
    z = np.empty(n)
    for i in range(n):
        total = cross[i]
        for k in range(i):
            total -= lower[i * n + k] * z[k]
        z[i] = total / lower[i * n + i]
    for i in range(n - 1, -1, -1):
        total = z[i]
        for k in range(i + 1, n):
            total -= lower[k * n + i] * weights[k]
        weights[i] = total / lower[i * n + i]


@njit(cache=CACHE)
def _ring_residual(regs, channels, i):
    """Stage 1's residual of this channel's sample i + 1 samples back (0 before the start)."""
    at = (regs[R_RING + AUDIO_RING] - channels * (i + 1)) % AUDIO_RING
    return regs[R_RING + at]


@njit(cache=CACHE)
def _row_p12(regs, c0):
    """Image and audio mode: P(bit = 1) in units of 2^-12 from the cumulative weights (image:
    _image_cumulative; audio: regs[R_ROW:]), two differences a bit: the same sums the byte
    distribution gives."""
    bitpos = _bit_position(c0)
    first = (c0 - (1 << bitpos)) << (8 - bitpos)
    half = 1 << (7 - bitpos)
    if regs[R_CHANNELS] == 0:  # image
        low, mid = _image_cumulative(regs, first), _image_cumulative(regs, first + half)
        high = _image_cumulative(regs, first + 2 * half)
    else:
        low, mid, high = regs[R_ROW + first], regs[R_ROW + first + half], regs[R_ROW + first + 2 * half]
    zero, one = mid - low, high - mid
    if zero + one == 0:
        return 2048
    return min(max((one << 12) // (zero + one), 1), 4095)


@njit(cache=CACHE)
def _external_p12(ext, row, regs, c0):
    """The external input of this bit: the external model's (ext[row]), else image or audio mode's built-in one, else -1."""
    if ext.shape[0]:
        return _ext_p12(ext[row], c0)
    return _model_p12(regs, c0)


@njit(cache=CACHE)
def _model_p12(regs, c0):
    """The built-in external input of image and audio mode (-1 in byte mode)."""
    return _row_p12(regs, c0) if regs[R_CHANNELS] > 0 or regs[R_WIDTH] > 0 else -1


@njit(cache=CACHE)
def _end_byte(table, direct, mixer, apm, match, regs, history, squash, stretch):
    """Fold the byte just completed (history[regs[R_POS]]) into the history registers, then begin the next."""
    pos = regs[R_POS]
    byte = np.int64(history[pos])
    regs[R_C8] = ((regs[R_C8] << 8) | (regs[R_C4] >> 24)) & MASK32
    regs[R_C4] = ((regs[R_C4] << 8) | byte) & MASK32
    letter = byte | 32 if 65 <= byte <= 90 else byte
    if 97 <= letter <= 122 or 48 <= letter <= 57 or letter >= 128:
        regs[R_W0] = _hash(regs[R_W0] + 1, letter)
    elif regs[R_W0] != 0:
        regs[R_W1], regs[R_W0] = regs[R_W0], 0
    if byte == 10:
        regs[R_PREV_LINE], regs[R_LINE] = regs[R_LINE], pos + 1
    if regs[R_CHANNELS] > 0 and pos % regs[R_ABYTES] == regs[R_ABYTES] - 1:
        _audio_end(regs, history, pos)
    if regs[R_WIDTH] > 0:  # learn the residual's size in this activity class (halved every 64) …
        at = D_IMAGE + 2 * regs[R_ACT]
        direct[at] += abs(byte - regs[R_MU])
        direct[at + 1] += 1
        if direct[at + 1] >= 64:
            direct[at] >>= 1
            direct[at + 1] >>= 1
        at = R_BIAS + 2 * regs[R_BIAS_CTX]  # … and the median's bias in this bias context
        regs[at] += byte - regs[R_SEL]
        regs[at + 1] += 1
        if regs[at + 1] >= BIAS_LIMIT:
            regs[at] = regs[at] // 2 if regs[at] >= 0 else -(-regs[at] // 2)
            regs[at + 1] >>= 1
    # match model: extend the match, or look the last MATCH_MIN_BYTES bytes up
    if regs[R_MLEN] > 0 and regs[R_MBYTE] == byte:
        regs[R_MLEN] = min(regs[R_MLEN] + 1, MATCH_MAX_LEN)
        regs[R_MPTR] += 1
    else:
        regs[R_MLEN] = 0
    if pos + 1 >= MATCH_MIN_BYTES:
        h = 0
        for i in range(pos + 1 - MATCH_MIN_BYTES, pos + 1):
            h = _hash(h, history[i])
        h &= match.shape[0] - 1
        if regs[R_MLEN] == 0:
            candidate = np.int64(match[h])
            if candidate > 0:
                length = 0
                while length < 255 and candidate - 1 - length >= 0 and history[candidate - 1 - length] == history[pos - length]:
                    length += 1
                if length > 0:
                    regs[R_MLEN], regs[R_MPTR] = length, candidate
        match[h] = pos + 1
    regs[R_POS] = pos + 1
    _begin_byte(table, direct, mixer, apm, match, regs, history, squash, stretch)


@njit(cache=CACHE)
def _bit_position(c0):
    """How many bits of the byte the partial byte c0 (a leading 1, then those bits) holds: 0 … 7."""
    return _BIT_POSITION[c0]


@njit(cache=CACHE)
def _nibble_index(c0, bitpos):
    """The counter within a context's slot for this bit: the bits so far of the current nibble,
    after a leading 1 (1 … 15)."""
    return c0 if bitpos < 4 else (c0 & ((1 << (bitpos - 4)) - 1)) | (1 << (bitpos - 4))


@njit(cache=CACHE)
def _input(counters, i, stretch):
    return stretch[np.int64(counters[i]) >> 20]


@njit(cache=CACHE)
def _mix(mixer, regs, base):
    dot = 0
    for i in range(N_INPUTS):
        dot += regs[R_X + i] * np.int64(mixer[base + i])
    return min(max(dot >> 16, -2047), 2047)


@njit(cache=CACHE)
def _predict(table, direct, mixer, apm, match, regs, squash, stretch, ext_p12, c0, slots):
    """P(next bit = 1) in units of 2^-16 after the partial byte c0 (leading 1, then the bits so far),
    reading slots[k] for the hashed contexts (-1: absent). ext_p12: the external model's P(bit = 1)
    in units of 2^-12, or -1. Leaves in regs what `_update` needs."""
    bitpos = _bit_position(c0)
    nib = _nibble_index(c0, bitpos)
    c1 = regs[R_C4] & 255
    regs[R_X + 0] = _input(direct, c0, stretch)
    regs[R_X + 1] = _input(direct, D_O1 + (c1 << 8) + c0, stretch)
    for k in range(HASHED):
        regs[R_X + 2 + k] = _input(table, slots[k] + nib, stretch) if slots[k] >= 0 else 0
    mstate = 0
    regs[R_MCTX] = -1
    expected = regs[R_MBYTE]
    if expected >= 0 and ((expected | 256) >> (8 - bitpos)) == c0:
        bit = (expected >> (7 - bitpos)) & 1
        length = regs[R_MLEN]
        regs[R_MCTX] = D_MATCH + min(length, 31) * 2 + bit
        regs[R_X + X_MATCH] = _input(direct, regs[R_MCTX], stretch)
        mstate = 1 + 2 * ((length >= 8) + (length >= 16) + (length >= 32)) + bit
    else:
        regs[R_X + X_MATCH] = 0
    regs[R_X + X_EXT] = stretch[ext_p12] if ext_p12 >= 0 else 0
    regs[R_X + X_BIAS] = 256
    regs[R_SETS + 0] = (M_A + c0) * N_INPUTS
    state_b = regs[R_ACT] if regs[R_WIDTH] > 0 else mstate * (HASHED + 1) + regs[R_KNOWN]  # image: activity class
    regs[R_SETS + 1] = (M_B + (state_b << 3) + bitpos) * N_INPUTS
    regs[R_SETS + 2] = (M_C + regs[R_SEL]) * N_INPUTS
    final = M_FINAL * N_INPUTS + bitpos * N_MIXERS
    dot = 0
    for j in range(N_MIXERS):
        s = _mix(mixer, regs, regs[R_SETS + j])
        regs[R_S + j] = s
        regs[R_P + j] = squash[s + 2048]
        dot += s * np.int64(mixer[final + j])
    s = min(max(dot >> 16, -2047), 2047)
    regs[R_PF] = squash[s + 2048]
    # APMs: interpolate between the two buckets around s
    t = (s + 2048) * (APM_BUCKETS - 1)
    low, weight = t >> 12, t & 4095
    regs[R_APM + 0] = A_1 + c0 * APM_BUCKETS + low
    regs[R_APM + 1] = A_2 + ((regs[R_SEL] << 8) | c0) * APM_BUCKETS + low
    regs[R_APM + 2] = weight
    a1 = (np.int64(apm[regs[R_APM]]) * (4096 - weight) + np.int64(apm[regs[R_APM] + 1]) * weight) >> 12
    a2 = (np.int64(apm[regs[R_APM + 1]]) * (4096 - weight) + np.int64(apm[regs[R_APM + 1] + 1]) * weight) >> 12
    p = (regs[R_PF] * 16 + a1 + 2 * a2) >> 2
    if regs[R_LSQ] == 2 and ext_p12 >= 0:  # sampling audio: the Laplace around the prediction alone
        p = ext_p12 * 16
    return min(max(p, 32), 65536 - 32)


@njit(cache=CACHE)
def _update(table, direct, mixer, apm, match, regs, history, squash, stretch, bit):
    """Learn from the bit just coded (the last `_predict` was for it) and move to the next."""
    c0 = regs[R_C0]
    nib = _nibble_index(c0, regs[R_BITPOS])
    c1 = regs[R_C4] & 255
    _count(direct, c0, bit, CONTEXT_LIMIT)
    _count(direct, D_O1 + (c1 << 8) + c0, bit, CONTEXT_LIMIT)
    for k in range(HASHED):
        _count(table, regs[R_SLOT + k] + nib, bit, CONTEXT_LIMIT if regs[R_WIDTH] == 0 else 1023)
    if regs[R_MCTX] >= 0:
        _count(direct, regs[R_MCTX], bit, MATCH_LIMIT)
    target = bit << 12
    for j in range(N_MIXERS):
        base = regs[R_SETS + j]
        err = (target - regs[R_P + j]) * MIX_RATE
        for i in range(N_INPUTS):
            mixer[base + i] = min(max(mixer[base + i] + ((regs[R_X + i] * err) >> 14), -(1 << 24)), 1 << 24)
    final = M_FINAL * N_INPUTS + regs[R_BITPOS] * N_MIXERS
    err = (target - regs[R_PF]) * FINAL_RATE
    for j in range(N_MIXERS):
        mixer[final + j] = min(max(mixer[final + j] + ((regs[R_S + j] * err) >> 14), -(1 << 24)), 1 << 24)
    goal = (bit << 16) + (bit << APM_RATE) - bit - bit
    for a in range(2):
        i = regs[R_APM + a]
        apm[i] += (goal - apm[i]) >> APM_RATE
        apm[i + 1] += (goal - apm[i + 1]) >> APM_RATE
    regs[R_C0] = c0 * 2 + bit
    regs[R_BITPOS] += 1
    if regs[R_BITPOS] == 4:
        for k in range(HASHED):
            regs[R_SLOT + k] = _find_slot(table, _hash(regs[R_CTX + k], regs[R_C0]), True)
    elif regs[R_BITPOS] == 8:
        history[regs[R_POS]] = regs[R_C0] & 255
        _end_byte(table, direct, mixer, apm, match, regs, history, squash, stretch)


@njit(cache=CACHE)
def _ext_p12(ext_row, c0):
    """P(bit = 1) in units of 2^-12 from a byte distribution (256,) int64, given the partial byte c0."""
    bitpos = _bit_position(c0)
    first = (c0 - (1 << bitpos)) << (8 - bitpos)
    half = 1 << (7 - bitpos)
    zero, one = 0, 0
    for i in range(first, first + half):
        zero += ext_row[i]
    for i in range(first + half, first + 2 * half):
        one += ext_row[i]
    if zero + one == 0:
        return 2048
    return min(max((one << 12) // (zero + one), 1), 4095)


@njit(cache=CACHE, nogil=True)  # chunks are coded on threads (ContextMixingCompressor)
def encode_bytes(table, direct, mixer, apm, match, regs, history, squash, stretch, ext, start, stop,
                 coder, out, out_pos, count_bits):
    """Code history[start:stop] (the model stands at start); ext: (stop − start, 256) int64 external
    weights or (0, 256). Returns (out position, ideal bits Σ −log2 p if count_bits, else 0), or
    (-1, 0) when out would overflow."""
    bits = 0.0
    limit = out.shape[0] - 16
    for pos in range(start, stop):
        byte = np.int64(history[pos])
        for b in range(8):
            c0 = regs[R_C0]
            e = _external_p12(ext, pos - start, regs, c0)
            p = _predict(table, direct, mixer, apm, match, regs, squash, stretch, e, c0, regs[R_SLOT : R_SLOT + HASHED])
            bit = (byte >> (7 - b)) & 1
            out_pos = encode_bit(coder, p, bit, out, out_pos)
            if count_bits:  # a 512 KiB table: its cache misses cost 15 % when nobody asks
                bits += _NEG_LOG2[p] if bit else _NEG_LOG2[65536 - p]
            if out_pos >= limit:
                return -1, 0.0
            _update(table, direct, mixer, apm, match, regs, history, squash, stretch, bit)
    return out_pos, bits


@njit(cache=CACHE, nogil=True)  # chunks are coded on threads (ContextMixingCompressor)
def decode_bytes(table, direct, mixer, apm, match, regs, history, squash, stretch, ext, start, stop, coder, buf):
    """Decode history[start:stop] in place (the inverse of encode_bytes with the same ext)."""
    for pos in range(start, stop):
        for _ in range(8):
            c0 = regs[R_C0]
            e = _external_p12(ext, pos - start, regs, c0)
            p = _predict(table, direct, mixer, apm, match, regs, squash, stretch, e, c0, regs[R_SLOT : R_SLOT + HASHED])
            bit = decode_bit(coder, p, buf)
            _update(table, direct, mixer, apm, match, regs, history, squash, stretch, bit)


@njit(cache=CACHE, nogil=True)  # chunks are coded on threads (ContextMixingCompressor)
def learn_bytes(table, direct, mixer, apm, match, regs, history, squash, stretch, ext, start, stop):
    """Learn history[start:stop] as encode_bytes would, without coding it."""
    for pos in range(start, stop):
        byte = np.int64(history[pos])
        for b in range(8):
            c0 = regs[R_C0]
            e = _external_p12(ext, pos - start, regs, c0)
            _predict(table, direct, mixer, apm, match, regs, squash, stretch, e, c0, regs[R_SLOT : R_SLOT + HASHED])
            _update(table, direct, mixer, apm, match, regs, history, squash, stretch, (byte >> (7 - b)) & 1)


@njit(cache=CACHE)
def byte_weights(table, direct, mixer, apm, match, regs, squash, stretch, ext_row, out):
    """The model's next-byte distribution as out (256,) int64 weights, learning nothing: the product
    of the 8 bit probabilities along each byte's path (2^40 scale, at least 1)."""
    second = np.empty((16, HASHED), np.int64)  # slots of the second nibble, by first nibble
    for nibble in range(16):
        for k in range(HASHED):
            second[nibble, k] = _find_slot(table, _hash(regs[R_CTX + k], 16 + nibble), False)
    prob = np.empty(512, np.int64)  # prob[c0] = P(reaching the partial byte c0) · 2^40
    prob[1] = 1 << 40
    bitpos = 0
    for c0 in range(1, 256):
        if c0 >> bitpos > 1:
            bitpos += 1
        slots = regs[R_SLOT : R_SLOT + HASHED] if bitpos < 4 else second[(c0 >> (bitpos - 4)) - 16]
        e = _ext_p12(ext_row, c0) if ext_row.shape[0] else _model_p12(regs, c0)
        p1 = _predict(table, direct, mixer, apm, match, regs, squash, stretch, e, c0, slots)
        prob[2 * c0 + 1] = max((prob[c0] * p1) >> 16, 1)
        prob[2 * c0] = max((prob[c0] * (65536 - p1)) >> 16, 1)
    for byte in range(256):  # a loop, not out[:] = …: numba's shape-mismatch message would format with log10
        out[byte] = prob[256 + byte]
