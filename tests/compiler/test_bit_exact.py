"""Generated C run natively vs the TFLite Micro reference interpreter, bit for bit."""

import numpy as np
import pytest

from relomodel.modelgen.mlp import big_mlp, demo_model, make_mlp
from relomodel.reference import run_reference, run_reference_sequence

from .conftest import host_model, shared_model_bytes


def test_hello_world_all_int8_inputs():
    data = shared_model_bytes("hello_world_int8.tflite")
    model = host_model(data)
    inputs = [[np.array([[v]], dtype=np.int8)] for v in range(-128, 128)]
    expected = run_reference_sequence(data, inputs)  # stateless: one interpreter is fine
    for x, want in zip(inputs, expected):
        got = model.run(x)
        assert np.array_equal(got[0], want[0]), f"input {x[0].item()}: {got[0]} != {want[0]}"


def _random_inputs(info, rng, count):
    if info.dtype == 1:  # FLOAT32: include out-of-range values to exercise saturation
        return [[(rng.standard_normal(info.shape) * rng.choice([0.5, 2.0, 20.0])).astype(np.float32)]
                for _ in range(count)]
    return [[rng.integers(-128, 128, info.shape).astype(np.int8)] for _ in range(count)]


@pytest.mark.parametrize("make", [demo_model, big_mlp], ids=["demo_model", "big_mlp"])
def test_generated_mlps_bit_exact(make):
    data = make()
    model = host_model(data)
    rng = np.random.default_rng(1234)
    inputs = _random_inputs(model.model.inputs[0], rng, 300)
    expected = run_reference_sequence(data, inputs)
    for i, (x, want) in enumerate(zip(inputs, expected)):
        got = model.run(x)
        assert np.array_equal(got[0], want[0]), f"sample {i}: {got[0]} != {want[0]}"


def test_mlp_variants_bit_exact():
    variants = [
        dict(layer_sizes=[10, 20, 5], seed=3, per_channel_layers=(0, 1), activations=("RELU6", "NONE")),
        dict(layer_sizes=[33, 7, 9, 2], seed=4, float_io=False, reshape=False, softmax=True),
        dict(layer_sizes=[8, 3], seed=5, activations=("RELU",), softmax=False),
    ]
    rng = np.random.default_rng(7)
    for variant in variants:
        data = make_mlp(**variant)
        model = host_model(data)
        for x in _random_inputs(model.model.inputs[0], rng, 50):
            assert np.array_equal(model.run(x)[0], run_reference(data, x)[0]), variant


def test_demo_model_outputs_are_probabilities():
    model = host_model(demo_model())
    out = model.run([np.linspace(-2, 2, 16, dtype=np.float32).reshape(1, 16, 1)])[0]
    assert out.dtype == np.float32 and out.shape == (1, 4)
    assert abs(float(out.sum()) - 1.0) < 0.05 and (out >= 0).all()
