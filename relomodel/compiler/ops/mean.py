"""MEAN: int8 over any axes of a rank <= 4 tensor, keep_dims either way.

TFLM's integer path: QuantizeMultiplier(input scale / output scale), then 1/count folded
into it: shift = min(floor(log2(count)), 32, 31 + shift); multiplier = (multiplier << shift)
// count; shift -= shift. All of it happens here; the kernel only sums and requantizes.
"""

from __future__ import annotations

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_identifier, c_struct, fail, input_tensor, int8_in_out,
)

NAME = "MEAN"
KERNEL = "relo_mean_s8.c"
MAX_RANK = 4  # relo_nn_types.h RELO_MEAN_RANK


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    io = int8_in_out(graph, op)
    data, output = io.data, io.output
    in_scale, in_zp, out_scale, out_zp = io.in_scale, io.in_zp, io.out_scale, io.out_zp
    axes_tensor = input_tensor(graph, op, 1, "axes")
    rank = len(data.shape)
    if not 1 <= rank <= MAX_RANK:
        raise fail(op, f"input rank {rank} is not supported (1 to {MAX_RANK})")
    axes = _axes(op, axes_tensor, rank)
    keep_dims = bool(op.options.get("keep_dims", False))
    expected = tuple(1 if d in axes else n for d, n in enumerate(data.shape)) if keep_dims \
        else tuple(n for d, n in enumerate(data.shape) if d not in axes)
    if output.element_count != _product(expected) or (keep_dims and tuple(output.shape) != expected):
        raise fail(op, f"output shape {output.shape} does not match the mean of {data.shape} over "
                       f"axes {sorted(axes)} (keep_dims={keep_dims}: expected {expected})")
    count = _product(data.shape[d] for d in axes)
    multiplier, shift = mean_multiplier(in_scale, out_scale, count)

    lead = MAX_RANK - rank
    params = c_identifier(op, "params")
    declarations = [c_struct("relo_mean_params_t", params, {
        "input_shape": [1] * lead + list(data.shape),
        "reduce": [0] * lead + [int(d in axes) for d in range(rank)],
        "count": count, "input_offset": -in_zp, "output_offset": out_zp,
        "multiplier": multiplier, "shift": shift,
    })]

    def emit_call(arena) -> str:
        return f"relo_mean_s8(&{params}, (const int8_t *){arena(data.index)}, (int8_t *){arena(output.index)})"

    return LoweredOp(op=op, kernel_files=(KERNEL,), declarations=declarations, emit_call=emit_call,
                     output_shape=output.shape)


def mean_multiplier(input_scale: float, output_scale: float, count: int) -> tuple[int, int]:
    multiplier, shift = quant.quantize_multiplier(input_scale / output_scale)
    extra = min(count.bit_length() - 1, 32, 31 + shift)
    return (multiplier << extra) // count, shift - extra


def _axes(op: Operator, tensor: Tensor, rank: int) -> set[int]:
    if not tensor.is_constant:
        raise fail(op, "axes must be a constant tensor")
    if tensor.dtype != "int32":
        raise fail(op, f"axes must be INT32, found {tensor.dtype.upper()}")
    values = [int(a) for a in tensor.data.reshape(-1)]
    if not values or any(not -rank <= a < rank for a in values):
        raise fail(op, f"axes {values} are out of range for a rank-{rank} input")
    return {a % rank for a in values}


def _product(values) -> int:
    result = 1
    for v in values:
        result *= v
    return result
