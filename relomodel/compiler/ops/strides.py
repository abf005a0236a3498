"""Shapes and element strides for the strided kernels (relo_nn_strided.h): broadcasting,
permutations and slices, simplified and padded to the kernels' fixed rank.

Every kernel walks the output row by row; an input is followed through per-dimension element
strides (0 where it is broadcast). Dimensions of size 1 are dropped and neighbours that stay
contiguous for every operand are merged, so a same-shape ADD becomes one long row.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_RANK = 6  # relo_nn_types.h RELO_NN_MAX_RANK


def contiguous_strides(shape: Sequence[int]) -> list[int]:
    """Row-major element strides of a dense tensor."""
    strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    return strides


def broadcast_shape(shape1: Sequence[int], shape2: Sequence[int]) -> tuple[int, ...] | None:
    """The numpy/TFLite broadcast of two shapes, or None if they are incompatible."""
    rank = max(len(shape1), len(shape2))
    a = (1,) * (rank - len(shape1)) + tuple(shape1)
    b = (1,) * (rank - len(shape2)) + tuple(shape2)
    result = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            return None
        result.append(max(x, y))
    return tuple(result)


def broadcast_strides(shape: Sequence[int], output_shape: Sequence[int]) -> list[int]:
    """Strides that read a tensor of `shape` at every index of `output_shape` (0 = broadcast)."""
    padded = (1,) * (len(output_shape) - len(shape)) + tuple(shape)
    dense = contiguous_strides(padded)
    return [0 if size == 1 else stride for size, stride in zip(padded, dense)]


def simplify(output_shape: Sequence[int], *strides: Sequence[int]) -> tuple[list[int], list[list[int]]]:
    """Drop size-1 dimensions, merge contiguous neighbours, pad to MAX_RANK with leading 1s.

    Returns the new output shape and the matching stride lists, in the order given.
    """
    dims = [(size, [s[d] for s in strides]) for d, size in enumerate(output_shape) if size != 1]
    merged: list[tuple[int, list[int]]] = []
    for size, dim_strides in dims:
        if merged:
            outer_size, outer_strides = merged[-1]
            if all(o == i * size for o, i in zip(outer_strides, dim_strides)):
                merged[-1] = (outer_size * size, dim_strides)
                continue
        merged.append((size, dim_strides))
    if len(merged) > MAX_RANK:
        raise ValueError(f"needs {len(merged)} dimensions, kernels support {MAX_RANK}")
    padding = [(1, [0] * len(strides))] * (MAX_RANK - len(merged))
    merged = padding + merged
    shape = [size for size, _ in merged]
    per_operand = [[dim_strides[k] for _, dim_strides in merged] for k in range(len(strides))]
    return shape, per_operand
