"""Property tests: single-op models through our C vs the TFLite Micro reference kernels."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relomodel.modelgen.mlp import (
    dequantize_model, fully_connected_model, quantize_model, softmax_model,
)
from relomodel.reference import run_reference

from .conftest import host_model

PROPERTY_SETTINGS = settings(max_examples=20, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])
scales = st.floats(1e-3, 2.0, allow_nan=False, allow_infinity=False)
zero_points = st.integers(-128, 127)


def _assert_matches(data, inputs):
    model = host_model(data)
    for x in inputs:
        got = model.run([x])[0]
        want = run_reference(data, [x])[0]
        assert np.array_equal(got, want), f"input {x}\n got {got}\nwant {want}"


@st.composite
def fully_connected_cases(draw):
    in_depth = draw(st.integers(1, 48))
    out_depth = draw(st.integers(1, 24))
    batches = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    weights = rng.integers(-127, 128, (out_depth, in_depth)).astype(np.int8)
    per_channel = draw(st.booleans())
    base = draw(st.floats(1e-4, 0.05))
    weight_scales = (base * rng.uniform(0.2, 1.0, out_depth)).tolist() if per_channel else [base]
    input_quant = (draw(scales), draw(zero_points))
    bias = None
    if draw(st.booleans()):
        bias = rng.integers(-20000, 20000, out_depth).astype(np.int32)
    # an output scale near the accumulator's typical range, so results are not all saturated
    typical = input_quant[0] * base * 128 * np.sqrt(in_depth) * draw(st.floats(0.05, 2.0))
    output_quant = (float(typical) / 128, draw(zero_points))
    activation = draw(st.sampled_from(["NONE", "RELU", "RELU6"]))
    data = fully_connected_model(weights, bias, batches=batches, input_quant=input_quant,
                                 weight_scales=weight_scales, output_quant=output_quant,
                                 activation=activation)
    inputs = [rng.integers(-128, 128, (batches, in_depth)).astype(np.int8) for _ in range(8)]
    return data, inputs


@PROPERTY_SETTINGS
@given(fully_connected_cases())
def test_fully_connected_matches_tflm(case):
    _assert_matches(*case)


@st.composite
def softmax_cases(draw):
    depth = draw(st.integers(1, 200))
    rows = draw(st.integers(1, 3))
    beta = draw(st.sampled_from([1.0, 0.5, 2.0, draw(st.floats(0.1, 4.0))]))
    input_quant = (draw(st.floats(0.005, 0.5)), draw(zero_points))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data = softmax_model((rows, depth), input_quant=input_quant, beta=beta)
    inputs = [rng.integers(-128, 128, (rows, depth)).astype(np.int8) for _ in range(6)]
    inputs.append(np.full((rows, depth), draw(st.integers(-128, 127)), dtype=np.int8))  # all equal
    return data, inputs


@PROPERTY_SETTINGS
@given(softmax_cases())
def test_softmax_matches_tflm(case):
    _assert_matches(*case)


@PROPERTY_SETTINGS
@given(scales, zero_points, st.integers(0, 2**32 - 1))
def test_quantize_float_matches_tflm(scale, zero_point, seed):
    rng = np.random.default_rng(seed)
    data = quantize_model(64, output_quant=(scale, zero_point))
    # values on and next to rounding ties (k + 0.5) * scale, plus random ones
    ties = ((np.arange(64) - 32) + 0.5) * np.float32(scale)
    nudged = np.nextafter(ties.astype(np.float32), np.float32(np.inf))
    randoms = rng.standard_normal(64) * scale * 100
    inputs = [a.astype(np.float32).reshape(1, 64) for a in (ties, nudged, randoms)]
    _assert_matches(data, inputs)


@PROPERTY_SETTINGS
@given(scales, zero_points, scales, zero_points)
def test_requantize_matches_tflm(in_scale, in_zp, out_scale, out_zp):
    data = quantize_model(256, input_quant=(in_scale, in_zp), output_quant=(out_scale, out_zp))
    _assert_matches(data, [np.arange(-128, 128, dtype=np.int8).reshape(1, 256)])


@PROPERTY_SETTINGS
@given(st.floats(1e-6, 100.0), zero_points)
def test_dequantize_matches_tflm(scale, zero_point):
    data = dequantize_model(256, input_quant=(scale, zero_point))
    _assert_matches(data, [np.arange(-128, 128, dtype=np.int8).reshape(1, 256)])
