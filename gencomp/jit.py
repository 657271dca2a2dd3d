"""Settings shared by the compiled kernels: where numba caches them, and how many threads run them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

# numba caches compiled kernels on disk beside their source, or in the user's cache folder; for a
# package inside a zip (a zipapp) it finds no place and refuses, so there they compile at each start.
CACHE = Path(__file__).is_file()

_thread_limit: Optional[int] = None


def threads() -> int:
    """How many threads gencomp's own parallel work (model rows, chunk groups, candidates) may use:
    every core, unless limit_threads said fewer."""
    return _thread_limit or os.cpu_count() or 1


def limit_threads(n: int) -> None:
    """At most n threads for gencomp's parallel work and for BLAS: a pool of one process per core
    calls this with 1 in each, so that processes × threads does not oversubscribe the machine."""
    from threadpoolctl import threadpool_limits

    global _thread_limit
    _thread_limit = max(1, n)
    threadpool_limits(_thread_limit)
