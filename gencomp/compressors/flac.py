"""FLAC (soundfile/libsndfile, level 8): any bytes read as little-endian 16-bit mono PCM
at 16 kHz, as the paper does for every modality; an odd length gets one zero byte of
padding, dropped on decoding."""

import io

import numpy as np
import soundfile

from gencomp.compressors.chunkwise import ChunkwiseCodec
from gencomp.compressors.registry import COMPRESSORS

SAMPLE_RATE = 16_000


@COMPRESSORS.register("flac", "FLAC of the bytes as 16-bit mono PCM")
class Flac(ChunkwiseCodec):
    name = "flac"
    releases_gil = False  # soundfile holds the GIL for these small buffers: threads only add overhead
    errors = (soundfile.LibsndfileError, RuntimeError, ValueError, TypeError)

    def encode(self, chunk: bytes) -> bytes:
        samples = np.frombuffer(chunk + b"\0" * (len(chunk) % 2), dtype="<i2")
        out = io.BytesIO()
        soundfile.write(out, samples, SAMPLE_RATE, format="FLAC", subtype="PCM_16", compression_level=1.0)
        return out.getvalue()

    def decode(self, payload: bytes, length: int) -> bytes:
        with soundfile.SoundFile(io.BytesIO(payload)) as f:
            if f.format != "FLAC":
                raise ValueError(f"expected a FLAC stream, found {f.format}")
            if f.channels != 1 or f.frames > length // 2 + 1:
                raise ValueError(f"unexpected FLAC stream: {f.channels} channels, {f.frames} frames")
            samples = f.read(dtype="int16")
        return samples.astype("<i2").tobytes()[:length]
