"""Property tests: single-op models of the elementwise, activation and shape operators through
our generated C (host build) vs the TFLite Micro reference kernels."""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from relomodel.modelgen import elementwise as models
from relomodel.reference import run_reference

from relomodel.compiler import compile_model

from .conftest import TARGET, host_model

PROPERTY_SETTINGS = settings(max_examples=15, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])
scales = st.floats(1e-3, 2.0, allow_nan=False, allow_infinity=False)
zero_points = st.integers(-128, 127)
activations = st.sampled_from(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"])
ALL_INT8 = np.arange(-128, 128, dtype=np.int8)


def _random_int8(rng, shape, dtype=np.int8):
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max + 1, shape).astype(dtype)


def _assert_matches(data, inputs_list, reference=None):
    """Our output equals TFLite Micro's on every input set (reference model defaults to `data`)."""
    model = host_model(data)
    for inputs in inputs_list:
        got = model.run(inputs)
        want = run_reference(reference or data, inputs)
        for g, w in zip(got, want):
            assert np.array_equal(g, w), f"inputs {inputs}\n got {g}\nwant {w}"


@st.composite
def broadcast_shapes(draw, big=False):
    """An output shape and two input shapes that broadcast to it (either side, any rank); `big`:
    at least 512 elements (ADD/SUB then run from tables filled at init, ops/add.py)."""
    rank = draw(st.integers(2 if big else 1, 4))
    out = draw(st.lists(st.integers(1, 5), min_size=rank, max_size=rank))
    if big:
        out[-2:] = [draw(st.integers(16, 40)), draw(st.integers(32, 48))]

    def operand():
        shape = [1 if draw(st.booleans()) else d for d in out]
        return tuple(shape[draw(st.integers(0, rank - 1)):] if draw(st.booleans()) else shape)

    return tuple(out), operand(), operand()


