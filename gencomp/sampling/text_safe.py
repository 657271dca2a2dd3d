"""Text-safe sampling: which next bytes keep generated text valid, printable UTF-8.

A sampler that asks `Utf8Guard.allowed` before each byte and renormalises the model's
distribution over the allowed bytes produces output that

- is valid UTF-8 (no stray continuation bytes, no overlong forms, no surrogates, no code
  point above U+10FFFF), and never ends inside a character: a character is started only
  when the bytes left to generate can finish it;
- holds no control characters except tab, line feed and carriage return (C0, DEL and the
  C1 range U+0080 … U+009F are left out).

This changes the distribution sampled from (it is the model conditioned on "the output is
text"); coding never uses it. `benchmarks/generation.py` reports the log-loss it changes.
"""

from __future__ import annotations

import numpy as np

_ASCII_TEXT = np.zeros(256, bool)
_ASCII_TEXT[0x20:0x7F] = True
_ASCII_TEXT[[0x09, 0x0A, 0x0D]] = True


def _lead_rules() -> dict[int, tuple[int, int, int]]:
    """lead byte -> (continuation bytes it needs, lowest and highest allowed first continuation byte)."""
    rules = {0xC2: (1, 0xA0, 0xBF)}  # C2 80 … C2 9F are the C1 controls
    rules.update({b: (1, 0x80, 0xBF) for b in range(0xC3, 0xE0)})
    rules.update({b: (2, 0x80, 0xBF) for b in range(0xE1, 0xF0)})
    rules[0xE0] = (2, 0xA0, 0xBF)  # no overlong three-byte forms
    rules[0xED] = (2, 0x80, 0x9F)  # no surrogates
    rules.update({b: (3, 0x80, 0xBF) for b in range(0xF1, 0xF4)})
    rules[0xF0] = (3, 0x90, 0xBF)  # no overlong four-byte forms
    rules[0xF4] = (3, 0x80, 0x8F)  # nothing above U+10FFFF
    return rules


_LEADS = _lead_rules()
_VALID_LEADS = {**_LEADS, 0xC2: (1, 0x80, 0xBF)}  # what a prompt may hold: C1 controls are valid UTF-8
_LEAD_BYTES = np.array(sorted(_LEADS), np.int64)
_LEAD_NEEDS = np.array([_LEADS[b][0] for b in _LEAD_BYTES], np.int64)


def is_text(data: bytes) -> bool:
    """True where `data` is valid UTF-8 (it may end inside a character); what text-safe sampling
    needs of a prompt."""
    guard = Utf8Guard()
    try:
        guard.feed_unchecked(data)
    except ValueError:
        return False
    return True


class Utf8Guard:
    """The state of a byte stream's last, possibly unfinished, UTF-8 character."""

    def __init__(self):
        self.pending = 0  # continuation bytes the current character still needs
        self.low, self.high = 0x80, 0xBF  # range of the next continuation byte

    def feed_unchecked(self, data: bytes) -> None:
        """Advance over bytes that need not be printable (a prompt); ValueError where they are not UTF-8."""
        for byte in data:
            if self.pending:
                if not self.low <= byte <= self.high:
                    raise ValueError(f"byte {byte:#04x} does not continue the character")
                self.pending -= 1
                self.low, self.high = 0x80, 0xBF
            elif byte >= 0x80:
                if byte not in _VALID_LEADS:
                    raise ValueError(f"byte {byte:#04x} cannot start a character")
                self.pending, self.low, self.high = _VALID_LEADS[byte]

    def allowed(self, remaining: int) -> np.ndarray:
        """(256,) bool: the bytes that may come next when `remaining` bytes (this one included) are
        left to generate."""
        mask = np.zeros(256, bool)
        if self.pending:
            mask[self.low : self.high + 1] = True
            return mask
        mask |= _ASCII_TEXT
        mask[_LEAD_BYTES] = _LEAD_NEEDS < remaining
        return mask

    def allows(self, data: bytes, remaining: int) -> int:
        """How many leading bytes of `data` keep the output text-safe (`remaining` counts from its first
        byte); the state is left unchanged."""
        probe = Utf8Guard()
        probe.pending, probe.low, probe.high = self.pending, self.low, self.high
        for i, byte in enumerate(data):
            if not probe.allowed(remaining - i)[byte]:
                return i
            probe.feed(bytes([byte]))
        return len(data)

    def feed(self, data: bytes) -> None:
        """Advance over bytes that `allowed` let through."""
        for byte in data:
            if self.pending:
                self.pending -= 1
                self.low, self.high = 0x80, 0xBF
            elif byte >= 0x80:
                self.pending, self.low, self.high = _LEADS[byte]
