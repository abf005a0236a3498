"""Single-op int8 models for the spatial operators (convolutions, pooling, PAD, MEAN).

Used by property tests: every parameter is given explicitly, so a test can draw them at
random. Biases are int32 with scale = input scale x filter scale, as the converter makes them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from relomodel.modelgen.tflite_writer import ModelSpec

Quant = tuple[float, int]


def _bias_tensor(model: ModelSpec, bias, input_quant: Quant, filter_scales: Sequence[float]) -> int:
    bias_scales = [float(np.float32(input_quant[0]) * np.float32(s)) for s in filter_scales]
    return model.add_tensor("b", "int32", (len(bias),), scale=bias_scales, zero_point=0, data=bias)


def conv_2d_model(input_shape: Sequence[int], filters: np.ndarray, bias: np.ndarray | None, *,
                  output_shape: Sequence[int], input_quant: Quant, filter_scales: Sequence[float],
                  output_quant: Quant, padding: str = "SAME", stride=(1, 1), dilation=(1, 1),
                  activation: str = "NONE") -> bytes:
    """One CONV_2D; filters [out, h, w, in/groups]; per channel when len(filter_scales) > 1."""
    model = ModelSpec(description="relomodel single CONV_2D")
    x = model.add_tensor("x", "int8", input_shape, scale=input_quant[0], zero_point=input_quant[1])
    w = model.add_tensor("w", "int8", filters.shape, scale=list(filter_scales), zero_point=0, axis=0,
                         data=filters)
    inputs = [x, w] + ([_bias_tensor(model, bias, input_quant, filter_scales)] if bias is not None else [])
    y = model.add_tensor("y", "int8", output_shape, scale=output_quant[0], zero_point=output_quant[1])
    model.add_op("CONV_2D", inputs, [y], padding=padding, stride_h=stride[0], stride_w=stride[1],
                 dilation_h=dilation[0], dilation_w=dilation[1], fused_activation_function=activation)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def depthwise_conv_2d_model(input_shape: Sequence[int], filters: np.ndarray, bias: np.ndarray | None, *,
                            output_shape: Sequence[int], input_quant: Quant,
                            filter_scales: Sequence[float], output_quant: Quant, depth_multiplier: int,
                            padding: str = "SAME", stride=(1, 1), dilation=(1, 1),
                            activation: str = "NONE") -> bytes:
    """One DEPTHWISE_CONV_2D; filters [1, h, w, in * depth_multiplier], scales along axis 3."""
    model = ModelSpec(description="relomodel single DEPTHWISE_CONV_2D")
    x = model.add_tensor("x", "int8", input_shape, scale=input_quant[0], zero_point=input_quant[1])
    w = model.add_tensor("w", "int8", filters.shape, scale=list(filter_scales), zero_point=0, axis=3,
                         data=filters)
    inputs = [x, w] + ([_bias_tensor(model, bias, input_quant, filter_scales)] if bias is not None else [])
    y = model.add_tensor("y", "int8", output_shape, scale=output_quant[0], zero_point=output_quant[1])
    model.add_op("DEPTHWISE_CONV_2D", inputs, [y], padding=padding, stride_h=stride[0], stride_w=stride[1],
                 dilation_h=dilation[0], dilation_w=dilation[1], depth_multiplier=depth_multiplier,
                 fused_activation_function=activation)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def pool_2d_model(kind: str, input_shape: Sequence[int], *, output_shape: Sequence[int], quant: Quant,
                  window: tuple[int, int], padding: str = "VALID", stride=(1, 1),
                  activation: str = "NONE") -> bytes:
    """One AVERAGE_POOL_2D or MAX_POOL_2D (input and output share `quant`)."""
    model = ModelSpec(description=f"relomodel single {kind}")
    x = model.add_tensor("x", "int8", input_shape, scale=quant[0], zero_point=quant[1])
    y = model.add_tensor("y", "int8", output_shape, scale=quant[0], zero_point=quant[1])
    model.add_op(kind, [x], [y], padding=padding, stride_h=stride[0], stride_w=stride[1],
                 filter_height=window[0], filter_width=window[1], fused_activation_function=activation)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def pad_model(input_shape: Sequence[int], paddings: Sequence[tuple[int, int]], *, quant: Quant,
              constant: int | None = None) -> bytes:
    """PAD (zero point fill), or PADV2 with an int8 `constant` in the output's quantization."""
    model = ModelSpec(description="relomodel single PAD")
    output_shape = [d + before + after for d, (before, after) in zip(input_shape, paddings)]
    x = model.add_tensor("x", "int8", input_shape, scale=quant[0], zero_point=quant[1])
    p = model.add_tensor("paddings", "int32", (len(input_shape), 2), data=np.array(paddings, dtype=np.int32))
    inputs = [x, p]
    if constant is not None:
        inputs.append(model.add_tensor("constant", "int8", (1,), scale=quant[0], zero_point=quant[1],
                                       data=np.array([constant])))
    y = model.add_tensor("y", "int8", output_shape, scale=quant[0], zero_point=quant[1])
    model.add_op("PAD" if constant is None else "PADV2", inputs, [y])
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def mean_model(input_shape: Sequence[int], axes: Sequence[int], *, input_quant: Quant, output_quant: Quant,
               keep_dims: bool) -> bytes:
    """One int8 MEAN over `axes`."""
    model = ModelSpec(description="relomodel single MEAN")
    reduced = {a % len(input_shape) for a in axes}
    if keep_dims:
        output_shape = [1 if i in reduced else d for i, d in enumerate(input_shape)]
    else:
        output_shape = [d for i, d in enumerate(input_shape) if i not in reduced]
    x = model.add_tensor("x", "int8", input_shape, scale=input_quant[0], zero_point=input_quant[1])
    a = model.add_tensor("axes", "int32", (len(axes),), data=np.array(axes, dtype=np.int32))
    y = model.add_tensor("y", "int8", output_shape, scale=output_quant[0], zero_point=output_quant[1])
    model.add_op("MEAN", [x, a], [y], keep_dims=keep_dims)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()
