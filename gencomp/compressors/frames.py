"""Compress and decompress as a stream of independent frames (container format 3), in bounded memory.

A frame holds FRAME_TARGET_BYTES of whole chunks (codecs with a chunk size: 32 of lm's 2048-byte
chunks, one batch through the model and a few seconds of work, so frames spread over a cluster
evenly), or ONE_STREAM_FRAME_BYTES coded as one stream (codecs whose chunk size is 0: the classic
ones, cm and mix), like xz's blocks and zstd's frames. Memory is one frame of input and of output
plus the codec's own state, whatever the input size. Frames are coded independently, so
`map_frames` may send them elsewhere: any `map(fn, iterable)` that yields results in order, e.g.
a Dask cluster (gencomp.cluster); each worker rebuilds the codec from its registry spec, so the
archive is byte-identical to a local one.
"""

from __future__ import annotations

import functools
import io
import zlib
from typing import BinaryIO, Callable, Iterable, Iterator, Optional

from gencomp.compressors.base import (Compressor, Progress, check_format_version, chunk_lengths, decode_archive,
                                      get_compressor)
from gencomp.container import (WHOLE_ARCHIVE_VERSIONS, EndRecord, Frame, StreamHeader, StreamReader, format_version,
                               pack_end, pack_frame, pack_stream_header, unpack)
from gencomp.data.media_files import MediaStream, rebuild_media_file
from gencomp.errors import GencompError
from gencomp.jit import limit_threads

FRAME_TARGET_BYTES = 64 << 10  # chunked codecs: 64 KiB of whole chunks a frame (at least one chunk)
ONE_STREAM_FRAME_BYTES = 8 << 20  # one-stream codecs: 8 MiB a stream (zstd -22's and xz -9e's state stay small)

MapFrames = Callable[[Callable[[bytes], bytes], Iterable[bytes]], Iterable[bytes]]


