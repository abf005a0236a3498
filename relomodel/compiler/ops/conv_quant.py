"""Quantization checks and per-channel rescaling shared by CONV_2D and DEPTHWISE_CONV_2D.

TFLite Micro's PopulateConvolutionQuantizationParams always works per output channel (a
per-tensor filter repeats its one scale), with the multiplier
double(input scale) * double(filter scale) / double(output scale).
"""

from __future__ import annotations

import numpy as np

from relomodel.compiler import quant
from relomodel.compiler.ir import Operator, Tensor
from relomodel.compiler.ops.base import c_array, c_identifier, fail, require_dtype


def check_filter(op: Operator, weights: Tensor, channels: int, channel_axis: int) -> tuple[float, ...]:
    """Constant int8 filter, symmetric or (uint8-born, see filter_offset) asymmetric per tensor;
    returns one scale per output channel."""
    if not weights.is_constant:
        raise fail(op, "filter must be a constant tensor")
    require_dtype(op, weights, "filter", "int8")
    q = weights.quantization
    if q is None:
        raise fail(op, f"filter '{weights.name}' is not quantized")
    filter_offset(op, weights, "filter")
    if any(not s > 0.0 for s in q.scales):
        raise fail(op, "filter scales must be positive")
    if q.per_channel:
        if q.axis != channel_axis or len(q.scales) != channels:
            raise fail(op, f"per-channel filter needs {channels} scales along axis {channel_axis}, "
                           f"found {len(q.scales)} along axis {q.axis}")
        return q.scales
    return (q.scale,) * channels


def filter_offset(op: Operator, weights: Tensor, what: str) -> int:
    """-zero point of int8 weights: 0 when symmetric. A non-zero zero point is accepted only
    from uint8 models (passes/uint8_to_int8.py), per tensor, as LiteRT's uint8 kernels take it."""
    q = weights.quantization
    if all(z == 0 for z in q.zero_points):
        return 0
    if not op.uint8_arithmetic:
        raise fail(op, f"{what} must be symmetric (zero point 0)")
    if q.per_channel:
        raise fail(op, f"{what} quantized per channel must be symmetric (zero point 0)")
    if not -128 <= q.zero_point <= 127:
        raise fail(op, f"{what} '{weights.name}' has zero point {q.zero_point} outside int8")
    return -q.zero_point


def check_bias(op: Operator, bias: Tensor | None, channels: int) -> np.ndarray | None:
    """Constant int32 bias with one value per output channel. Its quantization axis is
    ignored, as TFLM does (person_detect's rank-1 biases declare axis 3)."""
    if bias is None:
        return None
    if not bias.is_constant:
        raise fail(op, "bias must be a constant tensor")
    require_dtype(op, bias, "bias", "int32")
    if bias.element_count != channels:
        raise fail(op, f"bias has {bias.element_count} values, expected {channels}")
    return bias.data.reshape(-1).astype(np.int64)


def channel_multipliers(op: Operator, input_scale: float, filter_scales, output_scale: float):
    pairs = [quant.quantize_multiplier(input_scale * s / output_scale) for s in filter_scales]
    return [m for m, _ in pairs], [s for _, s in pairs]


def constant_declarations(op: Operator, weights: Tensor, bias_values, multipliers, shifts) -> tuple[list[str], dict]:
    """C arrays for filter, bias, multipliers and shifts; returns (declarations, C names)."""
    names = {role: c_identifier(op, role) for role in ("filter", "bias", "multiplier", "shift", "params")}
    declarations = [c_array("int8_t", names["filter"], weights.data, weights=True)]
    if bias_values is not None:
        declarations.append(c_array("int32_t", names["bias"], bias_values, weights=True))
    else:
        names["bias"] = "0"
    declarations += [c_array("int32_t", names["multiplier"], np.array(multipliers)),
                     c_array("int32_t", names["shift"], np.array(shifts))]
    return declarations, names