@st.composite
def binary_cases(draw, name, big=False):
    out_shape, shape1, shape2 = draw(broadcast_shapes(big))
    assume(np.broadcast_shapes(shape1, shape2) == out_shape)
    s1, s2 = draw(scales), draw(scales)
    if name == "MUL":  # an output scale the product can reach without all-saturated results
        out_scale = s1 * s2 * draw(st.floats(1.0, 400.0))
    else:
        out_scale = max(s1, s2) * draw(st.floats(0.2, 4.0))
    quants = ((s1, draw(zero_points)), (s2, draw(zero_points)), (out_scale, draw(zero_points)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    constant = _random_int8(rng, shape2) if draw(st.booleans()) else None
    data = models.binary_model(name, shape1, shape2, out_shape, quants=quants,
                               activation=draw(activations), constant2=constant)
    inputs = []
    for _ in range(4):
        xs = [_random_int8(rng, shape1)]
        if constant is None:
            xs.append(_random_int8(rng, shape2))
        inputs.append(xs)
    return data, inputs


@PROPERTY_SETTINGS
@given(binary_cases("ADD"))
def test_add_matches_tflm(case):
    _assert_matches(*case)


@PROPERTY_SETTINGS
@given(binary_cases("SUB"))
def test_sub_matches_tflm(case):
    _assert_matches(*case)


@PROPERTY_SETTINGS
@given(st.sampled_from(["ADD", "SUB"]).flatmap(lambda name: binary_cases(name, big=True)))
def test_tabulated_add_and_sub_match_tflm(case):
    data, _inputs = case
    assert "relo_add_s8_tabulated(" in compile_model(data, name="t", target=TARGET).c_sources["model.c"]
    _assert_matches(*case)


# (first, second, output) quantizations. A second scale 2^-18 of the first makes its shares
# small integers, so outputs near zero (and rounding ties of negative values) exist even with
# an output shift of 0, 1 or 2; the first case is a typical one (shift ~19).
EXHAUSTIVE_QUANTS = [((0.05, 3), (0.07, -9), (0.09, 4))] + [
    ((0.5, 0), (0.5 / (1 << 18), 5), (1.5 * (1 << e) / (1 << 20), -3)) for e in (0, 1, 2)]


@pytest.mark.parametrize("quants", EXHAUSTIVE_QUANTS)
@pytest.mark.parametrize("name", ["ADD", "SUB"])
def test_tabulated_add_and_sub_on_every_pair_of_values(name, quants):
    data = models.binary_model(name, (256, 256), (256, 256), (256, 256), quants=quants)
    rows, columns = np.meshgrid(ALL_INT8, ALL_INT8, indexing="ij")
    _assert_matches(data, [[rows, columns]])


@PROPERTY_SETTINGS
@given(binary_cases("MUL"))
def test_mul_matches_tflm(case):
    _assert_matches(*case)


def _every_int8(data):
    _assert_matches(data, [[ALL_INT8.reshape(1, 256)], [ALL_INT8[::-1].reshape(1, 256)]])


@PROPERTY_SETTINGS
@given(st.floats(1e-3, 1.0), zero_points)
def test_logistic_matches_tflm(scale, zero_point):
    _every_int8(models.unary_model("LOGISTIC", (1, 256), input_quant=(scale, zero_point),
                                   output_quant=(1.0 / 256, -128)))


@PROPERTY_SETTINGS
@given(st.floats(1e-3, 1.0), zero_points)
def test_tanh_matches_tflm(scale, zero_point):
    _every_int8(models.unary_model("TANH", (1, 256), input_quant=(scale, zero_point),
                                   output_quant=(1.0 / 128, 0)))


@PROPERTY_SETTINGS
@given(scales, zero_points, scales, zero_points)
def test_relu_matches_tflm(in_scale, in_zp, out_scale, out_zp):
    assume(in_scale / out_scale < 1e5)
    _every_int8(models.unary_model("RELU", (1, 256), input_quant=(in_scale, in_zp),
                                   output_quant=(out_scale, out_zp)))


@PROPERTY_SETTINGS
@given(scales, zero_points)
def test_relu6_matches_tflm(scale, zero_point):
    q = (scale, zero_point)
    _every_int8(models.unary_model("RELU6", (1, 256), input_quant=q, output_quant=q))


@PROPERTY_SETTINGS
@given(scales, zero_points, scales, zero_points, st.floats(-2.0, 2.0))
def test_leaky_relu_matches_tflm(in_scale, in_zp, out_scale, out_zp, alpha):
    assume(in_scale / out_scale < 1e5 and alpha != 0.0)
    _every_int8(models.unary_model("LEAKY_RELU", (1, 256), input_quant=(in_scale, in_zp),
                                   output_quant=(out_scale, out_zp), alpha=alpha))


@PROPERTY_SETTINGS
@given(st.floats(1e-3, 0.5), zero_points, st.floats(0.01, 4.0), zero_points)
def test_hard_swish_matches_tflm(in_scale, in_zp, ratio, out_zp):
    _every_int8(models.unary_model("HARD_SWISH", (1, 256), input_quant=(in_scale, in_zp),
                                   output_quant=(in_scale * ratio, out_zp)))


@PROPERTY_SETTINGS
@given(scales, st.integers(0, 255), scales, zero_points, st.booleans())
def test_quantize_uint8_int8_matches_tflm(u8_scale, u8_zp, s8_scale, s8_zp, to_int8):
    assume(0.01 < u8_scale / s8_scale < 100)
    if to_int8:
        data = models.unary_model("QUANTIZE", (1, 256), input_quant=(u8_scale, u8_zp),
                                  output_quant=(s8_scale, s8_zp), input_dtype="uint8")
        inputs = [[np.arange(256, dtype=np.uint8).reshape(1, 256)]]
    else:
        data = models.unary_model("QUANTIZE", (1, 256), input_quant=(s8_scale, s8_zp),
                                  output_quant=(u8_scale, u8_zp), output_dtype="uint8")
        inputs = [[ALL_INT8.reshape(1, 256)]]
    _assert_matches(data, inputs)


@st.composite
def concatenation_cases(draw):
    rank = draw(st.integers(1, 4))
    base = draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank))
    axis = draw(st.integers(-rank, rank - 1))
    shapes = []
    for _ in range(draw(st.integers(1, 4))):
        shape = list(base)
        shape[axis] = draw(st.integers(1, 4))
        shapes.append(tuple(shape))
    output_quant = (draw(scales), draw(zero_points))
    # some inputs share the output's quantization (copied), others do not (requantized)
    quants = [output_quant if draw(st.booleans()) else (output_quant[0] * draw(st.floats(0.1, 10.0)),
                                                        draw(zero_points)) for _ in shapes]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    inputs = [[_random_int8(rng, s) for s in shapes] for _ in range(3)]
    return shapes, axis, quants, output_quant, inputs


