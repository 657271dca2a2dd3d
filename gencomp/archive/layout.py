"""The .gcz archive's layout: fields, records and how to read them (docs/archive-format.md is the
specification, with the history of formats 1 to 6).

Written today: format 7 (bytes), or 9 (an image or audio file: format 7 plus a media record in the
header). Integers are unsigned LEB128 varints unless sized; CRC32s are 4 bytes big-endian.

    header  magic b"GCZ" 0x1A | format | codec spec | codec identity (JSON; formats 7 to 9: deflated
            against identity_dictionary) | chunk size | frame size
            [| media record (zlib-compressed JSON): formats 5, 6, 8 and 9] | CRC32 of the header
    frames  original bytes (> 0) | chunk count | each payload's length | CRC32 of the frame's original
            | CRC32 of this frame header | payloads
    end     0 | total original bytes | frame count | CRC32 of the whole original | CRC32 of this record

A reader holds one frame at a time; every error names the byte offset and what was being read.
Formats 1 and 2 (one header for the whole archive) are read by gencomp.archive.legacy.
"""

from __future__ import annotations

import io
import json
import zlib
from dataclasses import dataclass
from typing import Optional

from gencomp.archive.identity_dictionary import IDENTITY_DICTIONARY
from gencomp.errors import GencompError

MAGIC = b"GCZ\x1a"
FORMAT_VERSION = 7  # format 4 with the identity deflated (gencomp 0.21 on)
MEDIA_FORMAT_VERSION = 9  # format 7 plus a media record: written only for media files (8: gencomp 0.21–0.22, whose
#   image records hold no PNG layout)
MEDIA_VERSIONS = (5, 6, 8, 9)  # with a media record (5, gencomp 0.4–0.5: a stereo record names left-side at most)
DEFLATED_IDENTITY_VERSIONS = (7, 8, 9)  # the identity as raw DEFLATE against identity_dictionary.IDENTITY_DICTIONARY
MAX_IDENTITY_BYTES = 1 << 16  # a longer inflated identity is refused as corrupt
READABLE_VERSIONS = (1, 2, 3, 4, 5, 6, 7, 8, 9)
WHOLE_ARCHIVE_VERSIONS = (1, 2)  # one header for the whole archive, read by gencomp.archive.legacy
MAX_ORIGINAL_BYTES = 1 << 40
MAX_FRAME_BYTES = 1 << 30


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


def _deflated_identity(identity: dict) -> bytes:
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=IDENTITY_DICTIONARY)
    return deflate.compress(_json(identity)) + deflate.flush()


def _inflated_identity(raw: bytes) -> bytes:
    """The identity's JSON from its deflated bytes (zlib.error if they are not a whole DEFLATE stream)."""
    inflate = zlib.decompressobj(-15, zdict=IDENTITY_DICTIONARY)
    out = inflate.decompress(raw, MAX_IDENTITY_BYTES)
    if not inflate.eof or inflate.unconsumed_tail or inflate.unused_data:
        raise zlib.error("not one whole DEFLATE stream")
    return out


def pack_stream_header(header: StreamHeader) -> bytes:
    """Format 7, or 8 when the header carries a media record."""
    codec, identity = header.codec.encode(), _deflated_identity(header.identity)
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
            if version in MEDIA_VERSIONS else None
        self._check_record_crc("the archive header")
        if not 0 < frame_bytes <= MAX_FRAME_BYTES or chunk_size > frame_bytes:
            raise GencompError("archive corrupt: implausible frame size in header")
        try:
            if version in DEFLATED_IDENTITY_VERSIONS:
                identity_raw = _inflated_identity(identity_raw)
            codec, identity = codec_raw.decode(), json.loads(identity_raw)
            media = None if media_raw is None else json.loads(zlib.decompress(media_raw))
        except (UnicodeDecodeError, ValueError, zlib.error):
            raise GencompError("archive corrupt: unreadable codec description") from None
        if not isinstance(identity, dict):
            raise GencompError("archive corrupt: the codec identity is not a JSON object")
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


def chunk_lengths(total_bytes: int, chunk_size_bytes: int, n_chunks: int) -> list[int]:
    """Original length of each of n_chunks chunks of chunk_size_bytes covering total_bytes (the last shorter)."""
    return [min(chunk_size_bytes, total_bytes - i * chunk_size_bytes) for i in range(n_chunks)]
