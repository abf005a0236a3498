"""person_detect and micro_speech end to end on the host build vs TFLite Micro, their arenas,
and clear refusals for spatial ops we cannot compile."""

import numpy as np
import pytest

from relomodel.compiler import compile_model
from relomodel.errors import ModelError
from relomodel.modelgen.spatial import conv_2d_model, pad_model, pool_2d_model
from relomodel.modelgen.tflite_writer import ModelSpec
from relomodel.reference import run_reference_sequence

from .conftest import TARGET, host_model, shared_model_bytes

TFLM_ARENA = {"person_detect.tflite": 82_308, "micro_speech_quantized.tflite": 6_836}


def _inputs(info, rng, count):
    shape = info.shape
    structured = [np.full(shape, -128), np.full(shape, 127), np.full(shape, info.zero_point),
                  (np.arange(int(np.prod(shape))) % 256 - 128).reshape(shape)]
    randoms = [rng.integers(-128, 128, shape) for _ in range(count)]
    smooth = [np.clip(rng.normal(0, 40, shape).cumsum(axis=-2) / 4, -128, 127) for _ in range(count // 4)]
    return [[np.asarray(x).astype(np.int8)] for x in structured + randoms + smooth]


@pytest.mark.parametrize("name,count", [("person_detect.tflite", 40), ("micro_speech_quantized.tflite", 60)])
def test_shared_conv_models_bit_exact(name, count):
    data = shared_model_bytes(name)
    model = host_model(data)
    inputs = _inputs(model.model.inputs[0], np.random.default_rng(2024), count)
    expected = run_reference_sequence(data, inputs)  # stateless models: one interpreter is fine
    outputs = set()
    for i, (x, want) in enumerate(zip(inputs, expected)):
        got = model.run(x)[0]
        assert np.array_equal(got, want[0]), f"{name} input {i}: {got} != {want[0]}"
        outputs.add(got.tobytes())
    assert len(outputs) > len(inputs) // 4  # the comparison saw many different answers


@pytest.mark.parametrize("name", sorted(TFLM_ARENA))
def test_shared_conv_model_arenas(name):
    model = compile_model(shared_model_bytes(name), name=name, target=TARGET)
    assert model.arena_size <= 1.05 * model.arena_lower_bound, (model.arena_size, model.arena_lower_bound)
    assert model.arena_size <= 0.65 * TFLM_ARENA[name], model.arena_size
    if name == "person_detect.tflite":
        assert model.arena_size <= 0.6 * TFLM_ARENA[name]
        assert model.macs == 7_157_888  # ~7.2 M multiply-accumulates, as TFLM's benchmark reports


def test_person_detect_output_overlaps_its_input():
    # 1x1 CONV_2D #2 (48x48x8 -> 48x48x16) streams its output over its input: together they
    # take well under the 55,296 bytes of two separate buffers
    model = compile_model(shared_model_bytes("person_detect.tflite"), name="p", target=TARGET)
    assert model.arena_size < 48 * 48 * (8 + 16)


def _refused(data, match):
    with pytest.raises(ModelError, match=match):
        compile_model(data, name="bad", target=TARGET)


def test_conv_output_shape_mismatch_is_refused():
    filters = np.ones((2, 3, 3, 1), dtype=np.int8)
    data = conv_2d_model((1, 8, 8, 1), filters, None, output_shape=(1, 7, 7, 2), input_quant=(0.1, 0),
                         filter_scales=[0.01], output_quant=(0.1, 0), padding="SAME")
    _refused(data, r"operator #0 \(CONV_2D\): output shape \(1, 7, 7, 2\) does not match")


def test_pool_with_rescale_is_refused():
    model = ModelSpec()
    x = model.add_tensor("x", "int8", (1, 4, 4, 2), scale=0.1, zero_point=0)
    y = model.add_tensor("y", "int8", (1, 2, 2, 2), scale=0.2, zero_point=0)
    model.add_op("MAX_POOL_2D", [x], [y], padding="VALID", stride_h=2, stride_w=2, filter_height=2,
                 filter_width=2)
    model.inputs, model.outputs = [x], [y]
    _refused(model.to_bytes(), r"MAX_POOL_2D\): input quantization .* differs from output")


def test_pad_of_rank_five_is_refused():
    _refused(pad_model((1, 1, 2, 2, 2), [(0, 0)] * 4 + [(1, 1)], quant=(0.1, 0)), r"input rank 5")


def test_mean_with_bad_axes_is_refused():
    model = ModelSpec()
    x = model.add_tensor("x", "int8", (1, 4, 4, 2), scale=0.1, zero_point=0)
    a = model.add_tensor("axes", "int32", (1,), data=np.array([4]))
    y = model.add_tensor("y", "int8", (1, 4, 4, 2), scale=0.1, zero_point=0)
    model.add_op("MEAN", [x, a], [y], keep_dims=True)
    model.inputs, model.outputs = [x], [y]
    _refused(model.to_bytes(), r"MEAN\): axes \[4\] are out of range")


def test_average_pool_of_float_to_int8_is_refused():
    model = ModelSpec()  # float32 pools compile (docs/float-models.md); float in, int8 out does not
    x = model.add_tensor("x", "float32", (1, 4, 4, 1))
    y = model.add_tensor("y", "int8", (1, 2, 2, 1), scale=0.1, zero_point=0)
    model.add_op("AVERAGE_POOL_2D", [x], [y], padding="VALID", stride_h=2, stride_w=2, filter_height=2,
                 filter_width=2)
    model.inputs, model.outputs = [x], [y]
    _refused(model.to_bytes(), r"AVERAGE_POOL_2D\): output tensor 'y' is INT8; supported: FLOAT32")


def test_pool_model_helper_shapes_run():
    # a 2x2/2 average pool on known values, checked by hand (not only against TFLM)
    data = pool_2d_model("AVERAGE_POOL_2D", (1, 2, 4, 1), output_shape=(1, 1, 2, 1), quant=(0.5, 0),
                         window=(2, 2), padding="VALID", stride=(2, 2))
    x = np.array([1, 2, 3, 4, -1, -2, -3, -5], dtype=np.int8).reshape(1, 2, 4, 1)
    got = host_model(data).run([x])[0].reshape(-1)
    assert got.tolist() == [0, 0]  # (1+2-1-2)/4 = 0; (3+4-3-5)/4 = -0.25 -> 0
    x2 = np.array([1, 2, 3, 4, 1, 2, 3, 5], dtype=np.int8).reshape(1, 2, 4, 1)
    assert host_model(data).run([x2])[0].reshape(-1).tolist() == [2, 4]  # 1.5 -> 2, 3.75 -> 4
