"""Property tests for the spatial ops: random single-op models, our C vs TFLite Micro."""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relomodel.modelgen.spatial import (
    conv_2d_model, depthwise_conv_2d_model, mean_model, pad_model, pool_2d_model,
)

from .test_op_properties import _assert_matches

SPATIAL_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
zero_points = st.integers(-128, 127)
activations = st.sampled_from(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])


def _out_size(padding, size, window, stride, dilation):
    """TFLite's output size, written independently of the compiler: ceil(in / s) for SAME,
    ceil((in - effective window + 1) / s) for VALID."""
    effective = (window - 1) * dilation + 1
    if padding == "SAME":
        return math.ceil(size / stride)
    return math.ceil((size - effective + 1) / stride)


@st.composite
def window_geometry(draw, *, dilated=True, max_window=5):
    padding = draw(st.sampled_from(["SAME", "VALID"]))
    window = (draw(st.integers(1, max_window)), draw(st.integers(1, max_window)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilated and draw(st.booleans()) else (1, 1)
    effective = [(k - 1) * d + 1 for k, d in zip(window, dilation)]
    height = draw(st.integers(effective[0] if padding == "VALID" else 1, 14))
    width = draw(st.integers(effective[1] if padding == "VALID" else 1, 14))
    out_hw = (_out_size(padding, height, window[0], stride[0], dilation[0]),
              _out_size(padding, width, window[1], stride[1], dilation[1]))
    return dict(padding=padding, window=window, stride=stride, dilation=dilation,
                in_hw=(height, width), out_hw=out_hw)


def _quant_case(draw, rng, channels, taps):
    input_quant = (draw(st.floats(1e-3, 1.0)), draw(zero_points))
    per_channel = draw(st.booleans())
    base = draw(st.floats(1e-4, 0.05))
    filter_scales = (base * rng.uniform(0.2, 1.0, channels)).tolist() if per_channel else [base]
    typical = input_quant[0] * base * 128 * math.sqrt(taps) * draw(st.floats(0.05, 2.0))
    output_quant = (float(typical) / 128, draw(zero_points))
    bias = rng.integers(-30000, 30000, channels).astype(np.int32) if draw(st.booleans()) else None
    return input_quant, filter_scales, output_quant, bias


@st.composite
def conv_cases(draw):
    g = draw(window_geometry())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    groups = draw(st.sampled_from([1, 1, 1, 2]))
    filter_depth = draw(st.integers(1, 6))
    in_depth = filter_depth * groups
    out_depth = groups * draw(st.integers(1, 5))
    batches = draw(st.integers(1, 2))
    filters = rng.integers(-127, 128, (out_depth, *g["window"], filter_depth)).astype(np.int8)
    input_quant, filter_scales, output_quant, bias = _quant_case(
        draw, rng, out_depth, g["window"][0] * g["window"][1] * filter_depth)
    input_shape = (batches, *g["in_hw"], in_depth)
    data = conv_2d_model(input_shape, filters, bias, output_shape=(batches, *g["out_hw"], out_depth),
                         input_quant=input_quant, filter_scales=filter_scales, output_quant=output_quant,
                         padding=g["padding"], stride=g["stride"], dilation=g["dilation"],
                         activation=draw(activations))
    return data, [rng.integers(-128, 128, input_shape).astype(np.int8) for _ in range(4)]


@SPATIAL_SETTINGS
@given(conv_cases())
def test_conv_2d_matches_tflm(case):
    _assert_matches(*case)


@st.composite
def depthwise_cases(draw):
    g = draw(window_geometry())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    in_depth = draw(st.integers(1, 6))
    multiplier = draw(st.integers(1, 4))
    out_depth = in_depth * multiplier
    batches = draw(st.integers(1, 2))
    filters = rng.integers(-127, 128, (1, *g["window"], out_depth)).astype(np.int8)
    input_quant, filter_scales, output_quant, bias = _quant_case(
        draw, rng, out_depth, g["window"][0] * g["window"][1])
    input_shape = (batches, *g["in_hw"], in_depth)
    data = depthwise_conv_2d_model(
        input_shape, filters, bias, output_shape=(batches, *g["out_hw"], out_depth), input_quant=input_quant,
        filter_scales=filter_scales, output_quant=output_quant, depth_multiplier=multiplier,
        padding=g["padding"], stride=g["stride"], dilation=g["dilation"], activation=draw(activations))
    return data, [rng.integers(-128, 128, input_shape).astype(np.int8) for _ in range(4)]


@SPATIAL_SETTINGS
@given(depthwise_cases())
def test_depthwise_conv_2d_matches_tflm(case):
    _assert_matches(*case)


@st.composite
def pool_cases(draw, kind):
    g = draw(window_geometry(dilated=False, max_window=4))
    # SAME padding never leaves a window entirely in the padding when window > stride/2 ... keep it valid
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    depth = draw(st.integers(1, 8))
    batches = draw(st.integers(1, 2))
    quant = (draw(st.floats(1e-3, 1.0)), draw(zero_points))
    input_shape = (batches, *g["in_hw"], depth)
    data = pool_2d_model(kind, input_shape, output_shape=(batches, *g["out_hw"], depth), quant=quant,
                         window=g["window"], padding=g["padding"], stride=g["stride"],
                         activation=draw(activations))
    return data, [rng.integers(-128, 128, input_shape).astype(np.int8) for _ in range(4)]


@SPATIAL_SETTINGS
@given(pool_cases("AVERAGE_POOL_2D"))
def test_average_pool_2d_matches_tflm(case):
    _assert_matches(*case)


@SPATIAL_SETTINGS
@given(pool_cases("MAX_POOL_2D"))
def test_max_pool_2d_matches_tflm(case):
    _assert_matches(*case)


@st.composite
def pad_cases(draw):
    rank = draw(st.integers(1, 4))
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=rank, max_size=rank)))
    paddings = [(draw(st.integers(0, 3)), draw(st.integers(0, 3))) for _ in range(rank)]
    quant = (draw(st.floats(1e-3, 1.0)), draw(zero_points))
    constant = draw(st.one_of(st.none(), st.integers(-128, 127)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data = pad_model(shape, paddings, quant=quant, constant=constant)
    return data, [rng.integers(-128, 128, shape).astype(np.int8) for _ in range(2)]


@SPATIAL_SETTINGS
@given(pad_cases())
def test_pad_matches_tflm(case):
    _assert_matches(*case)


@st.composite
def mean_cases(draw):
    rank = draw(st.integers(1, 4))
    shape = tuple(draw(st.lists(st.integers(1, 9), min_size=rank, max_size=rank)))
    if rank == 4 and draw(st.booleans()):
        axes = draw(st.sampled_from([[1, 2], [2, 1], [-3, -2]]))  # the common global pooling case
    else:
        axes = draw(st.lists(st.integers(-rank, rank - 1), min_size=1, max_size=rank))
    input_quant = (draw(st.floats(1e-3, 1.0)), draw(zero_points))
    output_quant = input_quant if draw(st.booleans()) else (draw(st.floats(1e-3, 1.0)), draw(zero_points))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data = mean_model(shape, axes, input_quant=input_quant, output_quant=output_quant,
                      keep_dims=draw(st.booleans()))
    return data, [rng.integers(-128, 128, shape).astype(np.int8) for _ in range(3)]


@SPATIAL_SETTINGS
@given(mean_cases())
def test_mean_matches_tflm(case):
    _assert_matches(*case)
