"""MEAN, float32, over any axes of a rank <= 4 tensor, keep_dims either way: the float sum of
each output's inputs in row-major order, divided by their count (TFLite Micro's order)."""

from __future__ import annotations

import math

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp, fail, input_tensor
from relomodel.compiler.ops.float32.common import lower_call, unary_float
from relomodel.compiler.ops.mean import _axes as constant_axes

NAME = "MEAN"
KERNEL = "relo_mean_f32.c"
MAX_RANK = 4  # relo_nn_types.h RELO_MEAN_RANK


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = unary_float(graph, op, same_size=False)
    rank = len(data.shape)
    if not 1 <= rank <= MAX_RANK:
        raise fail(op, f"input rank {rank} is not supported (1 to {MAX_RANK})")
    axes = constant_axes(op, input_tensor(graph, op, 1, "axes"), rank)
    keep_dims = bool(op.options.get("keep_dims", False))
    expected = tuple(1 if d in axes else n for d, n in enumerate(data.shape)) if keep_dims \
        else tuple(n for d, n in enumerate(data.shape) if d not in axes)
    if output.element_count != math.prod(expected) or (keep_dims and tuple(output.shape) != expected):
        raise fail(op, f"output shape {output.shape} does not match the mean of {data.shape} over axes "
                       f"{sorted(axes)} (keep_dims={keep_dims}: expected {expected})")

    def call(params: str, arena) -> str:
        return f"relo_mean_f32(&{params}, (const float *){arena(data.index)}, (float *){arena(output.index)})"

    lead = MAX_RANK - rank
    return lower_call(op, output, kernel=KERNEL, params_type="relo_mean_f32_params_t", call=call, params={
        "input_shape": [1] * lead + list(data.shape),
        "reduce": [0] * lead + [int(d in axes) for d in range(rank)],
        "count": math.prod(data.shape[d] for d in axes),
    })
