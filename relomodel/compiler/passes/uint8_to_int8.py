"""Legacy uint8 models (TF1 quantization-aware training) onto the int8 kernels.

A uint8 value q with zero point z and the int8 value q - 128 with zero point z - 128 stand for
the same real number, and the int8 kernels' arithmetic only ever uses q - z (or compares
values, which the shift preserves). So every uint8 tensor becomes int8: constants are shifted
by 128, zero points too. Filters keep their shifted, usually non-zero, zero point; the
convolution and fully connected lowerings pass it to the kernels as a filter offset.

Model inputs and outputs stay uint8 for the user: a QUANTIZE uint8 -> int8 follows each uint8
input and a QUANTIZE int8 -> uint8 precedes each uint8 output. Both rescale by exactly 1
(scale unchanged, zero point +-128), so they only move the values by 128.

Where LiteRT's uint8 kernels round differently from its int8 ones, the op is marked
`uint8_arithmetic` and its lowering follows the uint8 rule (see docs/uint8.md).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from relomodel.compiler.ir import Graph, Operator, Quantization, Tensor
from relomodel.errors import ModelError

UINT8_TO_INT8_SHIFT = 128


def convert_uint8(graph: Graph) -> Graph:
    """A copy of `graph` computing every uint8 tensor as int8, with uint8 inputs/outputs kept."""
    uint8 = {t.index for t in graph.tensors if t.dtype == "uint8"}
    if not uint8:
        return graph
    tensors = list(graph.tensors)
    for index in uint8:
        tensors[index] = _as_int8(graph.tensor(index))
    # Boundary tensors keep their uint8 form; the graph computes on an int8 twin of each.
    twins: dict[int, int] = {}
    for index in (graph.inputs + graph.outputs):
        if index in uint8 and index not in twins:
            twins[index] = len(tensors)
            tensors.append(dataclasses.replace(tensors[index], index=len(tensors),
                                               name=tensors[index].name + "/int8"))
            tensors[index] = graph.tensor(index)
    next_index = max((op.index for op in graph.operators), default=-1) + 1
    operators: list[Operator] = []
    for index in graph.inputs:
        if index in twins:
            operators.append(Operator(next_index, "QUANTIZE", {}, (index,), (twins[index],)))
            next_index += 1
    for op in graph.operators:
        touches_uint8 = any(i in uint8 for i in op.inputs + op.outputs)
        operators.append(dataclasses.replace(
            op, inputs=tuple(twins.get(i, i) for i in op.inputs),
            outputs=tuple(twins.get(i, i) for i in op.outputs),
            uint8_arithmetic=op.uint8_arithmetic or touches_uint8))
    for index in graph.outputs:
        if index in twins and index not in graph.inputs:
            operators.append(Operator(next_index, "QUANTIZE", {}, (twins[index],), (index,)))
            next_index += 1
    return dataclasses.replace(graph, tensors=tensors, operators=operators)


def _as_int8(tensor: Tensor) -> Tensor:
    q = tensor.quantization
    if q is None:
        raise ModelError(f"uint8 tensor '{tensor.name}' is not quantized; uint8 is supported only "
                         "as quantized data (scale and zero point)")
    if any(not 0 <= z <= 255 for z in q.zero_points):
        raise ModelError(f"uint8 tensor '{tensor.name}' has a zero point outside [0, 255]: {q.zero_points}")
    shifted = Quantization(q.scales, tuple(z - UINT8_TO_INT8_SHIFT for z in q.zero_points), q.axis)
    data = tensor.data
    if data is not None:
        data = (data.astype(np.int16) - UINT8_TO_INT8_SHIFT).astype(np.int8)
    return dataclasses.replace(tensor, dtype="int8", quantization=shifted, data=data)
