"""PNG (pillow, compression level 9): any bytes laid out as an 8-bit grayscale image,
as the paper does for every modality. Rows are 64 bytes wide (a 2048-byte chunk is one
32×64 image patch); the last row is zero-padded and the padding dropped on decoding."""

import io

import numpy as np
from PIL import Image

from gencomp.compressors.chunkwise import ChunkwiseCodec
from gencomp.compressors.registry import COMPRESSORS

ROW_BYTES = 64


@COMPRESSORS.register("png", "PNG of the bytes as a 64-pixel-wide grayscale image")
class Png(ChunkwiseCodec):
    name = "png"
    releases_gil = False  # Pillow holds the GIL for these small images: threads only add overhead
    errors = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)

    def encode(self, chunk: bytes) -> bytes:
        rows = -(-len(chunk) // ROW_BYTES)
        pixels = np.zeros(rows * ROW_BYTES, np.uint8)
        pixels[: len(chunk)] = np.frombuffer(chunk, np.uint8)
        out = io.BytesIO()
        Image.fromarray(pixels.reshape(rows, ROW_BYTES), mode="L").save(out, format="PNG", optimize=True)
        return out.getvalue()

    def decode(self, payload: bytes, length: int) -> bytes:
        with Image.open(io.BytesIO(payload), formats=["PNG"]) as image:
            if image.mode != "L" or image.width != ROW_BYTES or image.width * image.height > length + ROW_BYTES:
                raise ValueError(f"unexpected PNG {image.mode} {image.width}×{image.height}")
            return np.asarray(image, dtype=np.uint8).tobytes()[:length]
