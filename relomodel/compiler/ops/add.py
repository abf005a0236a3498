"""ADD: int8 + int8 -> int8 with broadcasting, TFLite Micro's general rescaling path.

SUB (sub.py) shares this lowering and kernel (params.subtract = 1); TFLite Micro's Prepare
is the same for both.
"""

from __future__ import annotations

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_identifier, c_struct, fail, input_tensor, output_tensor, require_dtype,
    require_per_tensor_quant,
)
from relomodel.compiler.ops.elementwise import operand_reference
from relomodel.compiler.ops.strides import broadcast_shape, broadcast_strides, simplify

NAME = "ADD"
KERNEL = "relo_add_s8.c"
LEFT_SHIFT = 20  # TFLite Micro, int8: inputs are scaled by 2^20 before rescaling
TABLE_ENTRIES = 512  # RELO_ADD_S8_TABLE_ENTRIES: 256 rescaled shares of each input
# From this many outputs the inputs' rescaled shares come from tables relo_model_init fills
# (2 KiB of RAM) instead of two requantizations per element.
TABLE_MIN_ELEMENTS = 512


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    return lower_add_or_sub(graph, op, subtract=False)


def lower_add_or_sub(graph: Graph, op: Operator, *, subtract: bool) -> LoweredOp:
    input1, input2, output = binary_operands(graph, op)
    scale1, zp1 = require_per_tensor_quant(op, input1, "first input")
    scale2, zp2 = require_per_tensor_quant(op, input2, "second input")
    out_scale, out_zp = require_per_tensor_quant(op, output, "output")
    multipliers = _rescale_multipliers(op, scale1, scale2, out_scale)
    (m1, s1), (m2, s2), (m_out, s_out) = multipliers
    activation = quant.activation_name(op.options.get("fused_activation_function", 0))
    act_min, act_max = quant.activation_range_int8(activation, out_scale, out_zp)

    declarations: list[str] = []
    ref1 = operand_reference(op, input1, "input1", "int8_t", declarations)
    ref2 = operand_reference(op, input2, "input2", "int8_t", declarations)
    params = c_identifier(op, "params")
    declarations.append(c_struct("relo_add_params_t", params, {
        "shape": broadcast_fields(op, input1.shape, input2.shape, output.shape),
        "subtract": int(subtract),
        "input1_offset": -zp1, "input2_offset": -zp2, "output_offset": out_zp,
        "left_shift": LEFT_SHIFT,
        "input1_multiplier": m1, "input1_shift": s1,
        "input2_multiplier": m2, "input2_shift": s2,
        "output_multiplier": m_out, "output_shift": s_out,
        "activation_min": act_min, "activation_max": act_max,
    }))

    tables = c_identifier(op, "tables") if output.element_count >= TABLE_MIN_ELEMENTS else None
    if tables is not None:
        declarations.append(f"static int32_t {tables}[{TABLE_ENTRIES}]; /* filled by relo_model_init */")

    def emit_call(arena) -> str:
        operands = f"{ref1(arena)}, {ref2(arena)}, (int8_t *){arena(output.index)}"
        if tables is not None:
            return f"relo_add_s8_tabulated(&{params}, {tables}, {operands})"
        return f"relo_add_s8(&{params}, {operands})"

    return LoweredOp(op=op, kernel_files=(KERNEL,), declarations=declarations, emit_call=emit_call,
                     weight_bytes=sum(t.size_bytes for t in (input1, input2) if t.is_constant),
                     output_shape=output.shape,
                     init_calls=(f"relo_add_s8_tables(&{params}, {tables})",) if tables is not None else (),
                     notes={"activation": activation, "kernel": "relo_add_s8_tabulated" if tables else "relo_add_s8"})


def binary_operands(graph: Graph, op: Operator, dtype: str = "int8"):
    """Both inputs of `dtype` (either may be constant, not both) and the output of their broadcast."""
    input1 = input_tensor(graph, op, 0, "first")
    input2 = input_tensor(graph, op, 1, "second")
    output = output_tensor(graph, op)
    for tensor, what in ((input1, "first input"), (input2, "second input"), (output, "output")):
        require_dtype(op, tensor, what, dtype)
    if input1.is_constant and input2.is_constant:
        raise fail(op, "both inputs are constants; nothing to compute at run time")
    shape = broadcast_shape(input1.shape, input2.shape)
    if shape is None:
        raise fail(op, f"input shapes {input1.shape} and {input2.shape} do not broadcast")
    if shape != tuple(output.shape):
        raise fail(op, f"output shape {output.shape} is not the broadcast shape {shape}")
    return input1, input2, output


def broadcast_fields(op: Operator, shape1, shape2, output_shape) -> dict:
    """relo_broadcast_t fields for two inputs read at every output index."""
    try:
        shape, (stride1, stride2) = simplify(
            output_shape, broadcast_strides(shape1, output_shape), broadcast_strides(shape2, output_shape))
    except ValueError as exc:
        raise fail(op, f"broadcast of {shape1} and {shape2} {exc}") from None
    return {"output_shape": shape, "input1_stride": stride1, "input2_stride": stride2}


def _rescale_multipliers(op, scale1, scale2, out_scale):
    """TFLite Micro's CalculateOpDataAdd / CalculateOpDataSub multipliers, (Q31, shift <= 0) each:
    double arithmetic on the float32 scales (2 x the larger scale is exact in either precision)."""
    twice_max = 2.0 * max(scale1, scale2)
    reals = (scale1 / twice_max, scale2 / twice_max, twice_max / ((1 << LEFT_SHIFT) * out_scale))
    result = []
    for real in reals:
        if not 0.0 < real < 1.0:
            raise fail(op, f"rescaling factor {real:g} is outside (0, 1): output scale {out_scale:g} is "
                           "too small for these input scales")
        multiplier, shift = quant.quantize_multiplier(real)
        if shift > 0:
            raise fail(op, f"rescaling factor {real:g} rounds up to 1")
        result.append((multiplier, max(shift, -31)))
    return result
