"""Fuzz every decoder with mutated archives: none may crash, hang or decode silently wrong.

The corpus is the golden archives (tests/golden/: every codec and format, media records
included), whose originals' SHA-256 the manifests give. Each mutant is one archive with a few
random mutations (bit flips, bytes set, cuts, inserts, runs zeroed, spans duplicated), placed
anywhere or in the header or the end record. A mutant must decode to its original (a mutation the
format ignores), or fail with one GencompError; anything else is a finding:

* crash: the decoding process died (a signal: the raw-address numba kernels);
* hang: no answer within --timeout seconds, plus the time the bytes the mutant's frames claim take
  at the slowest decoder's speed (a frame may claim up to ~1,500× its payload: decoding that much
  is bounded work, not a hang);
* exception: an error other than GencompError (a traceback from deep inside);
* wrong: decoded without error to bytes other than the original.

Mutants are decoded in a worker process, which is restarted after a crash or a hang. The same
seed gives the same mutants.

    python -m tests.fuzz_decoders --count 10000 --seed 1 [--report benchmarks/results/fuzz.md]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Optional

import numpy as np

GOLDEN = Path(__file__).resolve().parent / "golden"
MUTATIONS = ("flip", "set", "cut", "insert", "zero", "duplicate")
SLOWEST_DECODE_BYTES_PER_S = 5_000  # mix:small-v3 decodes ~9 KB/s on 2 cores


def corpus() -> list[tuple[str, bytes, str]]:
    """(name, archive, SHA-256 of the original stream) of every golden archive."""
    out = []
    for manifest in sorted(GOLDEN.glob("v*/manifest.json")):
        for name, entry in sorted(json.loads(manifest.read_text()).items()):
            out.append((f"{manifest.parent.name}/{name}", (manifest.parent / name).read_bytes(), entry["sha256"]))
    return out


def mutate(blob: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    """blob with 1–3 byte mutations (e.g. "flip@812,cut@1400"), or, for a third of framed archives, one
    of its fields changed and every checksum made right again (what a crafted archive can do)."""
    if blob[4:5] >= b"\x03" and rng.integers(3) == 0:
        return _mutate_fields(blob, rng)
    return _mutate_bytes(blob, rng)


def _odd_value(value, rng: np.random.Generator):
    """A value of a JSON field changed: another number (0, negative, huge, off by one), type or string."""
    choice = int(rng.integers(6))
    if isinstance(value, bool) or choice == 0:
        return [None, "x", [], {}, -1, 1.5][int(rng.integers(6))]
    if isinstance(value, int):
        return [0, -1, value + 1, value - 1, 1 << 40, value * 1000][choice]
    if isinstance(value, str):
        return ["", value + "x", "left-side", "mid-side", "I;16", "../etc"][choice]
    if isinstance(value, list):
        return value[:-1] if value and choice < 3 else value + [0]
    if isinstance(value, dict) and value:
        key = sorted(value)[int(rng.integers(len(value)))]
        return {k: v for k, v in value.items() if k != key} if choice < 2 else value | {key: _odd_value(value[key], rng)}
    return value


def _as_count(value) -> int:
    """A varint field's value from an odd value: a number >= 0."""
    return max(int(value), 0) if isinstance(value, (int, float)) else 0


