"""gencomp.jit.threads: every core unless limited, and a limit reaches BLAS too."""

import os

import threadpoolctl

from gencomp import jit


def test_threads_are_every_core_this_process_may_run_on_unless_limited(monkeypatch):
    """Where the system tells which cores a process may run on (a process pinned to one, as paired_speed's
    workers are), those; else every core."""
    monkeypatch.setattr(jit, "_thread_limit", None)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {1, 3, 4}, raising=False)
    monkeypatch.setattr(jit, "_quota_cpus", lambda: None)
    assert jit.threads() == 3
    monkeypatch.setattr(jit, "_quota_cpus", lambda: 2)  # a container's CPU quota: two cores' worth
    assert jit.threads() == 2
    monkeypatch.setattr(jit, "_quota_cpus", lambda: None)
    monkeypatch.delattr(os, "sched_getaffinity")
    assert jit.threads() == 6
    with threadpoolctl.threadpool_limits(limits=None):  # gives BLAS its threads back on leaving
        jit.limit_threads(1)
        assert jit.threads() == 1
        assert all(pool["num_threads"] == 1 for pool in threadpoolctl.threadpool_info())


def test_a_cgroup_cpu_quota_is_read_in_whole_cores(tmp_path):
    """cgroup v2's cpu.max, else v1's quota over period; no quota, or none readable: None."""
    assert jit.cgroup_cpus(tmp_path) is None
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert jit.cgroup_cpus(tmp_path) is None
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("250000\n")
    assert jit.cgroup_cpus(tmp_path) == 2
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert jit.cgroup_cpus(tmp_path) is None
    (tmp_path / "cpu.max").write_text("50000 100000\n")
    assert jit.cgroup_cpus(tmp_path) == 1  # half a core: one thread
    (tmp_path / "cpu.max").write_text("garbage\n")
    assert jit.cgroup_cpus(tmp_path) == 2  # unreadable v2: v1's


def test_cached_kernels_are_dropped_when_any_module_changes(tmp_path):
    """numba would load a kernel compiled against another module's old code: any edit drops them all."""
    (tmp_path / "core.py").write_text("A = 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loops.py").write_text("B = 2\n")
    cached = tmp_path / "sub" / "__pycache__" / "loops.kernel-1.py311.nbi"
    cached.parent.mkdir()
    cached.write_bytes(b"index")
    assert jit.drop_stale_kernels(tmp_path) and not cached.exists()  # no stamp yet: dropped
    cached.write_bytes(b"index")
    assert not jit.drop_stale_kernels(tmp_path) and cached.exists()  # nothing changed: kept
    native = tmp_path / "__pycache__" / "native-0123-core.loop.o"  # gencomp.native's code: keyed, and dropped too
    native.write_bytes(b"code")
    (tmp_path / "core.py").write_text("A = 10\n")  # another module than the kernel's
    assert jit.drop_stale_kernels(tmp_path) and not cached.exists() and not native.exists()


def test_a_cache_outside_the_package_is_one_folder_per_fingerprint(tmp_path, monkeypatch):
    """NUMBA_CACHE_DIR (or a read-only install): drop_stale_kernels cannot reach there, so kernels go to a
    folder named by the sources' fingerprint, and folders of other sources are deleted."""
    import sys

    monkeypatch.setattr(jit, "FINGERPRINT", "ab" * 32)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    config = sys.modules.get("numba.core.config")
    if config is not None:  # restored after the test, as the environment is
        monkeypatch.setattr(config, "CACHE_DIR", config.CACHE_DIR)
    stale = tmp_path / "gencomp-0123456789abcdef"
    (stale / "core").mkdir(parents=True)
    unrelated = tmp_path / "another_package"
    unrelated.mkdir()
    folder = jit.cache_outside_the_package(tmp_path)
    assert folder == tmp_path / "gencomp-abababababababab" and os.environ["NUMBA_CACHE_DIR"] == str(folder)
    assert not stale.exists() and unrelated.exists()
    assert jit.cache_outside_the_package(folder) == folder  # a worker inherits its parent's folder
    if config is not None:
        assert config.CACHE_DIR == str(folder)
