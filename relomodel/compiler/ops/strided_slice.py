"""STRIDED_SLICE: begin/end/strides (constants) with begin, end and shrink-axis masks, as a
strided gather. ellipsis_mask, new_axis_mask and offset are refused.

slice_plan() is TFLite's StartForAxis/StopForAxis arithmetic; the constant-folding pass uses
it too, so shape arithmetic folded at pack time follows the same rules.
"""

from __future__ import annotations

import numpy as np

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, fail, input_tensor, output_tensor, require_activation,
)
from relomodel.compiler.ops.gather import lower_gather
from relomodel.compiler.ops.strides import contiguous_strides

NAME = "STRIDED_SLICE"
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data = input_tensor(graph, op, 0, "data")
    output = output_tensor(graph, op)
    require_activation(op, data, "input")
    starts, counts, steps = slice_plan(op, data.shape, *slice_arguments(graph, op))
    expected = sliced_shape(op, counts)
    if tuple(output.shape) != expected:
        raise fail(op, f"output shape {output.shape} does not match the slice's shape {expected}")
    if 0 in counts:
        raise fail(op, "the slice is empty")
    dense = contiguous_strides(data.shape)
    base = sum(start * stride for start, stride in zip(starts, dense))
    strides = [step * stride for step, stride in zip(steps, dense)]
    return lower_gather(op, data, output, counts, strides, base)


def slice_arguments(graph: Graph, op: Operator) -> tuple[list[int], list[int], list[int]]:
    """begin, end and strides as Python ints (they must be constant 1-D int32 tensors)."""
    values = []
    for position, what in ((1, "begin"), (2, "end"), (3, "strides")):
        tensor = input_tensor(graph, op, position, what)
        if not tensor.is_constant or tensor.dtype not in ("int32", "int64"):
            raise fail(op, f"{what} must be a constant int32 tensor")
        values.append([int(v) for v in np.asarray(tensor.data).reshape(-1)])
    return values[0], values[1], values[2]


def slice_plan(op: Operator, shape, begin, end, strides) -> tuple[list[int], list[int], list[int]]:
    """Per input axis: first index, element count and step of the slice."""
    options = op.options
    for mask in ("ellipsis_mask", "new_axis_mask"):
        if options.get(mask, 0):
            raise fail(op, f"{mask} is not supported; re-export the model without '...' or "
                           "tf.newaxis in the slice")
    if options.get("offset", False):
        raise fail(op, "offset=true (begin-relative end) is not supported")
    rank = len(shape)
    if not len(begin) == len(end) == len(strides) == rank:
        raise fail(op, f"begin/end/strides have {len(begin)}/{len(end)}/{len(strides)} entries, "
                       f"the input has rank {rank}")
    starts, counts = [], []
    for axis in range(rank):
        if strides[axis] == 0:
            raise fail(op, f"stride of axis {axis} is zero")
        start = _start_for_axis(options, shape[axis], begin[axis], strides[axis], axis)
        stop = _stop_for_axis(options, shape[axis], end[axis], strides[axis], axis, start)
        span = stop - start
        count = max(0, -(-span // strides[axis]))  # ceil(span / stride), sign-aware
        starts.append(start)
        counts.append(count)
    return starts, counts, list(strides)


def sliced_shape(op: Operator, counts: list[int]) -> tuple[int, ...]:
    shrink = op.options.get("shrink_axis_mask", 0)
    return tuple(c for axis, c in enumerate(counts) if not shrink & (1 << axis))


def _start_for_axis(options, size: int, begin: int, stride: int, axis: int) -> int:
    if size == 0:
        return 0
    start = begin
    if options.get("begin_mask", 0) & (1 << axis):
        start = INT32_MIN if stride > 0 else INT32_MAX
    if start < 0:
        start += size
    return _clamp(start, 0, size) if stride > 0 else _clamp(start, -1, size - 1)


def _stop_for_axis(options, size: int, end: int, stride: int, axis: int, start: int) -> int:
    if size == 0:
        return 0
    if options.get("shrink_axis_mask", 0) & (1 << axis):
        return start + 1  # one element, whatever `end` says
    stop = end
    if options.get("end_mask", 0) & (1 << axis):
        stop = INT32_MAX if stride > 0 else INT32_MIN
    if stop < 0:
        stop += size
    return _clamp(stop, 0, size) if stride > 0 else _clamp(stop, -1, size - 1)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
