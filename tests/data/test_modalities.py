import numpy as np
import pytest
import soundfile

from gencomp.errors import GencompError
from gencomp.media.audio import pcm16_to_wav, read_pcm16
from gencomp.media.image import PATCH_BYTES, image_to_patches, patches_to_image, read_grayscale


def test_image_patches_invert(data_dir):
    gray = read_grayscale(data_dir / "image" / "chelsea.png")  # 451×300: patches cover 448×288
    data = image_to_patches(gray)
    assert len(data) == (300 // 32) * (451 // 64) * PATCH_BYTES
    assert np.array_equal(patches_to_image(data, 448, 288), gray[:288, :448])
    first_patch = np.frombuffer(data[:PATCH_BYTES], np.uint8).reshape(32, 64)
    assert np.array_equal(first_patch, gray[:32, :64])


def test_audio_becomes_mono_16_bit_and_back(data_dir, tmp_path):
    pcm, rate = read_pcm16(data_dir / "audio" / "jfk.flac")  # 44.1 kHz stereo 24-bit
    info = soundfile.info(data_dir / "audio" / "jfk.flac")
    assert rate == 44100 and len(pcm) == 2 * info.frames
    wav = tmp_path / "back.wav"
    wav.write_bytes(pcm16_to_wav(pcm, rate))
    again, rate2 = read_pcm16(wav)
    assert again == pcm and rate2 == rate


def test_unreadable_inputs(tmp_path):
    (tmp_path / "x.png").write_bytes(b"not an image")
    with pytest.raises(GencompError, match="cannot read image"):
        read_grayscale(tmp_path / "x.png")
    with pytest.raises(GencompError, match="cannot read audio"):
        read_pcm16(tmp_path / "x.png")
    with pytest.raises(GencompError, match="smaller than one"):
        image_to_patches(np.zeros((20, 100), np.uint8))
