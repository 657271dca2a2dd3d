import os
from pathlib import Path

import numpy as np
import pytest

from gencomp.data.corpus import shared_data_dir

SEEDS = [int(s) for s in os.environ.get("GENCOMP_TEST_SEEDS", "0,1,2").split(",")]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return shared_data_dir()


@pytest.fixture(scope="session")
def wiki_heldout(data_dir) -> bytes:
    from gencomp.data.corpus import split_train_heldout

    return split_train_heldout((data_dir / "text" / "wikitext2-valid.txt").read_bytes())[1]


def rng_for(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)
