"""PAD and PADV2: int8, rank <= 4, constant paddings; the border holds the output zero point
(PAD) or the PADV2 constant, which must share the output's quantization as TFLM requires."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_identifier, c_struct, fail, input_tensor, output_tensor,
    require_activation, require_dtype, require_per_tensor_quant,
)

NAME = "PAD"
KERNEL = "relo_pad_s8.c"
MAX_RANK = 4  # relo_nn_types.h RELO_PAD_RANK


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data = input_tensor(graph, op, 0, "data")
    paddings_tensor = input_tensor(graph, op, 1, "paddings")
    output = output_tensor(graph, op)
    require_dtype(op, data, "input", "int8")
    require_dtype(op, output, "output", "int8")
    require_activation(op, data, "input")
    quant = require_per_tensor_quant(op, data, "input")
    if require_per_tensor_quant(op, output, "output") != quant:
        raise fail(op, "input and output quantization differ; PAD does not rescale")
    rank = len(data.shape)
    if not 1 <= rank <= MAX_RANK:
        raise fail(op, f"input rank {rank} is not supported (1 to {MAX_RANK})")
    paddings = _paddings(op, paddings_tensor, rank)
    expected = tuple(d + before + after for d, (before, after) in zip(data.shape, paddings))
    if tuple(output.shape) != expected:
        raise fail(op, f"output shape {output.shape} does not match padded input shape {expected}")
    pad_value = _pad_value(graph, op, output) if op.name == "PADV2" else quant[1]

    lead = MAX_RANK - rank  # extend to 4-D with leading 1s, as TFLM does
    params = c_identifier(op, "params")
    declarations = [c_struct("relo_pad_params_t", params, {
        "input_shape": [1] * lead + list(data.shape),
        "before": [0] * lead + [p[0] for p in paddings],
        "after": [0] * lead + [p[1] for p in paddings],
        "pad_value": pad_value,
    })]

    def emit_call(arena) -> str:
        return f"relo_pad_s8(&{params}, (const int8_t *){arena(data.index)}, (int8_t *){arena(output.index)})"

    return LoweredOp(op=op, kernel_files=(KERNEL,), declarations=declarations, emit_call=emit_call,
                     output_shape=output.shape)


def _paddings(op: Operator, tensor: Tensor, rank: int) -> list[tuple[int, int]]:
    if not tensor.is_constant:
        raise fail(op, "paddings must be a constant tensor")
    if tensor.dtype != "int32" or tuple(tensor.shape) != (rank, 2):
        raise fail(op, f"paddings must be INT32 of shape ({rank}, 2), found {tensor.dtype.upper()} {tensor.shape}")
    pairs = [(int(a), int(b)) for a, b in tensor.data.reshape(rank, 2)]
    if any(a < 0 or b < 0 for a, b in pairs):
        raise fail(op, f"negative paddings {pairs} are not supported")
    return pairs


def _pad_value(graph: Graph, op: Operator, output: Tensor) -> int:
    constant = input_tensor(graph, op, 2, "constant value", optional=True)
    if constant is None:
        return output.quantization.zero_point
    if not constant.is_constant or constant.element_count != 1:
        raise fail(op, "the constant value must be a constant scalar")
    require_dtype(op, constant, "constant value", "int8")
    if constant.quantization != output.quantization:
        raise fail(op, "the constant value must have the output's quantization")
    return int(constant.data.reshape(-1)[0])
