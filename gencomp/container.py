"""The .gcz archive: a self-describing, framed wrapper around a codec's chunk payloads.

Format 6 (gencomp 0.6) is format 5, but an audio record may store a stereo pair as right and
side or mid and side (gencomp.data.audio_files), which a reader of format 5 would rebuild wrongly;
media archives are written as format 6, and format 5's are still read.

Format 5 (gencomp 0.4) is format 4 with one more header field after the frame size: a media
record (varint length + zlib-compressed JSON, as it may hold an ICC profile or EXIF) that rebuilds
an image or audio file from the pixels or samples the frames hold (gencomp.data.media_files). Only
such archives are written as format 5; others stay format 4, which gencomp 0.3 reads.

Format 4 (written since gencomp 0.3) is format 3's layout; it marks the context-mixing `cm`
and `mix` codecs, whose payloads format 3's `cm` and `mix` (another model) cannot read.

Format 3 (gencomp 0.2; integers are unsigned LEB128 varints unless sized, CRC32s
are 4 bytes big-endian):
    magic b"GCZ" 0x1A | format version (1 byte)
    codec spec (varint length + UTF-8)       e.g. "gzip", "lm:tiny"
    codec identity (varint length + JSON)     parameters and model hash the decoder must match
    chunk size (0: each frame is one stream) | frame size (original bytes per frame, the last less)
    CRC32 of the header above
  then frames, written as they finish, each:
    original bytes in the frame (> 0) | chunk count | payload length of every chunk
    CRC32 of the frame's original bytes | CRC32 of this frame header
    payloads, concatenated
  then the end record:
    0 | total original bytes | frame count | CRC32 of the whole original | CRC32 of this record

A reader holds one frame at a time, so compressing and decompressing run in bounded memory
for any input size, stdin to stdout included; frames are independent, so they can be coded in
parallel (on a cluster: gencomp.compressors.frames). Truncation and corruption are reported
by frame.

Formats 1 (gencomp 0.1) and 2 have one header for the whole archive:
    magic | version | codec spec | codec identity | original length | chunk size | chunk count
    payload length of every chunk | CRC32 of the original | CRC32 of everything above | payloads
Format 2 marks the integer-exact probability path (gencomp.coding.exact). Both are read;
an archive older than its codec's payload format (`Compressor.first_format_version`) is refused,
naming the release that reads it (format 1: gencomp 0.1.0; formats 2 and 3: gencomp 0.2.0).

Compatibility promise: every archive this version writes decodes, bit for bit, with every
later gencomp on any machine (tests/golden/ holds archives of every codec); a format change
bumps the version and keeps reading the old one, or refuses it naming the release that reads it.
"""

from __future__ import annotations

import io
import json
import zlib
from dataclasses import dataclass, field
from typing import Optional

from gencomp.errors import GencompError

MAGIC = b"GCZ\x1a"
FORMAT_VERSION = 4
MEDIA_FORMAT_VERSION = 6  # format 4 plus a media record: written only for media files
FIRST_MEDIA_VERSION = 5  # format 5 (gencomp 0.4–0.5): the same, but a stereo record names left-side at most
READABLE_VERSIONS = (1, 2, 3, 4, 5, 6)
WHOLE_ARCHIVE_VERSIONS = (1, 2)  # one header for the whole archive, read by `unpack`
MAX_ORIGINAL_BYTES = 1 << 40
MAX_FRAME_BYTES = 1 << 30


@dataclass
class Archive:
    codec: str
    identity: dict
    original_length: int
    chunk_size_bytes: int
    payloads: list[bytes]
    crc32: int
    header_bytes: int = field(default=0, compare=False)
    format_version: int = field(default=2, compare=False)


def encode_varint(n: int) -> bytes:
    """Unsigned LEB128."""
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def decode_varint(blob: bytes, what: str = "number") -> tuple[int, int]:
    """(value, bytes used) of the unsigned LEB128 number at the start of blob."""
    reader = StreamReader(io.BytesIO(blob))
    return reader.varint(what), reader.pos


def is_archive(blob: bytes) -> bool:
    return blob[: len(MAGIC)] == MAGIC


def format_version(blob: bytes) -> int:
    """The format version of an archive's first bytes; GencompError if it is not one this gencomp reads."""
    if not is_archive(blob):
        raise GencompError("not a gencomp archive (bad magic bytes)")
    if len(blob) <= len(MAGIC):
        raise GencompError("archive truncated: it ends before its format version")
    version = blob[len(MAGIC)]
    if version not in READABLE_VERSIONS:
        raise GencompError(f"archive format version {version} is newer than this gencomp reads "
                           f"({', '.join(map(str, READABLE_VERSIONS))}): upgrade gencomp")
    return version


