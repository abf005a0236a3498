"""CONCATENATION, float32, along any axis: the int8 concatenation kernel copying bytes
(each float is 4 bytes, so every block is 4 times its element count; nothing is requantized)."""

from __future__ import annotations

import math

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_identifier, c_initializer, fail, output_tensor,
)
from relomodel.compiler.ops.concatenation import concatenation_axis
from relomodel.compiler.ops.float32.common import lower_call, operand_reference, require_float

NAME = "CONCATENATION"
KERNEL = "relo_concatenation_s8.c"
FLOAT_BYTES = 4


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    inputs = [graph.tensor(i) for i in op.inputs if i >= 0]
    output = output_tensor(graph, op)
    if op.options.get("fused_activation_function", 0) != 0:
        raise fail(op, "a fused activation is not supported (TFLite Micro refuses it too)")
    require_float(op, output, "output")
    axis = concatenation_axis(op, [t.shape for t in inputs], output.shape)
    if all(t.is_constant for t in inputs):
        raise fail(op, "every input is a constant; nothing to compute at run time")
    declarations: list[str] = []
    references, descriptors = [], []
    for position, tensor in enumerate(inputs):
        require_float(op, tensor, f"input {position}")
        descriptors.append({"block": FLOAT_BYTES * math.prod(tensor.shape[axis:]), "requantize": 0,
                            "input_offset": 0, "output_offset": 0, "multiplier": 0, "shift": 0})
        references.append(operand_reference(op, tensor, f"input{position}", declarations))
    table = c_identifier(op, "inputs")
    declarations.append(f"static const relo_concat_input_t {table}[{len(inputs)}] = "
                        f"{c_initializer(descriptors)};")

    def call(params: str, arena) -> str:
        pointers = ", ".join(f"(const int8_t *){reference(arena)}" for reference in references)
        return (f"relo_concatenation_s8(&{params}, {table}, (const int8_t *const[]){{{pointers}}}, "
                f"(int8_t *){arena(output.index)})")

    return lower_call(
        op, output, kernel=KERNEL, params_type="relo_concat_params_t", call=call, declarations=declarations,
        params={"outer": math.prod(output.shape[:axis]),
                "output_block": FLOAT_BYTES * math.prod(output.shape[axis:]), "input_count": len(inputs)},
        weight_bytes=sum(t.size_bytes for t in inputs if t.is_constant),
    )