@PROPERTY_SETTINGS
@given(concatenation_cases())
def test_concatenation_matches_tflm(case):
    """Same quantization: TFLite Micro's CONCATENATION itself. Different quantization (which
    TFLite Micro refuses): its QUANTIZE int8 -> int8 on that input, then CONCATENATION."""
    shapes, axis, quants, output_quant, inputs = case
    data = models.concatenation_model(shapes, axis, quants=quants, output_quant=output_quant)
    reference = models.concatenation_via_quantize_model(shapes, axis, quants=quants, output_quant=output_quant)
    _assert_matches(data, inputs, reference=reference)


@st.composite
def strided_slice_cases(draw):
    rank = draw(st.integers(1, 4))  # TFLite Micro's limit
    shape = tuple(draw(st.lists(st.integers(1, 6), min_size=rank, max_size=rank)))
    begin, end, strides, index = [], [], [], []
    masks = {"begin_mask": 0, "end_mask": 0, "shrink_axis_mask": 0}
    for axis, size in enumerate(shape):
        stride = draw(st.sampled_from([1, 1, 2, 3, -1, -2]))
        b, e = draw(st.integers(-size - 2, size + 2)), draw(st.integers(-size - 2, size + 2))
        start, stop = b, e
        if draw(st.integers(0, 4)) == 0:  # shrink: one element, begin must be a valid index
            b = draw(st.integers(-size, size - 1))
            masks["shrink_axis_mask"] |= 1 << axis
            begin.append(b), end.append(b + 1), strides.append(1)
            index.append(b)
            continue
        if draw(st.booleans()):
            masks["begin_mask"] |= 1 << axis
            start = None
        if draw(st.booleans()):
            masks["end_mask"] |= 1 << axis
            stop = None
        begin.append(b), end.append(e), strides.append(stride)
        index.append(slice(start, stop, stride))
    expected = np.zeros(shape)[tuple(index)]
    assume(expected.size > 0)
    dtype = draw(st.sampled_from(["int8", "int16", "int32", "float32"]))
    data = models.strided_slice_model(shape, expected.shape, begin, end, strides, dtype=dtype, **masks)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = (rng.standard_normal(shape).astype(np.float32) if dtype == "float32"
         else _random_int8(rng, shape, np.dtype(dtype).type))
    return data, [[x]]


@PROPERTY_SETTINGS
@given(strided_slice_cases())
def test_strided_slice_matches_tflm(case):
    _assert_matches(*case)


@st.composite
def transpose_cases(draw, max_rank, dtypes=("int8", "int16", "float32")):
    rank = draw(st.integers(1, max_rank))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank)))
    permutation = draw(st.permutations(range(rank)))
    dtype = draw(st.sampled_from(dtypes))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = (rng.standard_normal(shape).astype(np.float32) if dtype == "float32"
         else _random_int8(rng, shape, np.dtype(dtype).type))
    return models.transpose_model(shape, permutation, dtype=dtype), permutation, x


@PROPERTY_SETTINGS
@given(transpose_cases(max_rank=5))  # TFLite Micro: up to 5-D, no INT32
def test_transpose_matches_tflm(case):
    data, _, x = case
    _assert_matches(data, [[x]])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transpose_cases(max_rank=6, dtypes=("int8", "int16", "int32", "float32")))
def test_transpose_up_to_6d_matches_numpy(case):
    """TFLite Micro stops at 5-D; a permutation is exact data movement, so numpy is the reference."""
    data, permutation, x = case
    assert np.array_equal(host_model(data).run([x])[0], np.transpose(x, permutation))


def test_squeeze_and_expand_dims_are_aliases():
    data = models.squeeze_expand_model((3, 5))
    compiled = host_model(data)
    source = compiled.model.c_sources["model.c"]
    assert source.count("is an alias, no code") == 2
    rng = np.random.default_rng(3)
    _assert_matches(data, [[_random_int8(rng, (3, 5))] for _ in range(5)])
