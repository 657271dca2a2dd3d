"""The command line: gzip's habits, one-line errors, nothing half-written."""

import subprocess
import sys

import pytest

from gencomp.cli.files import new_file_mode
from gencomp.cli.main import main


def run(*args, stdin: bytes = b""):
    return subprocess.run([sys.executable, "-m", "gencomp.cli.main", *map(str, args)], input=stdin,
                          capture_output=True, timeout=300)


def test_compress_decompress_keeps_and_removes_like_gzip(tmp_path):
    original = tmp_path / "notes.txt"
    original.write_bytes(b"gencomp " * 1000)
    assert main(["compress", str(original), "-k", "-q"]) == 0
    archive = tmp_path / "notes.txt.gcz"
    assert archive.exists() and original.exists()
    assert archive.stat().st_mode & 0o777 == new_file_mode()  # not mkstemp's 0600
    original.unlink()
    assert main(["decompress", str(archive), "-q"]) == 0
    assert original.read_bytes() == b"gencomp " * 1000 and not archive.exists()


def test_refuses_to_overwrite_without_force(tmp_path, capsys):
    source = tmp_path / "a.bin"
    source.write_bytes(b"x" * 100)
    (tmp_path / "a.bin.gcz").write_bytes(b"precious")
    assert main(["compress", str(source), "-q"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "a.bin.gcz").read_bytes() == b"precious" and source.exists()
    assert main(["compress", str(source), "-f", "-q", "-c", "gzip"]) == 0
    assert not source.exists()


def test_stdin_to_stdout_round_trip():
    data = bytes(range(256)) * 40
    packed = run("compress", "-", "-c", "brotli", "-q", stdin=data)
    assert packed.returncode == 0, packed.stderr
    unpacked = run("decompress", "-", "-q", stdin=packed.stdout)
    assert unpacked.returncode == 0 and unpacked.stdout == data


@pytest.mark.parametrize("args, message", [
    (["compress", "{dir}"], "is a directory"),
    (["compress", "{dir}/missing.txt"], "no such file"),
    (["compress", "{dir}/empty", "-c", "nope"], "unknown codec 'nope'"),
    (["decompress", "{dir}/foreign.gcz"], "not a gencomp archive"),
    (["decompress", "{dir}/empty"], "does not end in .gcz"),
    (["decompress", "{dir}/cut.gcz"], "truncated"),
])
def test_bad_input_gives_one_line_error(tmp_path, args, message):
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "foreign.gcz").write_bytes(b"\x1f\x8b\x08 gzip, not gencomp")
    (tmp_path / "text").write_bytes(b"some text " * 300)
    assert main(["compress", str(tmp_path / "text"), "-k", "-q", "-o", str(tmp_path / "whole.gcz")]) == 0
    (tmp_path / "cut.gcz").write_bytes((tmp_path / "whole.gcz").read_bytes()[:-7])
    result = run(*[a.format(dir=tmp_path) for a in args])
    err = result.stderr.decode()
    assert result.returncode == 1 and message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "cut").exists() and not list(tmp_path.glob(".*part"))


def test_empty_file_round_trips(tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert main(["compress", str(empty), "-q", "-c", "cm"]) == 0
    assert main(["decompress", str(tmp_path / "empty.gcz"), "-q"]) == 0
    assert empty.read_bytes() == b""


def test_codecs_lists_the_registry(capsys):
    from gencomp.compressors import COMPRESSORS

    assert main(["codecs"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == COMPRESSORS.names()


def test_bench_prints_a_table_and_json(capsys):
    assert main(["bench", "--modality", "text", "random", "--codecs", "gzip", "lzma", "--max-bytes", "8192"]) == 0
    out = capsys.readouterr().out
    assert "gzip" in out and "random" in out
    assert main(["bench", "--modality", "random", "--codecs", "gzip", "--max-bytes", "4096", "--json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["codec"] == "gzip" and rows[0]["raw_bytes"] == 4096 and rows[0]["rate"] > 0.99


def test_train_flags_parse_booleans(monkeypatch, tmp_path):
    import gencomp.cli.train as train_cli

    seen = {}
    monkeypatch.setattr(train_cli, "train", lambda settings: seen.setdefault("s", settings) and tmp_path / "m")
    assert train_cli.main(["--out", str(tmp_path), "--no-detokenized-copy", "--steps", "3"]) == 0
    assert seen["s"].detokenized_copy is False and seen["s"].steps == 3 and seen["s"].out_dir == tmp_path


def test_corrupt_frame_leaves_nothing_unless_keep_partial(tmp_path, wiki_heldout, capsys):
    from gencomp.archive.stream import FRAME_TARGET_BYTES
    from tests.archive.test_stream import frame_ends

    data = (wiki_heldout * 2)[:200_000]
    source = tmp_path / "notes.txt"
    source.write_bytes(data)
    assert main(["compress", str(source), "-q", "-c", "gzip", "--chunk-size", "1024"]) == 0
    archive = tmp_path / "notes.txt.gcz"
    blob = bytearray(archive.read_bytes())
    blob[frame_ends(bytes(blob))[2] - 100] ^= 0x10
    archive.write_bytes(bytes(blob))
    assert main(["decompress", str(archive), "-q"]) == 1
    assert "frame 2" in capsys.readouterr().err and not source.exists() and archive.exists()
    assert not list(tmp_path.glob(".*part"))
    assert main(["decompress", str(archive), "-q", "--keep-partial"]) == 1
    assert "kept what was written" in capsys.readouterr().err
    assert source.read_bytes() == data[: 2 * FRAME_TARGET_BYTES] and archive.exists()


def test_verbose_reports_sizes_and_throughput(tmp_path, capsys):
    source = tmp_path / "a.txt"
    source.write_bytes(b"abc " * 5000)
    assert main(["compress", str(source), "-k", "-q", "-v", "-c", "zstd"]) == 0
    err = capsys.readouterr().err
    assert "zstd: 20,000 bytes ->" in err and "/s" in err


def test_models_lists_every_shipped_model_and_marks_the_default(capsys):
    from gencomp.cli import models as models_cli
    from gencomp.models.zoo import DEFAULT_MIX_MODEL, DEFAULT_MODEL, shipped_models

    assert models_cli.main([]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = {line.split()[0]: line for line in lines[1 : 1 + len(shipped_models())]}
    assert set(names) == set(shipped_models())
    assert f"{DEFAULT_MODEL} *" in names[DEFAULT_MODEL] and sum(" * " in line for line in names.values()) == 1
    assert " +" in names[DEFAULT_MIX_MODEL] and sum(" + " in line for line in names.values()) == 1


def test_a_reader_that_stops_early_gets_no_traceback():
    process = subprocess.Popen([sys.executable, "-m", "gencomp.cli.main", "models"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()  # as `gencomp models | head -0` would, before gencomp writes
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 141 and b"Traceback" not in stderr
