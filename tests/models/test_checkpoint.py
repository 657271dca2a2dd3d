import os

import pytest
import torch

from gencomp.errors import GencompError
from gencomp.models.checkpoint import load_checkpoint, save_checkpoint
from gencomp.models.zoo import load_byte_transformer


def test_round_trip_and_hash(tmp_path):
    state = {"w": torch.arange(6.0).view(2, 3)}
    sha = save_checkpoint(tmp_path / "m.safetensors", state, {"d": 1}, {"name": "m"})
    loaded, config, info, sha2 = load_checkpoint(tmp_path / "m.safetensors")
    assert torch.equal(loaded["w"], state["w"]) and config == {"d": 1} and sha == sha2


def test_bad_weight_files_fail_clearly(tmp_path):
    path = tmp_path / "m.safetensors"
    save_checkpoint(path, {"w": torch.ones(64)}, {}, {})
    blob = bytearray(path.read_bytes())
    blob[-3] ^= 0x10  # a weight byte
    (tmp_path / "flipped.safetensors").write_bytes(bytes(blob))
    with pytest.raises(GencompError, match="corrupt"):
        load_checkpoint(tmp_path / "flipped.safetensors")
    (tmp_path / "junk.safetensors").write_bytes(b"\x00" * 40)
    with pytest.raises(GencompError, match="not a readable safetensors"):
        load_checkpoint(tmp_path / "junk.safetensors")
    with pytest.raises(GencompError, match="not found"):
        load_checkpoint(tmp_path / "missing.safetensors")


def test_foreign_safetensors_and_wrong_architecture(tmp_path):
    from safetensors.torch import save_file

    save_file({"w": torch.ones(3)}, str(tmp_path / "foreign.safetensors"))
    with pytest.raises(GencompError, match="not a gencomp model"):
        load_checkpoint(tmp_path / "foreign.safetensors")
    save_checkpoint(tmp_path / "other.safetensors", {"w": torch.ones(3)}, {"d_model": 8}, {})
    with pytest.raises(GencompError, match="does not hold a byte transformer"):
        load_byte_transformer(str(tmp_path / "other.safetensors"))
    with pytest.raises(GencompError, match="unknown model"):
        load_byte_transformer("no-such-model")


def test_folders_in_gencomp_models_add_names_and_never_shadow_the_shipped_ones(tmp_path, monkeypatch):
    import shutil

    from gencomp.models.zoo import DEFAULT_MODEL, resolve, shipped_models

    shipped = shipped_models()[DEFAULT_MODEL]
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(shipped, tmp_path / folder / "mine.safetensors")
    shutil.copy(shipped, tmp_path / "a" / f"{DEFAULT_MODEL}.safetensors")
    monkeypatch.setenv("GENCOMP_MODELS", f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}")
    assert resolve("mine") == tmp_path / "a" / "mine.safetensors"  # the first folder that has it
    assert resolve(DEFAULT_MODEL) == shipped
    monkeypatch.delenv("GENCOMP_MODELS")
    with pytest.raises(GencompError, match=r"unknown model 'mine'.*GENCOMP_MODELS"):
        resolve("mine")
