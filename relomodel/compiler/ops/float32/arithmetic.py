"""Lowering shared by the float32 ADD, SUB and MUL: two float operands (either may be a
constant, not both) broadcast to the output, one operation, the fused activation."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.add import binary_operands, broadcast_fields
from relomodel.compiler.ops.base import LoweredOp
from relomodel.compiler.ops.float32.common import FLOAT, activation_range, lower_call, operand_reference

KERNEL = "relo_arithmetic_f32.c"
OPERATIONS = {"ADD": 0, "SUB": 1, "MUL": 2}  # relo_nn_f32.h RELO_F32_ADD / _SUB / _MUL


def lower_arithmetic(graph: Graph, op: Operator) -> LoweredOp:
    input1, input2, output = binary_operands(graph, op, FLOAT)
    activation, clamp = activation_range(op)
    declarations: list[str] = []
    ref1 = operand_reference(op, input1, "input1", declarations)
    ref2 = operand_reference(op, input2, "input2", declarations)

    def call(params: str, arena) -> str:
        return f"relo_arithmetic_f32(&{params}, {ref1(arena)}, {ref2(arena)}, (float *){arena(output.index)})"

    return lower_call(
        op, output, kernel=KERNEL, params_type="relo_arithmetic_f32_params_t", call=call,
        declarations=declarations,
        params={"shape": broadcast_fields(op, input1.shape, input2.shape, output.shape),
                "operation": OPERATIONS[op.name], "activation": clamp},
        macs=output.element_count if op.name == "MUL" else 0,
        weight_bytes=sum(t.size_bytes for t in (input1, input2) if t.is_constant),
        notes={"activation": activation},
    )
