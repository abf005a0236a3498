"""compile_model(): result fields, LiteRT rounding, clear errors for what we refuse."""

import numpy as np
import pytest

from relomodel.compiler import compile_model, quant
from relomodel.errors import ModelError, UnsupportedOpError
from relomodel.format import spec
from relomodel.modelgen.mlp import big_mlp, demo_model, fully_connected_model
from relomodel.modelgen.tflite_writer import ModelSpec

from .conftest import TARGET, host_model


def test_compiled_model_fields():
    data = demo_model()
    model = compile_model(data, name="demo", target=TARGET)
    assert set(model.c_sources) == {"model.c"}
    assert {p.name for p in model.kernel_files} == {
        "relo_fully_connected_s8.c", "relo_softmax_s8.c", "relo_quantize_f32_s8.c",
        "relo_dequantize_s8_f32.c", "relo_rt.c",
        "relo_fully_connected_s8_dsp.c"}  # TARGET has DSP (compiler/kernel_select/)
    assert all(p.is_file() for p in model.kernel_files)
    (x,), (y,) = model.inputs, model.outputs
    assert x.dtype == spec.DTYPE.FLOAT32 and x.shape == (1, 16, 1) and x.size_bytes == 64
    assert y.dtype == spec.DTYPE.FLOAT32 and y.shape == (1, 4) and y.scale == 0.0
    assert x.arena_offset % model.arena_align == 0 and y.arena_offset + y.size_bytes <= model.arena_size
    assert model.macs == 16 * 64 + 64 * 32 + 32 * 4
    assert model.weight_bytes == (16 * 64 + 64 * 32 + 32 * 4) + 4 * (64 + 32 + 4)
    assert [layer.op for layer in model.layers] == [
        "QUANTIZE", "RESHAPE", "FULLY_CONNECTED", "FULLY_CONNECTED", "FULLY_CONNECTED", "SOFTMAX", "DEQUANTIZE"]
    assert model.layers[2].output_shape == (1, 64) and model.layers[2].macs == 16 * 64
    assert model.arena_lower_bound <= model.arena_size
    assert len(model.source_sha256) == 32 and not model.stateful and not model.litert_rounding
    source = model.c_sources["model.c"]
    assert '.rodata.relo_weights.op2_filter_dsp' in source
    assert "relo_model_init" in source and "relo_model_run" in source


def test_big_mlp_weights_and_per_channel():
    model = compile_model(big_mlp(), name="big", target=TARGET)
    assert model.weight_bytes > 200_000
    source = model.c_sources["model.c"]
    assert ".per_channel = 1" in source and ".per_channel = 0" in source


def _fc_case(rng, in_depth=40, out_depth=12, per_channel=True):
    weights = rng.integers(-127, 128, (out_depth, in_depth)).astype(np.int8)
    bias = rng.integers(-5000, 5000, out_depth).astype(np.int32)
    w_scales = list(rng.uniform(0.002, 0.01, out_depth)) if per_channel else [0.005]
    return weights, bias, w_scales


def test_litert_rounding_rounds_once():
    rng = np.random.default_rng(11)
    weights, bias, w_scales = _fc_case(rng)
    in_q, out_q = (0.05, 3), (0.08, -7)
    data = fully_connected_model(weights, bias, batches=1, input_quant=in_q, weight_scales=w_scales,
                                 output_quant=out_q, activation="RELU")
    litert, tflm = host_model(data, litert_rounding=True), host_model(data)
    assert litert.model.litert_rounding
    f32 = np.float32
    act_min, act_max = quant.activation_range_int8("RELU", float(f32(out_q[0])), out_q[1])
    differences = 0
    for _ in range(200):
        x = rng.integers(-128, 128, (1, 40)).astype(np.int8)
        got = litert.run([x])[0]
        acc = (x.astype(np.int64) - in_q[1]) @ weights.T.astype(np.int64) + bias
        expected = []
        for c in range(weights.shape[0]):
            real = float(f32(in_q[0])) * float(f32(w_scales[c])) / float(f32(out_q[0]))
            multiplier, shift = quant.quantize_multiplier(real, single_rounding=True)
            total = 31 - shift
            value = (int(acc[0, c]) * multiplier + (1 << (total - 1))) >> total
            expected.append(min(max(value + out_q[1], act_min), act_max))
        assert got[0].tolist() == expected
        differences += int(not np.array_equal(got, tflm.run([x])[0]))
        assert np.abs(got.astype(int) - tflm.run([x])[0].astype(int)).max() <= 1
    assert differences > 0  # the two roundings really are different code paths


