"""Property tests: single-op float32 models through our generated C (host build) vs the TFLite
Micro reference kernels, within the documented tolerance (docs/float-models.md)."""

import platform

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from relomodel.compiler.ops.float32.tolerance import assert_within_tolerance
from relomodel.modelgen import float_models as models
from relomodel.reference import run_reference

from .conftest import host_model
from .test_elementwise_properties import broadcast_shapes
from .test_spatial_properties import window_geometry

FLOAT_SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
activations = st.sampled_from(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])
seeds = st.integers(0, 2**32 - 1)
# Linear ops do TFLite Micro's operations in its order: bit-exact where neither side fuses
# multiply-adds (x86-64 builds without -mfma; docs/float-models.md)
EXACT_HOST = platform.machine() in ("x86_64", "AMD64")


def _uniform(rng, shape, limit=2.0):
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def assert_matches_reference(model_bytes, input_sets, *, exact=False):
    """Our host build agrees with TFLite Micro on every input set, within the tolerance (and
    bit for bit when `exact`, on hosts where that is expected)."""
    model = host_model(model_bytes)
    for inputs in input_sets:
        for got, want in zip(model.run(inputs), run_reference(model_bytes, inputs)):
            assert_within_tolerance(got, want)
            if exact and EXACT_HOST:
                np.testing.assert_array_equal(got, want)


def _single_input_runs(model_bytes, shape, rng, limit=2.0, *, exact=True):
    assert_matches_reference(model_bytes, [[_uniform(rng, shape, limit)] for _ in range(3)], exact=exact)


@FLOAT_SETTINGS
@given(st.integers(1, 3), st.integers(1, 40), st.integers(1, 20), st.booleans(), activations, seeds)
def test_fully_connected(batches, depth, outputs, with_bias, activation, seed):
    rng = np.random.default_rng(seed)
    bias = _uniform(rng, (outputs,)) if with_bias else None
    data = models.fully_connected_model((batches, depth), _uniform(rng, (outputs, depth), 0.5), bias,
                                        activation=activation)
    _single_input_runs(data, (batches, depth), rng)


