"""The .gcz archive: a self-describing wrapper around a codec's chunk payloads.

Layout (integers are unsigned LEB128 varints unless sized):
    magic  b"GCZ" 0x1A | format version (1 byte: 2; 1 is read too, see below)
    codec spec (varint length + UTF-8)       e.g. "gzip", "lm:tiny"
    codec identity (varint length + JSON)     parameters and model hash the decoder must match
    original length | chunk size (0: one stream) | chunk count
    payload length of every chunk
    CRC32 of the original (4 bytes, big-endian) | CRC32 of everything above (4 bytes)
    payloads, concatenated

Versions: 2 (gencomp 0.2) has the layout of 1 (gencomp 0.1); what changed is how model
codecs turn predictions into coder frequencies (the integer-exact path, gencomp.coding.exact).
Version 1 archives of classic codecs decode as before; those of model codecs are refused by
name (`Compressor.first_format_version`), pointing to gencomp 0.1.0, which reads them.

Compatibility promise: every archive this version writes decodes, bit for bit, with every
later gencomp on any machine (tests/golden/ holds one of each codec); a format change bumps
the version and keeps reading the old one, or refuses it naming the release that reads it.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field

from gencomp.errors import GencompError

MAGIC = b"GCZ\x1a"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
MAX_ORIGINAL_BYTES = 1 << 40


@dataclass
class Archive:
    codec: str
    identity: dict
    original_length: int
    chunk_size_bytes: int
    payloads: list[bytes]
    crc32: int
    header_bytes: int = field(default=0, compare=False)
    format_version: int = field(default=FORMAT_VERSION, compare=False)


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
    reader = _Reader(blob)
    return reader.varint(what), reader.pos


class _Reader:
    def __init__(self, blob: bytes):
        self.blob, self.pos = blob, 0

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.blob):
            raise GencompError(
                f"archive truncated: {what} needs bytes {self.pos}..{self.pos + n} but the archive has {len(self.blob)}"
            )
        out = self.blob[self.pos : self.pos + n]
        self.pos += n
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


def pack(archive: Archive) -> bytes:
    codec = archive.codec.encode()
    identity = json.dumps(archive.identity, sort_keys=True, separators=(",", ":")).encode()
    header = b"".join(
        [MAGIC, bytes([FORMAT_VERSION]), encode_varint(len(codec)), codec, encode_varint(len(identity)), identity,
         encode_varint(archive.original_length), encode_varint(archive.chunk_size_bytes), encode_varint(len(archive.payloads))]
        + [encode_varint(len(p)) for p in archive.payloads]
        + [archive.crc32.to_bytes(4, "big")]
    )
    return header + zlib.crc32(header).to_bytes(4, "big") + b"".join(archive.payloads)


def is_archive(blob: bytes) -> bool:
    return blob[: len(MAGIC)] == MAGIC


def unpack(blob: bytes) -> Archive:
    """Parse and check the header; GencompError names what is wrong (foreign, truncated, corrupt)."""
    if not is_archive(blob):
        raise GencompError("not a gencomp archive (bad magic bytes)")
    r = _Reader(blob)
    r.take(len(MAGIC), "magic")
    version = r.take(1, "format version")[0]
    if version not in READABLE_VERSIONS:
        raise GencompError(f"archive format version {version} is newer than this gencomp reads "
                           f"({', '.join(map(str, READABLE_VERSIONS))}): upgrade gencomp")
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
