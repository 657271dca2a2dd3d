"""A real Dask cluster (LocalCluster, worker processes): archives byte-identical to local ones,
Table 1 figures equal, and the command line's --cluster."""

import pytest

from gencomp.archive.stream import compress_stream
from gencomp.cli.main import main
from gencomp.compressors import get_compressor
from gencomp.evaluation.parallel import run_tasks, split_tasks

pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def cluster_address():
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_archives_from_the_cluster_are_byte_identical(cluster_address, wiki_heldout):
    import io

    from gencomp.cluster import frame_mapper

    data = wiki_heldout[:70_000] + bytes(range(256)) * 40  # two frames of lm:tiny's chunks, one partly stored
    for codec in ("lm:tiny", "gzip"):
        compressor = get_compressor(codec, 2048)
        local = compressor.compress(data)
        remote = io.BytesIO()
        with frame_mapper(cluster_address) as map_frames:
            compress_stream(compressor, io.BytesIO(data), remote, map_frames=map_frames)
        assert remote.getvalue() == local, codec


def test_table1_figures_equal_on_the_cluster(cluster_address, wiki_heldout):
    from gencomp.cluster import executor

    tasks = [t for codec in ("gzip", "cm") for t in split_tasks(codec, 2048, "text", wiki_heldout[:40_000])]
    local = run_tasks(tasks, workers=1)
    with executor(cluster_address) as on_cluster:
        remote = run_tasks(tasks, on_cluster)
    strip = lambda rows: sorted((r["codec"], r["raw_bytes"], r["compressed_bytes"], r["rate"]) for r in rows)
    assert strip(remote) == strip(local)


def test_command_line_cluster_round_trip(cluster_address, tmp_path, wiki_heldout):
    source = tmp_path / "notes.txt"
    source.write_bytes(wiki_heldout[:5000])
    assert main(["compress", str(source), "-k", "-q", "-c", "cm", "--cluster", cluster_address,
                 "-o", str(tmp_path / "remote.gcz")]) == 0
    assert main(["compress", str(source), "-k", "-q", "-c", "cm", "-o", str(tmp_path / "local.gcz")]) == 0
    assert (tmp_path / "remote.gcz").read_bytes() == (tmp_path / "local.gcz").read_bytes()
    assert main(["decompress", str(tmp_path / "remote.gcz"), "-q", "-o", str(tmp_path / "back.txt")]) == 0
    assert (tmp_path / "back.txt").read_bytes() == source.read_bytes()


def test_unreachable_scheduler_is_a_one_line_error(capsys, tmp_path):
    source = tmp_path / "a.txt"
    source.write_bytes(b"x" * 100)
    assert main(["compress", str(source), "-q", "-c", "gzip", "--cluster", "tcp://127.0.0.1:9"]) == 1
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert source.exists() and not (tmp_path / "a.txt.gcz").exists()
