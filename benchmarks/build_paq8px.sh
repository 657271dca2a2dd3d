#!/usr/bin/env bash
# Build paq8px v216 (the state of the art in context mixing, issue 35's peer) from its public source
# into benchmarks/peers/bin/paq8px, where adaptive.py and the media benchmarks look for it.
#
#   benchmarks/build_paq8px.sh [SOURCE]
#
# SOURCE: a git URL or a local clone (default: GitHub). Needs git, cmake and a C++17 compiler;
# where any step fails it says which and exits 1, and the benchmarks then skip paq8px by name.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source=${1:-https://github.com/hxim/paq8px.git}
tag=29237fb44cb1995690e3eb72c6c3b1e4aede5791  # v216 and the one fix after it: an include's case, which Linux needs
out=$here/peers/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "paq8px not built: $1 (the benchmarks will skip it)" >&2; exit 1; }
for tool in git cmake c++; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done
git clone --quiet "$source" "$work/src" 2>"$work/log" || fail "cannot clone $source: $(tail -1 "$work/log")"
git -C "$work/src" checkout --quiet "$tag" 2>"$work/log" || fail "$source has no commit $tag"
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DNATIVECPU=OFF >"$work/log" 2>&1 \
    || fail "cmake failed: $(tail -3 "$work/log")"
cmake --build "$work/build" -j "$(nproc)" >"$work/log" 2>&1 || fail "the build failed: $(tail -3 "$work/log")"
mkdir -p "$out"
cp "$work/build/paq8px" "$out/paq8px"
echo "built $out/paq8px (v216 at $(git -C "$work/src" rev-parse --short HEAD))"
