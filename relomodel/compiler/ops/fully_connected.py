"""FULLY_CONNECTED: int8 activations, int8 weights (per tensor or per output channel), int32 bias."""

from __future__ import annotations

import numpy as np

from relomodel.compiler import kernel_select, quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.conv_quant import filter_offset
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_array, c_identifier, c_struct, fail, int8_weighted_operands,
    require_dtype,
)

NAME = "FULLY_CONNECTED"
KERNEL = "relo_fully_connected_s8.c"
ROUNDING_TFLM, ROUNDING_SINGLE = 0, 1  # relo_nn_types.h RELO_ROUNDING_*
BIAS_SCALE_TOLERANCE = 0.02  # TFLM: |input*weight scale - bias scale| / output scale


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    operands = int8_weighted_operands(graph, op, "weights")
    data, weights, bias, output = operands.data, operands.weights, operands.bias, operands.output
    in_scale, in_zp, out_scale, out_zp = operands.in_scale, operands.in_zp, operands.out_scale, operands.out_zp
    _check_options(op)
    out_depth, in_depth = _check_weights(op, weights)
    if data.element_count % in_depth:
        raise fail(op, f"input has {data.element_count} elements, not a multiple of the weights' depth {in_depth}")
    batches = data.element_count // in_depth
    if output.element_count != batches * out_depth:
        raise fail(op, f"output shape {output.shape} does not match {batches} x {out_depth}")
    bias_values = _check_bias(op, bias, out_depth)

    multipliers, shifts = _multipliers(op, weights.quantization, bias, in_scale, out_scale, ctx)
    activation = quant.activation_name(op.options.get("fused_activation_function", 0))
    act_min, act_max = quant.activation_range_int8(activation, out_scale, out_zp)

    names = {role: c_identifier(op, role) for role in ("weights", "bias", "multiplier", "shift", "params")}
    declarations = [
        c_array("int8_t", names["weights"], weights.data, weights=True),
        c_array("int32_t", names["multiplier"], np.array(multipliers)),
        c_array("int32_t", names["shift"], np.array(shifts)),
        c_struct("relo_fc_params_t", names["params"], {
            "batches": batches, "input_depth": in_depth, "output_depth": out_depth,
            "input_offset": -in_zp, "output_offset": out_zp,
            "activation_min": act_min, "activation_max": act_max,
            "per_channel": int(len(multipliers) > 1),
            "rounding": ROUNDING_SINGLE if _rounds_once(op, ctx) else ROUNDING_TFLM,
            "filter_offset": filter_offset(op, weights, "weights"),
        }),
    ]
    if bias_values is not None:
        declarations.insert(1, c_array("int32_t", names["bias"], bias_values))
    bias_ref = names["bias"] if bias_values is not None else "0"

    def emit_call(arena) -> str:
        return (f"relo_fully_connected_s8(&{names['params']}, (const int8_t *){arena(data.index)}, "
                f"{names['weights']}, {bias_ref}, {names['multiplier']}, {names['shift']}, "
                f"(int8_t *){arena(output.index)})")

    portable = LoweredOp(
        op=op,
        kernel_files=(KERNEL,),
        declarations=declarations,
        emit_call=emit_call,
        macs=batches * in_depth * out_depth,
        weight_bytes=weights.size_bytes + (bias.size_bytes if bias is not None else 0),
        output_shape=output.shape,
        notes={"activation": activation, "per_channel": len(multipliers) > 1,
               "symmetric": filter_offset(op, weights, "weights") == 0},
    )
    return kernel_select.fully_connected(ctx, portable, data=data, weights=weights, bias=bias,
                                         output=output, requant=(multipliers, shifts),
                                         input_offset=-in_zp, output_offset=out_zp,
                                         single_rounding=_rounds_once(op, ctx), portable_kernel=KERNEL)


def _rounds_once(op: Operator, ctx: LowerContext) -> bool:
    """LiteRT rounds the rescale once; so does every uint8 FULLY_CONNECTED, as LiteRT is the only
    reference for uint8 (TFLite Micro has no uint8 kernels) and its uint8 kernel rounds once."""
    return ctx.litert_rounding or op.uint8_arithmetic


def _check_options(op: Operator) -> None:
    if op.options.get("weights_format", 0) != 0:
        raise fail(op, "shuffled weights format is not supported")
    if op.options.get("quantized_bias_type", 0) not in (0, 2):  # default or INT32
        raise fail(op, "only int32 bias is supported")


def _check_weights(op: Operator, weights) -> tuple[int, int]:
    if not weights.is_constant:
        raise fail(op, "weights must be a constant tensor")
    require_dtype(op, weights, "weights", "int8")
    if len(weights.shape) != 2:
        raise fail(op, f"weights must be 2-D [outputs, inputs], found shape {weights.shape}")
    q = weights.quantization
    if q is None:
        raise fail(op, f"weights '{weights.name}' are not quantized")
    out_depth, in_depth = weights.shape
    filter_offset(op, weights, "weights")
    if q.per_channel and (q.axis != 0 or len(q.scales) != out_depth):
        raise fail(op, f"per-channel weights need {out_depth} scales along axis 0, found "
                       f"{len(q.scales)} along axis {q.axis}")
    if any(not s > 0.0 for s in q.scales):
        raise fail(op, "weight scales must be positive")
    return out_depth, in_depth


def _check_bias(op: Operator, bias, out_depth: int):
    if bias is None:
        return None
    if not bias.is_constant:
        raise fail(op, "bias must be a constant tensor")
    require_dtype(op, bias, "bias", "int32")
    if bias.element_count != out_depth:
        raise fail(op, f"bias has {bias.element_count} values, expected {out_depth}")
    return bias.data.reshape(-1).astype(np.int64)


def _multipliers(op, weight_quant, bias, in_scale, out_scale, ctx) -> tuple[list[int], list[int]]:
    single = _rounds_once(op, ctx)
    if weight_quant.per_channel:
        # TFLM: double(input_scale) * double(filter_scale[i]) / double(output_scale)
        pairs = [quant.quantize_multiplier(in_scale * w / out_scale, single_rounding=single)
                 for w in weight_quant.scales]
        return [m for m, _ in pairs], [s for _, s in pairs]
    product = in_scale * weight_quant.scale
    if bias is not None and bias.quantization is not None:
        if abs(product - bias.quantization.scale) / out_scale > BIAS_SCALE_TOLERANCE:
            raise fail(op, f"bias scale {bias.quantization.scale} does not match input scale x "
                           f"weight scale {product}")
    multiplier, shift = quant.quantize_multiplier(product / out_scale, single_rounding=single)
    return [multiplier], [shift]
