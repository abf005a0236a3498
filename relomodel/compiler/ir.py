"""Our own graph types: what the compiler knows about a model, free of flatbuffer types.

The reader (tflite_reader.py) builds a Graph; op modules, the planner and codegen read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# IR dtype names -> numpy dtypes. Names match TFLite's TensorType names in lower case.
NUMPY_DTYPES = {
    "float32": np.dtype(np.float32),
    "int8": np.dtype(np.int8),
    "uint8": np.dtype(np.uint8),
    "int16": np.dtype(np.int16),
    "int32": np.dtype(np.int32),
    "int64": np.dtype(np.int64),
    "bool": np.dtype(np.bool_),
}


@dataclass(frozen=True)
class Quantization:
    """Affine quantization: real = scale * (q - zero_point), per tensor or per `axis` channel."""

    scales: tuple[float, ...]  # float32 values, as stored in the model
    zero_points: tuple[int, ...]
    axis: int = 0

    @property
    def per_channel(self) -> bool:
        return len(self.scales) > 1

    @property
    def scale(self) -> float:
        return self.scales[0]

    @property
    def zero_point(self) -> int:
        return self.zero_points[0]


@dataclass
class Tensor:
    index: int
    name: str
    dtype: str  # a key of NUMPY_DTYPES (or another TFLite type name the checks refuse)
    shape: tuple[int, ...]
    quantization: Quantization | None = None
    # constant contents shaped as `shape`, or flat raw bytes when dtype is not in NUMPY_DTYPES;
    # None for computed tensors
    data: np.ndarray | None = None
    is_variable: bool = False

    @property
    def is_constant(self) -> bool:
        return self.data is not None

    @property
    def element_count(self) -> int:
        count = 1
        for dim in self.shape:
            count *= dim
        return count

    @property
    def size_bytes(self) -> int:
        if self.dtype not in NUMPY_DTYPES:
            raise ValueError(f"tensor '{self.name}' has type {self.dtype.upper()} of unknown size")
        return self.element_count * NUMPY_DTYPES[self.dtype].itemsize


@dataclass
class Operator:
    index: int  # position in the model's execution order
    name: str  # builtin name ("FULLY_CONNECTED") or "CUSTOM:<custom code>"
    options: dict = field(default_factory=dict)  # snake_case option names -> python values
    inputs: tuple[int, ...] = ()  # tensor indices, -1 for an omitted optional input
    outputs: tuple[int, ...] = ()
    # set by passes/uint8_to_int8.py: the model computes this op on uint8 tensors, so the
    # lowering must follow LiteRT's uint8 arithmetic where it differs from int8's
    uint8_arithmetic: bool = False


@dataclass
class Graph:
    tensors: list[Tensor]
    operators: list[Operator]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    description: str = ""

    def tensor(self, index: int) -> Tensor:
        return self.tensors[index]

    def consumers(self, tensor_index: int) -> list[Operator]:
        return [op for op in self.operators if tensor_index in op.inputs]