def unpack(blob: bytes) -> Archive:
    """Parse and check a format 1 or 2 archive; GencompError names what is wrong (foreign, truncated, corrupt)."""
    version = format_version(blob)
    if version not in WHOLE_ARCHIVE_VERSIONS:
        raise GencompError(f"format {version} is a framed archive: read it with read_stream_header and read_frame")
    r = StreamReader(io.BytesIO(blob))
    r.take(len(MAGIC) + 1, "magic and version")
    codec_raw = r.take(r.varint("codec name length"), "codec name")
    identity_raw = r.take(r.varint("codec identity length"), "codec identity")
    original_length = r.varint("original length")
    chunk_size = r.varint("chunk size")
    n_chunks = r.varint("chunk count")
    if original_length > MAX_ORIGINAL_BYTES or n_chunks > len(blob):
        raise GencompError("archive corrupt: implausible lengths in header")
    lengths = [r.varint(f"length of chunk {i}") for i in range(n_chunks)]
    crc32 = int.from_bytes(r.take(4, "checksum"), "big")
    header_end = r.pos
    header_crc = int.from_bytes(r.take(4, "header checksum"), "big")
    if zlib.crc32(blob[:header_end]) != header_crc:
        raise GencompError("archive corrupt: header checksum mismatch")
    try:
        codec, identity = codec_raw.decode(), json.loads(identity_raw)
    except (UnicodeDecodeError, ValueError):
        raise GencompError("archive corrupt: unreadable codec description") from None
    expected_end = r.pos + sum(lengths)
    if len(blob) < expected_end:
        raise GencompError(f"archive truncated at byte {len(blob)} of {expected_end}")
    if len(blob) > expected_end:
        raise GencompError(f"archive has {len(blob) - expected_end} unexpected trailing bytes")
    payloads = []
    for n in lengths:
        payloads.append(r.take(n, "chunk payload"))
    return Archive(codec, identity, original_length, chunk_size, payloads, crc32, header_end + 4, version)


# --- format 3: a header, then frames, then an end record --------------------------------------


@dataclass(frozen=True)
class StreamHeader:
    codec: str
    identity: dict
    chunk_size_bytes: int  # 0: each frame is one stream
    frame_bytes: int  # original bytes per frame (the last frame may hold fewer)
    media: Optional[dict] = None  # what rebuilds an image or audio file from the original bytes (formats 5, 6)


@dataclass(frozen=True)
class Frame:
    original_bytes: int
    payloads: list[bytes]
    crc32: int  # of the frame's original bytes


@dataclass(frozen=True)
class EndRecord:
    original_bytes: int
    frames: int
    crc32: int  # of the whole original


def _with_crc(fields: bytes) -> bytes:
    return fields + zlib.crc32(fields).to_bytes(4, "big")


def _json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def pack_stream_header(header: StreamHeader) -> bytes:
    """Format 4, or 6 when the header carries a media record."""
    codec, identity = header.codec.encode(), _json(header.identity)
    fields = [MAGIC, bytes([FORMAT_VERSION if header.media is None else MEDIA_FORMAT_VERSION]),
              encode_varint(len(codec)), codec, encode_varint(len(identity)), identity,
              encode_varint(header.chunk_size_bytes), encode_varint(header.frame_bytes)]
    if header.media is not None:
        media = zlib.compress(_json(header.media), 9)
        fields += [encode_varint(len(media)), media]
    return _with_crc(b"".join(fields))


def pack_frame(frame: Frame) -> bytes:
    head = b"".join([encode_varint(frame.original_bytes), encode_varint(len(frame.payloads))]
                    + [encode_varint(len(p)) for p in frame.payloads] + [frame.crc32.to_bytes(4, "big")])
    return _with_crc(head) + b"".join(frame.payloads)


def pack_end(end: EndRecord) -> bytes:
    return _with_crc(b"".join([encode_varint(0), encode_varint(end.original_bytes), encode_varint(end.frames),
                               end.crc32.to_bytes(4, "big")]))