def test_unsupported_ops_are_all_listed():
    model = ModelSpec()
    x = model.add_tensor("x", "int8", (1, 4), scale=0.1, zero_point=0)
    y = model.add_tensor("y", "int8", (1, 4), scale=0.1, zero_point=0)
    z = model.add_tensor("z", "int8", (1, 4), scale=0.1, zero_point=0)
    model.add_op("ZEROS_LIKE", [x], [y])
    model.add_op("REVERSE_V2", [y], [z])
    model.inputs, model.outputs = [x], [z]
    with pytest.raises(UnsupportedOpError) as info:
        compile_model(model.to_bytes(), name="p", target=TARGET)
    assert info.value.ops == [(0, "ZEROS_LIKE"), (1, "REVERSE_V2")]


def test_float_to_int8_fully_connected_is_refused_clearly():
    # float32 models compile (docs/float-models.md); an operator mixing float and int8 does not
    model = ModelSpec()
    x = model.add_tensor("x", "float32", (1, 4))
    w = model.add_tensor("w", "float32", (2, 4), data=np.ones((2, 4)))
    y = model.add_tensor("y", "int8", (1, 2), scale=0.1, zero_point=0)
    model.add_op("FULLY_CONNECTED", [x, w, -1], [y])
    model.inputs, model.outputs = [x], [y]
    with pytest.raises(ModelError, match=r"operator #0 \(FULLY_CONNECTED\): output tensor 'y' is INT8; supported: FLOAT32"):
        compile_model(model.to_bytes(), name="f", target=TARGET)


def test_bad_softmax_output_quantization_is_refused():
    model = ModelSpec()
    x = model.add_tensor("x", "int8", (1, 4), scale=0.1, zero_point=0)
    y = model.add_tensor("y", "int8", (1, 4), scale=0.1, zero_point=0)
    model.add_op("SOFTMAX", [x], [y], beta=1.0)
    model.inputs, model.outputs = [x], [y]
    with pytest.raises(ModelError, match="scale 1/256 and zero point -128"):
        compile_model(model.to_bytes(), name="s", target=TARGET)


def test_mismatched_bias_scale_is_refused():
    rng = np.random.default_rng(2)
    weights, bias, _ = _fc_case(rng, per_channel=False)
    model = ModelSpec()
    x = model.add_tensor("x", "int8", (1, 40), scale=0.05, zero_point=0)
    w = model.add_tensor("w", "int8", weights.shape, scale=0.005, data=weights)
    b = model.add_tensor("b", "int32", bias.shape, scale=1.0, data=bias)
    y = model.add_tensor("y", "int8", (1, 12), scale=0.1, zero_point=0)
    model.add_op("FULLY_CONNECTED", [x, w, b], [y])
    model.inputs, model.outputs = [x], [y]
    with pytest.raises(ModelError, match="bias scale"):
        compile_model(model.to_bytes(), name="b", target=TARGET)


def test_model_entry_points_refuse_a_bad_arena():
    from relomodel.compiler.codegen import STATUS_BAD_ARENA

    model = host_model(demo_model())
    library = model._lib
    assert library.relo_model_init(None) == STATUS_BAD_ARENA
    assert library.relo_model_run(None) == STATUS_BAD_ARENA
    assert library.relo_model_run(model.arena.ctypes.data + 1) == STATUS_BAD_ARENA
    assert library.relo_model_run(model.arena.ctypes.data) == 0
