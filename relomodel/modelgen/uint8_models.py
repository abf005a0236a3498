"""Legacy uint8 models, quantized the way TF1 quantization-aware training exported them.

TF1 (TOCO) models are uint8 throughout: activations and weights both asymmetric per tensor
(weight zero points are rarely 0), int32 biases with scale = input scale x weight scale,
RELU6 outputs on the range [0, 6] (zero point 0), a softmax output of scale 1/256 and zero
point 0. mobilenet_v1_uint8() is a small network with that structure (the MobileNet v1 *_quant
family's layer sequence); the single-op builders are for property tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from relomodel.modelgen.tflite_writer import ModelSpec

Quant = tuple[float, int]
RELU6_QUANT: Quant = (6.0 / 255, 0)  # TF1 QAT's fixed RELU6 range
IMAGE_QUANT: Quant = (1.0 / 128, 128)  # MobileNet input: [-1, 1)
SOFTMAX_QUANT: Quant = (1.0 / 256, 0)  # uint8 softmax output, required by TFLite


def uint8_range_quant(low: float, high: float) -> Quant:
    """(scale, zero point) of a uint8 range, nudged to contain 0 exactly (TF1 FakeQuant)."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low < 1e-6:
        high = low + 1e-6
    scale = float(np.float32((high - low) / 255.0))
    return scale, int(np.clip(np.round(-low / scale), 0, 255))


def uint8_weights(weights: np.ndarray) -> tuple[np.ndarray, Quant]:
    """Asymmetric per-tensor uint8 weights and their (scale, zero point)."""
    scale, zero_point = uint8_range_quant(float(weights.min()), float(weights.max()))
    quantized = np.clip(np.round(weights / scale) + zero_point, 0, 255).astype(np.uint8)
    return quantized, (scale, zero_point)


def _bias(model: ModelSpec, name: str, values: np.ndarray, input_scale: float, weight_scale: float) -> int:
    scale = float(np.float32(input_scale) * np.float32(weight_scale))
    quantized = np.round(values / scale).astype(np.int32)
    return model.add_tensor(name, "int32", quantized.shape, scale=scale, zero_point=0, data=quantized)


def _weights(model: ModelSpec, name: str, values: np.ndarray) -> tuple[int, float]:
    quantized, (scale, zero_point) = uint8_weights(values)
    return model.add_tensor(name, "uint8", quantized.shape, scale=scale, zero_point=zero_point, data=quantized), scale


