"""FULLY_CONNECTED, float32: float weights [outputs, inputs], optional float bias."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp, fail, input_tensor
from relomodel.compiler.ops.float32.common import activation_range, lower_call
from relomodel.compiler.ops.float32.filters import filter_declarations, float_data_and_output

NAME = "FULLY_CONNECTED"
KERNEL = "relo_fully_connected_f32.c"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = float_data_and_output(graph, op)
    weights = input_tensor(graph, op, 1, "weights")
    bias = input_tensor(graph, op, 2, "bias", optional=True)
    if op.options.get("weights_format", 0) != 0:
        raise fail(op, "shuffled weights format is not supported")
    if len(weights.shape) != 2:
        raise fail(op, f"weights must be 2-D [outputs, inputs], found shape {weights.shape}")
    out_depth, in_depth = weights.shape
    if data.element_count % in_depth:
        raise fail(op, f"input has {data.element_count} elements, not a multiple of the weights' depth {in_depth}")
    batches = data.element_count // in_depth
    if output.element_count != batches * out_depth:
        raise fail(op, f"output shape {output.shape} does not match {batches} x {out_depth}")
    activation, clamp = activation_range(op)
    declarations, weights_ref, bias_ref = filter_declarations(op, weights, bias, out_depth, what="weights")

    def call(params: str, arena) -> str:
        return (f"relo_fully_connected_f32(&{params}, (const float *){arena(data.index)}, {weights_ref}, "
                f"{bias_ref}, (float *){arena(output.index)})")

    return lower_call(
        op, output, kernel=KERNEL, params_type="relo_fc_f32_params_t", call=call, declarations=declarations,
        params={"batches": batches, "input_depth": in_depth, "output_depth": out_depth, "activation": clamp},
        macs=batches * in_depth * out_depth,
        weight_bytes=weights.size_bytes + (bias.size_bytes if bias is not None else 0),
        notes={"activation": activation},
    )
