import numpy as np
import pytest

from relomodel.compiler import ops
from relomodel.compiler.tflite_reader import read_tflite
from relomodel.errors import ModelError, UnsupportedOpError
from relomodel.modelgen.mlp import demo_model

from .conftest import shared_model_bytes

SHARED_MODELS = [
    "audio_preprocessor_int8.tflite", "dtln_noise_suppression.tflite", "hello_world_int8.tflite",
    "keyword_scrambled_8bit.tflite", "micro_speech_quantized.tflite", "person_detect.tflite",
    "simple_add_model.tflite", "trained_lstm_int8.tflite",
]


@pytest.mark.parametrize("name", SHARED_MODELS)
def test_every_shared_model_parses(name):
    graph = read_tflite(shared_model_bytes(name))
    assert graph.operators and graph.inputs and graph.outputs
    for op in graph.operators:
        for t in op.inputs + op.outputs:
            assert -1 <= t < len(graph.tensors)
    for tensor in graph.tensors:
        if tensor.data is not None:
            assert tensor.data.shape == tensor.shape


def test_hello_world_contents():
    graph = read_tflite(shared_model_bytes("hello_world_int8.tflite"))
    assert [op.name for op in graph.operators] == ["FULLY_CONNECTED"] * 3
    first = graph.operators[0]
    assert first.options["fused_activation_function"] == 1  # RELU
    weights = graph.tensor(first.inputs[1])
    assert weights.dtype == "int8" and weights.data.shape == (16, 1)
    x = graph.tensor(graph.inputs[0])
    assert x.shape == (1, 1) and x.quantization.zero_point == -128
    assert x.quantization.scale == pytest.approx(0.0244801, rel=1e-5)


def _unsupported(name):
    graph = read_tflite(shared_model_bytes(name))
    with pytest.raises(UnsupportedOpError) as info:
        ops.check_supported(graph)
    return info.value.ops


def test_person_detect_and_micro_speech_are_fully_supported():
    # every op of both (convolutions, pooling, FC, reshape, softmax) has a lowering now
    for name in ("person_detect.tflite", "micro_speech_quantized.tflite"):
        ops.check_supported(read_tflite(shared_model_bytes(name)))


def test_audio_preprocessor_lists_custom_ops_by_name():
    listed = _unsupported("audio_preprocessor_int8.tflite")
    names = [n for _, n in listed]
    assert listed[0] == (0, "CUSTOM:SignalWindow")
    assert "CUSTOM:SignalFilterBankLog" in names and "CAST" in names
    assert not {"RESHAPE", "ADD", "MUL", "CONCATENATION", "STRIDED_SLICE"} & set(names)
    assert len(listed) == 16  # 22 operators: RESHAPE, ADD x2, MUL, CONCATENATION, STRIDED_SLICE have lowerings
    message = str(UnsupportedOpError(listed))
    assert "CUSTOM:SignalWindow (operator #0)" in message


def test_not_tflite_is_a_model_error():
    with pytest.raises(ModelError, match="not a TFLite model"):
        read_tflite(b"hello, this is not a model at all")
    with pytest.raises(ModelError):
        read_tflite(b"")


def test_corrupt_model_is_a_model_error():
    data = bytearray(demo_model())
    rng = np.random.default_rng(0)
    for _ in range(50):  # a flipped byte may still parse; it must never raise anything else
        broken = bytearray(data)
        for position in rng.integers(8, len(broken), 20):
            broken[position] = rng.integers(0, 256)
        try:
            read_tflite(bytes(broken))
        except ModelError:
            pass
    truncated = bytes(data[: len(data) // 3])
    with pytest.raises(ModelError):
        read_tflite(truncated)