class _Builder:
    """Appends uint8 layers to a ModelSpec, tracking the current tensor and its quantization."""

    def __init__(self, model: ModelSpec, rng: np.random.Generator, current: int, shape, quant: Quant):
        self.model, self.rng = model, rng
        self.current, self.shape, self.quant = current, tuple(shape), quant

    def conv(self, name: str, out_depth: int, kernel: int, stride: int) -> None:
        in_depth = self.shape[3]
        fan_in = kernel * kernel * in_depth
        w = self.rng.normal(0.0, np.sqrt(2.0 / fan_in), (out_depth, kernel, kernel, in_depth)).astype(np.float32)
        self._window_layer("CONV_2D", name, w, out_depth, stride, {})

    def depthwise(self, name: str, kernel: int, stride: int) -> None:
        depth = self.shape[3]
        w = self.rng.normal(0.0, np.sqrt(2.0 / (kernel * kernel)), (1, kernel, kernel, depth)).astype(np.float32)
        self._window_layer("DEPTHWISE_CONV_2D", name, w, depth, stride, {"depth_multiplier": 1})

    def _window_layer(self, kind: str, name: str, w: np.ndarray, out_depth: int, stride: int, extra: dict) -> None:
        w_t, w_scale = _weights(self.model, f"{name}/weights", w)
        bias = 0.2 * self.rng.standard_normal(out_depth).astype(np.float32)
        b_t = _bias(self.model, f"{name}/bias", bias, self.quant[0], w_scale)
        n, h, w_in, _ = self.shape
        out_shape = (n, -(-h // stride), -(-w_in // stride), out_depth)
        out = self.model.add_tensor(f"{name}/relu6", "uint8", out_shape, scale=RELU6_QUANT[0],
                                    zero_point=RELU6_QUANT[1])
        self.model.add_op(kind, [self.current, w_t, b_t], [out], padding="SAME", stride_h=stride,
                          stride_w=stride, fused_activation_function="RELU6", **extra)
        self.current, self.shape, self.quant = out, out_shape, RELU6_QUANT

    def global_average_pool(self) -> None:
        n, h, w, depth = self.shape
        out = self.model.add_tensor("pool", "uint8", (n, 1, 1, depth), scale=self.quant[0], zero_point=self.quant[1])
        self.model.add_op("AVERAGE_POOL_2D", [self.current], [out], padding="VALID", filter_height=h,
                          filter_width=w)
        self.current, self.shape = out, (n, 1, 1, depth)

    def flatten(self) -> None:
        depth = int(np.prod(self.shape[1:]))
        target = self.model.add_tensor("flatten_shape", "int32", (2,), data=np.array([1, depth]))
        out = self.model.add_tensor("flatten", "uint8", (1, depth), scale=self.quant[0], zero_point=self.quant[1])
        self.model.add_op("RESHAPE", [self.current, target], [out], new_shape=[1, depth])
        self.current, self.shape = out, (1, depth)

    def dense(self, classes: int, logits_range: float) -> None:
        depth = self.shape[1]
        w = self.rng.normal(0.0, np.sqrt(2.0 / depth), (classes, depth)).astype(np.float32)
        w_t, w_scale = _weights(self.model, "logits/weights", w)
        b_t = _bias(self.model, "logits/bias", 0.2 * self.rng.standard_normal(classes), self.quant[0], w_scale)
        quant = uint8_range_quant(-logits_range, logits_range)
        out = self.model.add_tensor("logits", "uint8", (1, classes), scale=quant[0], zero_point=quant[1])
        self.model.add_op("FULLY_CONNECTED", [self.current, w_t, b_t], [out])
        self.current, self.shape, self.quant = out, (1, classes), quant

    def softmax(self) -> None:
        out = self.model.add_tensor("probabilities", "uint8", self.shape, scale=SOFTMAX_QUANT[0],
                                    zero_point=SOFTMAX_QUANT[1])
        self.model.add_op("SOFTMAX", [self.current], [out], beta=1.0)
        self.current, self.quant = out, SOFTMAX_QUANT


def mobilenet_v1_uint8(*, seed: int = 0, size: int = 16, width: int = 8, classes: int = 5) -> bytes:
    """A small MobileNet-v1-style uint8 classifier: conv 3x3/2, then depthwise-separable blocks
    (depthwise 3x3 + pointwise 1x1, all RELU6), global average pool, reshape, dense, softmax."""
    rng = np.random.default_rng(seed)
    model = ModelSpec(description=f"relomodel uint8 MobileNet-v1-style {size}x{size} width {width} seed {seed}")
    image = model.add_tensor("input", "uint8", (1, size, size, 3), scale=IMAGE_QUANT[0], zero_point=IMAGE_QUANT[1])
    net = _Builder(model, rng, image, (1, size, size, 3), IMAGE_QUANT)
    net.conv("conv0", width, 3, 2)
    for block, (depth, stride) in enumerate([(2 * width, 1), (2 * width, 2), (4 * width, 1)], start=1):
        net.depthwise(f"block{block}/depthwise", 3, stride)
        net.conv(f"block{block}/pointwise", depth, 1, 1)
    net.global_average_pool()
    net.flatten()
    net.dense(classes, logits_range=8.0)
    net.softmax()
    model.inputs, model.outputs = [image], [net.current]
    return model.to_bytes()


# ---------------------------------------------------------------------------
# Single-op uint8 models (property tests); every tensor is uint8 unless said otherwise
# ---------------------------------------------------------------------------

def _single(description: str) -> ModelSpec:
    return ModelSpec(description=f"relomodel single uint8 {description}")


def _finish(model: ModelSpec, inputs: list[int], outputs: list[int]) -> bytes:
    model.inputs, model.outputs = inputs, outputs
    return model.to_bytes()


def conv_uint8_model(kind: str, input_shape: Sequence[int], filters: np.ndarray, bias: np.ndarray | None, *,
                     output_shape: Sequence[int], input_quant: Quant, filter_quant: Quant, output_quant: Quant,
                     padding: str = "SAME", stride=(1, 1), dilation=(1, 1), activation: str = "NONE") -> bytes:
    """One CONV_2D (filters [out, h, w, in]) or DEPTHWISE_CONV_2D (filters [1, h, w, out])."""
    model = _single(kind)
    x = model.add_tensor("x", "uint8", input_shape, scale=input_quant[0], zero_point=input_quant[1])
    w = model.add_tensor("w", "uint8", filters.shape, scale=filter_quant[0], zero_point=filter_quant[1], data=filters)
    inputs = [x, w]
    if bias is not None:
        scale = float(np.float32(input_quant[0]) * np.float32(filter_quant[0]))
        inputs.append(model.add_tensor("b", "int32", (len(bias),), scale=scale, zero_point=0, data=bias))
    y = model.add_tensor("y", "uint8", output_shape, scale=output_quant[0], zero_point=output_quant[1])
    options = {"depth_multiplier": output_shape[3] // input_shape[3]} if kind == "DEPTHWISE_CONV_2D" else {}
    model.add_op(kind, inputs, [y], padding=padding, stride_h=stride[0], stride_w=stride[1],
                 dilation_h=dilation[0], dilation_w=dilation[1], fused_activation_function=activation, **options)
    return _finish(model, [x], [y])


def fully_connected_uint8_model(weights: np.ndarray, bias: np.ndarray | None, *, batches: int,
                                input_quant: Quant, weight_quant: Quant, output_quant: Quant,
                                activation: str = "NONE") -> bytes:
    out_depth, in_depth = weights.shape
    model = _single("FULLY_CONNECTED")
    x = model.add_tensor("x", "uint8", (batches, in_depth), scale=input_quant[0], zero_point=input_quant[1])
    w = model.add_tensor("w", "uint8", weights.shape, scale=weight_quant[0], zero_point=weight_quant[1], data=weights)
    inputs = [x, w]
    if bias is not None:
        scale = float(np.float32(input_quant[0]) * np.float32(weight_quant[0]))
        inputs.append(model.add_tensor("b", "int32", (out_depth,), scale=scale, zero_point=0, data=bias))
    y = model.add_tensor("y", "uint8", (batches, out_depth), scale=output_quant[0], zero_point=output_quant[1])
    model.add_op("FULLY_CONNECTED", inputs, [y], fused_activation_function=activation)
    return _finish(model, [x], [y])


def pool_uint8_model(kind: str, input_shape: Sequence[int], *, output_shape: Sequence[int], quant: Quant,
                     window: tuple[int, int], padding: str = "VALID", stride=(1, 1),
                     activation: str = "NONE") -> bytes:
    model = _single(kind)
    x = model.add_tensor("x", "uint8", input_shape, scale=quant[0], zero_point=quant[1])
    y = model.add_tensor("y", "uint8", output_shape, scale=quant[0], zero_point=quant[1])
    model.add_op(kind, [x], [y], padding=padding, stride_h=stride[0], stride_w=stride[1],
                 filter_height=window[0], filter_width=window[1], fused_activation_function=activation)
    return _finish(model, [x], [y])


def softmax_uint8_model(shape: Sequence[int], *, input_quant: Quant, beta: float = 1.0) -> bytes:
    model = _single("SOFTMAX")
    x = model.add_tensor("x", "uint8", shape, scale=input_quant[0], zero_point=input_quant[1])
    y = model.add_tensor("y", "uint8", shape, scale=SOFTMAX_QUANT[0], zero_point=SOFTMAX_QUANT[1])
    model.add_op("SOFTMAX", [x], [y], beta=beta)
    return _finish(model, [x], [y])


def add_uint8_model(shape1: Sequence[int], shape2: Sequence[int], output_shape: Sequence[int], *,
                    quant1: Quant, quant2: Quant, output_quant: Quant, activation: str = "NONE") -> bytes:
    model = _single("ADD")
    a = model.add_tensor("a", "uint8", shape1, scale=quant1[0], zero_point=quant1[1])
    b = model.add_tensor("b", "uint8", shape2, scale=quant2[0], zero_point=quant2[1])
    y = model.add_tensor("y", "uint8", output_shape, scale=output_quant[0], zero_point=output_quant[1])
    model.add_op("ADD", [a, b], [y], fused_activation_function=activation)
    return _finish(model, [a, b], [y])


def concatenation_uint8_model(shapes: Sequence[Sequence[int]], axis: int, *, quant: Quant) -> bytes:
    """CONCATENATION of uint8 inputs sharing the output's quantization (as TF1 exports it)."""
    model = _single("CONCATENATION")
    inputs = [model.add_tensor(f"x{i}", "uint8", s, scale=quant[0], zero_point=quant[1]) for i, s in enumerate(shapes)]
    output_shape = list(shapes[0])
    output_shape[axis] = sum(s[axis] for s in shapes)
    y = model.add_tensor("y", "uint8", output_shape, scale=quant[0], zero_point=quant[1])
    model.add_op("CONCATENATION", inputs, [y], axis=axis)
    return _finish(model, inputs, [y])


def quantize_dequantize_uint8_model(size: int, *, quant: Quant) -> bytes:
    """float32 -> QUANTIZE -> uint8 -> DEQUANTIZE -> float32, with the uint8 tensor also an output."""
    model = _single("QUANTIZE/DEQUANTIZE")
    x = model.add_tensor("x", "float32", (1, size))
    q = model.add_tensor("q", "uint8", (1, size), scale=quant[0], zero_point=quant[1])
    y = model.add_tensor("y", "float32", (1, size))
    model.add_op("QUANTIZE", [x], [q])
    model.add_op("DEQUANTIZE", [q], [y])
    return _finish(model, [x], [q, y])
