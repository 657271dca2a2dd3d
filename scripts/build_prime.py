"""Build a shipped prime: text `mix`'s context model learns before a stream (gencomp/compressors/priming.py).

    python scripts/build_prime.py            # writes gencomp/assets/primes/text-v1.txt

The prime is PASSAGES line-aligned passages of about PASSAGE_BYTES, drawn (seeded) from the training part
(first 90 %) of the corpus files in DOMAINS, in that order: English prose and documentation, the Handbook in
other languages, code, data. A released prime never changes (archives name it and priming.PRIMES holds its
SHA-256); a new one gets a new name.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from gencomp.data.corpus import text_corpus

NAME = "text-v1"
OUT = Path(__file__).resolve().parents[1] / "gencomp" / "assets" / "primes" / f"{NAME}.txt"
PASSAGE_BYTES = 4096
DOMAINS = (  # (corpus files, passages)
    (("corpus/debian-handbook-en.txt", "corpus/man-pages.txt", "corpus/python-docs.txt"), 5),
    (("corpus/debian-handbook-other-languages.txt",), 2),
    (("corpus/code-python.txt", "corpus/code-c-headers.txt", "corpus/code-javascript.txt"), 5),
    (("corpus/data-json-xml-csv.txt",), 4),
)


def passages(files: tuple[str, ...], count: int, rng: np.random.Generator) -> list[bytes]:
    """`count` line-aligned passages, taken from the files in turn, each from a random place."""
    texts = list(text_corpus("train", files).values())
    out: list[bytes] = []
    while len(out) < count:
        text = texts[len(out) % len(texts)]
        start = text.index(b"\n", int(rng.integers(0, len(text) - 4 * PASSAGE_BYTES))) + 1
        end = text.rfind(b"\n", start, start + PASSAGE_BYTES) + 1
        if end > start:
            out.append(text[start:end])
    return out


def main() -> None:
    rng = np.random.default_rng(0)
    prime = b"".join(b"".join(passages(files, count, rng)) for files, count in DOMAINS)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(prime)
    print(f"{OUT.name}: {len(prime)} bytes, SHA-256 {hashlib.sha256(prime).hexdigest()}")


if __name__ == "__main__":
    main()
