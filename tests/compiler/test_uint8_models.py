"""Legacy uint8 models (TF1 quantization-aware training style) on the host build, bit for bit
against LiteRT's reference kernels (TFLite Micro cannot run them at all), and clear refusals."""

import numpy as np
import pytest

from relomodel.compiler import compile_model
from relomodel.compiler.tflite_reader import read_tflite
from relomodel.errors import ModelError
from relomodel.format import spec
from relomodel.modelgen.expose import expose_tensors
from relomodel.modelgen.tflite_writer import ModelSpec
from relomodel.modelgen.uint8_models import (
    concatenation_uint8_model, fully_connected_uint8_model, mobilenet_v1_uint8,
)
from relomodel.reference import run_reference

from .conftest import TARGET, host_model
from .litert_reference import LiteRTReference


def _images(rng, shape, count):
    structured = [np.zeros(shape), np.full(shape, 255), np.full(shape, 128),
                  (np.arange(int(np.prod(shape))) % 256).reshape(shape)]
    randoms = [rng.integers(0, 256, shape) for _ in range(count)]
    smooth = [np.clip(128 + rng.normal(0, 30, shape).cumsum(axis=2) / 3, 0, 255) for _ in range(count // 4)]
    return [[np.asarray(x).astype(np.uint8)] for x in structured + randoms + smooth]


@pytest.fixture(scope="module")
def mobilenet():
    data = mobilenet_v1_uint8(seed=1)
    graph = read_tflite(data)
    intermediates = [t.index for t in graph.tensors if t.dtype == "uint8" and not t.is_constant]
    return expose_tensors(data, intermediates)  # every activation compared, not only the softmax


def test_uint8_mobilenet_is_bit_exact_with_litert(mobilenet):
    model, reference = host_model(mobilenet), LiteRTReference(mobilenet)
    inputs = _images(np.random.default_rng(7), (1, 16, 16, 3), 80)
    answers = set()
    for step, x in enumerate(inputs):
        got, want = model.run(x), reference.invoke(x)
        assert len(got) == len(want) > 8
        for index, (g, w) in enumerate(zip(got, want)):
            assert g.dtype == np.uint8 and np.array_equal(g, w), f"input {step}, output {index}"
        answers.add(got[0].tobytes())
    assert len(answers) > len(inputs) // 2  # the softmax saw many different answers


def test_uint8_model_keeps_uint8_io_for_the_user():
    model = compile_model(mobilenet_v1_uint8(seed=1), name="m", target=TARGET)
    (image,), (probabilities,) = model.inputs, model.outputs
    assert image.dtype == probabilities.dtype == int(spec.DTYPE.UINT8)
    assert (image.zero_point, probabilities.zero_point) == (128, 0)  # as in the .tflite, not shifted
    assert abs(probabilities.scale - 1 / 256) < 1e-9


def test_tflite_micro_refuses_the_uint8_model():
    # why uint8 support matters: the TFLM reference cannot run these models at all
    with pytest.raises(ModelError, match="TFLite Micro cannot load"):
        run_reference(mobilenet_v1_uint8(seed=1), [np.zeros((1, 16, 16, 3), np.uint8)])


def test_uint8_fully_connected_rounds_once_like_litert():
    # LiteRT's uint8 FULLY_CONNECTED rounds its rescale once; small depths and large output
    # scales make ties in the second rounding frequent, where TFLM-style rounding would differ
    rng = np.random.default_rng(2)
    for _ in range(12):
        in_depth, out_depth = int(rng.integers(1, 6)), int(rng.integers(4, 16))
        input_quant = (float(rng.uniform(0.01, 0.1)), int(rng.integers(0, 256)))
        weight_quant = (float(rng.uniform(0.001, 0.02)), int(rng.integers(0, 256)))
        output_quant = (input_quant[0] * weight_quant[0] * float(rng.uniform(0.5, 40)), int(rng.integers(0, 256)))
        data = fully_connected_uint8_model(
            rng.integers(0, 256, (out_depth, in_depth)).astype(np.uint8),
            rng.integers(-3000, 3000, out_depth).astype(np.int32), batches=1, input_quant=input_quant,
            weight_quant=weight_quant, output_quant=output_quant)
        model, reference = host_model(data), LiteRTReference(data)
        for x in rng.integers(0, 256, (100, 1, in_depth)).astype(np.uint8):
            assert np.array_equal(model.run([x])[0], reference.invoke([x])[0])


def _refused(data, match):
    with pytest.raises(ModelError, match=match):
        compile_model(data, name="bad", target=TARGET)


def test_unquantized_uint8_tensor_is_refused():
    model = ModelSpec()
    x = model.add_tensor("x", "uint8", (1, 4))
    y = model.add_tensor("y", "uint8", (1, 4))
    model.add_op("RELU", [x], [y])
    model.inputs, model.outputs = [x], [y]
    _refused(model.to_bytes(), r"uint8 tensor 'x' is not quantized")


def test_asymmetric_per_channel_uint8_weights_are_refused():
    model = ModelSpec()
    x = model.add_tensor("x", "uint8", (1, 3), scale=0.1, zero_point=128)
    w = model.add_tensor("w", "uint8", (2, 3), scale=[0.01, 0.02], zero_point=[100, 120],
                         data=np.full((2, 3), 7))
    y = model.add_tensor("y", "uint8", (1, 2), scale=0.1, zero_point=128)
    model.add_op("FULLY_CONNECTED", [x, w], [y])
    model.inputs, model.outputs = [x], [y]
    _refused(model.to_bytes(), r"operator #0 \(FULLY_CONNECTED\): weights quantized per channel must be symmetric")


def test_asymmetric_int8_weights_are_still_refused():
    model = ModelSpec()
    x = model.add_tensor("x", "int8", (1, 3), scale=0.1, zero_point=0)
    w = model.add_tensor("w", "int8", (2, 3), scale=0.01, zero_point=5, data=np.full((2, 3), 7))
    y = model.add_tensor("y", "int8", (1, 2), scale=0.1, zero_point=0)
    model.add_op("FULLY_CONNECTED", [x, w], [y])
    model.inputs, model.outputs = [x], [y]
    _refused(model.to_bytes(), r"weights must be symmetric \(zero point 0\)")


def test_uint8_concatenation_with_rescaling_is_refused():
    data = concatenation_uint8_model([(1, 2), (1, 3)], 1, quant=(0.1, 128))
    model = ModelSpec()
    a = model.add_tensor("a", "uint8", (1, 2), scale=0.1, zero_point=128)
    b = model.add_tensor("b", "uint8", (1, 3), scale=0.2, zero_point=128)
    y = model.add_tensor("y", "uint8", (1, 5), scale=0.1, zero_point=128)
    model.add_op("CONCATENATION", [a, b], [y], axis=1)
    model.inputs, model.outputs = [a, b], [y]
    _refused(model.to_bytes(), r"uint8 input 'b/int8' has a quantization other than the output's")
    compile_model(data, name="ok", target=TARGET)  # a shared quantization compiles
