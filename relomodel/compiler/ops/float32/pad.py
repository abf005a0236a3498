"""PAD and PADV2, float32, rank <= 4: the int8 pad kernel moving bytes.

A float is 4 bytes, so the innermost dimension and its paddings are scaled by 4 and the
border is filled with zero bytes, which are exactly 0.0f. PADV2 is accepted with a constant
value of 0.0 (what converters emit for zero padding); any other fill value is refused.
"""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp, fail, input_tensor
from relomodel.compiler.ops.float32.common import constant_values, lower_call, unary_float
from relomodel.compiler.ops.pad import _paddings as constant_paddings

NAME = "PAD"
KERNEL = "relo_pad_s8.c"
MAX_RANK = 4  # relo_nn_types.h RELO_PAD_RANK
FLOAT_BYTES = 4


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = unary_float(graph, op, same_size=False)
    rank = len(data.shape)
    if not 1 <= rank <= MAX_RANK:
        raise fail(op, f"input rank {rank} is not supported (1 to {MAX_RANK})")
    paddings = constant_paddings(op, input_tensor(graph, op, 1, "paddings"), rank)
    expected = tuple(d + before + after for d, (before, after) in zip(data.shape, paddings))
    if tuple(output.shape) != expected:
        raise fail(op, f"output shape {output.shape} does not match padded input shape {expected}")
    _check_fill_value(graph, op)

    lead = MAX_RANK - rank
    shape = [1] * lead + list(data.shape)
    before = [0] * lead + [p[0] for p in paddings]
    after = [0] * lead + [p[1] for p in paddings]
    shape[-1], before[-1], after[-1] = (FLOAT_BYTES * v for v in (shape[-1], before[-1], after[-1]))

    def call(params: str, arena) -> str:
        return f"relo_pad_s8(&{params}, (const int8_t *){arena(data.index)}, (int8_t *){arena(output.index)})"

    return lower_call(op, output, kernel=KERNEL, params_type="relo_pad_params_t", call=call,
                      params={"input_shape": shape, "before": before, "after": after, "pad_value": 0})


def _check_fill_value(graph: Graph, op: Operator) -> None:
    constant = input_tensor(graph, op, 2, "constant value", optional=True)
    if op.name != "PADV2" or constant is None:
        return
    values = constant_values(op, constant, "constant value")
    if values.size != 1:
        raise fail(op, "the constant value must be a scalar")
    if float(values[0]) != 0.0:
        raise fail(op, f"float32 PADV2 with fill value {float(values[0])!r} is not supported (only 0.0)")
