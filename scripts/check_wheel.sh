#!/usr/bin/env bash
# Install gencomp as a user would, and run the README's commands from outside the checkout:
# build the wheel, install it (and torch 2.13.0) into a fresh virtualenv in a temp folder, then
# gencomp models and codecs, lm:tiny, mix:tiny, lm (the default model) and a checkout's lm:gpu-small round trips, the gzip-like
# interface (a pipe, tar -I, -l, -t), gencomp.open, a JPEG, a PNG and a WAV through -c image and -c audio
# and with no codec named, generate (text, image, speech),
# bench --quick --report, and the help of train and demo. (CI runs this.)
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$PWD
data="${GENCOMP_DATA:-$(cd "$checkout/../shared/data" && pwd)}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip wheel -q --no-deps -w "$work/dist" . 2>&1 | grep -v "^WARNING: Location" || true
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q torch==2.13.0 2>&1 | grep -v "^WARNING: Location" || true
"$work/venv/bin/python" -m pip install -q "$work"/dist/gencomp-*.whl 2>&1 | grep -v "^WARNING: Location" || true
cd "$work"
export GENCOMP_DATA="$data" PATH="$work/venv/bin:$PATH"
set -x
gencomp models | grep tiny-v2 > /dev/null  # not grep -q: it would close the pipe early
gencomp codecs | grep "^mix" > /dev/null
head -c 20000 "$data/text/wikitext2-valid.txt" > notes.txt
gencomp compress notes.txt -k -q -c lm:tiny
gencomp decompress notes.txt.gcz -q -o back.txt
cmp notes.txt back.txt
gencomp compress - -c mix:tiny -q < notes.txt | gencomp decompress - -q | cmp - notes.txt
gencomp < notes.txt | gencomp -dc | cmp - notes.txt  # the gzip-like interface: stdin to stdout, cm by default
python -c "import gencomp, sys; gencomp.decompress(gencomp.compress(b'native ' * 99)); assert 'numba' not in sys.modules"  # cm's kernels, written as native code by the runs above, load without numba
mkdir tree && cp notes.txt tree/ && tar -I gencomp -cf tree.tar.gcz tree && mkdir out && tar -I gencomp -xf tree.tar.gcz -C out
cmp out/tree/notes.txt notes.txt && gencomp -l tree.tar.gcz > /dev/null && gencomp -t tree.tar.gcz && gencomp --version
python -c "import gencomp; w = gencomp.open('o.gcz', 'wt'); w.write('line\n' * 9); w.close(); assert list(gencomp.open('o.gcz', 'rt')) == ['line\n'] * 9"
python -c "import gencomp, sys; gencomp.decompress(gencomp.compress(b'x' * 999, 'lm:tiny')); assert 'torch' not in sys.modules"
gencomp compress - -c lm -q < notes.txt | gencomp decompress - -q | cmp - notes.txt  # the default, lm:small-v2
! gencomp models | grep gpu-small > /dev/null || exit 1  # the checkout's GPU-trained models are not in the wheel …
GENCOMP_MODELS="$checkout/assets/models/gpu" gencomp compress notes.txt -k -q -c lm:gpu-small -o gpu.gcz  # … but run by name
GENCOMP_MODELS="$checkout/assets/models/gpu" gencomp decompress gpu.gcz -q -o - | cmp - notes.txt
cp "$data/image/coins.png" photo.png && cp "$data/audio/spk1_snt1.wav" speech.wav
python -c "from PIL import Image; Image.open('photo.png').save('photo.jpg')"
gencomp compress photo.jpg -c image -q && gencomp decompress photo.jpg.gcz -q -o back.png  # a JPEG: its pixels
python -c "from PIL import Image; import numpy as np; assert (np.asarray(Image.open('photo.jpg')) == np.asarray(Image.open('back.png'))).all()"
gencomp compress photo.png -c image -q && test ! -e photo.png && gencomp decompress photo.png.gcz -q  # a PNG zlib reproduces
cmp photo.png "$data/image/coins.png"
gencomp compress speech.wav -c audio -q && test ! -e speech.wav && gencomp decompress speech.wav.gcz -q
cmp speech.wav "$data/audio/spk1_snt1.wav"
gencomp -q photo.png speech.wav && gencomp -l photo.png.gcz speech.wav.gcz | grep "(image)" | grep "photo.png.gcz" > /dev/null  # no codec named
gencomp -l speech.wav.gcz | grep "(audio)" > /dev/null && gencomp -d photo.png.gcz speech.wav.gcz
cmp photo.png "$data/image/coins.png" && cmp speech.wav "$data/audio/spk1_snt1.wav"
gencomp generate --codec gzip --prompt "The cat" --bytes 40 --seed 0 > sample.txt
test -s sample.txt
gencomp generate -c cm --image "$data/image/camera.png" --width 32 --keep-rows 28 -o done.png -q
gencomp generate -c cm --audio "$data/audio/spk1_snt1.wav" --keep-seconds 0.5 --seconds 0.02 -o more.wav -q
test -s done.png && test -s more.wav
gencomp train --help > /dev/null && gencomp demo --help > /dev/null
gencomp bench --quick --report "$work/report" > /dev/null
test -s "$work/report/table1.md"
python -c "import gencomp, gencomp.resources as r; assert 'site-packages' in str(r.assets_dir()), r.assets_dir()"
