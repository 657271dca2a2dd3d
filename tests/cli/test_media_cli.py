"""gencomp compress photo.png -c image / speech.wav -c audio: pixels and samples in, the same out."""

import io

import numpy as np
import pytest
import soundfile
from PIL import Image

import gencomp
from gencomp.archive.layout import FORMAT_VERSION, MEDIA_FORMAT_VERSION, pack_stream_header
from gencomp.archive.stream import peek_header
from gencomp.cli.main import main
from gencomp.errors import GencompError


@pytest.fixture
def photo(tmp_path, data_dir):
    """A real photograph, cropped, in colour (the gray photo in two channels, a shifted third)."""
    gray = np.asarray(Image.open(data_dir / "image" / "chelsea.png"))[100:160, 150:230].astype(np.int16)
    rgb = np.stack([gray, gray // 2 + 60, np.clip(gray + 25, 0, 255)], axis=-1).astype(np.uint8)
    path = tmp_path / "cat.jpg"
    Image.fromarray(rgb).save(path, quality=85)
    return path


def test_an_image_file_comes_back_with_the_same_pixels_as_png(photo, capsys):
    pixels = np.asarray(Image.open(photo))
    assert main(["compress", str(photo), "-c", "image", "-q"]) == 0
    archive = photo.with_name("cat.jpg.gcz")
    err = capsys.readouterr().err
    assert photo.exists() and "kept" in err  # only the pixels come back: the input stays
    assert "larger than" in err  # a JPEG's pixels take more room than the JPEG
    with archive.open("rb") as f:
        header, _ = peek_header(f)
    assert header.codec == "image:80" and header.media["mode"] == "RGB" and header.chunk_size_bytes == 80 * 60
    assert archive.read_bytes()[4] == MEDIA_FORMAT_VERSION
    assert main(["decompress", str(archive), "-q"]) == 0
    back = Image.open(photo.with_name("cat.png"))
    assert back.format == "PNG" and np.array_equal(np.asarray(back), pixels)
    assert not archive.exists()


def test_a_wav_comes_back_byte_for_byte_and_is_replaced_like_gzip(tmp_path, data_dir):
    wav = tmp_path / "speech.wav"
    blob = (data_dir / "audio" / "spk1_snt2.wav").read_bytes()
    wav.write_bytes(blob)
    assert main(["compress", str(wav), "-c", "audio", "-q"]) == 0
    archive = tmp_path / "speech.wav.gcz"
    assert not wav.exists() and archive.stat().st_size < 0.5 * len(blob)
    assert main(["decompress", str(archive), "-q"]) == 0
    assert wav.read_bytes() == blob


def test_flac_comes_back_as_flac_with_the_same_samples(tmp_path, data_dir):
    flac = tmp_path / "read.flac"
    flac.write_bytes((data_dir / "audio" / "librispeech-1272-128104-0000.flac").read_bytes())
    samples, rate = soundfile.read(flac, dtype="int16")
    assert main(["compress", str(flac), "-c", "audio", "-k", "-q", "-o", str(tmp_path / "a.gcz")]) == 0
    assert main(["decompress", str(tmp_path / "a.gcz"), "-q", "-o", str(tmp_path / "back.flac")]) == 0
    back, back_rate = soundfile.read(tmp_path / "back.flac", dtype="int16")
    assert back_rate == rate and np.array_equal(back, samples)


def test_as_bytes_and_files_of_other_kinds_keep_the_byte_path(photo, tmp_path):
    assert main(["compress", str(photo), "-c", "image", "--as-bytes", "-k", "-q", "-o", str(tmp_path / "b.gcz")]) == 0
    assert (tmp_path / "b.gcz").read_bytes()[4] == FORMAT_VERSION
    assert main(["decompress", str(tmp_path / "b.gcz"), "-q", "-o", str(tmp_path / "b.jpg")]) == 0
    assert (tmp_path / "b.jpg").read_bytes() == photo.read_bytes()
    raw = tmp_path / "pixels.gray"
    raw.write_bytes(bytes(range(256)) * 16)
    assert main(["compress", str(raw), "-c", "image", "-q"]) == 0  # no image format: coded as bytes, as before
    assert main(["decompress", str(tmp_path / "pixels.gray.gcz"), "-q"]) == 0
    assert raw.read_bytes() == bytes(range(256)) * 16


@pytest.mark.parametrize("args, message", [
    (["compress", "{photo}", "-c", "image", "--chunk-size", "2048", "-o", "{dir}/c.gcz"], "--chunk-size does not apply to image files"),
    (["compress", "{dir}/anim.gif", "-c", "image"], "2 frames"),
    (["decompress", "{dir}/cat.jpg.gcz", "-o", "{dir}/out.jpg"], "written as PNG: name the output .png"),
])
def test_media_mistakes_give_one_line_errors(photo, tmp_path, capsys, args, message):
    frames = [Image.fromarray(np.full((8, 8), v, np.uint8)).convert("P") for v in (0, 255)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    assert main(["compress", str(photo), "-c", "image", "-k", "-q"]) == 0
    capsys.readouterr()
    assert main([a.format(photo=photo, dir=tmp_path) for a in args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_damaged_media_archive_is_named(photo, tmp_path, capsys):
    assert main(["compress", str(photo), "-c", "image", "-k", "-q"]) == 0
    archive = tmp_path / "cat.jpg.gcz"
    blob = bytearray(archive.read_bytes())
    header, _ = peek_header(io.BytesIO(bytes(blob)))
    blob[len(pack_stream_header(header)) - 6] ^= 1  # the media record's last bytes: the header checksum catches it
    archive.write_bytes(bytes(blob))
    assert main(["decompress", str(archive), "-q"]) == 1
    assert "archive corrupt: the archive header fails its checksum" in capsys.readouterr().err
    assert not (tmp_path / "cat.png").exists()
    with archive.open("rb") as f, pytest.raises(Exception, match="checksum"):
        peek_header(io.BufferedReader(f))


def test_the_library_writes_and_reads_the_cli_s_media_archives(photo):
    from gencomp.media import media_archive, media_file_of, read_media_file

    archive = media_archive(read_media_file(str(photo), "image"))
    back = Image.open(io.BytesIO(media_file_of(archive)))
    assert np.array_equal(np.asarray(back), np.asarray(Image.open(photo)))
    with pytest.raises(GencompError, match="holds bytes, not an image or audio file"):
        media_file_of(gencomp.get_compressor("gzip").compress(b"plain bytes"))


def bmp_bytes(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).convert("RGB").save(out, "BMP")
    return out.getvalue()


def test_with_no_codec_a_png_or_wav_that_comes_back_byte_for_byte_is_coded_as_media(tmp_path, data_dir, capsys):
    """The default codec (auto): a real photograph's PNG, a PGM, a BMP and a WAV as pixels and samples, back byte for
    byte and replaced like gzip; a PNG that zlib does not reproduce and text stay bytes under cm."""
    from tests.media.test_media_files import redeflated

    photo, speech = data_dir / "image" / "coins.png", data_dir / "audio" / "spk1_snt3.wav"
    gray = np.asarray(Image.open(photo))[:40, :60]
    originals = {"coins.png": photo.read_bytes(), "speech.wav": speech.read_bytes(),
                 "scan.pgm": b"P5\n60 40\n255\n" + gray.tobytes(), "shot.bmp": bmp_bytes(gray),
                 "other.png": redeflated(photo.read_bytes()), "notes.txt": b"plain text, " * 500}
    for name, blob in originals.items():
        (tmp_path / name).write_bytes(blob)
    assert main(["-q", *(str(tmp_path / name) for name in originals)]) == 0
    codecs = {}
    for name in originals:
        assert not (tmp_path / name).exists()
        with (tmp_path / (name + ".gcz")).open("rb") as f:
            codecs[name] = peek_header(f)[0].codec
    assert codecs == {"coins.png": "image:384", "speech.wav": "audio", "scan.pgm": "image:60", "shot.bmp": "image:60",
                      "other.png": "cm", "notes.txt": "cm"}
    assert (tmp_path / "coins.png.gcz").stat().st_size < 0.9 * len(originals["coins.png"])
    assert main(["-d", "-q", *(str(tmp_path / (name + ".gcz")) for name in originals)]) == 0
    assert all((tmp_path / name).read_bytes() == blob for name, blob in originals.items())
    assert capsys.readouterr().err == ""


def test_a_named_codec_or_stdin_codes_a_png_s_bytes(tmp_path, data_dir, monkeypatch, capsysbinary):
    blob = (data_dir / "image" / "coins.png").read_bytes()
    (tmp_path / "coins.png").write_bytes(blob)
    assert main(["compress", str(tmp_path / "coins.png"), "-c", "cm", "-k", "-q"]) == 0
    with (tmp_path / "coins.png.gcz").open("rb") as f:
        assert peek_header(f)[0].codec == "cm"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(blob)))
    assert main(["-q"]) == 0  # standard input to standard output, as under tar -I gencomp
    archive = capsysbinary.readouterr().out
    assert peek_header(io.BytesIO(archive))[0].codec == "cm" and gencomp.decompress(archive) == blob
