"""The files people bring: a suite of real files of common kinds that are in no training data here.

Each comes from a package installed on this project's Debian machine (or in its virtualenv), cut to
a fixed size; `collect()` copies them to benchmarks/suite-files/ and records each source and
SHA-256 (a file missing on another machine is skipped with a note). None is in ../shared/data.

    python benchmarks/suite.py          # lists what it collected
"""

from __future__ import annotations

import gettext
import gzip
import hashlib
import io
import sysconfig
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
FOLDER = HERE / "suite-files"
SITE = Path(sysconfig.get_paths()["purelib"])


@dataclass(frozen=True)
class SuiteFile:
    name: str
    kind: str
    source: str  # where the bytes come from, as a reader can find it
    size_bytes: int

    @property
    def path(self) -> Path:
        return FOLDER / self.name


def _gunzip(path: str) -> bytes:
    return gzip.decompress(Path(path).read_bytes())


def _zip_member(archive: str, member: str) -> bytes:
    with zipfile.ZipFile(archive) as z:
        return z.read(member)


def _translations(mo_file: str) -> bytes:
    """The translated messages of a gettext catalogue, one per line (prose in that language)."""
    with open(mo_file, "rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # noqa: SLF001 (the parsed catalogue)
    return "\n".join(v for k, v in catalog.items() if k and isinstance(v, str)).encode("utf-8")


def _tarball(root: Path, limit: int) -> bytes:
    """A tar of the files under root (sorted paths, no owner or time, as `tar --sort=name` with those
    cleared makes), as many as fit in `limit` bytes: a directory as people compress one."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if out.tell() + path.stat().st_size + 1536 > limit:
                break
            info = tar.gettarinfo(str(path), arcname=str(path.relative_to(root.parent)))
            info.uid = info.gid = info.mtime = 0
            info.uname = info.gname = ""
            with path.open("rb") as f:
                tar.addfile(info, f)
    return out.getvalue()


def _concatenated() -> bytes:
    """Every single file of the suite collected before it, one after another (files seen together)."""
    return b"".join(entry.path.read_bytes() for entry, _ in SOURCES[: SINGLE_FILES] if entry.path.exists())


SOURCES = [
    (SuiteFile("manual-en.txt", "English manual", "GNU coreutils manual, /usr/share/info/coreutils.info.gz (GFDL)", 150_000),
     lambda: _gunzip("/usr/share/info/coreutils.info.gz")),
    (SuiteFile("docs-markdown.md", "Markdown docs", "Node.js API docs, /usr/share/doc/nodejs/api/fs.md (MIT)", 200_000),
     lambda: Path("/usr/share/doc/nodejs/api/fs.md").read_bytes()),
    (SuiteFile("release-notes.md", "Markdown release notes",
               "Rust release notes, ~/.rustup/toolchains/stable-*/share/doc/rust/html/releases.md (MIT/Apache-2.0)", 200_000),
     lambda: next(Path.home().glob(".rustup/toolchains/stable-*/share/doc/rust/html/releases.md")).read_bytes()),
    (SuiteFile("source-python.py", "Python source", "matplotlib/colors.py from the project's virtualenv (PSF-based)", 100_000),
     lambda: (SITE / "matplotlib" / "colors.py").read_bytes()),
    (SuiteFile("source-java.java", "Java source",
               "java/util/concurrent/ConcurrentHashMap.java from the Temurin 25 JDK's lib/src.zip (GPL-2.0 with CE)", 150_000),
     lambda: _zip_member(str(next(Path("/usr/lib/jvm").glob("temurin-*/lib/src.zip"))),
                         "java.base/java/util/concurrent/ConcurrentHashMap.java")),
    (SuiteFile("system-log.log", "system log", "dpkg's log of this machine's set-up, /var/log/dpkg.log", 150_000),
     lambda: Path("/var/log/dpkg.log").read_bytes()),
    (SuiteFile("data.json", "JSON", "CycloneDX SBOM of tokenizers (tokenizers-*.dist-info/sboms/, Apache-2.0)", 150_000),
     lambda: next(SITE.glob("tokenizers-*.dist-info/sboms/*.json")).read_bytes()),
    (SuiteFile("prose-de.txt", "German text", "PostgreSQL 15 messages in German, /usr/share/locale/de/LC_MESSAGES/postgres-15.mo",
               150_000),
     lambda: _translations("/usr/share/locale/de/LC_MESSAGES/postgres-15.mo")),
    (SuiteFile("prose-ru.txt", "Russian text (UTF-8)",
               "PostgreSQL 15 messages in Russian, /usr/share/locale/ru/LC_MESSAGES/postgres-15.mo", 150_000),
     lambda: _translations("/usr/share/locale/ru/LC_MESSAGES/postgres-15.mo")),
    (SuiteFile("suite-concatenated", "the files above, concatenated", "the suite's single files, in this order",
               2_000_000), _concatenated),
    (SuiteFile("source-tree.tar", "tarball of a C++ source tree",
               "tar of torch/include/c10 from the project's virtualenv (C++ headers, BSD-3-Clause)", 1_500_000),
     lambda: _tarball(SITE / "torch" / "include" / "c10", 1_500_000)),
]
SINGLE_FILES = len(SOURCES) - 2


def collect() -> list[tuple[SuiteFile, str]]:
    """Write every available suite file to FOLDER; returns (file, sha256) for each one written."""
    FOLDER.mkdir(exist_ok=True)
    out = []
    for entry, read in SOURCES:
        try:
            data = read()[: entry.size_bytes]
        except (OSError, StopIteration, KeyError) as exc:
            print(f"skipped {entry.name}: {entry.source} not found ({exc})")
            continue
        entry.path.write_bytes(data)
        out.append((entry, hashlib.sha256(data).hexdigest()))
    return out


if __name__ == "__main__":
    for entry, digest in collect():
        print(f"{entry.name:18} {entry.path.stat().st_size:8d} bytes  {digest[:16]}  {entry.source}")
