"""int8 models of a convolution feeding a FULLY_CONNECTED (optionally through a RESHAPE), the
shape compiler/stream_conv_fc.py fuses; used by its property tests. Every parameter is given
explicitly so a test can draw them at random."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from relomodel.modelgen.tflite_writer import ModelSpec

Quant = tuple[float, int]


@dataclass(frozen=True)
class ConvLayer:
    """CONV_2D (filters [out, h, w, in]) or DEPTHWISE_CONV_2D (filters [1, h, w, out])."""

    kind: str
    filters: np.ndarray
    bias: np.ndarray | None
    filter_scales: Sequence[float]
    output_shape: Sequence[int]  # [1, h, w, channels]
    output_quant: Quant
    padding: str = "SAME"
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)
    activation: str = "NONE"


@dataclass(frozen=True)
class FcLayer:
    weights: np.ndarray  # [outputs, conv output elements]
    bias: np.ndarray | None
    weight_scales: Sequence[float]
    output_quant: Quant
    activation: str = "NONE"


def conv_fc_model(input_shape: Sequence[int], input_quant: Quant, conv: ConvLayer, fc: FcLayer, *,
                  reshape: bool = True) -> bytes:
    """x -> conv -> (RESHAPE to [1, elements]) -> FULLY_CONNECTED -> y."""
    model = ModelSpec(description="relomodel convolution into FULLY_CONNECTED")
    x = model.add_tensor("x", "int8", input_shape, scale=input_quant[0], zero_point=input_quant[1])
    features = _add_conv(model, x, input_quant, conv)
    if reshape:
        flat_shape = (1, int(np.prod(conv.output_shape)))
        shape = model.add_tensor("flat_shape", "int32", (2,), data=np.array(flat_shape, dtype=np.int32))
        flat = model.add_tensor("flat", "int8", flat_shape, scale=conv.output_quant[0],
                                zero_point=conv.output_quant[1])
        model.add_op("RESHAPE", [features, shape], [flat], new_shape=list(flat_shape))
        features = flat
    w = model.add_tensor("fc_w", "int8", fc.weights.shape, scale=list(fc.weight_scales), zero_point=0,
                         data=fc.weights)
    inputs = [features, w] + _bias(model, "fc_b", fc.bias, conv.output_quant, fc.weight_scales, axis=0)
    y = model.add_tensor("y", "int8", (1, fc.weights.shape[0]), scale=fc.output_quant[0],
                         zero_point=fc.output_quant[1])
    model.add_op("FULLY_CONNECTED", inputs, [y], fused_activation_function=fc.activation)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def _add_conv(model: ModelSpec, x: int, input_quant: Quant, conv: ConvLayer) -> int:
    axis = 3 if conv.kind == "DEPTHWISE_CONV_2D" else 0
    w = model.add_tensor("conv_w", "int8", conv.filters.shape, scale=list(conv.filter_scales), zero_point=0,
                         axis=axis, data=conv.filters)
    inputs = [x, w] + _bias(model, "conv_b", conv.bias, input_quant, conv.filter_scales, axis=0)
    y = model.add_tensor("features", "int8", conv.output_shape, scale=conv.output_quant[0],
                         zero_point=conv.output_quant[1])
    options = dict(padding=conv.padding, stride_h=conv.stride[0], stride_w=conv.stride[1],
                   dilation_h=conv.dilation[0], dilation_w=conv.dilation[1],
                   fused_activation_function=conv.activation)
    if conv.kind == "DEPTHWISE_CONV_2D":
        options["depth_multiplier"] = conv.filters.shape[3] // model.tensors[x].shape[3]
    model.add_op(conv.kind, inputs, [y], **options)
    return y


def _bias(model: ModelSpec, name: str, bias: np.ndarray | None, input_quant: Quant,
          weight_scales: Sequence[float], axis: int) -> list[int]:
    """[] or the int32 bias tensor, scale = input scale x weight scale as converters make it."""
    if bias is None:
        return []
    scales = [float(np.float32(input_quant[0]) * np.float32(s)) for s in weight_scales]
    return [model.add_tensor(name, "int32", (len(bias),), scale=scales, zero_point=0, axis=axis, data=bias)]