def frame_bytes(compressor: Compressor) -> int:
    """Original bytes per frame for this compressor's chunking."""
    chunk = compressor.chunk_size_bytes
    return max(compressor.min_frame_chunks, FRAME_TARGET_BYTES // chunk) * chunk if chunk else ONE_STREAM_FRAME_BYTES


def encode_frame(compressor: Compressor, data: bytes, progress: Progress = None) -> bytes:
    """One packed frame: the data's chunks coded by the compressor, with sizes and checksums."""
    payloads = compressor.encode_chunks(compressor.split(data), progress)
    return pack_frame(Frame(len(data), payloads, zlib.crc32(data)))


@functools.lru_cache(maxsize=8)
def _registered(spec: str, chunk_size_bytes: int) -> Compressor:
    limit_threads(1)  # a cluster runs a worker process per core: threads on top would oversubscribe it
    return get_compressor(spec, chunk_size_bytes)


def encode_frame_by_spec(spec: str, chunk_size_bytes: int, data: bytes) -> bytes:
    """encode_frame with the codec rebuilt from its spec (once per process): what a cluster worker runs."""
    return encode_frame(_registered(spec, chunk_size_bytes), data)


def _read_frames(source: BinaryIO, size: int, seen: list[int], crc: list[int]) -> Iterator[bytes]:
    """Frames of `size` bytes (the last one shorter) from source; records each size and the running CRC32."""
    while True:
        data = source.read(size)
        while data and len(data) < size:  # pipes return short reads
            more = source.read(size - len(data))
            if not more:
                break
            data += more
        if not data:
            return
        seen.append(len(data))
        crc[0] = zlib.crc32(data, crc[0])
        yield data


def compress_stream(compressor: Compressor, source: BinaryIO, sink: BinaryIO, progress: Progress = None,
                    map_frames: Optional[MapFrames] = None, media: Optional[dict] = None) -> int:
    """Read source to its end, write a framed archive to sink frame by frame; returns original bytes.

    map_frames: run frames elsewhere (gencomp.cluster); the codec must then be a registry spec.
    media: the record that rebuilds a media file from the source's bytes (gencomp.data.media_files)."""
    size = frame_bytes(compressor)
    sink.write(pack_stream_header(StreamHeader(compressor.name, compressor.identity(), compressor.chunk_size_bytes, size,
                                               media)))
    seen, crc = [], [0]
    frames = _read_frames(source, size, seen, crc)
    if map_frames is None:
        packed = (encode_frame(compressor, data, progress) for data in frames)
    else:
        packed = map_frames(functools.partial(encode_frame_by_spec, compressor.name, compressor.chunk_size_bytes), frames)
    count = 0
    for frame in packed:
        sink.write(frame)
        if map_frames is not None and progress:
            progress(seen[count])
        count += 1
    sink.write(pack_end(EndRecord(sum(seen), count, crc[0])))
    return sum(seen)


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


def decompress_stream(source: BinaryIO, sink: BinaryIO, progress: Progress = None,
                      compressor: Optional[Compressor] = None) -> int:
    """Decode any gencomp archive from source into sink; returns original bytes written.

    compressor: the one the archive must have been made with (default: the one its header names).
    Formats 1 and 2 are read whole (they have one header for the archive); format 3 one frame at
    a time, each checked against its CRC32 before it is written."""
    first = source.read(5)
    version = format_version(first)
    if version in WHOLE_ARCHIVE_VERSIONS:
        archive = unpack(first + source.read())
        codec = compressor or get_compressor(archive.codec, archive.chunk_size_bytes)
        codec = _check_codec(codec, archive.codec, archive.identity, version)
        data = decode_archive(codec, archive, progress)
        sink.write(data)
        return len(data)
    reader = StreamReader(_Prefixed(first, source))
    header = reader.header()
    codec = compressor or get_compressor(header.codec, header.chunk_size_bytes)
    codec = _check_codec(codec, header.codec, header.identity, version)
    total, crc = 0, 0
    while True:
        record = reader.next(header)
        if isinstance(record, EndRecord):
            break
        data = _decode_frame(codec, header, record, reader.frames_read - 1, progress)
        sink.write(data)
        total, crc = total + len(data), zlib.crc32(data, crc)
    if (record.original_bytes, record.frames, record.crc32) != (total, reader.frames_read, crc):
        raise GencompError("archive corrupt: the end record does not match the frames before it")
    if not reader.at_end():
        raise GencompError(f"archive has unexpected trailing bytes after its end record (byte {reader.pos})")
    return total


def media_archive(stream: MediaStream, progress: Progress = None) -> bytes:
    """The archive of an image or audio file's stream (format 6), as `gencomp compress -c image/audio` writes it."""
    sink = io.BytesIO()
    compressor = get_compressor(stream.spec, stream.chunk_size_bytes)
    compress_stream(compressor, io.BytesIO(stream.data), sink, progress, media=stream.record)
    return sink.getvalue()


def media_file_of(archive: bytes) -> bytes:
    """The file an image or audio file's archive in memory rebuilds (`gencomp decompress` of it);
    GencompError for an archive of bytes."""
    header, source = peek_header(io.BytesIO(archive))
    if header is None or header.media is None:
        raise GencompError("this archive holds bytes, not an image or audio file: use gencomp.decompress")
    decoded = io.BytesIO()
    decompress_stream(source, decoded)
    return rebuild_media_file(header.media, decoded.getvalue())


def _check_codec(codec: Compressor, name: str, identity: dict, version: int) -> Compressor:
    """The codec that decodes an archive of codec `name` with `identity`: `codec`, or the earlier
    version of it the archive was made with; GencompError when neither fits."""
    if name != codec.name:
        raise GencompError(f"archive was made with codec {name!r}, not {codec.name!r}")
    check_format_version(codec, version, name)
    if identity != codec.identity():
        earlier = codec.for_identity(identity)
        if earlier is None or earlier.identity() != identity:
            raise GencompError(f"archive needs {name} with {identity}, but the local one is {codec.identity()}")
        return earlier
    return codec


def _decode_frame(codec: Compressor, header: StreamHeader, frame: Frame, index: int, progress: Progress) -> bytes:
    lengths = chunk_lengths(frame.original_bytes, header.chunk_size_bytes or frame.original_bytes, len(frame.payloads))
    try:
        data = b"".join(codec.decode_chunks(frame.payloads, lengths, progress))
    except GencompError as exc:
        raise GencompError(f"frame {index}: {exc}") from None
    if len(data) != frame.original_bytes or zlib.crc32(data) != frame.crc32:
        raise GencompError(f"archive corrupt: frame {index} fails its CRC32 check (corrupt archive, or a decoder mismatch)")
    return data
