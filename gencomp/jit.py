"""Settings shared by the compiled kernels: where numba caches them, and how many threads run them."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sys
from pathlib import Path
from typing import Optional

# numba caches compiled kernels on disk beside their source, or in the user's cache folder; for a
# package inside a zip (a zipapp) it finds no place and refuses, so there they compile at each start.
CACHE = Path(__file__).is_file()
STAMP = "kernels.stamp"  # in the package's __pycache__: the fingerprint of the sources its cached kernels came from


def source_fingerprint(package: Path) -> str:
    """A digest of the time stamp and size of every module under `package`."""
    stats = [(p.relative_to(package), p.stat()) for p in sorted(package.rglob("*.py"))]
    return hashlib.sha256("".join(f"{name}:{st.st_mtime_ns}:{st.st_size};" for name, st in stats).encode()).hexdigest()


def drop_stale_kernels(package: Path) -> bool:
    """Delete every cached kernel (*.nbi, *.nbc) under `package` when any of its modules changed since
    they were written; True if it did. numba keys a kernel's cache by its own file's time stamp and
    size, not by its callees': after an edit of core.py, a kernel in loops.py that inlines core's
    functions would load stale machine code, and code archives its decoder cannot read. An installed
    package never changes, so there this costs one stat per module at start-up."""
    global FINGERPRINT
    FINGERPRINT = fingerprint = source_fingerprint(package)
    stamp = package / "__pycache__" / STAMP
    try:
        if stamp.read_text() == fingerprint:
            return False
    except OSError:
        pass
    for cached in [*package.rglob("*.nbi"), *package.rglob("*.nbc"), *package.glob("__pycache__/native-*")]:
        cached.unlink(missing_ok=True)
    try:
        stamp.parent.mkdir(exist_ok=True)
        stamp.write_text(fingerprint)
    except OSError:  # a read-only install: numba keeps its caches in the user's folder, and nothing changes
        pass
    return True


def cache_outside_the_package(root: Path) -> Path:
    """Have numba cache kernels in root/gencomp-<fingerprint> (deleting the gencomp-* folders beside it of
    other sources) and return that folder: where numba caches outside the package (NUMBA_CACHE_DIR, or a
    read-only install), drop_stale_kernels cannot reach, and numba 0.68 keys a kernel by its own file's
    contents alone, so an upgrade that changes core.py but not loops.py would load loops' stale kernels.
    Set before numba is imported (it reads NUMBA_CACHE_DIR then), and in its config if it was."""
    if root.name.startswith("gencomp-"):  # a worker process inherits the folder its parent chose
        root = root.parent
    folder = root / f"gencomp-{FINGERPRINT[:16]}"
    for other in root.glob("gencomp-*"):
        if other != folder:
            shutil.rmtree(other, ignore_errors=True)
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    config = sys.modules.get("numba.core.config")
    if config is not None:
        config.CACHE_DIR = str(folder)
    return folder


FINGERPRINT = ""  # of the package's sources, when drop_stale_kernels ran: gencomp.native's objects are keyed by it
if CACHE:
    drop_stale_kernels(Path(__file__).parent)
    if os.environ.get("NUMBA_CACHE_DIR"):
        cache_outside_the_package(Path(os.environ["NUMBA_CACHE_DIR"]))
    elif not os.access(Path(__file__).parent, os.W_OK):  # numba would use its user-wide cache
        cache_outside_the_package(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gencomp" / "numba")

_thread_limit: Optional[int] = None


def threads() -> int:
    """How many threads gencomp's own parallel work (model rows, chunk groups, candidates) may use:
    every core this process may run on, within a container's CPU quota, unless limit_threads said fewer."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    quota = _quota_cpus()
    return _thread_limit or min(cores or 1, quota or cores or 1)


def cgroup_cpus(root: Path) -> Optional[int]:
    """The whole cores' worth of CPU time a cgroup quota under `root` allows (at least 1), or None without a
    quota: cgroup v2's cpu.max ("QUOTA PERIOD" or "max PERIOD"), else v1's cpu/cpu.cfs_quota_us (-1: none) over
    cpu/cpu.cfs_period_us. A container limited to one CPU but shown every core would run threads that wait
    for each other in turns of the quota's period."""
    for quota_file, period_file in (("cpu.max", None), ("cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us")):
        try:
            fields = (root / quota_file).read_text().split()
            quota = fields[0]
            period = fields[1] if period_file is None else (root / period_file).read_text().strip()
            return None if quota == "max" or int(quota) <= 0 else max(1, int(quota) // int(period))
        except (OSError, ValueError, IndexError, ZeroDivisionError):
            continue
    return None


@functools.lru_cache(maxsize=None)
def _quota_cpus() -> Optional[int]:
    return cgroup_cpus(Path("/sys/fs/cgroup"))


def limit_threads(n: int) -> None:
    """At most n threads for gencomp's parallel work and for BLAS: a pool of one process per core
    calls this with 1 in each, so that processes × threads does not oversubscribe the machine."""
    from threadpoolctl import threadpool_limits

    global _thread_limit
    _thread_limit = max(1, n)
    threadpool_limits(_thread_limit)
