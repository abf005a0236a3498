"""float32 models: single-op models for the property tests, and a small float CNN and MLP
(what a float Keras/ONNX export looks like: float weights and biases, no quantization)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from relomodel.modelgen.tflite_writer import ModelSpec

F32 = "float32"


def _single(name: str, description: str | None = None) -> ModelSpec:
    return ModelSpec(description=description or f"relomodel float32 single {name}")


def _finish(model: ModelSpec, inputs: list[int], outputs: list[int]) -> bytes:
    model.inputs, model.outputs = inputs, outputs
    return model.to_bytes()


def _weighted(model: ModelSpec, x: int, weights: np.ndarray, bias: np.ndarray | None) -> list[int]:
    w = model.add_tensor("w", F32, weights.shape, data=weights)
    return [x, w] + ([model.add_tensor("b", F32, bias.shape, data=bias)] if bias is not None else [])


def fully_connected_model(input_shape: Sequence[int], weights: np.ndarray, bias: np.ndarray | None, *,
                          activation: str = "NONE") -> bytes:
    """One FULLY_CONNECTED; weights [outputs, inputs]."""
    model = _single("FULLY_CONNECTED")
    x = model.add_tensor("x", F32, input_shape)
    batches = int(np.prod(input_shape)) // weights.shape[1]
    y = model.add_tensor("y", F32, (batches, weights.shape[0]))
    model.add_op("FULLY_CONNECTED", _weighted(model, x, weights, bias), [y], fused_activation_function=activation)
    return _finish(model, [x], [y])


def conv_2d_model(input_shape: Sequence[int], filters: np.ndarray, bias: np.ndarray | None, *,
                  output_shape: Sequence[int], padding: str = "SAME", stride=(1, 1), dilation=(1, 1),
                  activation: str = "NONE") -> bytes:
    """One CONV_2D; filters [out, h, w, in / groups]."""
    model = _single("CONV_2D")
    x = model.add_tensor("x", F32, input_shape)
    y = model.add_tensor("y", F32, output_shape)
    model.add_op("CONV_2D", _weighted(model, x, filters, bias), [y], padding=padding, stride_h=stride[0],
                 stride_w=stride[1], dilation_h=dilation[0], dilation_w=dilation[1],
                 fused_activation_function=activation)
    return _finish(model, [x], [y])


def depthwise_conv_2d_model(input_shape: Sequence[int], filters: np.ndarray, bias: np.ndarray | None, *,
                            output_shape: Sequence[int], depth_multiplier: int, padding: str = "SAME",
                            stride=(1, 1), dilation=(1, 1), activation: str = "NONE") -> bytes:
    """One DEPTHWISE_CONV_2D; filters [1, h, w, in * depth_multiplier]."""
    model = _single("DEPTHWISE_CONV_2D")
    x = model.add_tensor("x", F32, input_shape)
    y = model.add_tensor("y", F32, output_shape)
    model.add_op("DEPTHWISE_CONV_2D", _weighted(model, x, filters, bias), [y], padding=padding,
                 stride_h=stride[0], stride_w=stride[1], dilation_h=dilation[0], dilation_w=dilation[1],
                 depth_multiplier=depth_multiplier, fused_activation_function=activation)
    return _finish(model, [x], [y])


def pool_2d_model(kind: str, input_shape: Sequence[int], *, output_shape: Sequence[int],
                  window: tuple[int, int], padding: str = "VALID", stride=(1, 1),
                  activation: str = "NONE") -> bytes:
    """One AVERAGE_POOL_2D or MAX_POOL_2D."""
    model = _single(kind)
    x = model.add_tensor("x", F32, input_shape)
    y = model.add_tensor("y", F32, output_shape)
    model.add_op(kind, [x], [y], padding=padding, stride_h=stride[0], stride_w=stride[1],
                 filter_height=window[0], filter_width=window[1], fused_activation_function=activation)
    return _finish(model, [x], [y])


def binary_model(name: str, shape1: Sequence[int], shape2: Sequence[int], output_shape: Sequence[int], *,
                 activation: str = "NONE", constant2: np.ndarray | None = None) -> bytes:
    """One ADD/SUB/MUL; the second operand is a constant when `constant2` is given."""
    model = _single(name)
    a = model.add_tensor("a", F32, shape1)
    b = model.add_tensor("b", F32, shape2, data=constant2)
    y = model.add_tensor("y", F32, output_shape)
    model.add_op(name, [a, b], [y], fused_activation_function=activation)
    return _finish(model, [a] if constant2 is not None else [a, b], [y])


def unary_model(name: str, shape: Sequence[int], **options) -> bytes:
    """One single-input op: LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU (alpha=), HARD_SWISH, SOFTMAX (beta=)."""
    model = _single(name)
    x = model.add_tensor("x", F32, shape)
    y = model.add_tensor("y", F32, shape)
    model.add_op(name, [x], [y], **options)
    return _finish(model, [x], [y])


def pad_model(input_shape: Sequence[int], paddings: Sequence[tuple[int, int]], *, padv2: bool = False) -> bytes:
    """PAD, or PADV2 with an explicit 0.0 fill value."""
    model = _single("PADV2" if padv2 else "PAD")
    output_shape = [d + before + after for d, (before, after) in zip(input_shape, paddings)]
    x = model.add_tensor("x", F32, input_shape)
    inputs = [x, model.add_tensor("paddings", "int32", (len(input_shape), 2), data=np.array(paddings))]
    if padv2:
        inputs.append(model.add_tensor("constant", F32, (1,), data=np.zeros(1)))
    y = model.add_tensor("y", F32, output_shape)
    model.add_op("PADV2" if padv2 else "PAD", inputs, [y])
    return _finish(model, [x], [y])


def concatenation_model(shapes: Sequence[Sequence[int]], axis: int) -> bytes:
    model = _single("CONCATENATION")
    inputs = [model.add_tensor(f"x{i}", F32, shape) for i, shape in enumerate(shapes)]
    output_shape = list(shapes[0])
    output_shape[axis] = sum(shape[axis] for shape in shapes)
    y = model.add_tensor("y", F32, output_shape)
    model.add_op("CONCATENATION", inputs, [y], axis=axis)
    return _finish(model, inputs, [y])


def mean_model(input_shape: Sequence[int], axes: Sequence[int], *, keep_dims: bool) -> bytes:
    model = _single("MEAN")
    reduced = {a % len(input_shape) for a in axes}
    output_shape = [1 if i in reduced else d for i, d in enumerate(input_shape)] if keep_dims \
        else [d for i, d in enumerate(input_shape) if i not in reduced]
    x = model.add_tensor("x", F32, input_shape)
    a = model.add_tensor("axes", "int32", (len(axes),), data=np.array(axes, dtype=np.int32))
    y = model.add_tensor("y", F32, output_shape)
    model.add_op("MEAN", [x, a], [y], keep_dims=keep_dims)
    return _finish(model, [x], [y])


def _glorot(rng: np.random.Generator, shape: Sequence[int], fan_in: int, fan_out: int) -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def float_cnn(*, seed: int = 0, image: tuple[int, int, int] = (12, 12, 3), classes: int = 4) -> bytes:
    """A small float CNN: CONV_2D(RELU6) -> DEPTHWISE_CONV_2D(RELU) -> MAX_POOL_2D -> CONV_2D 1x1
    -> HARD_SWISH -> AVERAGE_POOL_2D -> RESHAPE -> FULLY_CONNECTED -> SOFTMAX."""
    rng = np.random.default_rng(seed)
    h, w, c = image
    model = ModelSpec(description="relomodel float32 CNN")
    x = model.add_tensor("image", F32, (1, h, w, c))

    def tensor(name, shape, data=None):
        return model.add_tensor(name, F32, shape, data=data)

    conv1 = tensor("conv1", (1, h, w, 8))
    model.add_op("CONV_2D", [x, tensor("conv1_w", (8, 3, 3, c), _glorot(rng, (8, 3, 3, c), 9 * c, 72)),
                             tensor("conv1_b", (8,), rng.uniform(-0.1, 0.1, 8))], [conv1],
                 padding="SAME", stride_h=1, stride_w=1, fused_activation_function="RELU6")
    dw = tensor("dw", (1, h // 2, w // 2, 8))
    model.add_op("DEPTHWISE_CONV_2D", [conv1, tensor("dw_w", (1, 3, 3, 8), _glorot(rng, (1, 3, 3, 8), 9, 9)),
                                       tensor("dw_b", (8,), rng.uniform(-0.1, 0.1, 8))], [dw],
                 padding="SAME", stride_h=2, stride_w=2, depth_multiplier=1, fused_activation_function="RELU")
    pooled = tensor("pooled", (1, h // 4, w // 4, 8))
    model.add_op("MAX_POOL_2D", [dw], [pooled], padding="VALID", stride_h=2, stride_w=2,
                 filter_height=2, filter_width=2)
    pointwise = tensor("pointwise", (1, h // 4, w // 4, 16))
    model.add_op("CONV_2D", [pooled, tensor("pw_w", (16, 1, 1, 8), _glorot(rng, (16, 1, 1, 8), 8, 16)),
                             tensor("pw_b", (16,), rng.uniform(-0.1, 0.1, 16))], [pointwise],
                 padding="VALID", stride_h=1, stride_w=1)
    swish = tensor("swish", (1, h // 4, w // 4, 16))
    model.add_op("HARD_SWISH", [pointwise], [swish])
    gap = tensor("gap", (1, 1, 1, 16))
    model.add_op("AVERAGE_POOL_2D", [swish], [gap], padding="VALID", stride_h=1, stride_w=1,
                 filter_height=h // 4, filter_width=w // 4)
    flat = tensor("flat", (1, 16))
    model.add_op("RESHAPE", [gap, model.add_tensor("flat_shape", "int32", (2,), data=np.array([1, 16]))],
                 [flat], new_shape=[1, 16])
    logits = tensor("logits", (1, classes))
    model.add_op("FULLY_CONNECTED", [flat, tensor("fc_w", (classes, 16), _glorot(rng, (classes, 16), 16, classes)),
                                     tensor("fc_b", (classes,), rng.uniform(-0.1, 0.1, classes))], [logits])
    probabilities = tensor("probabilities", (1, classes))
    model.add_op("SOFTMAX", [logits], [probabilities], beta=1.0)
    model.inputs, model.outputs = [x], [probabilities]
    return model.to_bytes()


def float_mlp(sizes: Sequence[int] = (16, 32, 24, 3), *, seed: int = 0) -> bytes:
    """A float MLP: FULLY_CONNECTED(RELU), FULLY_CONNECTED -> TANH, ..., FULLY_CONNECTED ->
    LOGISTIC; hidden layers alternate between a fused RELU and a separate TANH."""
    rng = np.random.default_rng(seed)
    model = ModelSpec(description="relomodel float32 MLP")
    x = model.add_tensor("x", F32, (1, sizes[0]))
    current = x
    layers = list(zip(sizes[:-1], sizes[1:]))
    for index, (fan_in, fan_out) in enumerate(layers):
        w = model.add_tensor(f"w{index}", F32, (fan_out, fan_in), data=_glorot(rng, (fan_out, fan_in), fan_in, fan_out))
        b = model.add_tensor(f"b{index}", F32, (fan_out,), data=rng.uniform(-0.2, 0.2, fan_out))
        dense = model.add_tensor(f"dense{index}", F32, (1, fan_out))
        last = index == len(layers) - 1
        fused = "RELU" if index % 2 == 0 and not last else "NONE"
        model.add_op("FULLY_CONNECTED", [current, w, b], [dense], fused_activation_function=fused)
        current = dense
        if last or index % 2 == 1:
            activated = model.add_tensor(f"act{index}", F32, (1, fan_out))
            model.add_op("LOGISTIC" if last else "TANH", [current], [activated])
            current = activated
    model.inputs, model.outputs = [x], [current]
    return model.to_bytes()
