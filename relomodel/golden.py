"""Golden test vectors for a package: inputs, and the outputs the model must give for them.

`relomodel pack` stores them in the package's TEST_VECTORS segment; the device runs them on a
newly installed model and confirms it only when every output byte matches (its self-test).
Expected outputs come from the TFLite Micro reference interpreter, the oracle every other
test of the compiler uses. Models it cannot judge (LiteRT rounding differs from TFLM on
purpose; hand-written C models have no .tflite) use our own kernels run natively on the host.
"""

from __future__ import annotations

import hashlib

import numpy as np

from relomodel.compiler.model import CompiledModel, TensorInfo
from relomodel.format import spec
from relomodel.transport.device import NUMPY_DTYPES

DEFAULT_COUNT = 2  # vectors per package (steps of one sequence for a stateful model)
MAX_BYTES = 64 * 1024  # cap on the segment: fewer vectors for models with large tensors

Vector = tuple[list[bytes], list[bytes]]  # (bytes of every input, expected bytes of every output)


def make_test_vectors(compiled: CompiledModel, model_bytes: bytes | None, count: int = DEFAULT_COUNT) -> list[Vector]:
    """`count` (fewer if they would exceed MAX_BYTES, at least 1) vectors. A stateful model's
    vectors form one sequence starting from the reset state, as the device runs them."""
    stride = sum(t.size_bytes for t in (*compiled.inputs, *compiled.outputs))
    count = max(1, min(count, MAX_BYTES // max(stride, 1)))
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(compiled.source_sha256).digest()[:8], "little"))
    steps = [[_random_input(rng, t) for t in compiled.inputs] for _ in range(count)]
    if model_bytes is not None and not compiled.litert_rounding and not _has_uint8(model_bytes) \
            and not _computes_in_float(model_bytes):
        from relomodel.reference import run_reference_sequence

        results = run_reference_sequence(model_bytes, steps)
    else:
        results = _run_on_host(compiled, steps)
    return [(_as_bytes(inputs, compiled.inputs), _as_bytes(outputs, compiled.outputs))
            for inputs, outputs in zip(steps, results)]


def _random_input(rng: np.random.Generator, t: TensorInfo) -> np.ndarray:
    dtype = NUMPY_DTYPES[t.dtype]
    if t.dtype == spec.DTYPE.FLOAT32:
        return rng.uniform(-1.0, 1.0, t.shape).astype(dtype)
    if t.dtype == spec.DTYPE.INT32:
        return rng.integers(-100, 101, t.shape).astype(dtype)  # indices and counts stay small
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, t.shape, endpoint=True).astype(dtype)


def _has_uint8(model_bytes: bytes) -> bool:
    """uint8 models (TF1 quantization): TFLite Micro has no uint8 kernels and refuses them."""
    from relomodel.compiler.tflite_reader import read_tflite

    return any(t.dtype == "uint8" for t in read_tflite(model_bytes).tensors)


def _computes_in_float(model_bytes: bytes) -> bool:
    """float32 operators agree with TFLite Micro within a tolerance, not bit for bit (our
    exp/tanh, docs/float-models.md); the host build computes exactly what the device does."""
    from relomodel.compiler.ops.float32 import computes_in_float
    from relomodel.compiler.tflite_reader import read_tflite

    return computes_in_float(read_tflite(model_bytes))


def _run_on_host(compiled: CompiledModel, steps: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    from relomodel.compiler.hostrun import HostModel

    model = HostModel(compiled)
    return [model.run(inputs) for inputs in steps]


def _as_bytes(arrays: list[np.ndarray], infos: list[TensorInfo]) -> list[bytes]:
    return [np.asarray(a).astype(NUMPY_DTYPES[t.dtype], copy=False).reshape(t.shape).tobytes()
            for a, t in zip(arrays, infos)]
