"""Lowering shared by the float32 AVERAGE_POOL_2D and MAX_POOL_2D."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops import window
from relomodel.compiler.ops.base import LoweredOp, fail
from relomodel.compiler.ops.float32.common import activation_range, lower_call
from relomodel.compiler.ops.float32.filters import float_data_and_output

KERNEL = "relo_pool_f32.c"


def lower_pool(graph: Graph, op: Operator, function: str) -> LoweredOp:
    data, output = float_data_and_output(graph, op)
    filter_hw = (op.options.get("filter_height", 0), op.options.get("filter_width", 0))
    geometry = window.window_fields(op, data, output, filter_hw, dilated=False)
    if geometry["pad_top"] >= filter_hw[0] or geometry["pad_left"] >= filter_hw[1]:
        raise fail(op, "a pooling window lies entirely in the padding")
    depth = data.shape[3]
    if output.shape[3] != depth:
        raise fail(op, f"output has {output.shape[3]} channels, input has {depth}")
    activation, clamp = activation_range(op)

    def call(params: str, arena) -> str:
        return f"{function}(&{params}, (const float *){arena(data.index)}, (float *){arena(output.index)})"

    return lower_call(op, output, kernel=KERNEL, params_type="relo_pool_f32_params_t", call=call,
                      params={"window": geometry, "depth": depth, "activation": clamp},
                      notes={"activation": activation})
