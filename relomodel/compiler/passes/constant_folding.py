"""Constant folding of shape arithmetic.

A converter exporting a model with a dynamic batch size computes RESHAPE targets at run time:
SHAPE(x) -> STRIDED_SLICE (the batch) -> PACK (with the other dimensions) -> RESHAPE. Our
shapes are static, so every such value is known at pack time. This pass evaluates, in order,
each operator whose result is an unquantized integer tensor computable from constants (SHAPE
needs only its input's static shape), stores the result as a constant and removes the
operator. RESHAPE then reads a constant shape, and no SHAPE or PACK is left to compile.

Quantized (int8/int16) data is never folded here: its arithmetic belongs to the kernels.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from relomodel.compiler.ir import NUMPY_DTYPES, Graph, Operator, Tensor
from relomodel.compiler.ops.strided_slice import slice_arguments, slice_plan
from relomodel.errors import ModelError

FOLDABLE_TYPES = ("int32", "int64")
_TFLITE_INT64 = 4  # TensorType.INT64, for SHAPE's out_type


def fold_constants(graph: Graph) -> Graph:
    """A copy of `graph` with every foldable operator replaced by its constant result."""
    tensors = list(graph.tensors)
    kept: list[Operator] = []
    folded_graph = dataclasses.replace(graph, tensors=tensors)
    for op in graph.operators:
        value = _evaluate(folded_graph, op)
        if value is None:
            kept.append(op)
            continue
        output = tensors[op.outputs[0]]
        tensors[output.index] = dataclasses.replace(output, data=_as_output(op, output, value))
    return dataclasses.replace(folded_graph, operators=kept)


def _evaluate(graph: Graph, op: Operator) -> np.ndarray | None:
    """The op's result when it is foldable shape arithmetic, else None."""
    if op.name not in _EVALUATORS or len(op.outputs) != 1:
        return None
    output = graph.tensor(op.outputs[0])
    if output.dtype not in FOLDABLE_TYPES or output.quantization is not None:
        return None
    if output.index in graph.outputs or output.is_variable:
        return None  # a model output must stay computed
    inputs = [graph.tensor(i) for i in op.inputs if i >= 0]
    if op.name != "SHAPE" and not all(t.is_constant for t in inputs):
        return None
    return _EVALUATORS[op.name](graph, op, inputs)


def _as_output(op: Operator, output: Tensor, value: np.ndarray) -> np.ndarray:
    value = np.asarray(value)
    if value.size != output.element_count:
        raise ModelError(f"operator #{op.index} ({op.name}): computes {value.size} values at pack time, "
                         f"its output '{output.name}' has shape {output.shape}")
    return value.astype(NUMPY_DTYPES[output.dtype]).reshape(output.shape)


def _shape(graph: Graph, op: Operator, inputs: list[Tensor]) -> np.ndarray:
    dtype = np.int64 if op.options.get("out_type") == _TFLITE_INT64 else np.int32
    return np.array(inputs[0].shape, dtype=dtype)


def _strided_slice(graph: Graph, op: Operator, inputs: list[Tensor]) -> np.ndarray:
    data = np.asarray(inputs[0].data)
    starts, counts, steps = slice_plan(op, data.shape, *slice_arguments(graph, op))
    index = tuple(np.arange(count) * step + start for start, count, step in zip(starts, counts, steps))
    return data[np.ix_(*index)] if index else data


def _pack(graph: Graph, op: Operator, inputs: list[Tensor]) -> np.ndarray:
    return np.stack([np.asarray(t.data) for t in inputs], axis=int(op.options.get("axis", 0)))


def _concatenation(graph: Graph, op: Operator, inputs: list[Tensor]) -> np.ndarray:
    return np.concatenate([np.asarray(t.data) for t in inputs], axis=int(op.options.get("axis", 0)))


def _same_values(graph: Graph, op: Operator, inputs: list[Tensor]) -> np.ndarray:
    return np.asarray(inputs[0].data)  # RESHAPE, SQUEEZE, EXPAND_DIMS: _as_output reshapes


def _arithmetic(function: Callable) -> Callable:
    def evaluate(graph: Graph, op: Operator, inputs: list[Tensor]) -> np.ndarray | None:
        if op.options.get("fused_activation_function", 0) != 0:
            return None
        a, b = (np.asarray(t.data).astype(np.int64) for t in inputs[:2])
        return function(a, b)
    return evaluate


_EVALUATORS: dict[str, Callable] = {
    "SHAPE": _shape,
    "STRIDED_SLICE": _strided_slice,
    "PACK": _pack,
    "CONCATENATION": _concatenation,
    "RESHAPE": _same_values,
    "SQUEEZE": _same_values,
    "EXPAND_DIMS": _same_values,
    "ADD": _arithmetic(np.add),
    "SUB": _arithmetic(np.subtract),
    "MUL": _arithmetic(np.multiply),
}
