"""A convolution streamed into its FULLY_CONNECTED (compiler/stream_conv_fc.py): bit-exact
with TFLite Micro on random convolutions, fused only where it is allowed and pays."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from relomodel.compiler import compile_model, ops
from relomodel.compiler.driver import lower_context
from relomodel.compiler.hostrun import HostModel
from relomodel.compiler.passes import run_passes
from relomodel.compiler.stream_conv_fc import find_pairs
from relomodel.compiler.tflite_reader import read_tflite
from relomodel.modelgen.conv_fc import ConvLayer, FcLayer, conv_fc_model
from relomodel.reference import run_reference

from .conftest import TARGET, shared_model_bytes
from .test_spatial_properties import _quant_case, activations, window_geometry, zero_points

FUSED = "+FULLY_CONNECTED"
STREAM_SETTINGS = settings(max_examples=30, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _fc_layer(draw, rng, in_depth: int, input_quant) -> FcLayer:
    outputs = draw(st.integers(1, 8))
    per_channel = draw(st.booleans())
    base = draw(st.floats(1e-4, 0.05))
    scales = (base * rng.uniform(0.2, 1.0, outputs)).tolist() if per_channel else [base]
    typical = input_quant[0] * base * 128 * math.sqrt(in_depth) * draw(st.floats(0.05, 2.0))
    bias = rng.integers(-30000, 30000, outputs).astype(np.int32) if draw(st.booleans()) else None
    return FcLayer(weights=rng.integers(-127, 128, (outputs, in_depth)).astype(np.int8), bias=bias,
                   # TFLite Micro refuses scales so small that RELU6's 6.0 overflows int32 when quantized
                   weight_scales=scales, output_quant=(max(float(typical) / 128, 1e-8), draw(zero_points)),
                   activation=draw(activations))


@st.composite
def conv_fc_cases(draw):
    g = draw(window_geometry())
    assume(g["out_hw"][0] >= 2 and g["out_hw"][0] * g["out_hw"][1] >= 8)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["CONV_2D", "DEPTHWISE_CONV_2D"]))
    in_depth = draw(st.integers(1, 3))
    # outputs deeper than the input, as where streaming pays (micro_speech: 1 -> 8 channels)
    if kind == "CONV_2D":
        out_depth = draw(st.integers(2 * in_depth, 12))
        filters = rng.integers(-127, 128, (out_depth, *g["window"], in_depth)).astype(np.int8)
    else:
        out_depth = in_depth * draw(st.integers(2, 4))
        filters = rng.integers(-127, 128, (1, *g["window"], out_depth)).astype(np.int8)
    input_quant, filter_scales, conv_quant, bias = _quant_case(
        draw, rng, out_depth, g["window"][0] * g["window"][1] * (in_depth if kind == "CONV_2D" else 1))
    output_shape = (1, *g["out_hw"], out_depth)
    conv = ConvLayer(kind=kind, filters=filters, bias=bias, filter_scales=filter_scales,
                     output_shape=output_shape, output_quant=conv_quant, padding=g["padding"],
                     stride=g["stride"], dilation=g["dilation"], activation=draw(activations))
    fc = _fc_layer(draw, rng, int(np.prod(output_shape)), conv_quant)
    input_shape = (1, *g["in_hw"], in_depth)
    data = conv_fc_model(input_shape, input_quant, conv, fc, reshape=draw(st.booleans()))
    return data, [rng.integers(-128, 128, input_shape).astype(np.int8) for _ in range(4)]


def _compile(data):
    return compile_model(data, name="test", target=TARGET)


def _layer_ops(compiled):
    return [layer.op for layer in compiled.layers]


@STREAM_SETTINGS
@given(conv_fc_cases())
def test_streamed_conv_fc_matches_tflm(case):
    data, inputs = case
    compiled = _compile(data)
    assume(any(FUSED in op for op in _layer_ops(compiled)))  # where fusing pays (most cases)
    model = HostModel(compiled)
    for x in inputs:
        got, want = model.run([x])[0], run_reference(data, [x])[0]
        assert np.array_equal(got, want), f"input {x}\n got {got}\nwant {want}"


def _micro_speech_like(reshape: bool):
    """1x49x40x1 -> depthwise 10x8 stride 2 -> 25x20x8 -> FULLY_CONNECTED 4: micro_speech's shape."""
    rng = np.random.default_rng(7)
    conv = ConvLayer(kind="DEPTHWISE_CONV_2D", filters=rng.integers(-127, 128, (1, 10, 8, 8)).astype(np.int8),
                     bias=rng.integers(-500, 500, 8).astype(np.int32), filter_scales=[0.01],
                     output_shape=(1, 25, 20, 8), output_quant=(0.05, -128), stride=(2, 2), activation="RELU")
    fc = FcLayer(weights=rng.integers(-127, 128, (4, 25 * 20 * 8)).astype(np.int8), bias=None,
                 weight_scales=[0.01], output_quant=(0.2, 3))
    return conv_fc_model((1, 49, 40, 1), (0.1, 5), conv, fc, reshape=reshape), rng


