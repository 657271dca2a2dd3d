"""Recursive least squares: the audio model's stage 1 (as Sac and OptimFROG predict audio), one of the
image model's predictions (revision 2, as paq8px's image models use it).

Float64 with a fixed order of operations and no fused multiply-adds (numba without fastmath), which
IEEE 754 makes the same on every machine: the one floating-point part of the context-mixing model."""

from __future__ import annotations

import numpy as np

from gencomp.jit import CACHE
from gencomp.native import njit

ORDER = 16  # audio: samples the predictor weighs
FORGET = 0.998  # audio: each sample's weight decays by this per sample (≈ 500 samples)
SOLVE_EVERY = 2  # audio: samples between solves (every sample: 0.1 % smaller on speech chunks, 4: 0.1 % larger)
RIDGE = 1.0  # audio: added to the covariance's diagonal before solving (in squared sample units)


def weights_offset(order: int) -> int:
    """Where the weights start in the state of a predictor of `order` inputs: after its covariance
    (order²) and cross-correlation (order)."""
    return order * (order + 1)


def state_size(order: int) -> int:
    """float64 values in the state of a predictor of `order` inputs; its weights are the last `order`."""
    return order * (order + 2)


WEIGHTS, STATE_SIZE = weights_offset(ORDER), state_size(ORDER)  # audio's


@njit(cache=CACHE)
def fit(state, ys, target, solve, n, forget, ridge):
    """Fold the row (ys (n,) → target) into the exponentially forgotten covariance R and
    cross-correlation b of state (state_size(n),) float64, then, if solve, solve (R + ridge·I) w = b by
    Cholesky into the state's weights (kept when it fails)."""
    cov, cross, weights = state[: n * n], state[n * n : n * n + n], state[n * n + n :]
    for i in range(n):
        for j in range(i + 1):
            cov[i * n + j] = forget * cov[i * n + j] + ys[i] * ys[j]
        cross[i] = forget * cross[i] + ys[i] * target
    if not solve:
        return
    lower = np.empty(n * n)
    for i in range(n):
        for j in range(i + 1):
            total = cov[i * n + j] + (ridge if i == j else 0.0)
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
