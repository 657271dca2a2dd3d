"""mix's decoder loop: the context-mixing decoder and the transformer stepped in one compiled loop."""

from __future__ import annotations

import numpy as np

from gencomp.jit import CACHE
from gencomp.models import context_mixing as cmx
from gencomp.models import exact_step
from gencomp.native import njit


@njit(cache=CACHE)
def decode_stepping(model, history, squash, stretch, start, stop, coder, buf, packed, keys, values, key_norms, meta,
                    window, ext):
    """Decode history[start:stop] with the transformer stepped in the same compiled loop: no Python
    between bytes. ext (1, 256): the transformer's weights for history[start]; the cache (keys,
    values, key_norms, meta) stands before it (exact_step.advance)."""
    token, fed = np.empty((1, 1), np.int64), ext.reshape((1, 1, ext.shape[1]))  # fed: a view of ext
    for pos in range(start, stop):
        cmx.decode_bytes(*model, history, squash, stretch, ext, pos, pos + 1, coder, buf)
        if pos + 1 < stop:
            token[0, 0] = history[pos]
            exact_step.advance(token, packed, keys, values, key_norms, meta, window, fed)
