"""Batch-norm MUL/ADD after a convolution: folded only when provably bit-exact, and the
compiled model matches TFLite Micro on the ORIGINAL (unfolded) graph either way."""

import numpy as np
import pytest

from relomodel.compiler import compile_model
from relomodel.compiler.passes.fold_batch_norm import fold_batch_norm
from relomodel.compiler.tflite_reader import read_tflite
from relomodel.modelgen.tflite_writer import ModelSpec
from relomodel.reference import run_reference_sequence

from .conftest import TARGET, host_model

CHANNELS = 6


def _conv_bn_model(rng, *, mul, add, conv_out, mul_out, add_out, activation="RELU", depthwise=False):
    """input -> CONV_2D (no activation) -> MUL by per-channel constant -> ADD per-channel constant."""
    model = ModelSpec(description="conv + batch norm")
    x = model.add_tensor("x", "int8", (1, 6, 6, 3 if not depthwise else CHANNELS), scale=0.05, zero_point=-10)
    if depthwise:
        filters = rng.integers(-127, 128, (1, 3, 3, CHANNELS)).astype(np.int8)
        w = model.add_tensor("w", "int8", filters.shape, scale=list(rng.uniform(0.002, 0.01, CHANNELS)),
                             zero_point=0, axis=3, data=filters)
    else:
        filters = rng.integers(-127, 128, (CHANNELS, 3, 3, 3)).astype(np.int8)
        w = model.add_tensor("w", "int8", filters.shape, scale=list(rng.uniform(0.002, 0.01, CHANNELS)),
                             zero_point=0, axis=0, data=filters)
    b = model.add_tensor("b", "int32", (CHANNELS,), scale=[0.0001] * CHANNELS, zero_point=0,
                         data=rng.integers(-2000, 2000, CHANNELS))
    c = model.add_tensor("c", "int8", (1, 6, 6, CHANNELS), scale=conv_out[0], zero_point=conv_out[1])
    options = dict(padding="SAME", fused_activation_function="NONE")
    if depthwise:
        model.add_op("DEPTHWISE_CONV_2D", [x, w, b], [c], depth_multiplier=1, **options)
    else:
        model.add_op("CONV_2D", [x, w, b], [c], **options)
    m_const = model.add_tensor("gamma", "int8", (CHANNELS,), scale=mul[0], zero_point=mul[1], data=mul[2])
    m = model.add_tensor("scaled", "int8", (1, 6, 6, CHANNELS), scale=mul_out[0], zero_point=mul_out[1])
    model.add_op("MUL", [c, m_const], [m], fused_activation_function="NONE")
    a_const = model.add_tensor("beta", "int8", (CHANNELS,), scale=add[0], zero_point=add[1], data=add[2])
    y = model.add_tensor("y", "int8", (1, 6, 6, CHANNELS), scale=add_out[0], zero_point=add_out[1])
    model.add_op("ADD", [m, a_const], [y], fused_activation_function=activation)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def _assert_bit_exact(data, rng):
    model = host_model(data)
    inputs = [[rng.integers(-128, 128, (1, 6, 6, model.model.inputs[0].shape[3])).astype(np.int8)]
              for _ in range(20)]
    for x, want in zip(inputs, run_reference_sequence(data, inputs)):
        assert np.array_equal(model.run(x)[0], want[0])
    return model


@pytest.mark.parametrize("depthwise", [False, True])
def test_identity_like_batch_norm_is_folded_and_exact(depthwise):
    # MUL by 64 * 2^-5 = 2.0 into an output scale exactly twice the conv's: codes are unchanged;
    # ADD of a zero offset into the same scale: unchanged again. Provably exact -> folded.
    rng = np.random.default_rng(5)
    conv_out = (0.125, 3)
    data = _conv_bn_model(rng, conv_out=conv_out, mul=(2.0 ** -5, 0, np.full(CHANNELS, 64)),
                          mul_out=(0.25, 3), add=(0.25, 7, np.full(CHANNELS, 7)), add_out=(0.25, 3),
                          depthwise=depthwise)
    folded = fold_batch_norm(read_tflite(data))
    assert [op.name for op in folded.operators] == ["DEPTHWISE_CONV_2D" if depthwise else "CONV_2D"]
    model = _assert_bit_exact(data, rng)
    assert [layer.op for layer in model.model.layers] == [folded.operators[0].name]


def test_realistic_batch_norm_is_kept_and_exact():
    rng = np.random.default_rng(6)
    data = _conv_bn_model(rng, conv_out=(0.11, -4), mul=(0.009, 0, rng.integers(40, 127, CHANNELS)),
                          mul_out=(0.07, 2), add=(0.02, -1, rng.integers(-100, 100, CHANNELS)),
                          add_out=(0.05, -20))
    graph = fold_batch_norm(read_tflite(data))
    assert [op.name for op in graph.operators] == ["CONV_2D", "MUL", "ADD"]  # not provably exact: kept
    model = _assert_bit_exact(data, rng)
    assert [layer.op for layer in model.model.layers] == ["CONV_2D", "MUL", "ADD"]


def test_negative_scale_is_never_folded():
    rng = np.random.default_rng(7)
    data = _conv_bn_model(rng, conv_out=(0.125, 3), mul=(2.0 ** -5, 0, np.full(CHANNELS, -64)),
                          mul_out=(0.25, 3), add=(0.25, 7, np.full(CHANNELS, 7)), add_out=(0.25, 3))
    assert [op.name for op in fold_batch_norm(read_tflite(data)).operators] == ["CONV_2D", "MUL", "ADD"]
    _assert_bit_exact(data, rng)


def test_fold_keeps_compiling_other_models():
    # nothing to fold in person_detect-like chains without MUL/ADD: the graph is untouched
    rng = np.random.default_rng(8)
    data = _conv_bn_model(rng, conv_out=(0.11, -4), mul=(0.009, 0, rng.integers(40, 127, CHANNELS)),
                          mul_out=(0.07, 2), add=(0.02, -1, rng.integers(-100, 100, CHANNELS)),
                          add_out=(0.05, -20))
    assert compile_model(data, name="bn", target=TARGET).layers
