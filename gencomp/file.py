"""gencomp.open: an archive as a file object, as gzip.open and lzma.open give one.

Writing buffers one frame of the input (gencomp.archive.stream.frame_bytes: 8 MiB for cm and the
classic codecs, 64 KiB for lm) and writes each frame as it fills, the last one at close; the
archive is the one gencomp.compress makes of the same bytes. Reading decodes one frame at a time,
each checked against its CRC32, the whole against the end record. Memory stays that of one frame
and the codec, whatever the size. Seeking while reading is cheap: frames record their sizes, so a
seek reads past the frames before the target without decoding them (backwards, it starts again
from the first frame, as gzip does).

    with gencomp.open("log.txt.gcz", "wt") as f:       # text: encoding as io.TextIOWrapper's
        f.write("hello\\n")
    with gencomp.open("log.txt.gcz") as f:              # "rb" by default
        for line in f:
            ...
"""

from __future__ import annotations

import builtins
import io
import os
from typing import BinaryIO, Optional, Union

from gencomp.archive.stream import ArchiveWriter, FrameReader
from gencomp.compressors.registry import DEFAULT_CODEC, get_compressor

READ_BUFFER_BYTES = 1 << 16

FileLike = Union[str, bytes, os.PathLike, BinaryIO]


def open(file: FileLike, mode: str = "rb", codec: str = DEFAULT_CODEC, *, chunk_size_bytes: Optional[int] = None,
         encoding: Optional[str] = None, errors: Optional[str] = None, newline: Optional[str] = None):
    """A gencomp archive as a file object: binary for modes "rb", "wb", "xb" (and "r", "w", "x"),
    text (io.TextIOWrapper, with encoding, errors and newline) for "rt", "wt", "xt". file: a path,
    or a binary file object to read or write the archive through (left open). codec (and
    chunk_size_bytes) apply when writing; reading takes the codec the archive names."""
    text = "t" in mode
    binary_mode = mode.replace("t", "").replace("b", "")
    if binary_mode not in ("r", "w", "x") or len(mode) != len(set(mode)) or ("b" in mode and text):
        raise ValueError(f"invalid mode {mode!r}: use r, w or x, with b (binary, the default) or t (text)"
                         + ("; appending to an archive is not supported" if "a" in mode else ""))
    if not text and (encoding is not None or errors is not None or newline is not None):
        raise ValueError("encoding, errors and newline apply to text modes only")
    binary = GencompFile(file, binary_mode, codec, chunk_size_bytes)
    return io.TextIOWrapper(binary, encoding, errors, newline) if text else binary


