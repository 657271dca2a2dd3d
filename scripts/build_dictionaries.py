"""Build the shipped generation dictionaries and word list from the training part of the corpus.

    python scripts/build_dictionaries.py      # writes gencomp/assets/dictionaries/

Each dictionary is PASSAGES passages of about PASSAGE_BYTES bytes, drawn (seeded) from the first
90 % of its domain's corpus files (the held-out last 10 % is never used), each starting and
ending at a line boundary. The word list is the WORDS most frequent words (letters only,
lower-cased) of the English prose files' training parts.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np

from gencomp.data.corpus import detokenize_wikitext, text_corpus

OUT = Path(__file__).resolve().parents[1] / "gencomp" / "assets" / "dictionaries"
PASSAGES, PASSAGE_BYTES, WORDS = 12, 2048, 10_000
DOMAINS = {
    "prose": ("corpus/debian-handbook-en.txt", "corpus/quotes-jargon-devil.txt"),
    "code": ("corpus/code-python.txt", "corpus/code-c-headers.txt", "corpus/code-javascript.txt"),
    "data": ("corpus/data-json-xml-csv.txt",),
}
ENGLISH = ("wikitext2-valid.txt", "corpus/debian-handbook-en.txt", "corpus/quotes-jargon-devil.txt",
           "corpus/python-docs.txt", "corpus/man-pages.txt", "corpus/perl-docs.txt")


def _train_text(files: tuple[str, ...]) -> dict[str, bytes]:
    parts = text_corpus("train", files)
    if "wikitext2-valid.txt" in parts:  # the detokenized prose, without its "<unk>" placeholders
        parts["wikitext2-valid.txt"] = detokenize_wikitext(parts["wikitext2-valid.txt"]).replace(b"<unk>", b"")
    return parts


def passages(files: tuple[str, ...], seed: int) -> bytes:
    """PASSAGES line-aligned passages, spread evenly over the files, each from a random place
    (one without a line end is drawn again)."""
    rng = np.random.default_rng(seed)
    texts = list(_train_text(files).values())
    out = []
    while len(out) < PASSAGES:
        text = texts[len(out) % len(texts)]
        start = int(rng.integers(0, len(text) - 4 * PASSAGE_BYTES))
        start = text.index(b"\n", start) + 1
        end = text.rfind(b"\n", start, start + PASSAGE_BYTES) + 1
        if end > start:
            out.append(text[start:end])
    return b"".join(out)


def word_list() -> list[str]:
    counts: Counter[str] = Counter()
    for text in _train_text(ENGLISH).values():
        counts.update(w.lower() for w in re.findall(r"[A-Za-z]+", text.decode("utf-8", "replace")))
    return [w for w, _ in counts.most_common(WORDS)]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, (name, files) in enumerate(DOMAINS.items()):
        data = passages(files, seed)
        (OUT / f"{name}.txt").write_bytes(data)
        print(f"{name}: {len(data)} bytes from {', '.join(files)}")
    words = word_list()
    (OUT / "words-en.txt").write_text("\n".join(words) + "\n")
    print(f"words-en: {len(words)} words")


if __name__ == "__main__":
    main()
