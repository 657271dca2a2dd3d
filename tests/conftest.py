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


@pytest.fixture(scope="session")
def hf_model_dir(tmp_path_factory, wiki_heldout):
    """A tiny randomly initialised GPT-2 with a BPE tokenizer, built here and saved like a real model."""
    import transformers
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    folder = tmp_path_factory.mktemp("tiny-gpt2")
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator([wiki_heldout.decode()[:50_000]], trainer)
    tokenizer = transformers.PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<|endoftext|>",
                                                     eos_token="<|endoftext|>")
    tokenizer.save_pretrained(folder)
    config = transformers.GPT2Config(vocab_size=len(tokenizer), n_positions=1024, n_embd=32, n_layer=2, n_head=2,
                                     bos_token_id=0, eos_token_id=0)
    transformers.set_seed(0)
    transformers.GPT2LMHeadModel(config).save_pretrained(folder, safe_serialization=True)
    return folder


@pytest.fixture
def codec_spec(request):
    """The spec that builds a registered codec: its name, or name:argument for those that need one."""
    from gencomp.compressors import COMPRESSORS

    def spec(name: str) -> str:
        return f"{name}:{request.getfixturevalue('hf_model_dir')}" if COMPRESSORS.needs_argument(name) else name

    return spec