class GencompFile(io.BufferedIOBase):
    """The binary file object gencomp.open returns: readable or writable, never both."""

    def __init__(self, file: FileLike, mode: str = "r", codec: str = DEFAULT_CODEC,
                 chunk_size_bytes: Optional[int] = None):
        if mode not in ("r", "w", "x"):
            raise ValueError(f"invalid mode {mode!r}")
        self.mode, self._finished = mode, False
        if isinstance(file, (str, bytes, os.PathLike)):
            self._file, self._owns_file, self.name = builtins.open(file, mode + "b"), True, os.fsdecode(file)
        elif hasattr(file, "read" if mode == "r" else "write"):
            self._file, self._owns_file, self.name = file, False, getattr(file, "name", "")
        else:
            raise TypeError("file must be a path or a binary file object")
        try:
            if mode == "r":
                self._reader = io.BufferedReader(_FrameRaw(self._file), READ_BUFFER_BYTES)
            else:
                self._writer = _FrameWriter(self._file, get_compressor(codec, chunk_size_bytes))
        except BaseException:
            if self._owns_file:
                self._file.close()
            raise

    # --- what either mode has ---------------------------------------------------------------
    def readable(self) -> bool:
        self._check_open()
        return self.mode == "r"

    def writable(self) -> bool:
        self._check_open()
        return self.mode != "r"

    def seekable(self) -> bool:
        return self.readable() and self._reader.seekable()

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self.mode == "r":
                self._reader.close()
            else:
                self._writer.finish()
            if self.mode != "r":
                self._file.flush()
        finally:
            try:
                if self._owns_file:
                    self._file.close()
            finally:
                self._finished = True  # IOBase.close calls flush, which has nothing left to do
                super().close()

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file")

    def _check_mode(self, reading: bool) -> None:
        self._check_open()
        if (self.mode == "r") != reading:
            raise io.UnsupportedOperation(f"{'read' if reading else 'write'}() on a file opened for "
                                          f"{'writing' if reading else 'reading'}")

    # --- reading ------------------------------------------------------------------------------
    def read(self, size: Optional[int] = -1) -> bytes:
        self._check_mode(True)
        return self._reader.read(size)

    def read1(self, size: int = -1) -> bytes:
        self._check_mode(True)
        return self._reader.read1(size)

    def readinto(self, buffer) -> int:
        self._check_mode(True)
        return self._reader.readinto(buffer)

    def readline(self, size: Optional[int] = -1) -> bytes:
        self._check_mode(True)
        return self._reader.readline(size)

    def peek(self, size: int = 0) -> bytes:
        self._check_mode(True)
        return self._reader.peek(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check_mode(True)
        return self._reader.seek(offset, whence)

    def tell(self) -> int:
        self._check_open()
        return self._reader.tell() if self.mode == "r" else self._writer.written

    # --- writing ------------------------------------------------------------------------------
    def write(self, data) -> int:
        self._check_mode(False)
        return self._writer.write(data)

    def flush(self) -> None:
        """Writes nothing mid-frame (the archive stays the one gencomp.compress makes): the frames
        filled so far are already written; the rest follows at close."""
        self._check_open()
        if self.mode != "r" and not self._finished:
            self._file.flush()


class _FrameWriter:
    """Collects written data into whole frames for an ArchiveWriter; finish() writes the rest and the end record."""

    def __init__(self, file: BinaryIO, compressor):
        self.archive = ArchiveWriter(compressor, file)
        self.pending = bytearray()

    @property
    def written(self) -> int:
        return self.archive.original + len(self.pending)

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        self.pending += view
        size = self.archive.frame_bytes
        while len(self.pending) >= size:
            self.archive.write_frame(bytes(self.pending[:size]))
            del self.pending[:size]
        return len(view)

    def finish(self) -> None:
        if self.pending:
            self.archive.write_frame(bytes(self.pending))
            self.pending.clear()
        self.archive.finish()


class _FrameRaw(io.RawIOBase):
    """The decoded bytes of an archive read from `file`, a frame at a time (io.BufferedReader buffers it)."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.start = file.tell() if file.seekable() else 0
        self._restart()

    def _restart(self) -> None:
        self.frames = FrameReader(self.file, get_compressor)
        self.data, self.offset, self.position = b"", 0, 0  # the current frame, where in it, where in the original

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self.file.seekable()

    def readinto(self, buffer) -> int:
        if self.offset == len(self.data):
            frame = self.frames.next_frame()
            if frame is None:
                return 0
            self.data, self.offset = self.frames.decode(frame), 0
        n = min(len(buffer), len(self.data) - self.offset)
        buffer[:n] = self.data[self.offset : self.offset + n]
        self.offset += n
        self.position += n
        return n

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self.position
        elif whence != io.SEEK_SET:
            raise io.UnsupportedOperation("seeking from the end is not supported (the size is known only at the end)")
        if offset < 0:
            raise ValueError(f"negative seek position {offset}")
        if offset < self.position - self.offset:  # before the current frame: start again
            self.file.seek(self.start)
            self._restart()
        while self.position - self.offset + len(self.data) <= offset:  # the target lies past the current frame
            frame_start = self.position - self.offset + len(self.data)
            self.position = frame_start
            peeked = self.frames.next_frame()
            if peeked is None:
                self.data, self.offset = b"", 0
                return self.position
            if frame_start + peeked.original_bytes <= offset:
                self.frames.skip()
                self.data, self.offset, self.position = b"", 0, frame_start + peeked.original_bytes
            else:
                self.data, self.offset = self.frames.decode(peeked), 0
        self.offset += offset - self.position
        self.position = offset
        return offset
