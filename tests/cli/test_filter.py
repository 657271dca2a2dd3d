"""The gzip-like interface: tar -I, pipes, several files, -d/-c/-k/-l/-t/--version, as a user runs them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gencomp
from gencomp.archive.stream import summarize
from tests.conftest import rng_for

GENCOMP = str(Path(sys.executable).parent / "gencomp")


def run(*args, stdin: bytes = b"", cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([GENCOMP, *args], input=stdin, capture_output=True, cwd=cwd, timeout=300)


@pytest.fixture
def tree(tmp_path, wiki_heldout):
    """A small directory of text, binary and empty files, as people tar them."""
    root = tmp_path / "src"
    (root / "sub").mkdir(parents=True)
    (root / "notes.txt").write_bytes(wiki_heldout[:20_000])
    (root / "sub" / "random.bin").write_bytes(rng_for(0).bytes(3000))
    (root / "sub" / "empty").write_bytes(b"")
    return root


@pytest.mark.skipif(shutil.which("tar") is None, reason="no tar")
def test_tar_round_trips_a_directory_through_gencomp_both_ways(tree, tmp_path):
    archive = tmp_path / "src.tar.gcz"
    made = subprocess.run(["tar", "-I", f"{GENCOMP} --codec cm", "-cf", str(archive), "-C", str(tmp_path), "src"],
                          capture_output=True)
    assert made.returncode == 0, made.stderr
    assert summarize(archive.read_bytes()).codec == "cm"
    out = tmp_path / "out"
    out.mkdir()
    back = subprocess.run(["tar", "-I", GENCOMP, "-xf", str(archive), "-C", str(out)], capture_output=True)
    assert back.returncode == 0, back.stderr
    for path in tree.rglob("*"):
        if path.is_file():
            assert (out / "src" / path.relative_to(tree)).read_bytes() == path.read_bytes(), path


def test_a_pipe_compresses_with_cm_by_default_and_decompresses(wiki_heldout):
    data = wiki_heldout[:5000]
    packed = run(stdin=data)
    assert packed.returncode == 0 and summarize(packed.stdout).codec == "cm"
    assert run("-d", stdin=packed.stdout).stdout == data
    assert run("-dc", stdin=packed.stdout).stdout == data


def test_several_files_compress_and_decompress_in_place_and_dc_writes_stdout(tmp_path, wiki_heldout):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(wiki_heldout[:3000])
    b.write_bytes(wiki_heldout[3000:7000])
    assert run("--codec", "gzip", str(a), str(b)).returncode == 0
    assert not a.exists() and not b.exists()
    assert summarize((tmp_path / "a.txt.gcz").read_bytes()).codec == "gzip"
    assert run("-dc", str(tmp_path / "a.txt.gcz")).stdout == wiki_heldout[:3000]
    assert (tmp_path / "a.txt.gcz").exists()  # -c keeps the input
    assert run("-d", "-k", str(tmp_path / "a.txt.gcz"), str(tmp_path / "b.txt.gcz")).returncode == 0
    assert a.read_bytes() == wiki_heldout[:3000] and b.read_bytes() == wiki_heldout[3000:7000]
    assert (tmp_path / "a.txt.gcz").exists()
    again = run("-d", str(tmp_path / "a.txt.gcz"))  # a.txt exists: refused, the archive kept
    assert again.returncode == 1 and b"already exists" in again.stderr and (tmp_path / "a.txt.gcz").exists()


def test_list_gives_codec_and_sizes_without_decoding(tmp_path, wiki_heldout):
    data = wiki_heldout[:10_000]
    path = tmp_path / "x.gcz"
    path.write_bytes(gencomp.get_compressor("zstd").compress(data))
    listed = run("-l", str(path))
    assert listed.returncode == 0
    header, row = listed.stdout.decode().splitlines()
    size = path.stat().st_size
    assert row.split() == [f"{size:,}", f"{len(data):,}", f"{100 * size / len(data):.2f}%", "zstd", str(path)]


def test_test_mode_checks_archives_and_names_the_bad_one(tmp_path, wiki_heldout):
    good, bad = tmp_path / "good.gcz", tmp_path / "bad.gcz"
    blob = gencomp.get_compressor("cm").compress(wiki_heldout[:4000])
    good.write_bytes(blob)
    bad.write_bytes(blob[: len(blob) // 2])
    assert run("-t", str(good)).returncode == 0
    checked = run("-t", str(good), str(bad))
    assert checked.returncode == 1 and b"bad.gcz" in checked.stderr and b"truncated" in checked.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.gcz", "good.gcz"]  # -t writes nothing


def test_version_and_refusals_are_one_clear_line(tmp_path):
    assert run("--version").stdout.decode().strip() == f"gencomp {gencomp.__version__}"
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"not an archive")
    refused = run("-d", str(plain))
    assert refused.returncode == 1 and b"does not end in .gcz" in refused.stderr and plain.exists()
    foreign = run("-d", stdin=b"not an archive")
    assert foreign.returncode == 1 and b"not a gencomp archive" in foreign.stderr
    assert len(foreign.stderr.decode().strip().splitlines()) == 1


def test_a_missing_or_wrong_input_is_named_once_and_not_mistaken_for_a_clash(tmp_path):
    archive, blob = tmp_path / "gone.txt.gcz", gencomp.get_compressor("gzip").compress(b"kept")
    archive.write_bytes(blob)
    missing = run(str(tmp_path / "gone.txt"))  # its archive exists, the file does not
    assert missing.returncode == 1
    assert missing.stderr.decode().strip() == f"gencomp: {tmp_path / 'gone.txt'}: no such file"
    assert archive.read_bytes() == blob
    folder = run(str(tmp_path))
    assert folder.returncode == 1 and folder.stderr.decode().strip() == f"gencomp: {tmp_path}: is a directory"
