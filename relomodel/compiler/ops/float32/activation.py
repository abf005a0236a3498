"""Lowering shared by the float32 one-input activations (relo_activation_f32.c)."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LoweredOp
from relomodel.compiler.ops.float32.common import lower_call, unary_float

KERNEL = "relo_activation_f32.c"
FUNCTIONS = {  # relo_nn_f32.h RELO_F32_*
    "LOGISTIC": 0, "TANH": 1, "RELU": 2, "RELU6": 3, "LEAKY_RELU": 4, "HARD_SWISH": 5,
}


def lower_activation(graph: Graph, op: Operator, *, alpha: float = 0.0) -> LoweredOp:
    data, output = unary_float(graph, op)

    def call(params: str, arena) -> str:
        return f"relo_activation_f32(&{params}, (const float *){arena(data.index)}, (float *){arena(output.index)})"

    return lower_call(op, output, kernel=KERNEL, params_type="relo_activation_f32_params_t", call=call,
                      params={"size": data.element_count, "function": FUNCTIONS[op.name], "alpha": float(alpha)})
