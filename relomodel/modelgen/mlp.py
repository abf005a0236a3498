"""Seeded int8 MLPs and single-op models, quantized the way the TFLite converter does it.

Activation ranges come from running the float network on random calibration data; weights
are symmetric int8 (per tensor or per output channel); biases are int32 with
scale = input scale x weight scale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from relomodel.modelgen.tflite_writer import ModelSpec

CALIBRATION_SAMPLES = 512
SOFTMAX_SCALE, SOFTMAX_ZERO_POINT = 1.0 / 256, -128


def activation_quant(values: np.ndarray) -> tuple[float, int]:
    """Asymmetric int8 (scale, zero point) covering the values' range and zero."""
    low = min(float(values.min()), 0.0)
    high = max(float(values.max()), 0.0)
    if high - low < 1e-6:
        high = low + 1e-6
    scale = float(np.float32((high - low) / 255.0))
    zero_point = int(np.clip(np.round(-128 - low / scale), -128, 127))
    return scale, zero_point


def weight_quant(weights: np.ndarray, per_channel: bool) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 weights [out, in] and their float32 scale(s)."""
    peak = np.abs(weights).max(axis=1) if per_channel else np.array([np.abs(weights).max()])
    scales = (np.maximum(peak, 1e-8) / 127.0).astype(np.float32)
    per_row = scales[:, None] if per_channel else scales[0]
    quantized = np.clip(np.round(weights / per_row), -127, 127).astype(np.int8)
    return quantized, scales


def _apply_activation(values: np.ndarray, activation: str) -> np.ndarray:
    if activation == "RELU":
        return np.maximum(values, 0.0)
    if activation == "RELU6":
        return np.clip(values, 0.0, 6.0)
    if activation == "NONE":
        return values
    raise ValueError(f"activation {activation} is not supported by the generator")


def make_mlp(
    layer_sizes: Sequence[int],
    *,
    seed: int,
    per_channel_layers: Sequence[int] = (),
    activations: Sequence[str] | None = None,
    float_io: bool = True,
    softmax: bool = False,
    reshape: bool = True,
) -> bytes:
    """An int8 MLP as .tflite bytes. layer_sizes = [inputs, hidden..., outputs]."""
    if len(layer_sizes) < 2:
        raise ValueError("an MLP needs at least an input and an output size")
    layer_count = len(layer_sizes) - 1
    activations = list(activations or ["RELU"] * (layer_count - 1) + ["NONE"])
    if len(activations) != layer_count:
        raise ValueError(f"{layer_count} layers but {len(activations)} activations")
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((n_out, n_in)).astype(np.float32) / np.sqrt(n_in)
               for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]
    biases = [0.1 * rng.standard_normal(n_out).astype(np.float32) for n_out in layer_sizes[1:]]

    # Calibrate: run the float network on random data and record every activation range.
    values = rng.standard_normal((CALIBRATION_SAMPLES, layer_sizes[0])).astype(np.float32)
    ranges = [activation_quant(values)]
    for w, b, act in zip(weights, biases, activations):
        values = _apply_activation(values @ w.T + b, act)
        ranges.append(activation_quant(values))

    model = ModelSpec(description=f"relomodel MLP {list(layer_sizes)} seed {seed}")
    n_in = layer_sizes[0]
    in_scale, in_zp = ranges[0]
    graph_shape = (1, n_in, 1) if reshape else (1, n_in)
    if float_io:
        graph_input = model.add_tensor("input", "float32", graph_shape)
        current = model.add_tensor("input_int8", "int8", graph_shape, scale=in_scale, zero_point=in_zp)
        model.add_op("QUANTIZE", [graph_input], [current])
    else:
        graph_input = current = model.add_tensor("input", "int8", graph_shape, scale=in_scale, zero_point=in_zp)
    if reshape:
        shape_tensor = model.add_tensor("flatten_shape", "int32", (2,), data=np.array([1, n_in]))
        flat = model.add_tensor("flatten", "int8", (1, n_in), scale=in_scale, zero_point=in_zp)
        model.add_op("RESHAPE", [current, shape_tensor], [flat], new_shape=[1, n_in])
        current = flat

    for layer, (w, b, act) in enumerate(zip(weights, biases, activations)):
        w_q, w_scales = weight_quant(w, layer in per_channel_layers)
        bias_scales = (np.float32(in_scale) * w_scales).astype(np.float32)
        b_q = np.round(b / bias_scales).astype(np.int32)
        out_scale, out_zp = ranges[layer + 1]
        w_t = model.add_tensor(f"dense{layer}/weights", "int8", w_q.shape, scale=w_scales, zero_point=0, data=w_q)
        b_t = model.add_tensor(f"dense{layer}/bias", "int32", b_q.shape, scale=bias_scales, zero_point=0, data=b_q)
        out = model.add_tensor(f"dense{layer}/out", "int8", (1, w_q.shape[0]), scale=out_scale, zero_point=out_zp)
        model.add_op("FULLY_CONNECTED", [current, w_t, b_t], [out], fused_activation_function=act)
        current, in_scale = out, out_scale

    if softmax:
        probabilities = model.add_tensor("softmax", "int8", (1, layer_sizes[-1]),
                                         scale=SOFTMAX_SCALE, zero_point=SOFTMAX_ZERO_POINT)
        model.add_op("SOFTMAX", [current], [probabilities], beta=1.0)
        current = probabilities
    if float_io:
        graph_output = model.add_tensor("output", "float32", (1, layer_sizes[-1]))
        model.add_op("DEQUANTIZE", [current], [graph_output])
    else:
        graph_output = current
    model.inputs, model.outputs = [graph_input], [graph_output]
    return model.to_bytes()


def demo_model() -> bytes:
    """Small classifier with float I/O: 16-64-32-4, softmax."""
    return make_mlp([16, 64, 32, 4], seed=1, softmax=True, float_io=True)


def big_mlp() -> bytes:
    """784-256-128-10 (~234 kB of int8 weights), per-channel layers 0 and 2, RELU and RELU6."""
    return make_mlp([784, 256, 128, 10], seed=2, per_channel_layers=(0, 2),
                    activations=("RELU", "RELU6", "NONE"), float_io=False, softmax=True)


# ---------------------------------------------------------------------------
# Single-op models (property tests)
# ---------------------------------------------------------------------------

def fully_connected_model(
    weights: np.ndarray,
    bias: np.ndarray | None,
    *,
    batches: int,
    input_quant: tuple[float, int],
    weight_scales: Sequence[float],
    output_quant: tuple[float, int],
    activation: str = "NONE",
) -> bytes:
    """One int8 FULLY_CONNECTED; per channel when len(weight_scales) > 1."""
    out_depth, in_depth = weights.shape
    model = ModelSpec(description="relomodel single FULLY_CONNECTED")
    x = model.add_tensor("x", "int8", (batches, in_depth), scale=input_quant[0], zero_point=input_quant[1])
    w = model.add_tensor("w", "int8", weights.shape, scale=list(weight_scales), zero_point=0, data=weights)
    inputs = [x, w]
    if bias is not None:
        bias_scales = [float(np.float32(input_quant[0]) * np.float32(s)) for s in weight_scales]
        inputs.append(model.add_tensor("b", "int32", (out_depth,), scale=bias_scales, zero_point=0, data=bias))
    y = model.add_tensor("y", "int8", (batches, out_depth), scale=output_quant[0], zero_point=output_quant[1])
    model.add_op("FULLY_CONNECTED", inputs, [y], fused_activation_function=activation)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def softmax_model(shape: Sequence[int], *, input_quant: tuple[float, int], beta: float = 1.0) -> bytes:
    model = ModelSpec(description="relomodel single SOFTMAX")
    x = model.add_tensor("x", "int8", shape, scale=input_quant[0], zero_point=input_quant[1])
    y = model.add_tensor("y", "int8", shape, scale=SOFTMAX_SCALE, zero_point=SOFTMAX_ZERO_POINT)
    model.add_op("SOFTMAX", [x], [y], beta=beta)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def quantize_model(size: int, *, output_quant: tuple[float, int], input_quant: tuple[float, int] | None = None) -> bytes:
    """QUANTIZE float32 -> int8, or int8 -> int8 when input_quant is given."""
    model = ModelSpec(description="relomodel single QUANTIZE")
    if input_quant is None:
        x = model.add_tensor("x", "float32", (1, size))
    else:
        x = model.add_tensor("x", "int8", (1, size), scale=input_quant[0], zero_point=input_quant[1])
    y = model.add_tensor("y", "int8", (1, size), scale=output_quant[0], zero_point=output_quant[1])
    model.add_op("QUANTIZE", [x], [y])
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def dequantize_model(size: int, *, input_quant: tuple[float, int]) -> bytes:
    model = ModelSpec(description="relomodel single DEQUANTIZE")
    x = model.add_tensor("x", "int8", (1, size), scale=input_quant[0], zero_point=input_quant[1])
    y = model.add_tensor("y", "float32", (1, size))
    model.add_op("DEQUANTIZE", [x], [y])
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()
