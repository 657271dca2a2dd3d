"""Dictionaries that prime a generator, P(x | dictionary · prompt), and the English word list
samples are rated against.

Shipped (gencomp/assets/dictionaries, built by scripts/build_dictionaries.py from the corpus's
training part; see the README there): "prose", "code" and "data", about 24 KB each. A user's
file works too; its last MAX_DICTIONARY_BYTES are used (gzip's 32 KiB window holds them with a
prompt and the output). "auto" picks the shipped dictionary that codes the prompt in the
fewest bits (compression as a classifier), or none for a prompt that is not UTF-8 text; "none" is
the model alone.
"""

from __future__ import annotations

import functools
from pathlib import Path

from gencomp.compressors.deflate_bits import DeflateBits
from gencomp.errors import GencompError
from gencomp.resources import assets_dir
from gencomp.sampling.text_safe import is_text

SHIPPED = ("prose", "code", "data")
CHOICES = ("auto", "none") + SHIPPED
MAX_DICTIONARY_BYTES = 24 * 1024


@functools.lru_cache(maxsize=None)
def shipped_dictionary(name: str) -> bytes:
    return (assets_dir() / "dictionaries" / f"{name}.txt").read_bytes()


def choose_dictionary(prompt: bytes) -> str:
    """The shipped dictionary after which DEFLATE codes `prompt` in the fewest bits ("prose" for an
    empty prompt or a tie)."""
    if not prompt:
        return SHIPPED[0]
    scorer, costs = DeflateBits(), []
    prompt = prompt[-2048:]
    for name in SHIPPED:
        base = shipped_dictionary(name)
        alone, primed = scorer.continuations(base[:-1], [base[-1:], base[-1:] + prompt])
        costs.append(primed - alone)
    return SHIPPED[costs.index(min(costs))]


def resolve_dictionary(spec: str, prompt: bytes = b"") -> tuple[str, bytes]:
    """(name, bytes) for "auto", "none", a shipped name or a file path; GencompError naming the problem."""
    if spec == "none":
        return "none", b""
    if spec == "auto":
        if not is_text(prompt):  # a binary prompt gets no text dictionary
            return "none", b""
        spec = choose_dictionary(prompt)
    if spec in SHIPPED:
        return spec, shipped_dictionary(spec)
    path = Path(spec)
    if not path.is_file():
        raise GencompError(f"dictionary {spec!r} is neither one of {', '.join(CHOICES)} nor a readable file")
    with path.open("rb") as f:
        size = f.seek(0, 2)
        f.seek(max(0, size - MAX_DICTIONARY_BYTES))
        return path.name, f.read()


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The 10,000 most frequent words (lower case) of the corpus's English training text."""
    return frozenset((assets_dir() / "dictionaries" / "words-en.txt").read_text().split())