class StreamReader:
    """Reads an archive from a binary file object: fields with `take` and `varint`, and a format-3
    archive one frame at a time (`header`, `next`); every error names the byte offset and what
    was being read."""

    def __init__(self, file):
        self.file, self.pos, self.frames_read = file, 0, 0
        self._record = bytearray()  # the bytes of the record being read, for its CRC

    def take(self, n: int, what: str) -> bytes:
        out = self.file.read(n) if n else b""
        if len(out) < n:
            raise GencompError(f"archive truncated: it ends at byte {self.pos + len(out)}, inside {what}")
        self.pos += n
        self._record += out
        return out

    def varint(self, what: str) -> int:
        n, shift = 0, 0
        while True:
            byte = self.take(1, what)[0]
            n |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return n
            if shift > 63:
                raise GencompError(f"archive corrupt: {what} is not a valid number")

    def _check_record_crc(self, what: str) -> None:
        covered = bytes(self._record)
        stored = int.from_bytes(self.take(4, f"the checksum of {what}"), "big")
        if zlib.crc32(covered) != stored:
            raise GencompError(f"archive corrupt: {what} fails its checksum (at byte {self.pos - len(covered) - 4})")
        self._record.clear()

    def header(self) -> StreamHeader:
        """The archive header (after the caller has checked magic and version with format_version)."""
        self._record.clear()
        version = self.take(len(MAGIC) + 1, "the magic bytes")[-1]
        codec_raw = self.take(self.varint("the codec name length"), "the codec name")
        identity_raw = self.take(self.varint("the codec identity length"), "the codec identity")
        chunk_size, frame_bytes = self.varint("the chunk size"), self.varint("the frame size")
        media_raw = self.take(self.varint("the media record length"), "the media record") \
            if version >= FIRST_MEDIA_VERSION else None
        self._check_record_crc("the archive header")
        if not 0 < frame_bytes <= MAX_FRAME_BYTES or chunk_size > frame_bytes:
            raise GencompError("archive corrupt: implausible frame size in header")
        try:
            codec, identity = codec_raw.decode(), json.loads(identity_raw)
            media = None if media_raw is None else json.loads(zlib.decompress(media_raw))
        except (UnicodeDecodeError, ValueError, zlib.error):
            raise GencompError("archive corrupt: unreadable codec description") from None
        if media is not None and not isinstance(media, dict):
            raise GencompError("archive corrupt: unreadable media record")
        return StreamHeader(codec, identity, chunk_size, frame_bytes, media)

    def next(self, header: StreamHeader):
        """The next Frame, or the EndRecord."""
        index = self.frames_read
        what = f"frame {index}"
        original = self.varint(f"the size of {what}")
        if original == 0:
            total, frames = self.varint("the end record"), self.varint("the end record")
            crc = int.from_bytes(self.take(4, "the end record"), "big")
            self._check_record_crc("the end record")
            return EndRecord(total, frames, crc)
        n_chunks = self.varint(f"the chunk count of {what}")
        size = header.chunk_size_bytes or header.frame_bytes
        if original > header.frame_bytes or n_chunks != -(-original // size):
            raise GencompError(f"archive corrupt: {what} has implausible sizes")
        lengths = [self.varint(f"a payload length of {what}") for _ in range(n_chunks)]
        crc = int.from_bytes(self.take(4, f"the checksum of {what}"), "big")
        self._check_record_crc(f"the header of {what}")
        if sum(lengths) > 2 * original + 64 * n_chunks + 4096:
            raise GencompError(f"archive corrupt: {what} has implausible payload sizes")
        payloads = [self.take(n, f"the payloads of {what}") for n in lengths]
        self._record.clear()
        self.frames_read += 1
        return Frame(original, payloads, crc)

    def at_end(self) -> bool:
        """True when nothing follows the end record."""
        return not self.file.read(1)


@dataclass(frozen=True)
class ArchiveSummary:
    codec: str
    original_bytes: int
    payload_bytes: int  # the codec's output alone, without headers and checksums
    media: Optional[dict] = None  # an image or audio file's record (formats 5, 6), else None


def summarize(blob: bytes) -> ArchiveSummary:
    """Codec and sizes of an archive in memory, any readable format (frames are checked, not decoded)."""
    if format_version(blob) in WHOLE_ARCHIVE_VERSIONS:
        archive = unpack(blob)
        return ArchiveSummary(archive.codec, archive.original_length, sum(map(len, archive.payloads)))
    reader = StreamReader(io.BytesIO(blob))
    header, payload = reader.header(), 0
    while not isinstance(record := reader.next(header), EndRecord):
        payload += sum(map(len, record.payloads))
    return ArchiveSummary(header.codec, record.original_bytes, payload, header.media)
