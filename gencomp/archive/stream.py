"""Compress and decompress as a stream of independent frames (gencomp.archive.layout), in bounded memory.

A frame holds FRAME_TARGET_BYTES of whole chunks (codecs with a chunk size: 32 of lm's 2048-byte
chunks, one batch through the model and a few seconds of work, so frames spread over a cluster
evenly), or ONE_STREAM_FRAME_BYTES coded as one stream (codecs whose chunk size is 0: the classic
ones, cm and mix), like xz's blocks and zstd's frames. Memory is one frame of input and of output
plus the codec's own state, whatever the input size. Frames are coded independently, so
`map_frames` may send them elsewhere (gencomp.cluster: a Dask cluster, each worker rebuilding the
codec from its registry spec), so the archive is byte-identical to a local one.

The codecs are the caller's: compress_stream takes one, decompress_stream a function that gives
the codec an archive names (gencomp.compressors.get_compressor, or one codec that must match).
"""

from __future__ import annotations

import collections
import io
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterable, Iterator, Optional

from gencomp.archive.layout import (
    WHOLE_ARCHIVE_VERSIONS,
    EndRecord,
    Frame,
    StreamHeader,
    StreamReader,
    chunk_lengths,
    format_version,
    pack_end,
    pack_frame,
    pack_stream_header,
)
from gencomp.archive.legacy import Archive, check_format_version, decode_archive, earlier_codec, unpack
from gencomp.errors import GencompError

if TYPE_CHECKING:
    from gencomp.compressors.base import Compressor, Progress

FRAME_TARGET_BYTES = 64 << 10  # chunked codecs: 64 KiB of whole chunks a frame (at least one chunk)
ONE_STREAM_FRAME_BYTES = 8 << 20  # one-stream codecs: 8 MiB a stream (zstd -22's and xz -9e's state stay small)

# (codec spec, chunk size, frames' original bytes) -> packed frames, in order (gencomp.cluster)
MapFrames = Callable[[str, int, Iterable[bytes]], Iterable[bytes]]
CodecFor = Callable[[str, int], "Compressor"]  # (codec spec, chunk size) -> the codec that decodes it


