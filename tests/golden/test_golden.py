"""Golden archives decode exactly, forever: every codec's archives of text, a photo patch, speech,
random bytes and nothing, made by gencomp 0.2 (make_golden.py), must give back originals with the
recorded SHA-256. Archives of gencomp 0.1 (format 1) decode where the codec's payloads did not
change, and are refused with the release to use where they did."""

import hashlib
import json
from pathlib import Path

import pytest

import gencomp
from gencomp.errors import GencompError
from tests.golden.make_golden import codec_specs

FOLDER = Path(__file__).resolve().parent
MANIFEST = json.loads((FOLDER / "manifest.json").read_text())


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_golden_archive_decodes_exactly(name):
    entry = MANIFEST[name]
    data = gencomp.decompress((FOLDER / name).read_bytes())
    assert len(data) == entry["bytes"] and hashlib.sha256(data).hexdigest() == entry["sha256"], name


def test_every_codec_has_golden_archives():
    missing = set(codec_specs()) - {entry["codec"] for entry in MANIFEST.values()}
    assert not missing, f"run python -m tests.golden.make_golden to add golden archives of {sorted(missing)}"


def test_format_1_classic_archive_still_decodes():
    blob = (FOLDER / "v1" / "gzip.text.gcz").read_bytes()
    assert blob[4] == 1
    assert hashlib.sha256(gencomp.decompress(blob)).hexdigest() == (FOLDER / "v1" / "text.sha256").read_text().strip()


@pytest.mark.parametrize("name", ["cm.text.gcz", "lm-tiny.text.gcz"])
def test_format_1_model_archive_is_refused_naming_the_release_that_reads_it(name):
    with pytest.raises(GencompError, match=r"gencomp 0\.1\.0 \(pip install gencomp==0\.1\.0\)"):
        gencomp.decompress((FOLDER / "v1" / name).read_bytes())
