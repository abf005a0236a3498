"""`pack --litert-rounding`: FC-heavy models bit for bit against LiteRT's reference kernels
(BUILTIN_REF), which round FULLY_CONNECTED's rescale once where TFLite Micro rounds twice."""

import numpy as np
import pytest

from relomodel.format import spec
from relomodel.modelgen.mlp import big_mlp, demo_model, make_mlp

from .conftest import host_model, shared_model_bytes
from .litert_reference import LiteRTReference

MLPS = {
    "demo 16-64-32-4 float io": demo_model,
    "784-256-128-10 per-channel": big_mlp,
    "32-64-64-10 relu6": lambda: make_mlp([32, 64, 64, 10], seed=3, activations=("RELU6", "RELU", "NONE"),
                                          float_io=False, softmax=True),
    "20-48-48-12 per-channel": lambda: make_mlp([20, 48, 48, 12], seed=5, per_channel_layers=(0, 2),
                                                float_io=False),
}


def _outputs_differ(model, reference, inputs) -> int:
    return sum(not all(np.array_equal(g, w) for g, w in zip(model.run(x), reference.invoke(x))) for x in inputs)


def _random_inputs(model, rng, count):
    inputs = []
    for _ in range(count):
        step = []
        for info in model.model.inputs:
            if info.dtype == spec.DTYPE.FLOAT32:
                step.append(rng.normal(0.0, 1.5, info.shape).astype(np.float32))
            else:
                step.append(rng.integers(-128, 128, info.shape).astype(np.int8))
        inputs.append(step)
    return inputs


def test_hello_world_every_input_bit_exact_with_litert():
    data = shared_model_bytes("hello_world_int8.tflite")
    inputs = [[np.array([[v]], dtype=np.int8)] for v in range(-128, 128)]  # its whole input space
    litert = host_model(data, litert_rounding=True)
    assert _outputs_differ(litert, LiteRTReference(data), inputs) == 0
    # the option matters: TFLM rounding (the default) disagrees with LiteRT on some inputs
    assert _outputs_differ(host_model(data), LiteRTReference(data), inputs) > 0


@pytest.mark.parametrize("name", sorted(MLPS))
def test_generated_mlps_bit_exact_with_litert(name):
    data = MLPS[name]()
    model = host_model(data, litert_rounding=True)
    inputs = _random_inputs(model, np.random.default_rng(31), 150)
    assert _outputs_differ(model, LiteRTReference(data), inputs) == 0


def test_micro_speech_bit_exact_with_litert_under_litert_rounding():
    # depthwise conv + FC + softmax: only FULLY_CONNECTED changes its rounding under the option
    data = shared_model_bytes("micro_speech_quantized.tflite")
    model = host_model(data, litert_rounding=True)
    assert _outputs_differ(model, LiteRTReference(data), _random_inputs(model, np.random.default_rng(5), 30)) == 0
