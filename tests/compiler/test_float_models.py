"""float32 models end to end on the host harness: a small CNN and an MLP against TFLite Micro
within the documented tolerance, and clear errors for float models we cannot compile."""

import numpy as np
import pytest

from relomodel.compiler import compile_model
from relomodel.compiler.ops.float32.tolerance import TOLERANCE, assert_within_tolerance, float_error
from relomodel.errors import ModelError
from relomodel.format import spec
from relomodel.modelgen import float_models as models
from relomodel.modelgen.tflite_writer import ModelSpec
from relomodel.reference import run_reference

from .conftest import TARGET, host_model


@pytest.mark.parametrize("build, shape", [
    (lambda seed: models.float_cnn(seed=seed), (1, 12, 12, 3)),
    (lambda seed: models.float_mlp(seed=seed), (1, 16)),
], ids=["cnn", "mlp"])
def test_float_network_matches_tflm(build, shape):
    worst = 0.0
    for seed in range(2):
        model_bytes = build(seed)
        model = host_model(model_bytes)
        rng = np.random.default_rng(seed)
        for _ in range(4):
            x = rng.uniform(-3.0, 3.0, shape).astype(np.float32)
            got, want = model.run([x])[0], run_reference(model_bytes, [x])[0]
            assert_within_tolerance(got, want)
            worst = max(worst, float_error(got, want))
    assert worst < TOLERANCE / 10  # measured: ~1e-7; the tolerance leaves room for deeper models


def test_float_io_is_described_without_quantization():
    compiled = compile_model(models.float_mlp(), name="mlp", target=TARGET)
    for tensor in compiled.inputs + compiled.outputs:
        assert tensor.dtype == int(spec.DTYPE.FLOAT32)
        assert (tensor.scale, tensor.zero_point) == (0.0, 0)
    assert compiled.weight_bytes == 4 * (16 * 32 + 32 + 32 * 24 + 24 + 24 * 3 + 3)


def _fc_model(weights, *, activation="NONE", weights_dtype="float32") -> bytes:
    model = ModelSpec()
    x = model.add_tensor("x", "float32", (1, weights.shape[1]))
    if weights_dtype == "int8":
        w = model.add_tensor("w", "int8", weights.shape, scale=0.1, data=weights)
    else:
        w = model.add_tensor("w", "float32", weights.shape, data=weights)
    y = model.add_tensor("y", "float32", (1, weights.shape[0]))
    model.add_op("FULLY_CONNECTED", [x, w], [y], fused_activation_function=activation)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


@pytest.mark.parametrize("model_bytes, message", [
    (_fc_model(np.array([[1.0, np.nan]], np.float32)), "weights 'w' contains NaN or infinite values"),
    (_fc_model(np.array([[1.0, np.inf]], np.float32)), "weights 'w' contains NaN or infinite values"),
    (_fc_model(np.ones((2, 2), np.float32), activation="TANH"), "fused activation TANH is not supported on float32"),
    (_fc_model(np.ones((2, 2), np.int8), weights_dtype="int8"), "weights tensor 'w' is INT8; supported: FLOAT32"),
], ids=["nan-weight", "inf-weight", "fused-tanh", "int8-weights"])
def test_unsupported_float_models_are_refused_clearly(model_bytes, message):
    with pytest.raises(ModelError, match="operator #0 \\(FULLY_CONNECTED\\): " + message):
        compile_model(model_bytes, name="bad", target=TARGET)


def test_padv2_with_nonzero_fill_is_refused():
    model = ModelSpec()
    x = model.add_tensor("x", "float32", (1, 2))
    paddings = model.add_tensor("paddings", "int32", (2, 2), data=np.array([[0, 0], [1, 1]]))
    fill = model.add_tensor("fill", "float32", (1,), data=np.array([0.5]))
    y = model.add_tensor("y", "float32", (1, 4))
    model.add_op("PADV2", [x, paddings, fill], [y])
    model.inputs, model.outputs = [x], [y]
    with pytest.raises(ModelError, match="fill value 0.5 is not supported"):
        compile_model(model.to_bytes(), name="bad", target=TARGET)
