"""Primes: shipped text a context-mixing model learns before it codes a stream, so that a stream starts
from a model that already knows common text, code and data instead of from nothing (as zstd and brotli
start from a dictionary). The encoder and the decoder learn the same prime, so archives stay exact; an
archive's identity names its prime ("prime"), and a released prime never changes.

    text-v1  64,700 bytes: 16 passages of English documentation, the Debian Handbook in other languages,
             Python, C and JavaScript, JSON, XML and CSV from the training part of the corpus
             (scripts/build_prime.py); `mix` primes with it from gencomp 0.26 on (docs/models.md).
"""

from __future__ import annotations

import functools
import hashlib

from gencomp.errors import GencompError
from gencomp.resources import assets_dir

PRIMES = {"text-v1": "e86d038db2d655a6b9e292011c410c7ed445b59888a4a08125acaed3580c478a"}  # name: SHA-256
TEXT_PRIME = "text-v1"


@functools.lru_cache(maxsize=None)
def prime_bytes(name: str) -> bytes:
    """The prime's bytes, checked against its SHA-256; GencompError for a name no release wrote (a
    crafted or corrupt archive) or a shipped file that is missing or changed (a damaged install)."""
    if name not in PRIMES:
        raise GencompError(f"archive corrupt: it names a prime ({name!r}) no release of gencomp wrote")
    path = assets_dir() / "primes" / f"{name}.txt"
    try:
        data = path.read_bytes()
    except OSError as error:
        raise GencompError(f"the prime {name} is missing from this installation ({path}: {error.strerror}): "
                           "reinstall gencomp") from None
    if hashlib.sha256(data).hexdigest() != PRIMES[name]:
        raise GencompError(f"the prime {name} ({path}) is not the file gencomp shipped: reinstall gencomp")
    return data
