"""Run in a fresh process under one CPU setting (environment variables set by the caller):
compress each input with each codec, and decode the reference archives.

    python -m tests.portability.worker FOLDER [--perturb-libm]

FOLDER holds inputs/*.bin and, from the reference run, archives/*.gcz; this run writes
out/<codec>.<input>.gcz and out/decoded.json (which reference archives decoded exactly).
--perturb-libm moves every result of numpy's and math's exp/log family one ulp, alternately up
and down: a stand-in for another CPU's or release's libm, which may differ in the last bit.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np

CODECS = ["cm", "audio", "lm:tiny-v2", "mix:tiny-v2", "gzip-model"]  # the kernel is the same for every shipped model;
#   audio: its least-squares stage is float64 arithmetic


def perturb_libm() -> None:
    def nudge_array(fn):
        def wrapped(*args, **kwargs):
            out = np.asarray(fn(*args, **kwargs))
            if out.dtype.kind != "f":
                return out
            flat = out.reshape(-1).copy()
            up = np.arange(flat.size) % 2 == 0
            flat[up] = np.nextafter(flat[up], np.inf)
            flat[~up] = np.nextafter(flat[~up], -np.inf)
            return flat.reshape(out.shape)[()] if out.ndim else flat[0]
        return wrapped

    def nudge_scalar(fn):
        return lambda *args: math.nextafter(fn(*args), math.inf)

    for name in ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p"):
        setattr(np, name, nudge_array(getattr(np, name)))
    for name in ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p"):
        setattr(math, name, nudge_scalar(getattr(math, name)))


def build(spec: str):
    import gencomp
    from gencomp.compressors.lm import LMCompressor
    from gencomp.sampling.compressor_model import CompressorModel

    if spec == "gzip-model":  # the compressor-as-model path, coded by the same coder
        return LMCompressor(CompressorModel(gencomp.get_compressor("gzip"), max_context_bytes=256), "gzip-model", 512)
    return gencomp.get_compressor(spec)


def main(folder: Path, perturb: bool) -> None:
    compressors = {spec: build(spec) for spec in CODECS}
    for compressor in compressors.values():  # every library loaded (numba's lazily) before libm is bent
        compressor.decompress(compressor.compress(b"warm up"))
    if perturb:
        perturb_libm()
    out = folder / "out"
    out.mkdir(exist_ok=True)
    inputs = {p.stem: p.read_bytes() for p in sorted((folder / "inputs").glob("*.bin"))}
    decoded = {}
    for spec, compressor in compressors.items():
        for name, data in inputs.items():
            (out / f"{spec.replace(':', '-')}.{name}.gcz").write_bytes(compressor.compress(data))
            reference = folder / "archives" / f"{spec.replace(':', '-')}.{name}.gcz"
            if reference.exists():
                try:
                    result = compressor.decompress(reference.read_bytes())
                    decoded[reference.name] = hashlib.sha256(result).hexdigest() == hashlib.sha256(data).hexdigest()
                except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
                    decoded[reference.name] = f"{type(exc).__name__}: {exc}"
    (out / "decoded.json").write_text(json.dumps(decoded))


if __name__ == "__main__":
    main(Path(sys.argv[1]), "--perturb-libm" in sys.argv)
