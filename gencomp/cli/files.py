"""File habits shared by compress and decompress (those of gzip and xz): read a file
or stdin, never overwrite without --force, write atomically, remove the input only
after the output is safely written and only without --keep."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from gencomp.errors import GencompError

STDIO = "-"


def read_input(name: str) -> bytes:
    if name == STDIO:
        return sys.stdin.buffer.read()
    path = Path(name)
    if path.is_dir():
        raise GencompError(f"{name} is a directory")
    if not path.exists():
        raise GencompError(f"{name}: no such file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise GencompError(f"cannot read {name}: {exc.strerror}") from None


def check_output(name: str, force: bool) -> None:
    """Refuse before any work is done: existing file without --force, a directory, binary to a terminal."""
    if name == STDIO:
        if sys.stdout.isatty():
            raise GencompError("refusing to write binary data to a terminal; use -o FILE or a pipe")
        return
    path = Path(name)
    if path.is_dir():
        raise GencompError(f"output {name} is a directory")
    if path.exists() and not force:
        raise GencompError(f"{name} already exists; use -f to overwrite")


def write_output(name: str, data: bytes) -> None:
    """Write all of `data` or nothing: a temp file beside the target, renamed into place."""
    if name == STDIO:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(name)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, new_file_mode())  # mkstemp makes 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_file_mode() -> int:
    """The mode open() gives a new file: 0o666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def remove_input(name: str, keep: bool) -> None:
    if name != STDIO and not keep:
        Path(name).unlink()
