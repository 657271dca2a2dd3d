"""Image and audio files to the streams the media codecs code, and back: exact pixels and samples."""

import io
import struct
import zlib

import numpy as np
import pytest
import soundfile
from PIL import Image

from gencomp.errors import GencompError
from gencomp.media.audio import _from_layout, _stereo_layouts, read_audio, rebuild_audio
from gencomp.media.image import read_image, rebuild_image
from gencomp.media.kind import to_text
from gencomp.media.png_exact import HEURISTICS
from tests.conftest import SEEDS, rng_for


def png_bytes(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()


def round_trip_image(blob: bytes) -> Image.Image:
    stream = read_image(blob, "test.png")
    assert len(stream.data) == stream.record["width"] * stream.record["height"] * stream.record["planes"]
    assert stream.spec == f"image:{stream.record['width']}" and stream.chunk_size_bytes == len(stream.data) // \
        stream.record["planes"]
    return Image.open(io.BytesIO(rebuild_image(stream.record, stream.data)))


def random_image(mode: str, seed: int, size=(37, 23)) -> Image.Image:
    rng = rng_for(seed)
    bands = {"1": 1, "L": 1, "P": 1, "LA": 2, "RGB": 3, "RGBA": 4}[mode]
    pixels = rng.integers(0, 256, (size[1], size[0], bands), dtype=np.uint8)
    if mode == "1":
        return Image.fromarray(pixels[..., 0] > 127)
    image = Image.fromarray(pixels[..., 0] if bands == 1 else pixels, "L" if mode == "P" else mode)
    if mode == "P":
        image = image.convert("P")
        image.putpalette(rng.integers(0, 256, 768, dtype=np.uint8).tobytes())
    return image


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA"])
def test_every_mode_keeps_its_pixels(mode, seed):
    image = random_image(mode, seed)
    back = round_trip_image(png_bytes(image))
    assert back.mode == mode and back.size == image.size, f"seed {seed}"
    assert np.array_equal(np.asarray(back), np.asarray(image)), f"seed {seed}"
    if mode == "P":
        assert back.getpalette() == image.getpalette()


@pytest.mark.parametrize("seed", SEEDS)
def test_sixteen_bit_gray_keeps_every_bit(seed):
    values = rng_for(seed).integers(0, 1 << 16, (19, 41), dtype=np.uint16)
    back = round_trip_image(png_bytes(Image.fromarray(values)))
    assert back.mode == "I;16" and np.array_equal(np.asarray(back), values)


def test_a_real_colour_photo_is_decorrelated_and_exact(data_dir):
    gray = np.asarray(Image.open(data_dir / "image" / "chelsea.png"))[:64, :96].astype(np.int16)
    rgb = np.stack([gray, (gray * 3) // 4, np.clip(gray + 40, 0, 255)], axis=-1).astype(np.uint8)
    stream = read_image(png_bytes(Image.fromarray(rgb)), "photo.png")
    planes = np.frombuffer(stream.data, np.uint8).reshape(3, 64, 96)
    assert np.array_equal(planes[0], rgb[..., 1])  # green first, then R − G + 128, B − G + 128
    assert np.array_equal(planes[1], ((rgb[..., 0].astype(int) - rgb[..., 1] + 128) % 256).astype(np.uint8))
    back = Image.open(io.BytesIO(rebuild_image(stream.record, stream.data)))
    assert np.array_equal(np.asarray(back), rgb)


def test_palette_transparency_icc_exif_and_dpi_are_kept():
    image = random_image("P", 0)
    exif = Image.Exif()
    exif[0x0110] = "gencomp test camera"  # Model
    blob = png_bytes(image, transparency=7, icc_profile=b"not really a profile", exif=exif.tobytes(), dpi=(300, 150))
    back = round_trip_image(blob)
    assert back.info["transparency"] == 7 and back.info["icc_profile"] == b"not really a profile"
    assert back.getexif()[0x0110] == "gencomp test camera"
    assert tuple(round(v) for v in back.info["dpi"]) == (300, 150)


def test_rgb_transparency_and_one_pixel_images():
    image = Image.fromarray(np.array([[[10, 20, 30]]], np.uint8))
    back = round_trip_image(png_bytes(image, transparency=(10, 20, 30)))
    assert back.size == (1, 1) and np.asarray(back).tolist() == [[[10, 20, 30]]]
    assert back.info["transparency"] == (10, 20, 30)


def test_what_is_not_kept_is_named():
    info = __import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()
    info.add_text("Comment", "hello")
    stream = read_image(redeflated(png_bytes(random_image("L", 0), pnginfo=info)), "photo.png")
    assert stream.dropped == ["Comment"] and not stream.byte_exact and "png" not in stream.record


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def redeflated(blob: bytes) -> bytes:
    """The PNG blob with its IDAT stream deflated as no single zlib setting does (a full flush halfway), as
    another deflater (zopfli, libdeflate) would write it: the same pixels in other bytes."""
    chunks, at = [], 8
    while at < len(blob):
        size, kind = struct.unpack(">I4s", blob[at : at + 8])
        chunks.append((kind, blob[at + 8 : at + 8 + size]))
        at += 12 + size
    rows = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    deflater = zlib.compressobj(9)
    stream = deflater.compress(rows[: len(rows) // 2]) + deflater.flush(zlib.Z_FULL_FLUSH)
    stream += deflater.compress(rows[len(rows) // 2 :]) + deflater.flush()
    kept = [png_chunk(kind, body) for kind, body in chunks if kind not in (b"IDAT", b"IEND")]
    return blob[:8] + b"".join(kept) + png_chunk(b"IDAT", stream) + png_chunk(b"IEND", b"")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mode", ["L", "LA", "P", "RGB", "RGBA", "I;16"])
def test_a_png_that_zlib_deflates_comes_back_byte_for_byte(mode, seed):
    """Pillow's PNGs (min-sum filters, zlib), text chunks and all; 1-bit PNGs (packed rows) come back as new PNGs."""
    image = (Image.fromarray(rng_for(seed).integers(0, 1 << 16, (23, 37), dtype=np.uint16)) if mode == "I;16"
             else random_image(mode, seed))
    info = __import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()
    info.add_text("Comment", f"seed {seed}")
    blob = png_bytes(image, pnginfo=info, compress_level=int(rng_for(seed).integers(1, 10)))
    stream = read_image(blob, "photo.png")
    assert stream.byte_exact and stream.dropped == [] and stream.record["png"]["filters"] in ("pillow", "none"), f"seed {seed}"
    assert rebuild_image(stream.record, stream.data) == blob, f"seed {seed}"
    assert not read_image(png_bytes(random_image("1", seed)), "x").byte_exact


def test_real_photographs_come_back_byte_for_byte(data_dir, monkeypatch):
    """Filtered a few rows at a time too (the rows of a tall image go in blocks of ROWS_AT_ONCE)."""
    for path in sorted((data_dir / "image").glob("*.png"))[:3]:
        blob = path.read_bytes()
        stream = read_image(blob, path.name)
        assert stream.byte_exact and rebuild_image(stream.record, stream.data) == blob, path.name
    monkeypatch.setattr("gencomp.media.png_exact.ROWS_AT_ONCE", 7)
    stream = read_image(blob, path.name)
    assert stream.byte_exact and rebuild_image(stream.record, stream.data) == blob


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("magic, maxval, channels", [("P5", 255, 1), ("P6", 255, 3), ("P5", 65535, 1)])
def test_a_binary_pgm_or_ppm_comes_back_byte_for_byte(magic, maxval, channels, seed):
    values = rng_for(seed).integers(0, maxval + 1, (11, 13, channels)).astype(np.uint8 if maxval == 255 else ">u2")
    blob = f"{magic}\n# seed {seed}\n13 11\n{maxval}\n".encode() + values.tobytes()
    stream = read_image(blob, "scan.PGM")
    assert stream.byte_exact and stream.record["suffix"] == ".pgm", f"seed {seed}"
    assert rebuild_image(stream.record, stream.data) == blob, f"seed {seed}"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mode, width", [("RGB", 7), ("RGB", 8), ("L", 5), ("P", 9)])
def test_an_uncompressed_bmp_comes_back_byte_for_byte(mode, width, seed):
    """Rows padded to 4 bytes, bottom-up as Pillow writes them and top-down (a negative height)."""
    out = io.BytesIO()
    random_image(mode, seed, (width, 6)).save(out, "BMP")
    bottom_up = out.getvalue()
    offset, stride = struct.unpack("<I", bottom_up[10:14])[0], (len(bottom_up) - struct.unpack("<I", bottom_up[10:14])[0]) // 6
    rows = [bottom_up[offset + i * stride : offset + (i + 1) * stride] for i in range(6)]
    top_down = bottom_up[:22] + struct.pack("<i", -6) + bottom_up[26:offset] + b"".join(rows[::-1])
    for blob in (bottom_up, top_down):
        stream = read_image(blob, "x.bmp")
        assert stream.byte_exact and stream.record["suffix"] == ".bmp", f"seed {seed}"
        assert rebuild_image(stream.record, stream.data) == blob, f"seed {seed}"


def test_a_bmp_whose_fourth_bytes_vary_keeps_its_pixels_in_a_new_png():
    out = io.BytesIO()
    random_image("RGBA", 2).save(out, "BMP")  # 32 bits, alpha in the byte Pillow does not read
    stream = read_image(out.getvalue(), "x.bmp")
    assert not stream.byte_exact and stream.record["suffix"] == ".png" and stream.record["mode"] == "RGB"


def test_a_pgm_whose_pixels_pillow_rescales_keeps_them_in_a_new_png():
    blob = b"P5\n3 2\n15\n" + bytes([0, 1, 2, 13, 14, 15])  # maxval 15: Pillow reads 0, 17, 34, …
    stream = read_image(blob, "x.pgm")
    back = Image.open(io.BytesIO(rebuild_image(stream.record, stream.data)))
    assert not stream.byte_exact and back.format == "PNG" and np.asarray(back).ravel().tolist() == [0, 17, 34, 221, 238, 255]


def hand_made_png(rows: np.ndarray, filter_type: int) -> bytes:
    """An 8-bit gray PNG of `rows` with every row filtered by filter_type (0: none, 2: up), zlib level 9."""
    previous = np.zeros_like(rows[0])
    filtered = b""
    for row in rows:
        filtered += bytes([filter_type]) + ((row - previous) if filter_type == 2 else row).astype(np.uint8).tobytes()
        previous = row
    header = struct.pack(">IIBBBBB", rows.shape[1], rows.shape[0], 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(filtered, 9))
            + png_chunk(b"IEND", b""))


def test_row_filters_no_heuristic_chose_are_recorded():
    rows = rng_for(5).integers(0, 256, (30, 20)).astype(np.uint8)
    for filter_type in (0, 2):
        blob = hand_made_png(rows, filter_type)
        stream = read_image(blob, "x.png")
        filters = stream.record["png"]["filters"]
        assert filters == "none" if filter_type == 0 else filters not in HEURISTICS  # up: each row's filter recorded
        assert rebuild_image(stream.record, stream.data) == blob


def test_a_png_of_another_deflater_keeps_its_pixels_in_a_new_png():
    image = random_image("RGB", 3)
    blob = redeflated(png_bytes(image))
    stream = read_image(blob, "x.png")
    back = rebuild_image(stream.record, stream.data)
    assert not stream.byte_exact and back != blob and np.array_equal(np.asarray(Image.open(io.BytesIO(back))), np.asarray(image))


def test_a_zlib_that_deflates_otherwise_or_a_damaged_layout_is_refused_by_name():
    stream = read_image(png_bytes(random_image("L", 1)), "x.png")
    layout = stream.record["png"]
    with pytest.raises(GencompError, match=r"zlib .* does not deflate the PNG's rows as the zlib that compressed it"):
        rebuild_image(stream.record | {"png": layout | {"crc32": layout["crc32"] ^ 1}}, stream.data)
    with pytest.raises(GencompError, match="archive corrupt: unreadable PNG layout"):
        rebuild_image(stream.record | {"png": layout | {"filters": "AAAA"}}, stream.data)
    with pytest.raises(GencompError, match="archive corrupt: the PNG layout's bytes a pixel"):
        rebuild_image(stream.record | {"png": layout | {"bpp": 0}}, stream.data)
    with pytest.raises(GencompError, match="archive corrupt: the PNG layout's row filters"):
        rebuild_image(stream.record | {"png": layout | {"filters": to_text(zlib.compress(b"\x00" * 5))}}, stream.data)


def sixteen_bit_rgb_png() -> bytes:
    width, height = 5, 4
    rows = b"".join(b"\x00" + np.arange(width * 3, dtype=">u2").tobytes() for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


def animated_gif() -> bytes:
    out = io.BytesIO()
    frames = [random_image("L", s).convert("P") for s in range(2)]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    return out.getvalue()


def cmyk_jpeg() -> bytes:
    out = io.BytesIO()
    random_image("RGB", 0).convert("CMYK").save(out, "JPEG")
    return out.getvalue()


def sixteen_bit_ppm() -> bytes:
    return b"P6\n# a comment\n5 4\n65535\n" + np.arange(60, dtype=">u2").tobytes()


@pytest.mark.parametrize("make, message", [
    (sixteen_bit_rgb_png, "16-bit colour"),
    (sixteen_bit_ppm, "16-bit colour"),
    (animated_gif, "2 frames"),
    (cmyk_jpeg, "CMYK image"),
    (lambda: png_bytes(random_image("RGB", 0))[:200], "cannot read image"),
])
def test_images_that_cannot_be_kept_exactly_are_refused(make, message):
    with pytest.raises(GencompError, match=message):
        read_image(make(), "x")


def test_bytes_that_are_no_image_are_left_to_the_byte_path():
    assert read_image(b"just some text, not pixels", "x") is None
    assert read_audio(b"just some text, not samples", "x") is None


def wav_bytes(values: np.ndarray, channels: int, bits: int, extra: bytes = b"", tail: bytes = b"") -> bytes:
    """A RIFF WAVE file written by hand: fmt, an optional LIST chunk before the data, trailing bytes."""
    width = bits // 8
    if bits == 8:
        data = (values + 128).astype(np.uint8).tobytes()
    else:
        unsigned = values.astype(np.int64) & ((1 << bits) - 1)
        data = np.stack([(unsigned >> (8 * k)) & 0xFF for k in range(width)], -1).astype(np.uint8).tobytes()
    data += tail
    fmt = struct.pack("<HHIIHH", 1, channels, 16000, 16000 * channels * width, channels * width, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
    if extra:
        body += b"LIST" + struct.pack("<I", len(extra)) + extra + b"\x00" * (len(extra) & 1)
    body += b"data" + struct.pack("<I", len(data)) + data + b"\x00" * (len(data) & 1)
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bits", [8, 16, 24])
@pytest.mark.parametrize("channels", [1, 2, 3, 9])
def test_wav_comes_back_byte_for_byte(bits, channels, seed):
    rng = rng_for(seed)
    n = int(rng.integers(0, 500))
    values = rng.integers(-(1 << (bits - 1)), 1 << (bits - 1), n * channels)
    blob = wav_bytes(values, channels, bits, extra=b"INFOISFT\x05\x00\x00\x00test", tail=b"\x07")  # half a sample
    stream = read_audio(blob, "x.wav")
    width = 3 if bits == 24 else 2  # bytes a coded sample: 24-bit samples are coded at full precision
    assert stream.byte_exact and stream.spec == ("audio:1:24" if bits == 24 else "audio")
    frames = (n * channels * (bits // 8) + 1) // (channels * bits // 8)  # the tail is a sample only in 8-bit mono
    assert len(stream.data) == width * frames * channels
    assert stream.chunk_size_bytes == width * frames  # one plane a channel
    if bits == 24:
        planes = np.frombuffer(stream.data, np.uint8).reshape(channels, frames, 3).astype(np.int64)
        coded = planes[..., 0] | planes[..., 1] << 8 | planes[..., 2] << 16
        first = values[: frames * channels : channels]  # the first plane: the file's own samples, or its
        if channels == 2:  # stereo layout's first plane
            first = _stereo_layouts(first, values[1 : frames * channels : 2], 24)[stream.record.get("stereo", "")][0]
        assert np.array_equal(coded[0] - (coded[0] >> 23 << 24), first)
    assert rebuild_audio(stream.record, stream.data) == blob, f"seed {seed}"


def test_24_bit_audio_is_predicted_at_full_precision(data_dir):
    """jfk's 24-bit samples: the low byte follows the waveform, so coding all 24 bits together beats
    FLAC -8 (gencomp 0.4 coded the low bytes as noise: 1.33x FLAC's size)."""
    import gencomp
    from gencomp.media import media_archive, media_file_of

    wide = soundfile.read(data_dir / "audio" / "jfk.flac", dtype="int32")[0][100000:130000]
    out = io.BytesIO()
    soundfile.write(out, wide, 44100, format="WAV", subtype="PCM_24")
    stream = read_audio(out.getvalue(), "x.wav")
    archive = media_archive(stream)
    assert media_file_of(archive) == out.getvalue()
    flac = io.BytesIO()
    soundfile.write(flac, wide, 44100, format="FLAC", subtype="PCM_24", compression_level=1.0)
    assert len(archive) < len(flac.getvalue()), (len(archive), len(flac.getvalue()))
    with pytest.raises(GencompError, match="B = 16 or 24"):
        gencomp.get_compressor("audio:1:20")


def test_real_wav_is_its_samples_and_comes_back_whole(data_dir):
    blob = (data_dir / "audio" / "spk1_snt1.wav").read_bytes()
    stream = read_audio(blob, "spk1_snt1.wav")
    samples, _ = soundfile.read(io.BytesIO(blob), dtype="int16")
    assert stream.data == samples.astype("<i2").tobytes()
    assert rebuild_audio(stream.record, stream.data) == blob


@pytest.mark.parametrize("bits", [8, 16, 24])
def test_every_stereo_layout_gives_the_pair_back_exactly(bits):
    half = 1 << (bits - 1)
    edges = np.array([-half, -half, half - 1, half - 1, 0, -1])
    left = np.r_[edges, rng_for(bits).integers(-half, half, 500)]
    right = np.r_[edges[::-1], rng_for(bits + 1).integers(-half, half, 500)]
    for name, planes in _stereo_layouts(left, right, bits).items():
        assert all(p.min() >= -half and p.max() < half for p in planes), name
        back = _from_layout(name, *planes, bits)
        assert np.array_equal(back[0], left) and np.array_equal(back[1], right), name


@pytest.mark.parametrize("layout", ["", "left-side", "right-side", "mid-side"])
def test_stereo_is_stored_in_its_smoothest_layout_and_comes_back_whole(data_dir, layout):
    """Speech s and noise n: as given (s, n); left and side (s, s + n); side and right (s + n, s);
    mid and side (s + n, s − n): each layout's planes are s and a multiple of n at best."""
    s = soundfile.read(data_dir / "audio" / "spk1_snt1.wav", dtype="int16")[0][:4000].astype(np.int64) // 2
    n = rng_for(5).integers(-200, 200, len(s))
    pair = {"": (s, n), "left-side": (s, s + n), "right-side": (s + n, s), "mid-side": (s + n, s - n)}[layout]
    blob = wav_bytes(np.stack(pair, -1).reshape(-1), 2, 16)
    stream = read_audio(blob, "x.wav")
    assert stream.record.get("stereo", "") == layout
    assert rebuild_audio(stream.record, stream.data) == blob


def test_an_unknown_stereo_layout_is_named():
    stream = read_audio(wav_bytes(np.arange(40), 2, 16), "x.wav")
    with pytest.raises(GencompError, match="unknown stereo layout 'front-back'"):
        rebuild_audio(stream.record | {"stereo": "front-back"}, stream.data)


@pytest.mark.parametrize("subtype, bits", [("PCM_16", 16), ("PCM_24", 24), ("PCM_S8", 8)])
@pytest.mark.parametrize("audio_format", ["FLAC", "AIFF"])
def test_other_formats_keep_their_samples(audio_format, subtype, bits):
    values = rng_for(bits).integers(-(1 << (bits - 1)), 1 << (bits - 1), (300, 2)).astype(np.int32) << (32 - bits)
    out = io.BytesIO()
    soundfile.write(out, values, 22050, format=audio_format, subtype=subtype)
    stream = read_audio(out.getvalue(), "x")
    assert not stream.byte_exact and stream.record["suffix"] == "." + audio_format.lower()
    back, rate = soundfile.read(io.BytesIO(rebuild_audio(stream.record, stream.data)), dtype="int32")
    assert rate == 22050 and np.array_equal(back, values)


def float_wav() -> bytes:
    out = io.BytesIO()
    soundfile.write(out, np.zeros((10, 1)), 8000, format="WAV", subtype="FLOAT")
    return out.getvalue()


def mu_law_wav() -> bytes:
    out = io.BytesIO()
    soundfile.write(out, np.zeros((10, 1)), 8000, format="WAV", subtype="ULAW")
    return out.getvalue()


@pytest.mark.parametrize("make, message", [(float_wav, "FLOAT audio"), (mu_law_wav, "ULAW audio")])
def test_audio_that_cannot_be_kept_exactly_is_refused(make, message):
    with pytest.raises(GencompError, match=message):
        read_audio(make(), "x")


def test_a_damaged_record_is_named():
    stream = read_image(png_bytes(random_image("RGB", 0)), "x")
    with pytest.raises(GencompError, match="archive corrupt"):
        rebuild_image(stream.record, stream.data[:-1])
    with pytest.raises(GencompError, match="archive corrupt"):
        rebuild_image(stream.record | {"mode": "L"}, stream.data)
    audio = read_audio(wav_bytes(np.arange(10), 1, 16), "x")
    with pytest.raises(GencompError, match="archive corrupt"):
        rebuild_audio(audio.record | {"prefix": "not base64!"}, audio.data)
    for field, value in (("bits", 1 << 40), ("bits", 12), ("bits", True), ("channels", 0), ("sample_bytes", 9)):
        with pytest.raises(GencompError, match="never writes"):  # 2^40-bit samples: a MemoryError, found by fuzzing
            rebuild_audio(audio.record | {field: value}, audio.data)
    out = io.BytesIO()
    soundfile.write(out, np.arange(40, dtype=np.int32) << 16, 8000, format="FLAC", subtype="PCM_16")
    flac = read_audio(out.getvalue(), "x.flac")
    with pytest.raises(GencompError, match="cannot be written"):
        rebuild_audio(flac.record | {"rate": 0}, flac.data)


def test_a_long_mono_file_is_two_chunks_that_come_back_whole(data_dir):
    """Two halves of one plane, so that two cores code them side by side; the file comes back byte for byte."""
    from gencomp.media import media_archive, media_file_of

    blob = (data_dir / "audio" / "spk1_snt2.wav").read_bytes()
    stream = read_audio(blob, "spk1_snt2.wav")
    samples = len(stream.data) // 2
    assert samples >= 2 * (1 << 14) and stream.chunk_size_bytes == 2 * ((samples + 1) // 2)
    assert media_file_of(media_archive(stream)) == blob
    short = read_audio(wav_bytes(np.arange(1000) % 300, 1, 16), "x.wav")
    assert short.chunk_size_bytes == 2000
