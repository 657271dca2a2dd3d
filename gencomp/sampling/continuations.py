"""Multi-byte candidates for LZ-family codecs: the copies an LZ77 coder makes.

An LZ coder pays for a copy when the copy ends, so a sampler that scores one byte at a
time prices the first bytes of every copy as literals and never makes the copies the codec
itself would make. Generation therefore draws the next *event*, a single byte or a copy,
from the codec's code lengths over the universe

    U = {every single byte x} ∪ {every distinct string of 3 … MAX_COPY_BYTES bytes in the context}
        ∪ {the 2 … MAX_COPY_BYTES bytes after an earlier occurrence of the context's last 3 bytes},

    P(c | ctx) ∝ 2^-(ℓ(ctx·c) − ℓ(ctx)) / T,     c ∈ U, ℓ in bits (exact for gzip), T the temperature.

U holds tens of thousands of distinct strings, so their mass is estimated, stratified: the
copies that continue earlier occurrences of the context's last MIN_MATCH_BYTES bytes (up to
MAX_SUFFIX_COPIES distinct ones, longest agreement with the bytes before them first) are scored
exactly, and RANDOM_COPIES others are drawn uniformly over the (p, L) pairs. A string occurring
k times is drawn k times as often, so each drawn string s stands for pairs / (RANDOM_COPIES · k(s))
strings: its weight is multiplied by that (an unbiased estimate of U's copy mass; a draw equal to
a suffix copy is dropped). With no copies U is the one-byte model
(gencomp.sampling.compressor_model). As in LZ77 itself, a copy's price hardly depends on
whether it fits the bytes before it, so most copies are phrases from anywhere in the context:
the samples recombine the dictionary's and prompt's phrases, which is what the codec models.
`benchmarks/generation.py` measures how the samples differ from the one-byte model's.
"""

from __future__ import annotations

import numpy as np

MIN_MATCH_BYTES = 3  # DEFLATE's shortest copy: shorter strings are literals, reached through single bytes
MAX_COPY_BYTES = 32
MAX_SUFFIX_COPIES = 16
RANDOM_COPIES = 32
MAX_OCCURRENCES = 256  # the most recent occurrences of the suffix looked at


def _agreement(context: bytes, end_a: int, end_b: int, limit: int = 64) -> int:
    """How many bytes before positions end_a and end_b agree (both exclusive ends)."""
    n = 0
    while n < limit and n < end_a and context[end_a - 1 - n] == context[end_b - 1 - n]:
        n += 1
    return n


def copy_candidates(context: bytes, max_bytes: int, rng: np.random.Generator) -> tuple[list[bytes], np.ndarray]:
    """(copies, log2 of the number of copies each stands for): the suffix copies (standing for
    themselves) then the random ones; see the module docstring. No suffix copies where max_bytes < 2,
    no random ones where max_bytes < MIN_MATCH_BYTES."""
    exact = suffix_copies(context, max_bytes)
    positions = len(context) - MIN_MATCH_BYTES + 1
    if max_bytes < MIN_MATCH_BYTES or positions < 1:
        return exact, np.zeros(len(exact))
    starts = rng.integers(0, positions, RANDOM_COPIES)
    lengths = rng.integers(MIN_MATCH_BYTES, max_bytes + 1, RANDOM_COPIES)
    pairs = positions * (max_bytes - MIN_MATCH_BYTES + 1)
    known = set(exact)
    drawn = [c for c in (context[a : a + n] for a, n in zip(starts.tolist(), lengths.tolist())) if c not in known]
    counts = np.array([_occurrences(context, c) for c in drawn], np.float64)
    return exact + drawn, np.r_[np.zeros(len(exact)), np.log2(pairs / (RANDOM_COPIES * counts))]


def _occurrences(context: bytes, s: bytes) -> int:
    """Positions where s occurs in context (overlapping ones too); at least 1 for a substring."""
    n, pos = 0, context.find(s)
    while pos >= 0:
        n += 1
        pos = context.find(s, pos + 1)
    return n


def suffix_copies(context: bytes, max_bytes: int = MAX_COPY_BYTES, max_copies: int = MAX_SUFFIX_COPIES) -> list[bytes]:
    """Distinct continuations (2 … max_bytes bytes) that followed earlier occurrences of the context's
    last MIN_MATCH_BYTES bytes, longest agreement with the current context first, then most recent."""
    if max_bytes < 2 or len(context) <= MIN_MATCH_BYTES:
        return []
    suffix, end = context[-MIN_MATCH_BYTES:], len(context)
    found: list[tuple[int, int, bytes]] = []
    pos = context.rfind(suffix, 0, end - 1)  # an occurrence that ends before the context does
    while pos >= 0 and len(found) < MAX_OCCURRENCES:
        start = pos + MIN_MATCH_BYTES
        follow = context[start : start + max_bytes]
        if len(follow) >= 2:
            found.append((-_agreement(context, start, end), -pos, follow))
        pos = context.rfind(suffix, 0, pos + MIN_MATCH_BYTES - 1)
    out, seen = [], set()
    for _, _, follow in sorted(found):
        if follow not in seen:
            seen.add(follow)
            out.append(follow)
            if len(out) == max_copies:
                break
    return out