@st.composite
def conv_cases(draw, depthwise: bool):
    g = draw(window_geometry())
    rng = np.random.default_rng(draw(seeds))
    batches = draw(st.integers(1, 2))
    in_depth = draw(st.integers(1, 5))
    if depthwise:
        multiplier = draw(st.integers(1, 3))
        out_depth, filters_shape = in_depth * multiplier, (1, *g["window"], in_depth * multiplier)
    else:
        groups = draw(st.sampled_from([1, 1, 2]))
        in_depth *= groups
        out_depth = groups * draw(st.integers(1, 4))
        filters_shape = (out_depth, *g["window"], in_depth // groups)
    filters = _uniform(rng, filters_shape, 0.5)
    bias = _uniform(rng, (out_depth,)) if draw(st.booleans()) else None
    shapes = dict(output_shape=(batches, *g["out_hw"], out_depth), padding=g["padding"], stride=g["stride"],
                  dilation=g["dilation"], activation=draw(activations))
    if depthwise:
        data = models.depthwise_conv_2d_model((batches, *g["in_hw"], in_depth), filters, bias,
                                              depth_multiplier=multiplier, **shapes)
    else:
        data = models.conv_2d_model((batches, *g["in_hw"], in_depth), filters, bias, **shapes)
    return data, (batches, *g["in_hw"], in_depth), rng


@FLOAT_SETTINGS
@given(conv_cases(depthwise=False))
def test_conv_2d(case):
    _single_input_runs(*case)


@FLOAT_SETTINGS
@given(conv_cases(depthwise=True))
def test_depthwise_conv_2d(case):
    _single_input_runs(*case)


@FLOAT_SETTINGS
@given(st.sampled_from(["AVERAGE_POOL_2D", "MAX_POOL_2D"]), window_geometry(dilated=False), st.integers(1, 4),
       activations, seeds)
def test_pools(kind, g, depth, activation, seed):
    assume(all((o - 1) * s < i + k - 1 for o, s, i, k in zip(g["out_hw"], g["stride"], g["in_hw"], g["window"])))
    pad = [max((o - 1) * s + k - i, 0) // 2 for o, s, i, k in zip(g["out_hw"], g["stride"], g["in_hw"], g["window"])]
    assume(pad[0] < g["window"][0] and pad[1] < g["window"][1])  # no window entirely in the padding
    data = models.pool_2d_model(kind, (1, *g["in_hw"], depth), output_shape=(1, *g["out_hw"], depth),
                                window=g["window"], padding=g["padding"], stride=g["stride"], activation=activation)
    _single_input_runs(data, (1, *g["in_hw"], depth), np.random.default_rng(seed))


@FLOAT_SETTINGS
@given(st.sampled_from(["ADD", "SUB", "MUL"]), broadcast_shapes(), st.booleans(), activations, seeds)
def test_binary(name, shapes, constant, activation, seed):
    out_shape, shape1, shape2 = shapes
    assume(np.broadcast_shapes(shape1, shape2) == out_shape)
    rng = np.random.default_rng(seed)
    constant2 = _uniform(rng, shape2) if constant else None
    data = models.binary_model(name, shape1, shape2, out_shape, activation=activation, constant2=constant2)
    runs = [[_uniform(rng, shape1)] + ([] if constant else [_uniform(rng, shape2)]) for _ in range(3)]
    assert_matches_reference(data, runs, exact=True)


@FLOAT_SETTINGS
@given(st.sampled_from(["LOGISTIC", "TANH", "RELU", "RELU6", "HARD_SWISH"]), st.floats(0.1, 30.0), seeds)
def test_activations(name, limit, seed):
    _single_input_runs(models.unary_model(name, (2, 64)), (2, 64), np.random.default_rng(seed), limit,
                       exact=name not in ("LOGISTIC", "TANH"))


@FLOAT_SETTINGS
@given(st.floats(-2.0, 2.0), seeds)
def test_leaky_relu(alpha, seed):
    _single_input_runs(models.unary_model("LEAKY_RELU", (1, 50), alpha=alpha), (1, 50), np.random.default_rng(seed))


@FLOAT_SETTINGS
@given(st.integers(1, 3), st.integers(1, 40), st.floats(0.05, 3.0), st.floats(0.5, 20.0), seeds)
def test_softmax(rows, depth, beta, limit, seed):
    data = models.unary_model("SOFTMAX", (rows, depth), beta=beta)
    _single_input_runs(data, (rows, depth), np.random.default_rng(seed), limit, exact=False)


def test_activation_extremes_and_special_values():
    """Saturation, cut-offs, infinities and NaN behave as TFLite Micro's float kernels."""
    special = np.array([0.0, -0.0, 1e-30, -1e-30, 0.4999, 0.5001, 9.0, -9.0, -9.0001, 16.619, 16.62, 88.7, -88.7,
                        -103.0, 200.0, -200.0, np.inf, -np.inf, np.nan, 3.0, -3.0, 6.0], dtype=np.float32)
    for name in ("LOGISTIC", "TANH", "RELU", "RELU6", "HARD_SWISH", "SOFTMAX"):
        shape = (1, special.size) if name != "SOFTMAX" else (special.size, 1)
        assert_matches_reference(models.unary_model(name, shape), [[special.reshape(shape)]])


@FLOAT_SETTINGS
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.data(), st.booleans(), seeds)
def test_pad(shape, data, padv2, seed):
    paddings = [(data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))) for _ in shape]
    _single_input_runs(models.pad_model(shape, paddings, padv2=padv2), shape, np.random.default_rng(seed))


@FLOAT_SETTINGS
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(1, 3), st.data(), seeds)
def test_concatenation(shape, count, data, seed):
    axis = data.draw(st.integers(0, len(shape) - 1))
    shapes = []
    for _ in range(count):
        s = list(shape)
        s[axis] = data.draw(st.integers(1, 3))
        shapes.append(tuple(s))
    rng = np.random.default_rng(seed)
    assert_matches_reference(models.concatenation_model(shapes, axis), [[_uniform(rng, s) for s in shapes]],
                             exact=True)


@FLOAT_SETTINGS
@given(st.lists(st.integers(1, 5), min_size=1, max_size=4), st.data(), st.booleans(), seeds)
def test_mean(shape, data, keep_dims, seed):
    axes = sorted(data.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1)))
    _single_input_runs(models.mean_model(shape, axes, keep_dims=keep_dims), shape, np.random.default_rng(seed))
