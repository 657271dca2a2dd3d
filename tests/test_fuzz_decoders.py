"""The decoders fuzzed in CI: a fixed seed and budget (python -m tests.fuzz_decoders runs longer)."""

from tests.fuzz_decoders import _Worker, corpus, fuzz

CI_MUTANTS = 600  # about 60 s (697 golden archives; 1,000 took 100 s of a 16-minute suite); seed 2026 includes
#   crafted identities and media records
CI_MAX_CLAIMED = 100_000  # original bytes a mutant's frames may claim and be decoded here (20 s at the slowest
#   decoder's speed): a mutant claiming 2.5 MB of `mix` took 8 minutes; the long runs decode every mutant


def test_no_mutant_crashes_hangs_or_decodes_wrong(tmp_path):
    result = fuzz(CI_MUTANTS, seed=2026, timeout=120, scratch=tmp_path, max_claimed=CI_MAX_CLAIMED)
    assert result["verdicts"].get("skipped", 0) < CI_MUTANTS // 50  # the rest are decoded
    assert result["findings"] == [], result["findings"]
    assert result["verdicts"].get("error", 0) > CI_MUTANTS // 2  # most mutants are refused: the checks are reached


def test_the_worker_reports_a_wrong_decoding_and_an_exact_one(tmp_path):
    name, blob, expected = next(item for item in corpus() if item[0].startswith("v4/gzip"))
    path = tmp_path / "a.gcz"
    path.write_bytes(blob)
    worker = _Worker()
    try:
        assert worker.decode(str(path), expected, 60) == "ok"
        assert worker.decode(str(path), "0" * 64, 60) == "wrong"
    finally:
        worker.stop()
