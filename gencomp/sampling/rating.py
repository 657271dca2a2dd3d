"""Figures that rate a generated sample, computed the same way for every generator.

- bits_per_byte: ℓ(prompt · sample) − ℓ(prompt) under JUDGE, the strongest shipped model, over
  len(sample) bytes (lower: the judge finds the sample more natural after the prompt);
- valid_utf8: share of the sample's bytes that belong to well-formed UTF-8 characters;
- printable: share of characters that are printable (tab and newline count);
- known_words: share of its words (runs of two or more ASCII letters; a lone letter is too easy a
  match) found, lower-cased, among the words of the prompt, of the dictionary or of the English
  word list (gencomp.sampling.dictionaries);
- distinct_4grams: distinct byte 4-grams / 4-grams (1: nothing repeats; a loop scores low);
- bytes_per_second: generation speed, measured by the caller.
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass

from gencomp.compressors import Compressor, get_compressor
from gencomp.models.zoo import DEFAULT_MIX_MODEL
from gencomp.sampling.dictionaries import english_words

JUDGE = f"mix:{DEFAULT_MIX_MODEL}"
_WORD = re.compile(rb"[A-Za-z]{2,}")


@dataclass
class Rating:
    bits_per_byte: float
    valid_utf8: float
    printable: float
    known_words: float
    words: int
    distinct_4grams: float
    bytes_per_second: float

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """One line, as the app shows it under a column."""
        return (f"{self.bits_per_byte:.2f} bits/byte (judge) · UTF-8 {self.valid_utf8:.0%} · printable "
                f"{self.printable:.0%} · known words {self.known_words:.0%} of {self.words} · distinct 4-grams "
                f"{self.distinct_4grams:.0%} · {self.bytes_per_second:.0f} B/s")


@functools.lru_cache(maxsize=1)
def judge() -> Compressor:
    return get_compressor(JUDGE)


def valid_utf8_share(data: bytes) -> float:
    """Share of bytes that decode as part of a well-formed character (1.0 for empty data)."""
    if not data:
        return 1.0
    bad, pos = 0, 0
    while True:
        try:
            data[pos:].decode("utf-8")
            return 1.0 - bad / len(data)
        except UnicodeDecodeError as exc:
            bad += exc.end - exc.start
            pos += exc.end


def printable_share(data: bytes) -> float:
    text = data.decode("utf-8", errors="replace")
    if not text:
        return 1.0
    return sum(c.isprintable() or c in "\t\n" for c in text if c != "\ufffd") / len(text)


def known_word_share(data: bytes, prompt: bytes, dictionary: bytes) -> tuple[float, int]:
    """(share of words known, number of words); share 1.0 where there are no words."""
    words = [w.lower() for w in _WORD.findall(data)]
    if not words:
        return 1.0, 0
    known = {w.lower() for w in _WORD.findall(prompt + b" " + dictionary)}
    vocabulary = english_words()
    return sum(w in known or w.decode() in vocabulary for w in words) / len(words), len(words)


def distinct_4gram_share(data: bytes) -> float:
    grams = [data[i : i + 4] for i in range(len(data) - 3)]
    return len(set(grams)) / len(grams) if grams else 1.0


def rate(sample: bytes, prompt: bytes, dictionary: bytes, seconds: float) -> Rating:
    """The figures of the module docstring for one sample."""
    bits = judge().chunk_code_length_bits([prompt + sample, prompt]) if sample else [0.0, 0.0]
    share, words = known_word_share(sample, prompt, dictionary)
    return Rating(
        bits_per_byte=(bits[0] - bits[1]) / max(1, len(sample)),
        valid_utf8=valid_utf8_share(sample),
        printable=printable_share(sample),
        known_words=share,
        words=words,
        distinct_4grams=distinct_4gram_share(sample),
        bytes_per_second=len(sample) / seconds if seconds > 0 else 0.0,
    )
