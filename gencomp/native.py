"""The compiled kernels: numba's, deferred, and native code for those Python calls on the hot path of
`cm`, `image` and `audio`, loaded without numba.

`njit` is numba's, deferred: a kernel module imports without numba (0.12 s of start-up), and numba
comes in at the first call of a kernel that has no native code (Kernel).

A kernel declared with `njit(native="...")` is compiled once through a numba cfunc, whose
machine code is written beside numba's caches (`gencomp/__pycache__/native-*`, else the user's cache
folder). Later starts load it with llvmlite alone and call it through ctypes: no numba import and no
refresh of numba's typing registries, 0.3 s of a small file's start-up. It is the same LLVM's code for
the same kernel, so its results are the numba kernel's bit for bit (tests/test_native.py).

The ABI: a 1-D array goes as (pointer, length), a 2-D one as (pointer, rows, columns), C-contiguous;
scalars as int64 or float64; the kernel's results (scalars) come back through one-element arrays.
Objects are keyed by the package's sources, numba's and llvmlite's versions, the Python version, the
CPU and NUMBA_* settings. Where anything is missing or fails, the kernel runs as numba's.
GENCOMP_NATIVE=0 turns this off."""

from __future__ import annotations

import builtins
import ctypes
import functools
import hashlib
import importlib.machinery
import importlib.metadata
import importlib.util
import json
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from gencomp import jit

DTYPES = {"u1": np.uint8, "u4": np.uint32, "i4": np.int32, "i8": np.int64, "f8": np.float64}
SCALARS = {"i8": ctypes.c_int64, "f8": ctypes.c_double, "b1": ctypes.c_int64}


class NotNative(TypeError):
    """Arguments the native ABI does not take (the kernel's dispatcher does)."""


@dataclass(frozen=True)
class Param:
    """One parameter of a native ABI: an array of `dtype` and `ndim`, or a scalar (ndim 0) of `code`."""

    code: str
    ndim: int

    @staticmethod
    def parse(token: str) -> "Param":
        code, _, dims = token.partition("[")
        ndim = dims.count(":")
        if (ndim and code not in DTYPES) or ndim > 2 or (not ndim and code not in SCALARS):
            raise ValueError(f"native ABI: cannot pass {token!r}")
        return Param(code, ndim)


def parse_abi(abi: str) -> tuple[list[Param], list[Param]]:
    """'u1[:] i8 -> i8 f8' as (parameters, results)."""
    params, _, results = abi.partition("->")
    return [Param.parse(t) for t in params.split()], [Param.parse(t) for t in results.split()]


class Kernel:
    """A numba kernel before numba is imported: calling it runs its native code where it declares an
    ABI and that code loads, else numba's dispatcher, made at its first use. numba
    types a Kernel as its dispatcher, so kernels call kernels as numba's own. Other attributes are the
    dispatcher's."""

    def __init__(self, py_func: Callable, options: dict, native: Optional[str]):
        functools.update_wrapper(self, py_func)
        self.py_func, self.options, self.native = py_func, options, native
        self._dispatcher = None
        self._entry = _UNMADE  # entry(self), once made

    def __call__(self, *args):
        if self.native is not None:
            native = entry(self)
            if native is not None:
                try:
                    return native(*args)
                except NotNative:  # arguments outside its ABI (a strided array): numba takes any
                    pass
        return self.dispatcher(*args)

    @property
    def dispatcher(self) -> Any:
        if self._dispatcher is None:
            with _dispatcher_lock:
                if self._dispatcher is None:
                    self._dispatcher = _numba().njit(**self.options)(self.py_func)
        return self._dispatcher

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.dispatcher, name)


# Two locks: making a native entry compiles under numba's compiler lock, and a compile on another
# thread that meets a Kernel asks for its dispatcher; one lock for both deadlocks (the app's threads did).
_dispatcher_lock = threading.RLock()  # held only while a dispatcher is made, never across a compile
_entry_lock = threading.RLock()  # held while a native entry is loaded or built
_UNMADE = object()
_keep: list = []  # llvmlite engines and cfuncs whose code is in use


@functools.lru_cache(maxsize=None)
def _numba():
    """numba, imported, with Kernel typed as its dispatcher."""
    import numba
    from numba.extending import typeof_impl

    @typeof_impl.register(Kernel)
    def _typeof_kernel(kernel, context):
        return typeof_impl(kernel.dispatcher, context)

    return numba


