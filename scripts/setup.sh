#!/usr/bin/env bash
# Create .venv and install gencomp into it (editable). `bash scripts/setup.sh test` adds the test extras.
# torch is pinned here, not in pyproject: 2.13.0 (CPU) is cached on the project's machines, so set-up
# stays fast; elsewhere pip fetches that release for your platform (pyproject accepts torch>=2.2).
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e ".${extras:+[$extras]}"
