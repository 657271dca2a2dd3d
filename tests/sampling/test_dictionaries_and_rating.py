"""Dictionaries prime generation and are chosen by compression; ratings are the figures they claim."""

import pytest

from gencomp.cli.main import main
from gencomp.compressors import get_compressor
from gencomp.data.corpus import text_corpus
from gencomp.errors import GencompError
from gencomp.sampling.dictionaries import MAX_DICTIONARY_BYTES, SHIPPED, choose_dictionary, resolve_dictionary
from gencomp.sampling.generate import generate
from gencomp.sampling.rating import distinct_4gram_share, known_word_share, printable_share, rate, valid_utf8_share


@pytest.mark.parametrize("source, domain", [("corpus/debian-handbook-en.txt", "prose"),
                                            ("corpus/code-javascript.txt", "code"), ("corpus/data-json-xml-csv.txt", "data")])
def test_auto_picks_the_dictionary_of_the_prompts_domain(source, domain):
    heldout = text_corpus("heldout", (source,))[source]  # never in a dictionary: they come from the training part
    step = len(heldout) // 5
    assert [choose_dictionary(heldout[i * step : i * step + 200]) for i in range(5)] == [domain] * 5
    assert choose_dictionary(b"") == "prose"


def test_resolve_dictionary(tmp_path):
    assert resolve_dictionary("none") == ("none", b"")
    assert resolve_dictionary("auto", b"\x89PNG\r\n\x1a\n\xff\xfe") == ("none", b"")  # binary: no text dictionary
    for name in SHIPPED:
        assert 16_000 < len(resolve_dictionary(name)[1]) <= MAX_DICTIONARY_BYTES
    big = tmp_path / "mine.txt"
    big.write_bytes(b"x" * 100 + b"y" * MAX_DICTIONARY_BYTES)
    assert resolve_dictionary(str(big)) == ("mine.txt", b"y" * MAX_DICTIONARY_BYTES)  # its last 24 KiB
    with pytest.raises(GencompError, match="neither"):
        resolve_dictionary(str(tmp_path / "missing.txt"))


def test_a_dictionary_conditions_the_sample():
    cm = get_compressor("cm")
    plain = generate(cm, b"The", 60, seed=1)
    primed = generate(cm, b"The", 60, seed=1, dictionary=b"The zebra zigzagged. " * 40)
    assert primed != plain and primed.count(b"z") > plain.count(b"z")


def test_rating_figures():
    assert valid_utf8_share(b"ab\xffcd\xe2\x82") == pytest.approx(4 / 7)
    assert valid_utf8_share("héllo".encode()) == 1.0
    assert printable_share(b"ab\x01d") == 0.75
    assert known_word_share(b"the zqxv Harbour q", b"old harbour", b"") == (pytest.approx(2 / 3), 3)
    assert distinct_4gram_share(b"abababab") == pytest.approx(2 / 5)
    good = rate(b" and the town was quiet that night.", b"The old harbour of the town was", b"", 1.0)
    bad = rate(b" qxz#@!zq", b"The old harbour of the town was", b"", 1.0)
    assert good.bits_per_byte < 4 < bad.bits_per_byte and good.bytes_per_second == 35.0


def test_generate_compare_prints_a_rating_table(capsys):
    assert main(["generate", "--compare", "gzip,cm", "--prompt", "The old harbour of the town was", "--bytes", "30", "-q"]) == 0
    out = capsys.readouterr().out
    assert "--- gzip" in out and "--- cm" in out and "dictionary: prose" in out
    table = out[out.index("generator") :].splitlines()
    assert table[0].split()[:3] == ["generator", "bits/byte", "UTF-8"] and [r.split()[0] for r in table[1:]] == ["gzip", "cm"]
    assert all("100%" in row for row in table[1:])  # text-safe: every sample is valid UTF-8
    assert main(["generate", "--compare", "gzip,nonsense", "--prompt", "x", "-q"]) != 0
    assert "unknown codec 'nonsense'" in capsys.readouterr().err
