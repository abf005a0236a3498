"""TRANSPOSE: any permutation (up to 6 dimensions after merging), as a strided gather."""

from __future__ import annotations

import numpy as np

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, fail, input_tensor, output_tensor, require_activation,
)
from relomodel.compiler.ops.gather import lower_gather
from relomodel.compiler.ops.strides import contiguous_strides

NAME = "TRANSPOSE"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data = input_tensor(graph, op, 0, "data")
    permutation_tensor = input_tensor(graph, op, 1, "permutation")
    output = output_tensor(graph, op)
    require_activation(op, data, "input")
    if not permutation_tensor.is_constant:
        raise fail(op, "the permutation must be a constant tensor")
    rank = len(data.shape)
    permutation = [int(p) for p in np.asarray(permutation_tensor.data).reshape(-1)]
    permutation = [p + rank if p < 0 else p for p in permutation]
    if sorted(permutation) != list(range(rank)):
        raise fail(op, f"{permutation} is not a permutation of {rank} dimensions")
    expected = tuple(data.shape[p] for p in permutation)
    if tuple(output.shape) != expected:
        raise fail(op, f"output shape {output.shape} does not match the transposed shape {expected}")
    dense = contiguous_strides(data.shape)
    return lower_gather(op, data, output, list(expected), [dense[p] for p in permutation], 0)