def njit(*args, native: Optional[str] = None, **options) -> Any:
    """numba.njit, deferred (see Kernel). native: the kernel's ABI (module docstring), e.g.
    "u1[:] i8[:,:] i8 -> i8 f8" (arrays as dtype[:] or dtype[:,:], C-contiguous; scalars int64,
    float64 or bool; its results, scalars, after the arrow)."""
    if args:  # @njit without parentheses
        return njit(native=native, **options)(args[0])
    return lambda py_func: Kernel(py_func, options, native)


def entry(kernel: Kernel) -> Optional[Callable]:
    """The kernel's native entry (a callable taking the kernel's own arguments), or None."""
    if kernel._entry is _UNMADE:
        with _entry_lock:
            if kernel._entry is _UNMADE:
                kernel._entry = _make_entry(kernel, f"{kernel.__module__}.{kernel.__qualname__}")
    return kernel._entry


def _make_entry(kernel: Kernel, name: str) -> Optional[Callable]:
    if os.environ.get("GENCOMP_NATIVE", "1") == "0" or not jit.CACHE:
        return None
    params, results = parse_abi(kernel.native)
    try:
        folder = _cache_folder()
        stem = folder / f"native-{_key()}-{name}"  # + .o, .json
        address = _load(stem)
        if address is None:
            address = _build(kernel, params, results, stem)
    except Exception:  # noqa: BLE001 — any failure here leaves the kernel to numba, which computes the same
        return None
    return _caller(address, params, results, name)


def _caller(address: int, params: list[Param], results: list[Param], name: str) -> Callable:
    """A Python callable taking the kernel's arguments and returning its results, calling the code at address."""
    c_args = []
    for p in params:
        c_args += [ctypes.c_void_p] + [ctypes.c_int64] * p.ndim if p.ndim else [SCALARS[p.code]]
    function = ctypes.CFUNCTYPE(None, *c_args, *[ctypes.c_void_p] * len(results))(address)
    dtypes = [DTYPES[p.code] if p.ndim else None for p in params]

    def call(*args):
        if len(args) != len(params):
            raise NotNative(f"{name} takes {len(params)} arguments, got {len(args)}")
        flat = []
        for arg, p, dtype in zip(args, params, dtypes):
            if p.ndim:
                if not (isinstance(arg, np.ndarray) and arg.dtype == dtype and arg.ndim == p.ndim
                        and arg.flags.c_contiguous):
                    raise NotNative(f"{name}: expected a C-contiguous {p.ndim}-D {np.dtype(dtype)} array, got "
                                    f"{getattr(arg, 'dtype', type(arg).__name__)} {getattr(arg, 'shape', '')}")
                flat += [arg.ctypes.data, *arg.shape]
            else:
                flat.append(float(arg) if p.code == "f8" else int(arg))
        out = [np.zeros(1, DTYPES["f8" if r.code == "f8" else "i8"]) for r in results]
        function(*flat, *[o.ctypes.data for o in out])
        values = [bool(o[0]) if r.code == "b1" else o[0].item() for o, r in zip(out, results)]
        return None if not values else values[0] if len(values) == 1 else tuple(values)

    return call


# --- building (numba) -------------------------------------------------------------------------


def _wrapper_source(params: list[Param], results: list[Param]) -> str:
    """The cfunc that unpacks the ABI and calls `target` (the kernel's dispatcher)."""
    names, args = [], []
    for i, p in enumerate(params):
        if p.ndim == 0:
            names.append(f"s{i}")
            args.append(f"s{i} != 0" if p.code == "b1" else f"s{i}")
        else:
            dims = [f"n{i}_{d}" for d in range(p.ndim)]
            names += [f"p{i}", *dims]
            args.append(f"carray(p{i}, ({', '.join(dims)},))")
    outs = [f"r{j}" for j in range(len(results))]
    body = f"    value = target({', '.join(args)})\n"
    if len(results) == 1:
        body += "    r0[0] = value\n"
    else:
        body += "".join(f"    r{j}[0] = value[{j}]\n" for j in range(len(results)))
    return f"def wrapper({', '.join(names + outs)}):\n{body}"


