"""What reads archives of earlier releases: formats 1 and 2 (one header for the whole archive), and
each earlier model identity with the settings that read it, in one table (EARLIER_MODELS).

Formats 1 (gencomp 0.1) and 2 (0.2, the integer-exact probability path):
    magic | version | codec spec | codec identity | original length | chunk size | chunk count
    payload length of every chunk | CRC32 of the original | CRC32 of everything above | payloads
An archive older than its codec's payload format (`Compressor.first_format_version`) is refused,
naming the release that reads it.
"""

from __future__ import annotations

import io
import json
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

from gencomp.archive.layout import (
    MAGIC,
    MAX_ORIGINAL_BYTES,
    WHOLE_ARCHIVE_VERSIONS,
    StreamReader,
    chunk_lengths,
    format_version,
)
from gencomp.errors import GencompError

if TYPE_CHECKING:
    from gencomp.compressors.base import Compressor, Progress

RELEASE_OF_FORMAT = {1: "0.1.0", 2: "0.2.0", 3: "0.2.0"}  # the last release that wrote each older format
EARLY_MIX_SHORT_WEIGHT = 1 << 14  # mix archives of 0.3 to 0.10: every input started at 0.25 in a short stream
HEADROOM_BITS = 3  # the context table's slots a byte (2^3) before `image` named its own (gencomp 0.4)


def _byte_model(**fields):
    """The byte model (orders.Bytes) with these fields and every other at its default: an earlier release's model
    whole, so that a field added later, which defaults to off, needs no entry here to be turned off."""
    from gencomp.models.context_mixing import Bytes  # here: reading an archive of another codec never needs numba

    return Bytes(**fields)


@dataclass(frozen=True)
class EarlierModel:
    """A model identity of an earlier release: archives of codec `family` (the spec before any colon)
    whose identity `matches` are read by the codec with `settings(identity)`
    (Compressor.earlier); `releases` names the releases that wrote them."""

    family: str
    releases: str
    what: str
    matches: Callable[[dict], bool]
    settings: Callable[[dict], dict]


EARLIER_MODELS = (
    EarlierModel("cm", "0.5–0.14", "the byte model's revision 0 (8 contexts, a sparse one for nesting, matches from 6 bytes)",
                 lambda identity: "bytes_revision" not in identity,
                 lambda identity: {"model": _byte_model(revision=0)}),
    EarlierModel("cm", "0.15–0.18", "the byte model's revision 1 (order 3 where revision 3 has the last 16 bytes)",
                 lambda identity: identity.get("bytes_revision") == 1,
                 lambda identity: {"model": _byte_model(revision=1)}),
    EarlierModel("cm", "0.19–0.27", "the byte model's revision 3 in the core before 0.28 settled it",
                 lambda identity: identity.get("bytes_revision") == 3 and "settled" not in identity,
                 lambda identity: {"model": _byte_model(revision=3)}),
    EarlierModel("cm", "0.28", "revision 3 in the settled core, every mixer learning from every bit",
                 lambda identity: identity.get("bytes_revision") == 3 and "settled" in identity
                 and "mixer_skip" not in identity,
                 lambda identity: {"model": _byte_model(revision=3, settle=True)}),
    EarlierModel("mix", "0.3–0.17, 0.20", "the transformer attending to 32 bytes, segments from 128, every input at "
                 "0.25 (0.3–0.10); the byte model's revision 0 (0.3–0.14), 1 (0.15–0.17) or 4 (0.20)",
                 lambda identity: "segment" in identity,
                 lambda identity: {"attention_window": identity.get("transformer", {}).get("attention_window"),
                                   "prefix_bytes": identity["segment"][1],
                                   "short_inputs_weight": identity.get("short_inputs_weight", EARLY_MIX_SHORT_WEIGHT),
                                   "model": _byte_model(revision=identity.get("bytes_revision", 0))}),
    EarlierModel("mix", "0.18–0.19", "the byte model's revision 2 (no runs; 17 contexts)",
                 lambda identity: identity.get("bytes_revision") == 2 and "segment" not in identity,
                 lambda identity: {"model": _byte_model(revision=2)}),
    EarlierModel("mix", "0.21–0.25", "the byte model's revision 5 learning no prime before a stream",
                 lambda identity: identity.get("bytes_revision") == 5 and "prime" not in identity,
                 lambda identity: {"model": _byte_model(revision=5)}),
    EarlierModel("mix", "0.26", "the byte model's revision 5 (the core before revision 6 settled it)",
                 lambda identity: identity.get("bytes_revision") == 5 and "prime" in identity,
                 lambda identity: {"model": _byte_model(revision=5), "prime": identity["prime"]}),
    EarlierModel("mix", "0.27–0.29", "the byte model's revision 6 (short streams' second layer chosen by the partial "
                 "byte, as long ones')",
                 lambda identity: identity.get("bytes_revision") == 6,
                 lambda identity: {"model": _byte_model(revision=6), "prime": identity["prime"]}),
    EarlierModel("mix", "0.30", "the byte model's revision 7 (no token model)",
                 lambda identity: identity.get("bytes_revision") == 7,
                 lambda identity: {"model": _byte_model(revision=7), "prime": identity["prime"]}),
    EarlierModel("mix", "0.31", "the byte model's revision 8 (no block context; final probabilities 32/65536 from 0 "
                 "and 1 at most)",
                 lambda identity: identity.get("bytes_revision") == 8,
                 lambda identity: {"model": _byte_model(revision=8), "prime": identity["prime"]}),
    EarlierModel("mix", "0.32", "the byte model's revision 9 (mixers at fixed rates)",
                 lambda identity: identity.get("bytes_revision") == 9,
                 lambda identity: {"model": _byte_model(revision=9), "prime": identity["prime"]}),
    EarlierModel("audio", "0.4", "stage 1 normalised LMS (16-bit only), one error scale",
                 lambda identity: "audio_predictor" not in identity and identity.get("audio_bits", 16) == 16,
                 lambda identity: {"model": {"least_squares": False, "error_scales": 1, "revision": 0}}),
    EarlierModel("audio", "0.5–0.6", "one error scale",
                 lambda identity: "audio_predictor" in identity and "audio_error_scales" not in identity,
                 lambda identity: {"model": {"error_scales": 1, "revision": 0}}),
    EarlierModel("audio", "0.7–0.24", "the audio model's revision 0 (one Laplace, around the cascade's prediction)",
                 lambda identity: "audio_error_scales" in identity and "audio_revision" not in identity,
                 lambda identity: {"model": {"revision": 0}}),
    EarlierModel("image", "0.4–0.7", "the Laplace centred on the median prediction as it is",
                 lambda identity: "image_bias" not in identity,
                 lambda identity: {"model": {"bias": False, "revision": 0},
                                   "headroom_bits": identity.get("headroom_bits", HEADROOM_BITS)}),
    EarlierModel("image", "0.8–0.15", "the image model's revision 0 (the Laplace centred on the median, width by "
                 "gradient activity)",
                 lambda identity: "image_bias" in identity and "image_revision" not in identity,
                 lambda identity: {"model": {"revision": 0}}),
    EarlierModel("image", "0.16", "the image model's revision 1 (a blend of nine predictors, no least squares)",
                 lambda identity: identity.get("image_revision") == 1,
                 lambda identity: {"model": {"revision": 1}}),
    EarlierModel("image", "0.17–0.21", "the image model's revision 2 (least squares in the blend, no relative maps)",
                 lambda identity: identity.get("image_revision") == 2,
                 lambda identity: {"model": {"revision": 2}}),
    EarlierModel("image", "0.22–0.23", "the image model's revision 3 (one least-squares prediction, three mixers)",
                 lambda identity: identity.get("image_revision") == 3,
                 lambda identity: {"model": {"revision": 3}}),
    EarlierModel("image", "0.24–0.32", "the image model's revision 4 (mixers at fixed rates, no APMs of its own)",
                 lambda identity: identity.get("image_revision") == 4,
                 lambda identity: {"model": {"revision": 4}}),
)