def _mutate_fields(blob: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    """A framed archive re-packed with one header, media or frame field changed (checksums recomputed)."""
    import dataclasses
    import io

    from gencomp.archive.layout import EndRecord, StreamReader, pack_end, pack_frame, pack_stream_header

    reader = StreamReader(io.BytesIO(blob))
    header, records = reader.header(), []
    while not isinstance(record := reader.next(header), EndRecord):
        records.append(record)
    fields = ["codec", "identity", "chunk_size_bytes", "frame_bytes"] + (["media"] * 3 if header.media else [])
    fields += ["frame"] * 2 if records else []
    field = fields[int(rng.integers(len(fields)))]
    if field == "frame":
        i = int(rng.integers(len(records)))
        frame = records[i]
        change = int(rng.integers(3))
        if change == 0:
            records[i] = dataclasses.replace(frame, original_bytes=_as_count(_odd_value(frame.original_bytes, rng)) or 1)
        elif change == 1:
            records[i] = dataclasses.replace(frame, payloads=frame.payloads[::-1] + [b""][: int(rng.integers(2))])
        else:
            records[i] = dataclasses.replace(frame, crc32=int(rng.integers(1 << 32)))
        field = f"frame {i}"
    elif field == "codec":
        header = dataclasses.replace(header, codec=["gzip", "cm", "lm:tiny", "image:7", "audio:2:24", "mix:tiny", "nope",
                                                    "lm:/etc/passwd"][int(rng.integers(8))])
    elif field in ("identity", "media"):
        header = dataclasses.replace(header, **{field: _odd_value(getattr(header, field), rng)})
    else:
        header = dataclasses.replace(header, **{field: _as_count(_odd_value(getattr(header, field), rng))})
    try:
        packed = pack_stream_header(header) + b"".join(pack_frame(r) for r in records) + pack_end(record)
    except (TypeError, ValueError, OverflowError):  # a value the writer cannot pack: the bytes way instead
        return _mutate_bytes(blob, rng)
    return packed, f"field {field}"


def _mutate_bytes(blob: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    """blob with 1–3 mutations, and what they were (e.g. "flip@812,cut@1400")."""
    data, done = bytearray(blob), []
    for _ in range(int(rng.integers(1, 4))):
        if not data:
            break
        region = rng.integers(3)  # anywhere, the header, the end
        at = int(rng.integers(len(data))) if region == 0 else (
            int(rng.integers(min(len(data), 64))) if region == 1 else max(0, len(data) - 1 - int(rng.integers(min(len(data), 32)))))
        kind = MUTATIONS[int(rng.integers(len(MUTATIONS)))]
        span = int(rng.integers(1, 17))
        if kind == "flip":
            data[at] ^= 1 << int(rng.integers(8))
        elif kind == "set":
            data[at] = int(rng.integers(256))
        elif kind == "cut":
            del data[at : at + span if rng.integers(2) else len(data)]
        elif kind == "insert":
            data[at:at] = rng.bytes(span)
        elif kind == "zero":
            data[at : at + span] = bytes(len(data[at : at + span]))
        else:
            data[at:at] = data[at : at + span]
        done.append(f"{kind}@{at}")
    return bytes(data), ",".join(done)


WORKER = """
import hashlib, io, sys, traceback
from gencomp.archive.stream import peek_header
from gencomp.compressors import decompress
from gencomp.errors import GencompError
from gencomp.media import rebuild_media_file

for line in sys.stdin:
    path, expected = line.split()
    blob = open(path, "rb").read()
    try:
        data = decompress(blob)
        header, _ = peek_header(io.BytesIO(blob))
        if header is not None and header.media is not None:
            rebuild_media_file(header.media, data)
        verdict = "ok" if hashlib.sha256(data).hexdigest() == expected else "wrong"
    except GencompError:
        verdict = "error"
    except Exception as exc:
        verdict = "exception:" + type(exc).__name__ + ":" + str(exc).replace(chr(10), " ")[:200]
    print(verdict, flush=True)
"""


class _Worker:
    """A decoding process fed one mutant path at a time."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)  # the process ended

    def decode(self, path: str, expected: str, timeout: float) -> str:
        try:
            self.process.stdin.write(f"{path} {expected}\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            return "crash"
        try:
            verdict = self.lines.get(timeout=timeout)
        except queue.Empty:
            return "hang"
        return "crash" if verdict is None else verdict

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def fuzz(count: int, seed: int, timeout: float, scratch: Path, max_claimed: Optional[int] = None) -> dict:
    """Decode `count` mutants; returns the verdicts' counts, the findings and the time taken. A mutant whose
    frames claim more than max_claimed original bytes (a crafted size the decoder must work through, up to
    ~1,500 bytes a payload byte: minutes at `mix`'s speed) is drawn but not decoded, its verdict "skipped"."""
    rng = np.random.default_rng(seed)
    archives = corpus()
    verdicts, findings, worker, start = Counter(), [], _Worker(), time.perf_counter()
    try:
        for i in range(count):
            name, blob, expected = archives[int(rng.integers(len(archives)))]
            mutant, how = mutate(blob, rng)
            claimed = _claimed_bytes(mutant)
            if max_claimed is not None and claimed > max_claimed:
                verdicts["skipped"] += 1
                continue
            path = scratch / f"mutant-{i % 2}.gcz"
            path.write_bytes(mutant)
            verdict = worker.decode(str(path), expected, timeout + claimed / SLOWEST_DECODE_BYTES_PER_S)
            verdicts[verdict.split(":")[0]] += 1
            if verdict not in ("ok", "error"):
                kept = scratch / f"finding-{i}.gcz"
                kept.write_bytes(mutant)
                findings.append({"mutant": i, "archive": name, "mutations": how, "verdict": verdict, "kept": str(kept)})
                if verdict in ("crash", "hang"):
                    worker.stop()
                    worker = _Worker()
    finally:
        worker.stop()
    return {"count": count, "seed": seed, "corpus": len(archives), "verdicts": dict(verdicts), "findings": findings,
            "seconds": time.perf_counter() - start}


def _claimed_bytes(blob: bytes) -> int:
    """The original bytes a framed archive's frame headers claim, as far as they parse (0 for none)."""
    import io

    from gencomp.archive.layout import EndRecord, StreamReader
    from gencomp.errors import GencompError

    total = 0
    try:
        reader = StreamReader(io.BytesIO(blob))
        header = reader.header()
        while not isinstance(record := reader.next(header), EndRecord):
            total += record.original_bytes
    except GencompError:
        pass
    return total


def report(result: dict) -> str:
    v = result["verdicts"]
    lines = [f"# Decoders fuzzed (python -m tests.fuzz_decoders --count {result['count']} --seed {result['seed']})", "",
             f"{result['count']:,} mutants of the {result['corpus']} golden archives (every codec and format, media records "
             f"included), decoded in {result['seconds']:.0f} s:", "",
             "| decoded exactly | refused with a clear error | crashed | hung | other exception | decoded wrong |",
             "|---|---|---|---|---|---|",
             f"| {v.get('ok', 0):,} | {v.get('error', 0):,} | {v.get('crash', 0)} | {v.get('hang', 0)} | "
             f"{v.get('exception', 0)} | {v.get('wrong', 0)} |"]
    for f in result["findings"]:
        lines.append(f"\n- mutant {f['mutant']} of {f['archive']} ({f['mutations']}): {f['verdict']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a mutant may take (a hang beyond)")
    parser.add_argument("--report", type=Path, help="write the table here (markdown) and its JSON beside it")
    parser.add_argument("--scratch", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "gencomp-fuzz")
    args = parser.parse_args(argv)
    args.scratch.mkdir(parents=True, exist_ok=True)
    result = fuzz(args.count, args.seed, args.timeout, args.scratch)
    text = report(result)
    print(text)
    if args.report:
        args.report.write_text(text)
        args.report.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    return 1 if result["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
