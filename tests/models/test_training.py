"""`gencomp train`: a run writes a named, loadable model, and a second call resumes where it stopped."""

import json

import numpy as np
import pytest
import torch

from gencomp.errors import GencompError
from gencomp.models.training import TrainSettings, sample_windows, source_weights, train
from gencomp.models.zoo import load_byte_transformer, load_float_transformer
from tests.conftest import SEEDS, rng_for


def settings(tmp_path, steps: int) -> TrainSettings:
    return TrainSettings(size="tiny", out_dir=tmp_path / "run", name="tiny-test", steps=steps, batch_size=2,
                         window_bytes=64, checkpoint_every=2, eval_every=3, eval_chunks=1, export_chunks=1, threads=1,
                         files=("tinyshakespeare.txt",))


def test_a_run_resumes_and_exports_a_named_model(tmp_path):
    path = train(settings(tmp_path, 4))
    assert path == tmp_path / "run" / "tiny-test.safetensors"
    rows = [json.loads(r) for r in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3, 4] and "heldout_bpb" in rows[2]

    train(settings(tmp_path, 6))  # resumes at step 4
    rows = [json.loads(r) for r in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert json.loads((tmp_path / "run" / "progress.json").read_text())["step"] == 6

    model = load_byte_transformer(str(path))
    assert model.identity()["name"] == "byte-transformer-tiny-test"
    symbols = np.frombuffer(b"To be, or not to be", np.uint8)[None].astype(np.int64)
    assert model.weights(symbols).shape == (1, symbols.shape[1], 256)


@pytest.mark.parametrize("device, message", [("cuda", "sees no cuda device"), ("gpu0", "not a torch device")])
def test_a_device_that_is_not_there_is_named(tmp_path, monkeypatch, device, message):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    s = settings(tmp_path, 1)
    s.device = device
    with pytest.raises(GencompError, match=message):
        train(s)
    assert not (tmp_path / "run" / "state.safetensors").exists()


def test_sources_are_drawn_by_their_weight():
    sources = [np.zeros(10_000, np.uint8), np.ones(40_000, np.uint8)]
    weights = source_weights(sources, 0.5)
    assert np.allclose(weights, [1 / 3, 2 / 3])  # sqrt(1) : sqrt(4)
    windows = sample_windows(sources, weights, rng_for(0), 3000, 16)
    share_of_second = windows[:, 0].float().mean().item()
    assert abs(share_of_second - 2 / 3) < 0.03


def test_the_attention_window_trained_is_the_one_exported(tmp_path):
    s = settings(tmp_path, 2)
    s.attention_window = 32
    model = load_byte_transformer(str(train(s)))
    assert model.cfg.attention_window == 32
    assert "attention_window" not in model.identity()  # the model's own window, not a narrowed one


def test_a_repeating_window_repeats_a_span_within_reach():
    noise = [np.frombuffer(rng_for(1).bytes(100_000), np.uint8)]  # random bytes: no repeats of their own
    plain = sample_windows(noise, np.ones(1), rng_for(2), 50, 256)
    for row in plain.numpy().astype(np.uint8):
        assert row.tobytes() in noise[0].tobytes()
    repeating = sample_windows(noise, np.ones(1), rng_for(2), 50, 256, repeat_share=1.0, reach=64)
    for row in repeating.numpy():
        found = [(a, b) for a in range(256 - 16) for b in range(a + 16, min(a + 64, 256 - 16 + 1))
                 if np.array_equal(row[a : a + 16], row[b : b + 16])]
        assert found, "no span of window/16 bytes repeated within reach"


def _reference_forward(model, tokens: torch.Tensor) -> torch.Tensor:
    """The model's forward with attention written out (softmax of scores plus the ALiBi bias)."""
    from gencomp.models.transformer import alibi_bias

    cfg = model.cfg
    pos = torch.arange(tokens.shape[1])
    bias = alibi_bias(cfg.n_heads, pos, pos, cfg.attention_window)  # (H, T, T)
    x = model.embed(tokens)
    for block in model.blocks:
        B, T, D = x.shape
        q, k, v = (t.view(B, T, cfg.n_heads, cfg.head_dim).transpose(1, 2)
                   for t in block.qkv(block.norm_attn(x)).split(D, dim=-1))
        weights = torch.softmax(q @ k.transpose(-1, -2) / cfg.head_dim**0.5 + bias, dim=-1)
        x = x + block.proj((weights @ v).transpose(1, 2).reshape(B, T, D))
        x = x + block.down(torch.relu(block.up(block.norm_mlp(x))))
    return torch.log_softmax(model.head(model.norm_out(x)), dim=-1)


def test_the_fused_attention_computes_the_windowed_alibi_attention():
    from dataclasses import replace

    from gencomp.models.transformer import SIZES, ByteTransformer

    torch.manual_seed(0)
    model = ByteTransformer(replace(SIZES["tiny"], attention_window=16))
    for p in model.parameters():  # weights large enough that attention is far from uniform
        torch.nn.init.normal_(p, std=0.3)
    tokens = torch.from_numpy(rng_for(3).integers(0, 256, (3, 80)))
    with torch.no_grad():
        assert torch.allclose(model(tokens), _reference_forward(model, tokens), atol=1e-4)


def test_a_bfloat16_run_trains_and_exports(tmp_path):
    s = settings(tmp_path, 3)
    s.bf16 = True
    model = load_byte_transformer(str(train(s)))
    rows = [json.loads(r) for r in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert all(np.isfinite(r["train_bits_per_symbol"]) for r in rows) and len(rows) == 3
    assert model.weights(np.zeros((1, 8), np.int64)).shape == (1, 8, 256)


def test_a_fine_tuning_run_starts_from_the_given_model(tmp_path):
    s = settings(tmp_path, 0)  # no steps: the exported weights are the starting ones
    s.init, s.attention_window = "tiny-v2", 512
    tuned, _, _ = load_float_transformer(train(s))
    start, _, _ = load_float_transformer("tiny-v2")
    assert tuned.cfg.attention_window == 512
    assert all(torch.equal(a, b) for a, b in zip(tuned.state_dict().values(), start.state_dict().values()))

    s.init, s.size, s.out_dir = "tiny-v2", "small", tmp_path / "other"
    with pytest.raises(GencompError, match="--init tiny-v2 is not a small model"):
        train(s)


def test_a_deeper_model_grows_from_a_trained_one_with_its_predictions(tmp_path):
    s = settings(tmp_path, 0)
    s.init, s.layers = "tiny-v2", 6
    grown, _, _ = load_float_transformer(train(s))
    start, _, _ = load_float_transformer("tiny-v2")
    assert grown.cfg.n_layers == 6
    tokens = torch.from_numpy(rng_for(SEEDS[0]).integers(0, 256, (2, 100)))
    with torch.no_grad():
        assert torch.equal(grown(tokens), start(tokens))  # the added blocks start as identities
    assert torch.equal(grown.blocks[4].qkv.weight, start.blocks[3].qkv.weight)  # 4 into 6: blocks 0, 1, 3, 4
    assert grown.blocks[2].qkv.weight.abs().sum() > 0 and not grown.blocks[2].down.weight.any()

    s.layers, s.out_dir = 2, tmp_path / "shallower"
    with pytest.raises(GencompError, match="at most 2 blocks"):
        train(s)
