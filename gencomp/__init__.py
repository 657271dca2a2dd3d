"""gencomp: predictors as compressors, compressors as predictors.

The package face is lazy (PEP 562): `import gencomp` loads nothing else until a name is used, and a
codec's module is imported when the codec is first asked for, so a command imports what it runs.
"""

import importlib

__version__ = "0.33.0"

_EXPORTS = {  # name -> the module it comes from
    "COMPRESSORS": "gencomp.compressors",
    "Compressor": "gencomp.compressors",
    "compress": "gencomp.compressors",
    "decompress": "gencomp.compressors",
    "get_compressor": "gencomp.compressors",
    "open": "gencomp.file",
    "GencompError": "gencomp.errors",
    "Predictor": "gencomp.models.predictor",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gencomp' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