def frame_bytes(compressor: "Compressor") -> int:
    """Original bytes per frame for this compressor's chunking."""
    chunk = compressor.chunk_size_bytes
    return max(compressor.min_frame_chunks, FRAME_TARGET_BYTES // chunk) * chunk if chunk else ONE_STREAM_FRAME_BYTES


def encode_frame(compressor: "Compressor", data: bytes, progress: "Progress" = None) -> bytes:
    """One packed frame: the data's chunks coded by the compressor, with sizes and checksums."""
    payloads = compressor.encode_chunks(compressor.split(data), progress)
    return pack_frame(Frame(len(data), payloads, zlib.crc32(data)))


def _read_frames(source: BinaryIO, size: int) -> Iterator[bytes]:
    """Frames of `size` bytes (the last one shorter) from source."""
    while True:
        data = source.read(size)
        while data and len(data) < size:  # pipes return short reads
            more = source.read(size - len(data))
            if not more:
                break
            data += more
        if not data:
            return
        yield data


class ArchiveWriter:
    """A framed archive written to sink as it goes: the header at once, each frame as write_frame gets
    it (frame_bytes of original bytes, the last one fewer), the end record at finish."""

    def __init__(self, compressor: "Compressor", sink: BinaryIO, media: Optional[dict] = None):
        self.compressor, self.sink = compressor, sink
        self.frame_bytes = frame_bytes(compressor)
        self.original, self.frames, self.crc = 0, 0, 0
        sink.write(pack_stream_header(StreamHeader(compressor.name, compressor.identity(), compressor.chunk_size_bytes,
                                                   self.frame_bytes, media)))

    def write_frame(self, data: bytes, packed: Optional[bytes] = None, progress: "Progress" = None) -> None:
        """Write the frame of `data`, encoded here or already (packed: by a cluster worker)."""
        self.sink.write(encode_frame(self.compressor, data, progress) if packed is None else packed)
        self.original, self.frames, self.crc = self.original + len(data), self.frames + 1, zlib.crc32(data, self.crc)

    def finish(self) -> int:
        """Write the end record; returns the original bytes written."""
        self.sink.write(pack_end(EndRecord(self.original, self.frames, self.crc)))
        return self.original


def compress_stream(compressor: "Compressor", source: BinaryIO, sink: BinaryIO, progress: "Progress" = None,
                    map_frames: Optional[MapFrames] = None, media: Optional[dict] = None) -> int:
    """Read source to its end, write a framed archive to sink frame by frame; returns original bytes.

    map_frames: run frames elsewhere (gencomp.cluster); the codec must then be a registry spec.
    media: the record that rebuilds a media file from the source's bytes (gencomp.media)."""
    writer = ArchiveWriter(compressor, sink, media)
    frames = _read_frames(source, writer.frame_bytes)
    if map_frames is None:
        for data in frames:
            writer.write_frame(data, progress=progress)
        return writer.finish()
    in_flight: collections.deque = collections.deque()  # frames sent off, in order, until their packed form returns

    def sent() -> Iterator[bytes]:
        for data in frames:
            in_flight.append(data)
            yield data

    for packed in map_frames(compressor.name, compressor.chunk_size_bytes, sent()):
        data = in_flight.popleft()
        writer.write_frame(data, packed)
        if progress:
            progress(len(data))
    return writer.finish()


class _Prefixed:
    """A binary reader that first returns `prefix`, then the rest of `file`."""

    def __init__(self, prefix: bytes, file: BinaryIO):
        self.prefix, self.file = prefix, file

    def read(self, n: int = -1) -> bytes:
        head, self.prefix = (self.prefix, b"") if n < 0 or n >= len(self.prefix) else (self.prefix[:n], self.prefix[n:])
        rest = n - len(head) if n >= 0 else -1
        return head + (self.file.read(rest) if rest else b"")


class _Recorded:
    """A binary reader that keeps a copy of what it hands out."""

    def __init__(self, file: BinaryIO):
        self.file, self.seen = file, bytearray()

    def read(self, n: int = -1) -> bytes:
        out = self.file.read(n)
        self.seen += out
        return out


def peek_header(source: BinaryIO) -> tuple[Optional[StreamHeader], BinaryIO]:
    """(the header of a framed archive, or None for formats 1 and 2; a reader that starts again at the
    archive's first byte): what to name the output before decoding (a media file's kind)."""
    first = source.read(5)
    if format_version(first) in WHOLE_ARCHIVE_VERSIONS:
        return None, _Prefixed(first, source)
    recorded = _Recorded(source)
    header = StreamReader(_Prefixed(first, recorded)).header()
    return header, _Prefixed(first + bytes(recorded.seen), source)


def decompress_stream(source: BinaryIO, sink: BinaryIO, codec_for: CodecFor, progress: "Progress" = None) -> int:
    """Decode any gencomp archive from source into sink; returns original bytes written.

    codec_for(spec, chunk size): the codec for the spec the archive names (which must be its name).
    Formats 1 and 2 are read whole (they have one header for the archive); later ones one frame at
    a time, each checked against its CRC32 before it is written, the whole against the end record."""
    frames = FrameReader(source, codec_for)
    total = 0
    while (frame := frames.next_frame()) is not None:
        data = frames.decode(frame, progress)
        sink.write(data)
        total += len(data)
    return total


class FrameReader:
    """An archive read one frame at a time: next_frame() gives each frame (or None after the last,
    once the end record and what follows it are checked), decode(frame) its original bytes, checked
    against the frame's CRC32. A frame need not be decoded (a reader seeking past it); the whole
    original's CRC32 is checked when every frame was. Formats 1 and 2 are one frame."""

    def __init__(self, source: BinaryIO, codec_for: CodecFor):
        self.index, self.total, self.crc, self.every_frame_decoded = 0, 0, 0, True
        version, self._whole, self.reader, self.header = _opened(source)  # reader None: no frames left
        described = self._whole if self._whole is not None else self.header
        name, chunk = described.codec, described.chunk_size_bytes
        self.codec = _check_codec(codec_for(name, chunk), name, described.identity, version)

    def next_frame(self):
        """The next frame (its original_bytes says its size), or None at the end."""
        if self._whole is not None:
            whole, self._whole = self._whole, None
            return whole
        if self.reader is None:
            return None
        record = self.reader.next(self.header)
        if isinstance(record, EndRecord):
            self._check_end(record)
            self.reader = None
            return None
        self.index += 1
        self.total += record.original_bytes
        return record

    def decode(self, frame, progress: "Progress" = None) -> bytes:
        """The original bytes of a frame next_frame gave, in order (GencompError if they fail their CRC32)."""
        if isinstance(frame, Archive):
            return decode_archive(self.codec, frame, progress)
        data = _decode_frame(self.codec, self.header, frame, self.index - 1, progress)
        self.crc = zlib.crc32(data, self.crc)
        return data

    def skip(self) -> None:
        """Note that a frame was passed over without decoding (the whole original's CRC32 goes unchecked)."""
        self.every_frame_decoded = False

    def _check_end(self, end: EndRecord) -> None:
        if (end.original_bytes, end.frames) != (self.total, self.index) or (
                self.every_frame_decoded and end.crc32 != self.crc):
            raise GencompError("archive corrupt: the end record does not match the frames before it")
        if not self.reader.at_end():
            raise GencompError(f"archive has unexpected trailing bytes after its end record (byte {self.reader.pos})")


def _opened(source: BinaryIO) -> tuple[int, Optional[Archive], Optional[StreamReader], Optional[StreamHeader]]:
    """(format version, the whole archive of format 1 or 2, or None; for later formats a reader at the
    first frame and the header read before it, else None and None)."""
    first = source.read(5)
    version = format_version(first)
    if version in WHOLE_ARCHIVE_VERSIONS:
        return version, unpack(first + source.read()), None, None
    reader = StreamReader(_Prefixed(first, source))
    return version, None, reader, reader.header()


def _check_codec(codec: "Compressor", name: str, identity: dict, version: int) -> "Compressor":
    """The codec that decodes an archive of codec `name` with `identity`: `codec`, or the earlier
    version of it the archive was made with; GencompError when neither fits."""
    if name != codec.name:
        raise GencompError(f"archive was made with codec {name!r}, not {codec.name!r}")
    check_format_version(codec, version, name)
    if identity != codec.identity():
        earlier = earlier_codec(codec, identity)
        if earlier is None:
            raise GencompError(f"archive needs {name} with {identity}, but the local one is {codec.identity()}")
        return earlier
    return codec


def _decode_frame(codec: "Compressor", header: StreamHeader, frame: Frame, index: int, progress: "Progress") -> bytes:
    lengths = chunk_lengths(frame.original_bytes, header.chunk_size_bytes or frame.original_bytes, len(frame.payloads))
    try:
        data = b"".join(codec.decode_chunks(frame.payloads, lengths, progress))
    except GencompError as exc:
        raise GencompError(f"frame {index}: {exc}") from None
    if len(data) != frame.original_bytes or zlib.crc32(data) != frame.crc32:
        raise GencompError(f"archive corrupt: frame {index} fails its CRC32 check (corrupt archive, or a decoder mismatch)")
    return data


@dataclass(frozen=True)
class ArchiveSummary:
    codec: str
    original_bytes: int
    payload_bytes: int  # the codec's output alone, without headers and checksums
    media: Optional[dict] = None  # an image or audio file's record (formats 5, 6), else None


def summarize(blob: bytes) -> ArchiveSummary:
    """Codec and sizes of an archive in memory, any readable format (frames are checked, not decoded)."""
    return read_summary(io.BytesIO(blob))


def read_summary(source: BinaryIO) -> ArchiveSummary:
    """summarize of an archive read from source, one frame at a time."""
    _, archive, reader, header = _opened(source)
    if archive is not None:
        return ArchiveSummary(archive.codec, archive.original_length, sum(map(len, archive.payloads)))
    payload = 0
    while not isinstance(record := reader.next(header), EndRecord):
        payload += sum(map(len, record.payloads))
    return ArchiveSummary(header.codec, record.original_bytes, payload, header.media)
