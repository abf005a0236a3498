"""Our float exp/tanh/sigmoid (relo_nn_float.h) against double precision, and the float32
kernels' single-precision discipline: no double arithmetic on the Cortex-M4F's single-precision
FPU (-Wdouble-promotion clean, no soft-float double helpers in the objects)."""

import ctypes
import shutil
import subprocess

import numpy as np
import pytest

from relomodel.build.toolchain import PIC_FLAGS
from relomodel.kernels import KERNEL_DIR
from relomodel.targets import TARGETS

STRICT = ("-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wdouble-promotion", "-ffp-contract=off")
FLOAT_KERNELS = sorted(KERNEL_DIR.glob("relo_*_f32.c"))
MAX_ULP = 2.5  # documented in relo_nn_float.h and docs/float-models.md (measured: up to 2.0)
HARNESS = """
#include "relo_nn_float.h"
#define APPLY(name, f) void name(const float *x, float *y, int n) { for (int i = 0; i < n; ++i) y[i] = f(x[i]); }
APPLY(apply_exp, relo_f32_exp)
APPLY(apply_tanh, relo_f32_tanh)
APPLY(apply_sigmoid, relo_f32_sigmoid)
"""


@pytest.fixture(scope="module")
def float_math(tmp_path_factory):
    if shutil.which("gcc") is None:
        pytest.skip("host gcc is not installed")
    work = tmp_path_factory.mktemp("float_math")
    (work / "harness.c").write_text(HARNESS)
    library = work / "harness.so"
    subprocess.run(["gcc", *STRICT, "-fPIC", "-shared", f"-I{KERNEL_DIR}", str(work / "harness.c"),
                    "-o", str(library)], check=True, capture_output=True, text=True)
    lib = ctypes.CDLL(str(library))

    def apply(name, x):
        x = np.ascontiguousarray(x, dtype=np.float32)
        y = np.empty_like(x)
        getattr(lib, name)(x.ctypes.data_as(ctypes.c_void_p), y.ctypes.data_as(ctypes.c_void_p), ctypes.c_int(x.size))
        return y
    return apply


def _sweep() -> np.ndarray:
    """Every 97th float in [-110, 110] (both signs, through the over/underflow thresholds)."""
    positive = np.arange(0, int(np.float32(110.0).view(np.uint32)) + 1, 97, dtype=np.uint32).view(np.float32)
    return np.concatenate([positive, -positive])


def _tflm_sigmoid(x):
    """TFLite Micro's float LOGISTIC: 1 above 16.619047, e^x below -9, else 1 / (1 + e^-x)."""
    with np.errstate(over="ignore"):
        return np.where(x > 16.619047164916992, 1.0, np.where(x < -9.0, np.exp(x), 1.0 / (1.0 + np.exp(-x))))


def _max_ulp_error(got: np.ndarray, exact: np.ndarray) -> float:
    """Largest |got - exact| in units of the float32 spacing at the exact value (normal results)."""
    rounded = exact.astype(np.float32)
    normal = np.isfinite(rounded) & (np.abs(rounded) >= np.finfo(np.float32).tiny)
    spacing = np.spacing(np.abs(rounded[normal])).astype(np.float64)
    return float(np.max(np.abs(got[normal].astype(np.float64) - exact[normal]) / spacing))


@pytest.mark.parametrize("name, exact", [
    ("apply_exp", np.exp), ("apply_tanh", np.tanh), ("apply_sigmoid", _tflm_sigmoid),
])
def test_max_error_is_within_documented_ulps(float_math, name, exact):
    x = _sweep()
    with np.errstate(over="ignore"):
        error = _max_ulp_error(float_math(name, x), exact(x.astype(np.float64)))
    assert error <= MAX_ULP, f"{name}: {error:.3f} ulp"


def test_exp_edges(float_math):
    x = np.array([88.72283935546875, 88.72283172607422, -87.5, -103.9, -104.0, np.inf, -np.inf, np.nan, 0.0],
                 dtype=np.float32)
    got = float_math("apply_exp", x)
    assert got[0] == np.inf and np.isfinite(got[1]) and got[1] > 3.4e38
    assert 0 < got[2] < np.finfo(np.float32).tiny and 0 < got[3]  # subnormal results
    assert got[4] == 0.0 and got[5] == np.inf and got[6] == 0.0 and np.isnan(got[7]) and got[8] == 1.0


def test_tanh_is_odd_and_saturates(float_math):
    x = _sweep()
    assert np.array_equal(float_math("apply_tanh", x), -float_math("apply_tanh", -x))
    assert np.all(float_math("apply_tanh", np.array([9.2, 50.0, np.inf], np.float32)) == 1.0)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="arm-none-eabi-gcc is not installed")
@pytest.mark.parametrize("kernel", FLOAT_KERNELS, ids=lambda p: p.name)
def test_float_kernel_uses_single_precision_only(kernel, tmp_path):
    target = TARGETS["cortex-m4"]
    obj = tmp_path / (kernel.stem + ".o")
    result = subprocess.run(["arm-none-eabi-gcc", *target.cflags, *PIC_FLAGS, *STRICT, f"-I{KERNEL_DIR}", "-c",
                             str(kernel), "-o", str(obj)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    listing = subprocess.run(["arm-none-eabi-nm", "-u", str(obj)], capture_output=True, text=True, check=True).stdout
    undefined = [line.split()[-1] for line in listing.splitlines() if line.strip()]
    helpers = set(undefined) - {"memcpy", "memset"}  # e.g. __aeabi_dmul, __aeabi_f2d: double arithmetic
    assert not helpers, f"{kernel.name} calls {sorted(helpers)}"
