"""Text-safe sampling: the guard's allowed bytes are exactly those that keep text valid and printable."""

import numpy as np
import pytest

from gencomp.compressors import get_compressor
from gencomp.errors import GencompError
from gencomp.sampling.generate import generate
from gencomp.sampling.text_safe import Utf8Guard, is_text
from tests.conftest import SEEDS, rng_for


def _is_text_safe(data: bytes) -> bool:
    """Valid UTF-8 without control characters (C0 but tab, line feed, carriage return; DEL; C1)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(not (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F) or c in "\t\n\r" for c in text)


@pytest.mark.parametrize("seed", SEEDS)
def test_allowed_bytes_agree_with_pythons_decoder(seed):
    rng = rng_for(seed)
    prefixes = [b"", b"ab", "é".encode()[:1], "€".encode()[:1], "€".encode()[:2], "𝄞".encode()[:1], "𝄞".encode()[:3]]
    prefixes += [bytes([0xE0]), bytes([0xED]), bytes([0xF0]), bytes([0xF4])]
    for prefix in prefixes:
        guard = Utf8Guard()
        guard.feed_unchecked(prefix)
        allowed = guard.allowed(remaining=8)
        for x in range(256):
            # x is allowed iff some completion of prefix + x is text-safe: try the shortest ones
            tails = [b""] + [bytes([c]) for c in range(0x80, 0xC0)] + [bytes([a, b]) for a in (0x80, 0xA0, 0xBF) for b in (0x80, 0xBF)]
            ok = any(_is_text_safe(prefix + bytes([x]) + t) for t in tails) or any(
                _is_text_safe(prefix + bytes([x]) + bytes([a, b, c])) for a in (0x80, 0x90, 0xBF) for b in (0x80,) for c in (0x80,))
            assert allowed[x] == ok, (prefix, hex(x))
    guard = Utf8Guard()
    assert not guard.allowed(remaining=1)[0xC3] and guard.allowed(remaining=2)[0xC3]
    assert not guard.allowed(remaining=3)[0xF0] and guard.allowed(remaining=4)[0xF0]
    assert guard.allows("aé€".encode() + b"\x00", remaining=100) == 6 and guard.allows("é".encode(), remaining=1) == 0
    assert not is_text(b"\xff") and is_text("€".encode()[:2]) and is_text(b"")
    del rng


@pytest.mark.parametrize("spec", ["gzip", "lzma", "cm", "lm:tiny"])
def test_text_safe_samples_are_valid_printable_utf8(spec):
    codec = get_compressor(spec)
    for seed, prompt in enumerate(["The old harbour of the town was", "Préface : « Le château »"]):
        out = generate(codec, prompt.encode(), 40, seed=seed)  # on by default for a UTF-8 prompt
        assert len(out) == 40 and _is_text_safe(out), out
    plain = generate(get_compressor("gzip"), b"The old", 60, seed=0, text_safe=False, copies=False)
    assert not _is_text_safe(plain)  # without it, gzip on a short prompt emits binary


def test_text_safe_refuses_a_binary_prompt_and_is_off_for_it_by_default():
    with pytest.raises(GencompError, match="UTF-8 prompt"):
        generate(get_compressor("cm"), b"\xff\xfe", 4, text_safe=True)
    assert len(generate(get_compressor("cm"), b"\xff\xfe", 4)) == 4


def test_seen_only_keeps_to_the_bytes_of_dictionary_and_prompt():
    out = generate(get_compressor("cm"), b"abc cab", 50, seed=3, dictionary=b"bad cab", seen_only=True)
    assert set(out) <= set(b"abcd ")
    np.testing.assert_equal(len(out), 50)
