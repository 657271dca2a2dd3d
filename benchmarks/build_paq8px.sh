#!/usr/bin/env bash
# Build paq8px v216 (the state of the art in context mixing, issue 35's peer) from its public source
# into benchmarks/peers/bin/paq8px, where adaptive.py and the media benchmarks look for it.
#
#   benchmarks/build_paq8px.sh [--costs] [SOURCE]
#
# SOURCE: a git URL or a local clone (default: GitHub). Needs git, cmake and a C++17 compiler;
# where any step fails it says which and exits 1, and the benchmarks then skip paq8px by name.
# --costs builds benchmarks/peers/bin/paq8px-costs instead: the same coder, which also writes each byte it
# compresses, with the bits it cost (−log2 of its 8 bits' probabilities, float32, then the byte), to the file named
# by the environment variable PAQ_COSTS (byte_costs.py reads it). Its archives are paq8px's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=paq8px
if [ "${1:-}" = "--costs" ]; then name=paq8px-costs; shift; fi
source=${1:-https://github.com/hxim/paq8px.git}
tag=29237fb44cb1995690e3eb72c6c3b1e4aede5791  # v216 and the one fix after it: an include's case, which Linux needs
out=$here/peers/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "$name not built: $1 (the benchmarks will skip it)" >&2; exit 1; }
for tool in git cmake c++ python3; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done
git clone --quiet "$source" "$work/src" 2>"$work/log" || fail "cannot clone $source: $(tail -1 "$work/log")"
git -C "$work/src" checkout --quiet "$tag" 2>"$work/log" || fail "$source has no commit $tag"
if [ "$name" = paq8px-costs ]; then
    python3 - "$work/src/src/Encoder.cpp" <<'PATCH' || fail "cannot patch Encoder.cpp for --costs"
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8-sig").read()
loop = """    for( int i = 7; i >= 0; --i ) {
      uint32_t p = predictor->p();
      int y = (c >> i) & 1;
      ari.encodeBit(p, y);
      updateModels(predictor, p, y);
    }"""
costed = """    static FILE *costs = getenv("PAQ_COSTS") ? fopen(getenv("PAQ_COSTS"), "wb") : nullptr;
    float cost = 0;
    for( int i = 7; i >= 0; --i ) {
      uint32_t p = predictor->p();
      int y = (c >> i) & 1;
      double q = (p == 0 ? 1 : p) / 2147483648.0;
      cost += float(-log2(y ? q : 1 - q));
      ari.encodeBit(p, y);
      updateModels(predictor, p, y);
    }
    if (costs) { fwrite(&cost, 4, 1, costs); fputc(c, costs); fflush(costs); }"""
if text.count(loop) != 1:
    sys.exit("Encoder::compressByte is not as v216 has it")
open(path, "w", encoding="utf-8").write("#include <cmath>\n#include <cstdio>\n#include <cstdlib>\n" + text.replace(loop, costed))
PATCH
fi
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DNATIVECPU=OFF >"$work/log" 2>&1 \
    || fail "cmake failed: $(tail -3 "$work/log")"
cmake --build "$work/build" -j "$(nproc)" >"$work/log" 2>&1 || fail "the build failed: $(tail -3 "$work/log")"
mkdir -p "$out"
cp "$work/build/paq8px" "$out/$name"
echo "built $out/$name (v216 at $(git -C "$work/src" rev-parse --short HEAD))"
