"""Property tests for uint8 operators: random single-op uint8 models (asymmetric weights), our
C (int8 kernels after the uint8 -> int8 pass) vs LiteRT's reference kernels, bit for bit."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relomodel.modelgen.uint8_models import (
    add_uint8_model, concatenation_uint8_model, conv_uint8_model, fully_connected_uint8_model,
    pool_uint8_model, quantize_dequantize_uint8_model, softmax_uint8_model,
)

from .conftest import host_model
from .litert_reference import LiteRTReference
from .test_spatial_properties import window_geometry

UINT8_SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
zero_points = st.integers(0, 255)
activations = st.sampled_from(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])


def assert_matches_litert(data: bytes, inputs: list[list[np.ndarray]], *, litert_rounding: bool = False) -> None:
    model, reference = host_model(data, litert_rounding=litert_rounding), LiteRTReference(data)
    for step, x in enumerate(inputs):
        got, want = model.run(x), reference.invoke(x)
        for index, (g, w) in enumerate(zip(got, want, strict=True)):
            assert g.dtype == w.dtype, (g.dtype, w.dtype)
            assert np.array_equal(g, w), f"input {step}, output {index}: max diff " \
                f"{np.abs(g.astype(np.float64) - w.astype(np.float64)).max()}\n{g}\n{w}"


def _uint8_inputs(rng, shape, count=4):
    return [[rng.integers(0, 256, shape).astype(np.uint8)] for _ in range(count)]


def _weight_quant(draw):
    return draw(st.floats(1e-4, 0.05)), draw(zero_points)


def _output_quant(draw, input_scale, weight_scale, taps):
    typical = input_scale * weight_scale * 128 * math.sqrt(taps) * draw(st.floats(0.05, 2.0))
    return float(typical) / 128, draw(zero_points)


@st.composite
def conv_cases(draw):
    kind = draw(st.sampled_from(["CONV_2D", "DEPTHWISE_CONV_2D"]))
    g = draw(window_geometry())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    batches, in_depth = draw(st.integers(1, 2)), draw(st.integers(1, 6))
    if kind == "CONV_2D":
        out_depth = draw(st.integers(1, 5))
        filter_shape, taps = (out_depth, *g["window"], in_depth), g["window"][0] * g["window"][1] * in_depth
    else:
        out_depth = in_depth * draw(st.integers(1, 3))
        filter_shape, taps = (1, *g["window"], out_depth), g["window"][0] * g["window"][1]
    input_quant, filter_quant = (draw(st.floats(1e-3, 1.0)), draw(zero_points)), _weight_quant(draw)
    output_quant = _output_quant(draw, input_quant[0], filter_quant[0], taps)
    bias = rng.integers(-30000, 30000, out_depth).astype(np.int32)  # LiteRT's uint8 conv requires one
    input_shape = (batches, *g["in_hw"], in_depth)
    data = conv_uint8_model(kind, input_shape, rng.integers(0, 256, filter_shape).astype(np.uint8), bias,
                            output_shape=(batches, *g["out_hw"], out_depth), input_quant=input_quant,
                            filter_quant=filter_quant, output_quant=output_quant, padding=g["padding"],
                            stride=g["stride"], dilation=g["dilation"], activation=draw(activations))
    return data, _uint8_inputs(rng, input_shape)


@UINT8_SETTINGS
@given(conv_cases())
def test_uint8_convolutions_match_litert(case):
    assert_matches_litert(*case)


@st.composite
def fully_connected_cases(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    batches, in_depth, out_depth = draw(st.integers(1, 3)), draw(st.integers(1, 40)), draw(st.integers(1, 12))
    input_quant, weight_quant = (draw(st.floats(1e-3, 1.0)), draw(zero_points)), _weight_quant(draw)
    output_quant = _output_quant(draw, input_quant[0], weight_quant[0], in_depth)
    bias = rng.integers(-30000, 30000, out_depth).astype(np.int32) if draw(st.booleans()) else None
    data = fully_connected_uint8_model(rng.integers(0, 256, (out_depth, in_depth)).astype(np.uint8), bias,
                                       batches=batches, input_quant=input_quant, weight_quant=weight_quant,
                                       output_quant=output_quant, activation=draw(activations))
    return data, _uint8_inputs(rng, (batches, in_depth), 6), draw(st.booleans())


@UINT8_SETTINGS
@given(fully_connected_cases())
def test_uint8_fully_connected_matches_litert(case):
    data, inputs, litert_rounding = case
    assert_matches_litert(data, inputs, litert_rounding=litert_rounding)


@st.composite
def pool_cases(draw):
    kind = draw(st.sampled_from(["AVERAGE_POOL_2D", "MAX_POOL_2D"]))
    g = draw(window_geometry(dilated=False, max_window=4))
    if g["padding"] == "SAME" and any((w - 1) // 2 >= w for w in g["window"]):
        g["padding"] = "VALID"
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    batches, depth = draw(st.integers(1, 2)), draw(st.integers(1, 5))
    input_shape = (batches, *g["in_hw"], depth)
    data = pool_uint8_model(kind, input_shape, output_shape=(batches, *g["out_hw"], depth),
                            quant=(draw(st.floats(1e-3, 1.0)), draw(zero_points)), window=g["window"],
                            padding=g["padding"], stride=g["stride"], activation=draw(activations))
    # values near 128 make the int8 sums negative: where half-up and half-away rounding differ
    near = [[rng.integers(120, 136, input_shape).astype(np.uint8)] for _ in range(2)]
    return data, _uint8_inputs(rng, input_shape) + near


@UINT8_SETTINGS
@given(pool_cases())
def test_uint8_pools_match_litert(case):
    assert_matches_litert(*case)


@st.composite
def softmax_cases(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 20)))
    data = softmax_uint8_model(shape, input_quant=(draw(st.floats(1e-3, 0.5)), draw(zero_points)),
                               beta=draw(st.sampled_from([1.0, 0.5, 2.0])))
    return data, _uint8_inputs(rng, shape, 6)


@UINT8_SETTINGS
@given(softmax_cases())
def test_uint8_softmax_matches_litert(case):
    assert_matches_litert(*case)


@st.composite
def add_cases(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = (1, draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 5)))
    shape2 = shape if draw(st.booleans()) else (1, 1, 1, shape[3])
    quants = [(draw(st.floats(1e-3, 1.0)), draw(zero_points)) for _ in range(3)]
    data = add_uint8_model(shape, shape2, shape, quant1=quants[0], quant2=quants[1], output_quant=quants[2],
                           activation=draw(st.sampled_from(["NONE", "RELU", "RELU6"])))
    inputs = [[rng.integers(0, 256, shape).astype(np.uint8), rng.integers(0, 256, shape2).astype(np.uint8)]
              for _ in range(4)]
    return data, inputs


@UINT8_SETTINGS
@given(add_cases())
def test_uint8_add_matches_litert(case):
    assert_matches_litert(*case)


@st.composite
def concatenation_cases(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    base = [1, draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))]
    axis = draw(st.integers(0, 3))
    shapes = []
    for _ in range(draw(st.integers(1, 3))):
        shape = list(base)
        shape[axis] = draw(st.integers(1, 3))
        shapes.append(tuple(shape))
    data = concatenation_uint8_model(shapes, axis, quant=(draw(st.floats(1e-3, 1.0)), draw(zero_points)))
    inputs = [[rng.integers(0, 256, s).astype(np.uint8) for s in shapes] for _ in range(3)]
    return data, inputs


@UINT8_SETTINGS
@given(concatenation_cases())
def test_uint8_concatenation_matches_litert(case):
    assert_matches_litert(*case)


@st.composite
def quantize_cases(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    size, quant = draw(st.integers(1, 40)), (draw(st.floats(1e-3, 1.0)), draw(zero_points))
    data = quantize_dequantize_uint8_model(size, quant=quant)
    scale, zero_point = quant
    inputs = [[(rng.uniform(-zero_point - 20, 275 - zero_point, (1, size)) * scale).astype(np.float32)]
              for _ in range(4)]
    # exact halfway points, where the rounding rule shows
    inputs.append([((np.arange(size) % 256 - zero_point + 0.5) * scale).astype(np.float32).reshape(1, size)])
    return data, inputs


@UINT8_SETTINGS
@given(quantize_cases())
def test_uint8_quantize_dequantize_match_litert(case):
    assert_matches_litert(*case)
