"""Run a CompiledModel natively on the host: generated C + kernels -> shared library -> ctypes.

For fast tests and bit-exactness checks; the emulated board runs the same C code. Libraries
are cached by content hash under $RELOMODEL_HOSTRUN_CACHE (default: <tmp>/relomodel-hostrun-<uid>).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from relomodel.compiler.model import CompiledModel, TensorInfo
from relomodel.errors import BuildError
from relomodel.format import spec

HOST_CFLAGS = ("-O2", "-fPIC", "-shared", "-fvisibility=hidden", "-std=c11",
               "-Wall", "-Wextra", "-Werror",
               "-ffp-contract=off")  # float32: the same arithmetic as the device (build/toolchain.py)
_NUMPY_OF_DTYPE = {
    int(spec.DTYPE.FLOAT32): np.float32,
    int(spec.DTYPE.INT8): np.int8,
    int(spec.DTYPE.UINT8): np.uint8,
    int(spec.DTYPE.INT16): np.int16,
    int(spec.DTYPE.INT32): np.int32,
}


def cache_dir() -> Path:
    default = Path(tempfile.gettempdir()) / f"relomodel-hostrun-{os.getuid()}"
    return Path(os.environ.get("RELOMODEL_HOSTRUN_CACHE", default))


def build_host_library(model: CompiledModel, *, compiler: str = "gcc") -> Path:
    """Compile the model for the host; returns the cached .so path."""
    if shutil.which(compiler) is None:
        raise BuildError(f"host C compiler {compiler!r} not found")
    sources = dict(model.c_sources)
    for path in model.kernel_files:
        sources[path.name] = path.read_text()
    headers = {p.name: p.read_text() for d in model.include_dirs for p in sorted(d.glob("*.h"))}
    digest = hashlib.sha256()
    for name, text in sorted({**sources, **headers}.items()) + [("flags", " ".join(HOST_CFLAGS))]:
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    out_dir = cache_dir() / digest.hexdigest()[:24]
    library = out_dir / "model.so"
    if library.exists():
        return library
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in model.c_sources.items():
        (out_dir / name).write_text(text)
    c_files = [out_dir / n for n in model.c_sources] + list(model.kernel_files)
    includes = [f"-I{d}" for d in model.include_dirs]
    partial = out_dir / f"model.so.{os.getpid()}.tmp"
    command = [compiler, *HOST_CFLAGS, *includes, *map(str, c_files), "-o", str(partial), "-lm"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"host build of {model.name} failed:\n{result.stderr.strip()}")
    partial.replace(library)  # atomic: parallel test workers never see half a library
    return library


class HostModel:
    """A compiled model loaded into this process; one arena, reused across runs."""

    def __init__(self, model: CompiledModel, *, compiler: str = "gcc"):
        self.model = model
        self._lib = ctypes.CDLL(str(build_host_library(model, compiler=compiler)))
        for entry in ("relo_model_init", "relo_model_run"):
            function = getattr(self._lib, entry)
            function.argtypes = [ctypes.c_void_p]
            function.restype = ctypes.c_int32
        # over-allocate, then slice an aligned window out of it
        raw = np.zeros(model.arena_size + model.arena_align, dtype=np.uint8)
        start = (-raw.ctypes.data) % model.arena_align
        self._raw = raw
        self.arena = raw[start:start + model.arena_size]
        status = self._lib.relo_model_init(self.arena.ctypes.data)
        if status != 0:
            raise BuildError(f"relo_model_init failed with status {status:#x}")

    def reset_state(self) -> None:
        """Call relo_model_reset_state (stateful models only), as the firmware's RESET_STATE does."""
        if not self.model.stateful:
            raise ValueError(f"model {self.model.name} is not stateful")
        reset = self._lib.relo_model_reset_state
        reset.argtypes = [ctypes.c_void_p]
        reset.restype = ctypes.c_int32
        status = reset(self.arena.ctypes.data)
        if status != 0:
            raise RuntimeError(f"relo_model_reset_state failed with status {status:#x}")

    def run(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        if len(inputs) != len(self.model.inputs):
            raise ValueError(f"model takes {len(self.model.inputs)} inputs, got {len(inputs)}")
        for info, value in zip(self.model.inputs, inputs):
            self._view(info)[...] = np.asarray(value, dtype=_NUMPY_OF_DTYPE[info.dtype]).reshape(info.shape)
        status = self._lib.relo_model_run(self.arena.ctypes.data)
        if status != 0:
            raise RuntimeError(f"relo_model_run failed with status {status:#x}")
        return [self._view(info).copy() for info in self.model.outputs]

    def _view(self, info: TensorInfo) -> np.ndarray:
        window = self.arena[info.arena_offset:info.arena_offset + info.size_bytes]
        return window.view(_NUMPY_OF_DTYPE[info.dtype]).reshape(info.shape)
