"""The evaluation data of each modality, from ../shared/data (the paper's set-ups)."""

from __future__ import annotations

from gencomp.data.corpus import shared_data_dir, split_train_heldout
from gencomp.data.modalities import MODALITIES, load_modality
from gencomp.errors import GencompError

DEFAULT_MAX_BYTES = 128 * 1024
PHOTOGRAPHS = ("astronaut", "camera", "chelsea", "coins", "moon", "grass", "brick", "hubble_deep_field")  # real ones


def modality_bytes(modality: str, max_bytes: int = DEFAULT_MAX_BYTES, seed: int = 0) -> bytes:
    """Text: the held-out last 10 % of wikitext2-valid.txt (never trained on).
    Image: 32×64 patches of the real photographs (PHOTOGRAPHS, in that order). Audio: the speech files as 16-bit
    mono PCM. Random: seeded uniform bytes. Each truncated to max_bytes."""
    if modality not in MODALITIES:
        raise GencompError(f"unknown modality {modality!r}; known: {', '.join(MODALITIES)}")
    if modality == "random":
        return load_modality("random", [], max_bytes, seed)
    root = shared_data_dir()
    if modality == "text":
        return split_train_heldout((root / "text" / "wikitext2-valid.txt").read_bytes())[1][:max_bytes]
    folder = root / modality
    if modality == "image":
        return load_modality(modality, [folder / f"{name}.png" for name in PHOTOGRAPHS], max_bytes)
    return load_modality(modality, sorted(p for p in folder.iterdir() if p.is_file()), max_bytes)