@pytest.mark.parametrize("reshape", [False, True])
def test_fusion_shrinks_the_arena_and_stays_exact(reshape):
    data, rng = _micro_speech_like(reshape)
    compiled = _compile(data)
    assert _layer_ops(compiled)[0] == "DEPTHWISE_CONV_2D" + FUSED
    # input 1960 B + 16 B output + row buffer 160 B + accumulators 16 B (+ DSP scratch),
    # where the 4000 B convolution output alone used to be planned
    assert compiled.arena_size < 1960 + 1000 and compiled.arena_size == compiled.arena_lower_bound
    model = HostModel(compiled)
    for _ in range(8):
        x = rng.integers(-128, 128, (1, 49, 40, 1)).astype(np.int8)
        assert np.array_equal(model.run([x])[0], run_reference(data, [x])[0])


def test_micro_speech_is_fused_within_the_issue_target():
    compiled = _compile(shared_model_bytes("micro_speech_quantized.tflite"))
    assert "DEPTHWISE_CONV_2D" + FUSED in _layer_ops(compiled)
    assert compiled.arena_size <= 0.6 * 6_836 and compiled.arena_size <= 1.05 * compiled.arena_lower_bound


def test_a_convolution_output_read_twice_is_not_fused():
    """The convolution output is also a graph output: it must exist whole."""
    data, _ = _micro_speech_like(reshape=False)
    graph = run_passes(read_tflite(data))
    ctx = lower_context(TARGET)
    lowered = {op.index: ops.op_module(op.name).lower(graph, op, ctx) for op in graph.operators}
    assert len(find_pairs(graph, lowered)) == 1
    conv_output = graph.operators[0].outputs[0]
    graph.outputs = graph.outputs + (conv_output,)
    assert find_pairs(graph, lowered) == []


def test_micro_speech_streams_through_the_dsp_kernels():
    """The one-channel convolution without im2col and the FULLY_CONNECTED's SMLAD streaming
    kernels on its DSP layout, requantized by the fast records."""
    source = _compile(shared_model_bytes("micro_speech_quantized.tflite")).c_sources["model.c"]
    for call in ("relo_conv_one_channel_s8_dsp(", "relo_fc_stream_begin_s8(&op2_params, op2_row_constants_dsp,",
                 "relo_fc_stream_accumulate_s8_dsp(", "relo_fc_stream_finish_s8_dsp("):
        assert call in source


def test_rows_off_the_quads_stream_through_the_portable_fc():
    """Rows of 35 bytes do not start on the DSP layout's quads: the portable streaming kernels."""
    rng = np.random.default_rng(5)
    conv = ConvLayer(kind="DEPTHWISE_CONV_2D", filters=rng.integers(-127, 128, (1, 3, 3, 7)).astype(np.int8),
                     bias=None, filter_scales=[0.01], output_shape=(1, 10, 5, 7), output_quant=(0.05, 2),
                     stride=(2, 2))
    fc = FcLayer(weights=rng.integers(-127, 128, (3, 350)).astype(np.int8), bias=None,
                 weight_scales=[0.01], output_quant=(0.1, -3))
    data = conv_fc_model((1, 20, 10, 1), (0.1, 5), conv, fc)
    compiled = _compile(data)
    source = compiled.c_sources["model.c"]
    assert _layer_ops(compiled)[0] == "DEPTHWISE_CONV_2D" + FUSED
    assert "relo_fc_stream_accumulate_s8(" in source and "relo_fc_stream_accumulate_s8_dsp(" not in source
    model = HostModel(compiled)
    for _ in range(4):
        x = rng.integers(-128, 128, (1, 20, 10, 1)).astype(np.int8)
        assert np.array_equal(model.run([x])[0], run_reference(data, [x])[0])