def _build(kernel: Kernel, params: list[Param], results: list[Param], stem: Path) -> int:
    """Compile the kernel's cfunc, write its object code and what it needs to stem.o / stem.json, and
    return the cfunc's address in this process."""
    from numba import carray, cfunc, types

    numba_types = {"u1": types.uint8, "u4": types.uint32, "i4": types.int32, "i8": types.int64,
                   "f8": types.float64, "b1": types.int64}
    signature = []
    for p in params:
        signature += [types.CPointer(numba_types[p.code])] + [types.int64] * p.ndim if p.ndim \
            else [numba_types[p.code]]
    signature += [types.CPointer(types.float64 if r.code == "f8" else types.int64) for r in results]
    namespace = {"target": kernel.dispatcher, "carray": carray}
    exec(_wrapper_source(params, results), namespace)  # noqa: S102 — source generated above from the ABI
    compiled = cfunc(types.void(*signature))(namespace["wrapper"])
    _keep.append(compiled)
    library = compiled._library  # numba internals: any change there makes _make_entry fall back to numba
    library._ensure_finalized()
    module = library._final_module
    needs = sorted(name for name in {f.name for f in module.functions if f.is_declaration}
                   | {g.name for g in module.global_variables if g.is_declaration} if not name.startswith("llvm."))
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
        _write(Path(f"{stem}.o"), library._codegen._tm.emit_object(module))
        _write(Path(f"{stem}.json"), json.dumps({"name": compiled.native_name, "needs": needs}).encode())
    except OSError:
        pass  # nowhere to keep it: numba's cfunc serves this process
    return compiled.address


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)


# --- loading (llvmlite alone) -----------------------------------------------------------------


def _load(stem: Path) -> Optional[int]:
    """The address of the function in stem.o once loaded, or None where it is not there or needs a
    symbol nobody provides (an unresolved symbol would abort the process inside LLVM)."""
    try:
        meta = json.loads(Path(f"{stem}.json").read_text())
        code = Path(f"{stem}.o").read_bytes()
    except (OSError, ValueError):
        return None
    import llvmlite.binding as ll

    _provide_symbols()
    process = ctypes.PyDLL(None)  # the interpreter, libc and libm: every symbol in the global scope
    for name in meta["needs"]:
        if ll.address_of_symbol(name) is None:
            try:
                ll.add_symbol(name, ctypes.addressof(ctypes.c_char.in_dll(process, name)))
            except ValueError:
                return None
    engine = ll.create_mcjit_compiler(ll.parse_assembly(""), _target_machine())
    engine.add_object_file(ll.ObjectFileRef.from_data(code))
    engine.finalize_object()
    _keep.append(engine)
    return engine.get_function_address(meta["name"]) or None


@functools.lru_cache(maxsize=None)
def _target_machine():
    import llvmlite.binding as ll

    ll.initialize_native_target()
    ll.initialize_native_asmprinter()
    return ll.Target.from_default_triple().create_target_machine(
        cpu=ll.get_host_cpu_name(), features=ll.get_host_cpu_features().flatten(), jit=True)


@functools.lru_cache(maxsize=None)
def _provide_symbols() -> None:
    """Tell LLVM where numba's C helpers and its runtime (NRT) are, as numba does, without importing
    numba: its two extension modules load on their own."""
    import llvmlite.binding as ll

    helpers, runtime = _extension("numba._helperlib"), _extension("numba.core.runtime._nrt_python")
    runtime.memsys_use_cpython_allocator()  # as numba's import does (again, if it did)
    for name, address in helpers.c_helpers.items():
        ll.add_symbol(f"numba_{name}", address)
    for name, address in runtime.c_helpers.items():
        ll.add_symbol(name if name.startswith("_") else f"NRT_{name}", address)
    ll.add_symbol("_Py_NoneStruct", id(None))
    for value in vars(builtins).values():
        if isinstance(value, type) and issubclass(value, BaseException):
            ll.add_symbol(f"PyExc_{value.__name__}", id(value))


def _extension(name: str):
    """One of numba's C extension modules: numba's own where numba is imported, else loaded by itself
    (its package's __init__ imports all of numba) and not registered, so that numba's import loads it
    as usual (a single-phase extension: one C state, a copy of its dict)."""
    if name in sys.modules:
        return sys.modules[name]
    root = Path(importlib.util.find_spec("numba").submodule_search_locations[0])
    *package, last = name.split(".")[1:]
    folder = root.joinpath(*package)
    path = next(p for p in folder.iterdir() if p.name.startswith(f"{last}.") and p.suffix in (".so", ".pyd"))
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_file_location(name, path, loader=loader))
    loader.exec_module(module)
    return module


def _cache_folder() -> Path:
    folder = Path(jit.__file__).parent / "__pycache__"
    if os.access(folder, os.W_OK) or (not folder.exists() and os.access(folder.parent, os.W_OK)):
        return folder
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gencomp" / "native"


@functools.lru_cache(maxsize=None)
def _key() -> str:
    import llvmlite.binding as ll

    parts = [jit.FINGERPRINT or jit.source_fingerprint(Path(jit.__file__).parent), sys.version,
             importlib.metadata.version("numba"), importlib.metadata.version("llvmlite"),
             ll.get_host_cpu_name(), ll.get_host_cpu_features().flatten(),
             *sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("NUMBA_"))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
