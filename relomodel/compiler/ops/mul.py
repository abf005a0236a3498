"""MUL: int8 * int8 -> int8 with broadcasting."""

from __future__ import annotations

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.add import binary_operands, broadcast_fields
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_identifier, c_struct, fail, require_per_tensor_quant,
)
from relomodel.compiler.ops.elementwise import operand_reference

NAME = "MUL"
KERNEL = "relo_mul_s8.c"
MAX_SHIFT = 15  # relo_mul_s8: |product| < 2^16 must not overflow when shifted left


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    input1, input2, output = binary_operands(graph, op)
    scale1, zp1 = require_per_tensor_quant(op, input1, "first input")
    scale2, zp2 = require_per_tensor_quant(op, input2, "second input")
    out_scale, out_zp = require_per_tensor_quant(op, output, "output")
    real = scale1 * scale2 / out_scale  # TFLite Micro: double arithmetic on the float32 scales
    multiplier, shift = quant.quantize_multiplier(real)
    if shift > MAX_SHIFT:
        raise fail(op, f"rescaling factor {real:g} is too large (output scale too small)")
    activation = quant.activation_name(op.options.get("fused_activation_function", 0))
    act_min, act_max = quant.activation_range_int8(activation, out_scale, out_zp)

    declarations: list[str] = []
    ref1 = operand_reference(op, input1, "input1", "int8_t", declarations)
    ref2 = operand_reference(op, input2, "input2", "int8_t", declarations)
    params = c_identifier(op, "params")
    declarations.append(c_struct("relo_mul_params_t", params, {
        "shape": broadcast_fields(op, input1.shape, input2.shape, output.shape),
        "input1_offset": -zp1, "input2_offset": -zp2, "output_offset": out_zp,
        "output_multiplier": multiplier, "output_shift": max(shift, -31),
        "activation_min": act_min, "activation_max": act_max,
    }))

    def emit_call(arena) -> str:
        return f"relo_mul_s8(&{params}, {ref1(arena)}, {ref2(arena)}, (int8_t *){arena(output.index)})"

    return LoweredOp(op=op, kernel_files=(KERNEL,), declarations=declarations, emit_call=emit_call,
                     macs=output.element_count,
                     weight_bytes=sum(t.size_bytes for t in (input1, input2) if t.is_constant),
                     output_shape=output.shape, notes={"activation": activation})
