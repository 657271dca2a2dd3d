"""The project's real data (../shared/data) and the train / held-out split of its text."""

from __future__ import annotations

import os
import re
from pathlib import Path

from gencomp.errors import GencompError

HELDOUT_FRACTION = 0.1
TEXT_FILES = ("wikitext2-valid.txt", "tinyshakespeare.txt")
CORPUS_FILES = (
    "corpus/code-c-headers.txt", "corpus/code-javascript.txt", "corpus/code-python.txt",
    "corpus/data-json-xml-csv.txt", "corpus/debian-handbook-en.txt", "corpus/debian-handbook-other-languages.txt",
    "corpus/man-pages.txt", "corpus/perl-docs.txt", "corpus/python-docs.txt", "corpus/quotes-jargon-devil.txt",
)
TRAINING_FILES = TEXT_FILES + CORPUS_FILES  # every text source a shipped model trains on


def shared_data_dir() -> Path:
    """$GENCOMP_DATA, else ../shared/data beside the repository (or the working directory)."""
    if "GENCOMP_DATA" in os.environ:
        return Path(os.environ["GENCOMP_DATA"])
    for base in (Path(__file__).resolve().parents[2], Path.cwd()):
        candidate = base.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    raise GencompError("shared data not found: set GENCOMP_DATA to the folder holding text/, image/, audio/")


def split_train_heldout(data: bytes, heldout_fraction: float = HELDOUT_FRACTION) -> tuple[bytes, bytes]:
    """The first (1 - f) of the bytes for training, the last f held out (never trained on)."""
    cut = len(data) - int(len(data) * heldout_fraction)
    return data[:cut], data[cut:]


def text_corpus(part: str, files: tuple[str, ...] = TEXT_FILES) -> dict[str, bytes]:
    """{name: bytes} of the 'train' or 'heldout' part of each file; a name is a path under the
    shared data folder ("corpus/man-pages.txt") or a bare file name in its text/ folder."""
    if part not in ("train", "heldout"):
        raise ValueError(f"part must be 'train' or 'heldout', not {part!r}")
    root = shared_data_dir()
    out = {}
    for name in files:
        path = root / name if "/" in name else root / "text" / name
        train, heldout = split_train_heldout(path.read_bytes())
        out[name] = train if part == "train" else heldout
    return out


def detokenize_wikitext(data: bytes) -> bytes:
    """WikiText's word-tokenized text as ordinary prose: "1 @,@ 000 , the ( big ) dog 's" ->
    "1,000, the (big) dog's". Training on both forms keeps a model from learning the
    tokenization as if it were English."""
    text = data.decode("utf-8")
    text = re.sub(r" @([-,.])@ ", r"\1", text)
    text = re.sub(r" ([.,;:!?)\]])", r"\1", text)
    text = re.sub(r"([(\[]) ", r"\1", text)
    text = re.sub(r" (n't|'s|'re|'ve|'m|'ll|'d)\b", r"\1", text)
    return text.encode("utf-8")
