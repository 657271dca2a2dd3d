"""Golden archives decode exactly, forever: every codec's archives of text, a photo patch, speech,
random bytes and nothing, in each format gencomp has written (v2: one header; v3, v4, v7: framed; v5, v6, v8, v9: media;
made by make_golden.py), must give back originals with the recorded SHA-256, or, where a codec's
model changed, be refused naming the release that reads them. Archives of gencomp 0.1
(format 1) decode where the codec's payloads did not change, and are refused with the release to
use where they did."""

import hashlib
import json
from pathlib import Path

import pytest

import gencomp
from gencomp.archive.layout import FORMAT_VERSION
from gencomp.compressors import get_compressor
from gencomp.errors import GencompError
from tests.golden.make_golden import codec_specs

FOLDER = Path(__file__).resolve().parent
GOLDEN = {path.parent.name + "/" + name: entry for path in sorted(FOLDER.glob("v*/manifest.json"))
          for name, entry in json.loads(path.read_text()).items()}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_archive_decodes_exactly_or_is_refused_naming_its_release(name):
    """cm and mix changed model in format 4: their archives of formats 2 and 3 name gencomp 0.2.0."""
    entry = GOLDEN[name]
    version = int(name.split("/")[0][1:])
    blob = (FOLDER / name).read_bytes()
    if version < get_compressor(entry["codec"]).first_format_version:
        with pytest.raises(GencompError, match=r"gencomp 0\.2\.0 \(pip install gencomp==0\.2\.0\)"):
            gencomp.decompress(blob)
        return
    data = gencomp.decompress(blob)
    assert len(data) == entry["bytes"] and hashlib.sha256(data).hexdigest() == entry["sha256"], name


@pytest.mark.parametrize("name", sorted(n for n, e in GOLDEN.items() if "rebuilt_sha256" in e))
def test_golden_media_archive_rebuilds_the_same_pixels_or_wav(name):
    """Formats 5, 6, 8 and 9: the media record rebuilds the file (its pixels; a WAV, or since format 9 a PNG
    whose record holds its layout, a PGM and a BMP, byte for byte)."""
    import io

    from gencomp.archive.stream import peek_header
    from gencomp.media import media_file_of
    from tests.golden.make_golden import rebuilt_sha256

    blob = (FOLDER / name).read_bytes()
    suffix = "." + Path(name).name.split(".")[1]  # stereo.wav.gcz, stereo.wav.<identity tag>.gcz: .wav
    record = peek_header(io.BytesIO(blob))[0].media
    exact = suffix == ".wav" or any(key in record for key in ("png", "netpbm", "bmp"))
    assert rebuilt_sha256(media_file_of(blob), suffix, exact) == GOLDEN[name]["rebuilt_sha256"], name


def test_every_codec_has_golden_archives_in_the_current_format_and_identity():
    """A codec whose model changed under the same name (audio's least-squares stage) needs archives of its new identity."""
    from tests.golden.make_golden import archive_identity

    made = {(entry["codec"], json.dumps(archive_identity((FOLDER / name).read_bytes()), sort_keys=True))
            for name, entry in GOLDEN.items() if name.startswith(f"v{FORMAT_VERSION}/")}
    missing = {spec for spec in codec_specs()
               if (spec, json.dumps(get_compressor(spec).identity(), sort_keys=True)) not in made}
    assert not missing, f"run python -m tests.golden.make_golden to add golden archives of {sorted(missing)}"


def test_format_1_classic_archive_still_decodes():
    blob = (FOLDER / "v1" / "gzip.text.gcz").read_bytes()
    assert blob[4] == 1
    assert hashlib.sha256(gencomp.decompress(blob)).hexdigest() == (FOLDER / "v1" / "text.sha256").read_text().strip()


@pytest.mark.parametrize("name", ["cm.text.gcz", "lm-tiny.text.gcz"])
def test_format_1_model_archive_is_refused_naming_the_release_that_reads_it(name):
    with pytest.raises(GencompError, match=r"gencomp 0\.1\.0 \(pip install gencomp==0\.1\.0\)"):
        gencomp.decompress((FOLDER / "v1" / name).read_bytes())
