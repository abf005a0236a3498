"""The planner lets a window kernel's output overlap its input from the distance
window.streaming_overlap_distance() computes. Check that promise on the kernels themselves:
input placed exactly that far after the output gives the same result as separate buffers."""

import ctypes
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relomodel.compiler.ops.window import leading_padding, output_size, streaming_overlap_distance
from relomodel.kernels import KERNEL_DIR

KERNELS = ("relo_conv_s8.c", "relo_depthwise_conv_s8.c", "relo_average_pool_s8.c", "relo_max_pool_s8.c")
I32 = ctypes.c_int32
WINDOW_FIELDS = ("batches", "input_height", "input_width", "output_height", "output_width", "filter_height",
                 "filter_width", "stride_height", "stride_width", "dilation_height", "dilation_width",
                 "pad_top", "pad_left")


class Window(ctypes.Structure):  # relo_window_t
    _fields_ = [(name, I32) for name in WINDOW_FIELDS]


class ConvParams(ctypes.Structure):  # relo_conv_params_t
    _fields_ = [("window", Window)] + [(n, I32) for n in (
        "input_depth", "filter_input_depth", "output_depth", "input_offset", "output_offset",
        "activation_min", "activation_max", "filter_offset")]


class DepthwiseParams(ctypes.Structure):  # relo_depthwise_conv_params_t
    _fields_ = [("window", Window)] + [(n, I32) for n in (
        "input_depth", "depth_multiplier", "input_offset", "output_offset", "activation_min", "activation_max",
        "filter_offset")]


class PoolParams(ctypes.Structure):  # relo_pool_params_t
    _fields_ = [("window", Window)] + [(n, I32) for n in ("depth", "activation_min", "activation_max", "round_ties_up")]


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    if shutil.which("gcc") is None:
        pytest.skip("host gcc is not installed")
    library = tmp_path_factory.mktemp("overlap") / "kernels.so"
    subprocess.run(["gcc", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared",
                    f"-I{KERNEL_DIR}", *[str(KERNEL_DIR / k) for k in KERNELS], "-o", str(library)],
                   check=True, capture_output=True)
    return ctypes.CDLL(str(library))


def _ptr(array: np.ndarray, offset: int = 0):
    return ctypes.c_void_p(array.ctypes.data + offset)


@st.composite
def cases(draw):
    kind = draw(st.sampled_from(["conv", "depthwise", "average", "max"]))
    padding = draw(st.sampled_from(["SAME", "VALID"]))
    window = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if kind in ("conv", "depthwise") else (1, 1)
    effective = [(k - 1) * d + 1 for k, d in zip(window, dilation)]
    in_hw = (draw(st.integers(effective[0], 12)), draw(st.integers(effective[1], 12)))
    out_hw = tuple(output_size(padding, i, k, s, d) for i, k, s, d in zip(in_hw, window, stride, dilation))
    geometry = dict(zip(WINDOW_FIELDS, (
        draw(st.integers(1, 2)), *in_hw, *out_hw, *window, *stride, *dilation,
        *(leading_padding(i, k, s, d, o) for i, k, s, d, o in zip(in_hw, window, stride, dilation, out_hw)))))
    in_depth = draw(st.integers(1, 5))
    out_depth = {"conv": draw(st.integers(1, 12)), "depthwise": in_depth * draw(st.integers(1, 3))}.get(kind, in_depth)
    return kind, geometry, in_depth, out_depth, draw(st.integers(0, 2**32 - 1))


def _run(kernels, kind, geometry, in_depth, out_depth, rng_seed, arena, in_at, out_at):
    rng = np.random.default_rng(rng_seed)
    window = Window(**geometry)
    multipliers = np.full(out_depth, 1 << 30, dtype=np.int32)
    shifts = np.full(out_depth, -6, dtype=np.int32)
    if kind == "conv":
        filters = rng.integers(-127, 128, (out_depth, geometry["filter_height"], geometry["filter_width"],
                                           in_depth)).astype(np.int8)
        params = ConvParams(window, in_depth, in_depth, out_depth, 3, -2, -128, 127)
        return kernels.relo_conv_s8(ctypes.byref(params), _ptr(arena, in_at), _ptr(filters), None,
                                    _ptr(multipliers), _ptr(shifts), _ptr(arena, out_at))
    if kind == "depthwise":
        filters = rng.integers(-127, 128, (1, geometry["filter_height"], geometry["filter_width"],
                                           out_depth)).astype(np.int8)
        params = DepthwiseParams(window, in_depth, out_depth // in_depth, 3, -2, -128, 127)
        return kernels.relo_depthwise_conv_s8(ctypes.byref(params), _ptr(arena, in_at), _ptr(filters), None,
                                              _ptr(multipliers), _ptr(shifts), _ptr(arena, out_at))
    params = PoolParams(window, in_depth, -128, 127)
    function = kernels.relo_average_pool_s8 if kind == "average" else kernels.relo_max_pool_s8
    return function(ctypes.byref(params), _ptr(arena, in_at), _ptr(arena, out_at))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(cases())
def test_output_may_overlap_input_from_the_computed_distance(kernels, case):
    kind, geometry, in_depth, out_depth, seed = case
    in_size = geometry["batches"] * geometry["input_height"] * geometry["input_width"] * in_depth
    out_size = geometry["batches"] * geometry["output_height"] * geometry["output_width"] * out_depth
    image = np.random.default_rng(seed + 1).integers(-128, 128, in_size).astype(np.int8)

    separate = np.zeros(in_size + out_size, dtype=np.int8)
    separate[:in_size] = image
    assert _run(kernels, kind, geometry, in_depth, out_depth, seed, separate, 0, in_size) == 0
    expected = separate[in_size:].copy()

    distance = streaming_overlap_distance(geometry, in_depth, out_depth)
    assert 0 <= distance <= out_size
    shared = np.zeros(max(out_size, distance + in_size), dtype=np.int8)
    shared[distance:distance + in_size] = image
    assert _run(kernels, kind, geometry, in_depth, out_depth, seed, shared, distance, 0) == 0
    assert np.array_equal(shared[:out_size], expected)
