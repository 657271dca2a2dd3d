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
