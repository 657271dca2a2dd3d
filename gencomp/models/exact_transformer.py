"""A trained ByteTransformer run with integer-exact arithmetic, for arithmetic coding.

A float forward pass over a whole chunk and a step-by-step pass with a KV cache give
different roundings, and so do different batch sizes and thread counts (BLAS blocks
its sums differently). The decoder must reproduce the encoder's probabilities bit
for bit, so this module keeps every value that enters a sum on an integer grid:

* every matmul input is rounded to a multiple of 2**-ACT_FRAC_BITS and every weight to
  a per-channel integer (WEIGHT_BITS); a sum of integer products is exact in any order
  (in int32 where a bound proves it fits, else in float64 below 2**53), so any batch
  size, thread count or CPU gives the same result;
* softmax uses no exp at run time: scores are rounded to 1/256 nat and looked up in an
  integer table built without libm (gencomp.coding.exact), and the normalizing sums add
  integers; the output is the table's integer weights, which the coder takes as they are;
* everything else is elementwise and correctly rounded (+, ×, ÷, sqrt, round).

The int32 sums take int16 data (weights, activations or their two halves, keys and values)
through pmaddwd (gencomp.models.simd): the same integers as float64 sums, faster.

Both forms run one compiled kernel (gencomp.models.exact_step) that feeds B rows × P positions
through the KV cache: `weights` (encoding) feeds whole chunks 64 positions at a time on all cores,
`step` (decoding) one position, so they agree by construction as well as by arithmetic; the
tests check it. The grids are fine enough that the rate moves by well under 0.01 bits per byte
against the float model (see tests).
"""

from __future__ import annotations

import copy
import dataclasses
import math
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

import numpy as np

from gencomp.coding import StreamDecoder, exact
from gencomp.errors import GencompError
from gencomp.jit import threads
from gencomp.models import exact_step, simd
from gencomp.models.config import RMS_EPS, TransformerConfig, alibi_slope_values
from gencomp.models.exact_step import ACT_SCALE, SCORE_SCALE
from gencomp.models.predictor import Predictor

WEIGHT_BITS = 12  # weights: |integer| <= 2047 per output channel
INT16_MAX = 32767
ATTN_TABLE_BITS = 20  # attention weights: integers in [0, 2^20]
LOGIT_TABLE_BITS = 30  # output weights: integers in [1, 2^30]
LOGIT_RANGE_NATS = 12  # no symbol gets less than e^-12 of the top one (text: -0.001 bits/byte vs 30; unseen bytes: 17 bits, not 43)
FEED_BLOCK = 64  # positions per kernel call in `weights` (bounds the activations' memory)


_ATTN_TABLE = exact.exp_table("e", ATTN_TABLE_BITS, int(SCORE_SCALE * (ATTN_TABLE_BITS + 1) * math.log(2)) + 2).copy()
_ATTN_TABLE[-1] = 0  # scores further below the row's max weigh nothing
# each entry in two halves, w = 1024 high + low, as attention's pmaddwd sums take the weights, in one int32
# (high << 16 | low) that one gather loads
_ATTN_HALVES = ((_ATTN_TABLE >> 10) << 16 | (_ATTN_TABLE & 1023)).astype(np.int32)
_LOGIT_TABLE = exact.exp_table("e", LOGIT_TABLE_BITS, int(SCORE_SCALE * LOGIT_RANGE_NATS) + 1, floor=1)


