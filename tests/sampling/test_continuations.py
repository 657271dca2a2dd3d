"""Multi-byte continuations: suffix copies are what followed the suffix; random copies carry the
weight of the strings they stand for; generation with copies is reproducible and exact in length."""

import numpy as np

from gencomp.compressors import get_compressor
from gencomp.sampling.continuations import MIN_MATCH_BYTES, RANDOM_COPIES, copy_candidates, suffix_copies
from gencomp.sampling.generate import generate


def test_suffix_copies_follow_earlier_occurrences_longest_agreement_first():
    context = b"the cat sat. a cat ran. the cat"
    copies = suffix_copies(context, max_bytes=5)
    assert copies[0] == b" sat."  # "the cat" agrees longer than "a cat"
    assert set(copies) == {b" sat.", b" ran."}
    assert suffix_copies(b"abc", 5) == [] and suffix_copies(context, 1) == []


def test_random_copies_are_weighted_by_how_rare_they_are():
    context = bytes(np.random.default_rng(0).integers(97, 100, 500, dtype=np.uint8))  # 'a'..'c': short strings recur
    copies, log2_counts = copy_candidates(context, 12, np.random.default_rng(1))
    exact = len(suffix_copies(context, 12))
    assert np.all(log2_counts[:exact] == 0)
    pairs = (len(context) - MIN_MATCH_BYTES + 1) * (12 - MIN_MATCH_BYTES + 1)
    for copy, log2_count in zip(copies[exact:], log2_counts[exact:]):
        occurrences = sum(context.startswith(copy, i) for i in range(len(context)))
        assert copy in context and 3 <= len(copy) <= 12
        assert np.isclose(2.0 ** log2_count, pairs / (RANDOM_COPIES * occurrences))


def test_generation_with_copies_is_reproducible_and_copies_the_context():
    gzip = get_compressor("gzip")
    prompt = b"the quick brown fox jumps over the lazy dog. " * 4
    first = generate(gzip, prompt, 120, seed=5, copies=True)
    assert len(first) == 120 and generate(gzip, prompt, 120, seed=5, copies=True) == first
    assert first != generate(gzip, prompt, 120, seed=6, copies=True)
    pieces = [first[i : i + 8] for i in range(0, 112, 8)]
    assert sum(p in prompt for p in pieces) >= 3  # phrases recombined from the prompt
