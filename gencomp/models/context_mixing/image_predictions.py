"""The image model's fixed predictions of a pixel from its causal neighbours (image.py weighs, blends and maps
them): the nine sub-predictions of revision 1 (the median first) and the twelve extrapolations of revision 4."""

from __future__ import annotations

import numpy as np

from gencomp.jit import CACHE
from gencomp.native import njit

EXTRAPOLATIONS = 12  # revision 4's (extrapolations)


@njit(cache=CACHE)
def neighbours(history, pos, width):
    """Pixel pos's causal neighbours (W, N, NW, NE, WW, NN, NNE); a missing one at the edges takes the
    nearest present one."""
    col, row = pos % width, pos // width
    w = np.int64(history[pos - 1]) if col > 0 else (np.int64(history[pos - width]) if row > 0 else 0)
    n = np.int64(history[pos - width]) if row > 0 else w
    nw = np.int64(history[pos - width - 1]) if row > 0 and col > 0 else n
    ne = np.int64(history[pos - width + 1]) if row > 0 and col + 1 < width else n
    ww = np.int64(history[pos - 2]) if col > 1 else w
    nn = np.int64(history[pos - 2 * width]) if row > 1 else n
    nne = np.int64(history[pos - 2 * width + 1]) if row > 1 and col + 1 < width else ne
    return w, n, nw, ne, ww, nn, nne


@njit(cache=CACHE)
def median(w, n, nw):
    """LOCO-I's median edge detector."""
    if nw >= max(w, n):
        return min(w, n)
    if nw <= min(w, n):
        return max(w, n)
    return w + n - nw


@njit(cache=CACHE)
def predictions(history, pos, width, out):
    """The nine sub-predictions of pixel pos into out[0 … 8], the median first (module docstring)."""
    w, n, nw, ne, ww, nn, nne = neighbours(history, pos, width)
    out[0] = median(w, n, nw)
    out[1] = min(max(w + n - nw, 0), 255)
    out[2] = min(max(w + ne - n, 0), 255)
    out[3] = n
    out[4] = w
    out[5] = min(max(n + (ne - nw) // 2, 0), 255)
    dh = abs(w - ww) + abs(n - nw) + abs(n - ne)  # CALIC's gradient-adjusted prediction, in quarters
    dv = abs(w - nw) + abs(n - nn) + abs(ne - nne)
    gap = 2 * (w + n) + ne - nw
    if dv - dh > 80:
        gap = 4 * w
    elif dh - dv > 80:
        gap = 4 * n
    elif dv - dh > 32:
        gap = (gap + 4 * w) // 2
    elif dv - dh > 8:
        gap = (3 * gap + 4 * w) // 4
    elif dh - dv > 32:
        gap = (gap + 4 * n) // 2
    elif dh - dv > 8:
        gap = (3 * gap + 4 * n) // 4
    out[6] = min(max((gap + 2) >> 2, 0), 255)
    out[7] = (n + ne + 1) >> 1
    out[8] = (w + n + 1) >> 1


@njit(cache=CACHE)
def _pixel(history, pos, width, dy, dx):
    """The pixel dy rows and dx columns from pixel pos, clamped into the image's columns and rows; a place at or
    after pos in its row takes the pixel before pos (0 at the very first)."""
    col, row = pos % width, pos // width
    r, c = max(row + dy, 0), min(max(col + dx, 0), width - 1)
    if r == row and c >= col:
        if col > 0:
            c = col - 1
        elif r > 0:
            r, c = r - 1, 0
        else:
            return np.int64(0)
    return np.int64(history[r * width + c])


@njit(cache=CACHE)
def _clip(v):
    return min(max(v, 0), 255)


@njit(cache=CACHE)
def extrapolations(history, pos, width, out):
    """Revision 4's twelve linear extrapolations of pixel pos into out[0 … 11]: along the column and the row
    over three pixels (3N − 3NN + NNN, 3W − 3WW + WWW), the gradients one row up carried down (N + NW − NNW,
    N + NE − NNE, NN + W − NNW, W + NEE − NE, NW + W − NWW), two-pixel slopes (2N − NN, 2W − WW), means
    ((W + NEE) / 2, (N + NNN) / 2) and (3W + 3N − 2NW) / 4; paq8px's image models map many such."""
    w, ww, www = _pixel(history, pos, width, 0, -1), _pixel(history, pos, width, 0, -2), _pixel(history, pos, width, 0, -3)
    n, nn, nnn = _pixel(history, pos, width, -1, 0), _pixel(history, pos, width, -2, 0), _pixel(history, pos, width, -3, 0)
    nw, ne, nee = _pixel(history, pos, width, -1, -1), _pixel(history, pos, width, -1, 1), _pixel(history, pos, width, -1, 2)
    nne, nnw, nww = _pixel(history, pos, width, -2, 1), _pixel(history, pos, width, -2, -1), _pixel(history, pos, width, -1, -2)
    out[0] = _clip(3 * n - 3 * nn + nnn)
    out[1] = _clip(3 * w - 3 * ww + www)
    out[2] = _clip(n + nw - nnw)
    out[3] = _clip(n + ne - nne)
    out[4] = (w + nee) >> 1
    out[5] = _clip(nn + w - nnw)
    out[6] = _clip(w + nee - ne)
    out[7] = _clip(2 * n - nn)
    out[8] = _clip(2 * w - ww)
    out[9] = _clip((3 * (w + n) - 2 * nw) >> 2)
    out[10] = (n + nnn) >> 1
    out[11] = _clip(nw + w - nww)
