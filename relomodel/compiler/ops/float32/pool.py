"""Lowering shared by the float32 AVERAGE_POOL_2D and MAX_POOL_2D."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops import window
from relomodel.compiler.ops.base import LoweredOp
from relomodel.compiler.ops.float32.common import activation_range, lower_call
from relomodel.compiler.ops.float32.filters import float_data_and_output

KERNEL = "relo_pool_f32.c"


def lower_pool(graph: Graph, op: Operator, function: str) -> LoweredOp:
    data, output = float_data_and_output(graph, op)
    geometry = window.pool_fields(op, data, output)
    depth = data.shape[3]
    activation, clamp = activation_range(op)

    def call(params: str, arena) -> str:
        return f"{function}(&{params}, (const float *){arena(data.index)}, (float *){arena(output.index)})"

    return lower_call(op, output, kernel=KERNEL, params_type="relo_pool_f32_params_t", call=call,
                      params={"window": geometry, "depth": depth, "activation": clamp},
                      notes={"activation": activation})
