"""SVDF: int8 input/output, int8 weights_feature, int8 or int16 weights_time and state, int32 bias.

The state (input 4) is a variable tensor: it lives in the blob's RAM (compiler/state.py) and
carries the last `memory_size` feature activations of every filter from run to run.
"""

from __future__ import annotations

import numpy as np

from relomodel.compiler import kernel_select, quant
from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_array, c_identifier, c_struct, fail, input_tensor, output_tensor,
    require_activation, require_dtype, require_per_tensor_quant,
)
from relomodel.compiler.state import state_symbol

NAME = "SVDF"
KERNELS = {"int8": ("relo_svdf_s8.c", "relo_svdf_s8", "int8_t"),
           "int16": ("relo_svdf_s8_s16.c", "relo_svdf_s8_s16", "int16_t")}
BIAS_SCALE_TOLERANCE = 1e-5  # TFLM: |bias scale - state scale x weights_time scale|


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data = input_tensor(graph, op, 0, "data")
    feature = input_tensor(graph, op, 1, "weights_feature")
    time = input_tensor(graph, op, 2, "weights_time")
    bias = input_tensor(graph, op, 3, "bias", optional=True)
    state = input_tensor(graph, op, 4, "activation state")
    output = output_tensor(graph, op)

    require_dtype(op, data, "input", "int8")
    require_dtype(op, output, "output", "int8")
    require_activation(op, data, "input")
    require_dtype(op, state, "activation state", "int8", "int16")
    require_dtype(op, time, "weights_time", state.dtype)
    require_dtype(op, feature, "weights_feature", "int8")
    if not state.is_variable:
        raise fail(op, f"activation state '{state.name}' must be a variable tensor")
    sizes = _check_shapes(op, data, feature, time, state, output)
    in_scale, in_zp = require_per_tensor_quant(op, data, "input")
    out_scale, out_zp = require_per_tensor_quant(op, output, "output")
    state_scale, state_zp = _state_quant(op, state)
    feature_scale = _weight_scale(op, feature, "weights_feature")
    time_scale = _weight_scale(op, time, "weights_time")
    bias_values = _check_bias(op, bias, sizes["units"], quant.f32(state_scale * time_scale))

    # TFLM multiplies and divides these scales in float32, then widens to double
    scale_1 = quant.f32(quant.f32(in_scale * feature_scale) / state_scale)
    scale_2 = quant.f32(quant.f32(state_scale * time_scale) / out_scale)
    feature_multiplier, feature_shift = quant.quantize_multiplier(scale_1)
    output_multiplier, output_shift = quant.quantize_multiplier(scale_2)

    kernel, function, state_ctype = KERNELS[state.dtype]
    names = {role: c_identifier(op, role) for role in ("weights_feature", "weights_time", "bias", "params")}
    fields = {
        **sizes_fields(sizes),
        "input_zero_point": in_zp, "state_zero_point": state_zp, "output_zero_point": out_zp,
        "feature_multiplier": feature_multiplier, "feature_shift": feature_shift,
        "output_multiplier": output_multiplier, "output_shift": output_shift,
    }
    declarations = [
        c_array("int8_t", names["weights_feature"], feature.data, weights=True),
        c_array(state_ctype, names["weights_time"], time.data, weights=True),
        c_struct("relo_svdf_params_t", names["params"], fields),
    ]
    if bias_values is not None:
        declarations.insert(2, c_array("int32_t", names["bias"], bias_values))
    bias_ref = names["bias"] if bias_values is not None else "0"

    def emit_call(arena) -> str:
        return (f"{function}(&{names['params']}, (const int8_t *){arena(data.index)}, "
                f"{names['weights_feature']}, {names['weights_time']}, {bias_ref}, "
                f"{state_symbol(state.index)}, (int8_t *){arena(output.index)})")

    batches, filters = sizes["batches"], sizes["filters"]
    portable = LoweredOp(
        op=op,
        kernel_files=(kernel,),
        declarations=declarations,
        emit_call=emit_call,
        macs=batches * filters * (sizes["input_size"] + sizes["memory_size"]),
        weight_bytes=feature.size_bytes + time.size_bytes + (bias.size_bytes if bias is not None else 0),
        output_shape=output.shape,
        notes={"state": state.index},
    )
    return kernel_select.svdf(ctx, portable, data=data, feature=feature, time=time, bias=bias_values,
                              state=state, output=output, fields=fields)


def sizes_fields(sizes: dict) -> dict:
    return {key: sizes[key] for key in ("batches", "input_size", "filters", "rank", "memory_size")}


def _check_shapes(op: Operator, data: Tensor, feature: Tensor, time: Tensor, state: Tensor,
                  output: Tensor) -> dict:
    rank = int(op.options.get("rank", 0))
    if len(data.shape) != 2:
        raise fail(op, f"input must be 2-D [batches, input_size], found {data.shape}")
    batches, input_size = data.shape
    for tensor, what in ((feature, "weights_feature"), (time, "weights_time")):
        if not tensor.is_constant:
            raise fail(op, f"{what} must be a constant tensor")
        if len(tensor.shape) != 2:
            raise fail(op, f"{what} must be 2-D, found {tensor.shape}")
    filters, memory_size = time.shape
    if feature.shape != (filters, input_size):
        raise fail(op, f"weights_feature shape {feature.shape} must be ({filters}, {input_size})")
    if rank <= 0 or filters % rank:
        raise fail(op, f"rank {rank} must be positive and divide the {filters} filters")
    units = filters // rank
    if state.element_count != batches * filters * memory_size:
        raise fail(op, f"activation state has {state.element_count} elements, expected "
                       f"{batches} x {filters} x {memory_size}")
    if output.element_count != batches * units or len(output.shape) != 2:
        raise fail(op, f"output shape {output.shape} must be ({batches}, {units})")
    return {"batches": batches, "input_size": input_size, "filters": filters, "rank": rank,
            "memory_size": memory_size, "units": units}


def _state_quant(op: Operator, state: Tensor) -> tuple[float, int]:
    q = state.quantization
    if q is None or q.per_channel or not q.scale > 0.0:
        raise fail(op, f"activation state '{state.name}' needs one positive scale")
    if state.dtype == "int16" and q.zero_point != 0:
        raise fail(op, f"int16 activation state '{state.name}' must have zero point 0")
    if state.dtype == "int8" and not -128 <= q.zero_point <= 127:
        raise fail(op, f"activation state '{state.name}' has zero point {q.zero_point} outside int8")
    return q.scale, q.zero_point


def _weight_scale(op: Operator, weights: Tensor, what: str) -> float:
    q = weights.quantization
    if q is None or q.per_channel or not q.scale > 0.0:
        raise fail(op, f"{what} '{weights.name}' must be quantized per tensor with a positive scale")
    if q.zero_point != 0:
        raise fail(op, f"{what} '{weights.name}' must be symmetric (zero point 0)")
    return q.scale


def _check_bias(op: Operator, bias: Tensor | None, units: int, expected_scale: float):
    if bias is None:
        return None
    if not bias.is_constant:
        raise fail(op, "bias must be a constant tensor")
    require_dtype(op, bias, "bias", "int32")
    if bias.element_count != units:
        raise fail(op, f"bias has {bias.element_count} values, expected {units}")
    if bias.quantization is not None and abs(bias.quantization.scale - expected_scale) >= BIAS_SCALE_TOLERANCE:
        raise fail(op, f"bias scale {bias.quantization.scale} does not match state scale x "
                       f"weights_time scale {expected_scale}")
    return bias.data.reshape(-1).astype(np.int64)