def _quantized(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A linear layer's weight (out, in) float64 as integers per output channel (float32, exact) and the
    scale (out,) that takes their sum with grid activations back to real units."""
    w = weight
    scale = np.maximum(np.abs(w).max(axis=1), 1e-12) / (2 ** (WEIGHT_BITS - 1) - 1)
    return np.round(w / scale[:, None]).astype(np.float32), scale / ACT_SCALE


def _norm_fed_sums_bound(w: np.ndarray, gain: np.ndarray, d_model: int) -> np.ndarray:
    """(O,) bounds on Σ_i |w_oi h_i| for integer weights w (O, I) and h the grid integers of an RMS norm
    with gain g (exact_step._norm): h_i = round(1024 · g_i · u_i) with ‖u‖² <= D, so by Cauchy–Schwarz
    Σ_i |w_oi h_i| <= 1024 √D ‖w_o ∘ g‖ + ½ Σ_i |w_oi| (the ½ is h's rounding), widened for the float
    roundings on the way. It bounds every partial sum too."""
    w = w.astype(np.float64)
    reach = ACT_SCALE * math.sqrt(d_model) * np.linalg.norm(w * gain, axis=1) + 0.5 * np.abs(w).sum(axis=1)
    return reach * (1 + 1e-9) + 1.0


def _norm_output_bound(gain: np.ndarray, d_model: int) -> float:
    """A bound on |h_i|, the grid integers of an RMS norm's output (|u_i| <= √D)."""
    return float(ACT_SCALE * math.sqrt(d_model) * np.abs(gain).max() * (1 + 1e-9) + 1.0)


def _single_pass(w: np.ndarray, gains: np.ndarray, d_model: int) -> bool:
    """Whether a norm-fed layer's inputs fit int16 and its sums int32 for every layer (w (L, O, I), gains
    (L, I)): then exact_step._linear takes one pmaddwd pass, not two (high and low halves)."""
    return all(_norm_output_bound(g, d_model) <= INT16_MAX and _norm_fed_sums_bound(wl, g, d_model).max() < 2**31
               for wl, g in zip(w, gains))


def _in_pairs(w: np.ndarray) -> np.ndarray:
    """Integer weights (..., O, I) -> int16 (..., ⌈I/2⌉, O padded to whole simd blocks, 2), the layout
    exact_step._linear's pmaddwd passes read: [p, o, t] = w[o, 2p + t], zero where padded."""
    *lead, outputs, inputs = w.shape
    padded = -(-outputs // simd.BLOCK) * simd.BLOCK
    out = np.zeros((*lead, (inputs + 1) // 2, padded, 2), np.int16)
    even = np.zeros((*lead, padded, 2 * out.shape[-3]), np.int16)
    even[..., :outputs, :inputs] = w
    out[...] = np.moveaxis(even.reshape(*lead, padded, -1, 2), -2, -3)
    return out


class _Cache:
    """Integer-valued keys (L, B, H, ⌈hd/2⌉, capacity, 2), in pairs of dimensions as pmaddwd takes
    them, and values (L, B, H, hd, capacity) of the last positions; key_norms (L, B, H, 2), the
    largest ‖k‖² and |v| written (they bound the scores and sums: exact_step._reach, _attend); and
    meta = [positions fed, position at slot 0] (exact_step.advance keeps them).

    Attention sees at most `window` positions, so the cache holds 2 × window + FEED_BLOCK of them
    and, when the next positions do not fit, moves the newest window − 1 to the front: memory
    stays bounded however long the sequence. Keys and values are int16 where the model's weights
    prove that queries, keys and values fit (_pack: every shipped model), else float32. Either
    holds the integers exactly and gives the same ones, but int16 halves what a step reads and lets
    attention sum with pmaddwd (exact_step._attend)."""

    def __init__(self, batch_size: int, cfg: TransformerConfig, dtype: type):
        self.batch_size = batch_size
        capacity = 2 * cfg.attention_window + FEED_BLOCK + simd.BLOCK  # simd reads up to a BLOCK past the last
        heads = (cfg.n_layers, batch_size, cfg.n_heads)
        self.keys = np.zeros(heads + ((cfg.head_dim + 1) // 2, capacity, 2), dtype)
        self.values = np.zeros(heads + (cfg.head_dim, capacity), dtype)
        self.key_norms = np.zeros(heads + (2,))
        self.meta = np.zeros(2, np.int64)

    @property
    def arrays(self) -> tuple:
        """(keys, values, key_norms, meta), as the kernels take them."""
        return self.keys, self.values, self.key_norms, self.meta

    @property
    def length(self) -> int:
        return int(self.meta[0])


class ExactTransformer(Predictor):
    """Predictor over bytes from a byte transformer's weights; see the module docstring.

    state: the checkpoint's tensors by name (cfg.tensor_shapes()), as float64 numpy arrays exactly
    (a checkpoint's float32 weights widen exactly); from_model takes a torch ByteTransformer."""

    def __init__(self, state: dict[str, np.ndarray], cfg: TransformerConfig, name: str, weights_sha256: str):
        expected = cfg.tensor_shapes()
        shapes = {k: tuple(v.shape) for k, v in state.items()}
        if shapes != expected:
            wrong = sorted(set(shapes.items()) ^ set(expected.items()))[:3]
            raise GencompError(f"{name} does not hold a byte transformer of its config: {wrong}")
        state = {k: np.asarray(v, np.float64) for k, v in state.items()}
        self.cfg = cfg
        self._trained_window = cfg.attention_window
        self._name, self._sha = name, weights_sha256
        self._params = sum(v.size for v in state.values())
        self.bos = cfg.vocab_size
        score_scale = SCORE_SCALE / (ACT_SCALE**2 * math.sqrt(cfg.head_dim))
        slope_units = np.array(alibi_slope_values(cfg.n_heads), np.float32).astype(np.float64) * SCORE_SCALE  # (H,)
        assert np.array_equal(slope_units, np.round(slope_units)), "ALiBi slopes must be exact in score units"
        self.packed, self._cache_dtype = self._pack(state, cfg, slope_units, score_scale)

    @classmethod
    def from_model(cls, model, name: str, weights_sha256: str) -> "ExactTransformer":
        """The exact form of a torch ByteTransformer (its weights widened to float64 exactly)."""
        state = {k: v.detach().cpu().double().numpy() for k, v in model.state_dict().items()}
        return cls(state, model.cfg, name, weights_sha256)

    @staticmethod
    def _pack(state: dict[str, np.ndarray], cfg: TransformerConfig, slope_units: np.ndarray,
              score_scale: float) -> tuple[tuple, type]:
        """The weights as exact_step.feed takes them, stacked by layer, and the KV cache's dtype: int16
        where the weights prove every query, key and value fits (every shipped model), else float32
        (|k|, |v| <= 2^20, exactly)."""
        layers = range(cfg.n_layers)

        def linear(name: str) -> tuple:
            quantized = [_quantized(state[f"blocks.{i}.{name}.weight"]) for i in layers]
            return tuple(np.ascontiguousarray(np.stack(part)) for part in zip(*quantized))  # weights, scales

        D = cfg.d_model
        norms = np.ascontiguousarray(np.stack([np.stack([state[f"blocks.{i}.norm_attn.weight"],
                                                         state[f"blocks.{i}.norm_mlp.weight"]]) for i in layers]))
        out_norm = state["norm_out.weight"].copy()
        (qkv_w, qkv_s), proj, (up_w, up_s), down = linear("qkv"), linear("proj"), linear("up"), linear("down")
        head_w, head_s = _quantized(state["head.weight"])
        # |q|, |k|, |v| in grid units: round(s_o · Σ w h) · 1024
        qkv_bound = max((_norm_fed_sums_bound(w, g, D) * s).max() * ACT_SCALE
                        for w, s, g in zip(qkv_w, qkv_s, norms[:, 0]))
        cache_dtype = np.int16 if qkv_bound * (1 + 1e-9) + 1.0 <= INT16_MAX else np.float32
        passes = np.array([1 if _single_pass(qkv_w, norms[:, 0], D) else 2, 2,  # qkv, proj
                           1 if _single_pass(up_w, norms[:, 1], D) else 2, 2,  # up, down
                           1 if _single_pass(head_w[None], out_norm[None], D) else 2])  # the output layer
        eps = np.ascontiguousarray(np.stack([np.array([RMS_EPS, RMS_EPS]) * ACT_SCALE**2 for _ in layers]))
        packed = (state["embed.weight"].copy(), norms, eps,
                  _in_pairs(qkv_w), qkv_s, _in_pairs(proj[0]), proj[1], _in_pairs(up_w), up_s, _in_pairs(down[0]), down[1],
                  out_norm, float(RMS_EPS * ACT_SCALE**2), _in_pairs(head_w), head_s, passes,
                  slope_units, float(score_scale), _ATTN_HALVES, _LOGIT_TABLE)
        return packed, cache_dtype

    @property
    def name(self) -> str:
        return self._name

    def identity(self) -> dict:
        identity = {"name": self._name, "weights_sha256": self._sha, "arithmetic": "exact-v2"}
        if self.cfg.attention_window != self._trained_window:
            identity["attention_window"] = self.cfg.attention_window
        return identity

    @property
    def trained_attention_window(self) -> int:
        """The window the model was trained with (its identity names any other it runs at)."""
        return self._trained_window

    def with_window(self, attention_window: int) -> "ExactTransformer":
        """The same model attending to at most `attention_window` positions (ALiBi lets it run
        shorter than it was trained; attention cost falls in proportion)."""
        narrow = copy.copy(self)
        narrow.cfg = dataclasses.replace(self.cfg, attention_window=attention_window)
        return narrow

    def num_parameters(self) -> int:
        return self._params

    @property
    def max_context_symbols(self) -> int:
        return self.cfg.context_bytes

    def for_generation(self) -> "ExactTransformer":
        """Attending to the model's whole context (cfg.context_bytes), not the shorter window coding
        uses for speed: a sample keeps its prompt in view (benchmarks/domains.py: lm:tiny-v2 at its
        own temperature stays in the prompt's domain in 71 % of samples, against 64 % at 256 bytes)."""
        return self.with_window(max(self.cfg.attention_window, self.cfg.context_bytes))

    def _feed(self, state: _Cache, tokens: np.ndarray) -> np.ndarray:
        """Feed tokens (B, P), P <= FEED_BLOCK, and return (B, P, V) int64 next-symbol weights."""
        out = np.empty(tokens.shape + (self.cfg.vocab_size,), np.int64)
        exact_step.advance(np.ascontiguousarray(tokens, dtype=np.int64), self.packed, *state.arrays,
                           self.cfg.attention_window, out, exact_step.NEVER, 0)
        return out

    def _feed_all(self, state: _Cache, tokens: np.ndarray) -> np.ndarray:
        """Feed tokens (B, T) FEED_BLOCK positions at a time: (B, T, V) int64 weights."""
        out = np.empty(tokens.shape + (self.cfg.vocab_size,), np.int64)
        for start in range(0, tokens.shape[1], FEED_BLOCK):
            out[:, start : start + FEED_BLOCK] = self._feed(state, tokens[:, start : start + FEED_BLOCK])
        return out

    def _inputs(self, symbols: np.ndarray) -> np.ndarray:
        """(B, T) -> (B, T): the start symbol, then each symbol but the last."""
        return np.concatenate([np.full((len(symbols), 1), self.bos), symbols], axis=1)[:, : symbols.shape[1]]

    def weights(self, symbols: np.ndarray) -> np.ndarray:
        """The rows split into one group per core, the groups at once (the kernel releases the GIL)."""
        inputs = self._inputs(np.asarray(symbols, dtype=np.int64))
        groups = [rows for rows in np.array_split(np.arange(len(inputs)), threads()) if len(rows)]
        if len(groups) <= 1:
            return self._feed_all(self.start(len(inputs)), inputs)
        with ThreadPoolExecutor(len(groups)) as pool:
            return np.concatenate(list(pool.map(lambda rows: self._feed_all(self.start(len(rows)), inputs[rows]), groups)))

    def start(self, batch_size: int) -> _Cache:
        return _Cache(batch_size, self.cfg, self._cache_dtype)

    def step(self, state: _Cache, previous: Optional[np.ndarray]) -> np.ndarray:
        """One position for every row, in one compiled call: the same arithmetic as `weights`, so
        the same integers."""
        if (previous is None) != (state.length == 0):
            raise ValueError("pass previous=None on the first step only")
        token = np.full(state.batch_size, self.bos) if previous is None else np.asarray(previous, dtype=np.int64)
        return self._feed(state, token[:, None])[:, 0]

    def decode_streams(self, decoder: StreamDecoder, lengths: np.ndarray) -> np.ndarray:
        """The Predictor's lockstep decoding in one compiled loop (exact_step.decode_streams)."""
        lengths = np.asarray(lengths, dtype=np.int64)
        state = self.start(len(lengths))
        symbols = np.zeros((len(lengths), lengths.max(initial=0)), np.int64)
        exact_step.decode_streams(self.bos, self.packed, *state.arrays, self.cfg.attention_window, lengths,
                                  *decoder.arrays, symbols)
        return symbols

    def start_from(self, contexts: np.ndarray) -> tuple[_Cache, np.ndarray]:
        contexts = np.asarray(contexts, dtype=np.int64)
        state = self.start(len(contexts))
        tokens = np.concatenate([np.full((len(contexts), 1), self.bos), contexts], axis=1)
        return state, np.ascontiguousarray(self._feed_all(state, tokens)[:, -1])