def earlier_codec(codec: "Compressor", identity: dict) -> Optional["Compressor"]:
    """The codec as the earlier release that wrote `identity` had it, or None when no entry of
    EARLIER_MODELS reads it (then the archive cannot be read here)."""
    family = codec.name.split(":", 1)[0]
    for entry in EARLIER_MODELS:
        try:
            earlier = codec.earlier(entry.settings(identity)) if entry.family == family and entry.matches(identity) else None
        except (KeyError, IndexError, TypeError, AttributeError, ValueError):  # a malformed identity: no earlier model
            continue
        if earlier is not None and earlier.identity() == identity:
            return earlier
    return None


def check_format_version(codec: "Compressor", version: int, name: str) -> None:
    """GencompError naming the release that reads an archive of this format version, if this codec no longer does."""
    if version < codec.first_format_version:
        release = RELEASE_OF_FORMAT[version]
        raise GencompError(
            f"archive format {version} ({name}) comes from gencomp {release[:3]}, whose {name} payloads this version "
            f"no longer decodes (its model changed). Decode it with gencomp {release} (pip install gencomp=={release})")


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

    @property
    def original_bytes(self) -> int:
        """The original's size (as a frame of a later format says it)."""
        return self.original_length


def unpack(blob: bytes) -> Archive:
    """Parse and check a format 1 or 2 archive; GencompError names what is wrong (foreign, truncated, corrupt)."""
    version = format_version(blob)
    if version not in WHOLE_ARCHIVE_VERSIONS:
        raise GencompError(f"format {version} is a framed archive: read it with gencomp.archive.stream")
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
    if not isinstance(identity, dict):
        raise GencompError("archive corrupt: the codec identity is not a JSON object")
    expected_end = r.pos + sum(lengths)
    if len(blob) < expected_end:
        raise GencompError(f"archive truncated at byte {len(blob)} of {expected_end}")
    if len(blob) > expected_end:
        raise GencompError(f"archive has {len(blob) - expected_end} unexpected trailing bytes")
    payloads = []
    for n in lengths:
        payloads.append(r.take(n, "chunk payload"))
    return Archive(codec, identity, original_length, chunk_size, payloads, crc32, header_end + 4, version)


def decode_archive(codec: "Compressor", archive: Archive, progress: "Progress" = None) -> bytes:
    """The original of a format 1 or 2 archive."""
    size = archive.chunk_size_bytes or archive.original_length
    n = len(archive.payloads)
    if size == 0 and n or size and n != -(-archive.original_length // size):
        raise GencompError("archive corrupt: chunk count does not match the original length")
    chunks = codec.decode_chunks(archive.payloads, chunk_lengths(archive.original_length, size, n), progress) if n else []
    data = b"".join(chunks)
    if len(data) != archive.original_length or zlib.crc32(data) != archive.crc32:
        raise GencompError("archive corrupt: decoded data fails its CRC32 check (corrupt archive, or a decoder mismatch)")
    return data
