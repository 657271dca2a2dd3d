"""gencomp.jit.threads: every core unless limited, and a limit reaches BLAS too."""

import os

import threadpoolctl

from gencomp import jit


def test_threads_are_every_core_unless_limited(monkeypatch):
    monkeypatch.setattr(jit, "_thread_limit", None)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert jit.threads() == 6
    with threadpoolctl.threadpool_limits(limits=None):  # gives BLAS its threads back on leaving
        jit.limit_threads(1)
        assert jit.threads() == 1
        assert all(pool["num_threads"] == 1 for pool in threadpoolctl.threadpool_info())
