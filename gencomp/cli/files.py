"""File habits shared by compress and decompress (those of gzip and xz): read a file
or stdin, never overwrite without --force, write atomically (no half-written file unless
--keep-partial), remove the input only after the output is safely written and only without
--keep. Files are streamed, never held whole in memory."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator, Optional

from gencomp.errors import GencompError

STDIO = "-"


@contextlib.contextmanager
def open_input(name: str) -> Iterator[tuple[BinaryIO, Optional[int]]]:
    """(binary reader, size in bytes or None for stdin) of a file or stdin, with clear errors (each begins with the
    file's name)."""
    if name == STDIO:
        yield sys.stdin.buffer, None
        return
    path = Path(name)
    if path.is_dir():
        raise GencompError(f"{name}: is a directory")
    if not path.exists():
        raise GencompError(f"{name}: no such file")
    try:
        file = path.open("rb")
    except OSError as exc:
        raise GencompError(f"{name}: cannot read it: {exc.strerror}") from None
    with file:
        yield file, path.stat().st_size


@contextlib.contextmanager
def atomic_output(name: str, keep_partial: bool = False) -> Iterator[BinaryIO]:
    """A binary writer for `name` (or stdout): a temp file beside the target, renamed into place
    when the block succeeds. On failure it is removed, or with keep_partial renamed to the target
    (what was written before the error), and the error says which."""
    if name == STDIO:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(name)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        os.chmod(tmp, new_file_mode())  # mkstemp makes 0600
        os.replace(tmp, path)
    except GencompError as exc:
        if keep_partial:
            os.chmod(tmp, new_file_mode())
            os.replace(tmp, path)
            raise GencompError(f"{exc} (kept what was written before it in {name}: --keep-partial)") from None
        Path(tmp).unlink(missing_ok=True)
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_input(name: str) -> bytes:
    """All of a (small) file or stdin: prompts and media for generate."""
    with open_input(name) as (file, _):
        return file.read()


def write_output(name: str, data: bytes) -> None:
    """Write all of `data` or nothing."""
    with atomic_output(name) as file:
        file.write(data)


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


def new_file_mode() -> int:
    """The mode open() gives a new file: 0o666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def remove_input(name: str, keep: bool) -> None:
    if name != STDIO and not keep:
        Path(name).unlink()
