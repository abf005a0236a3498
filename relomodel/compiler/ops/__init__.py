"""Operator registry: one module per supported TFLite operator.

Adding an op = adding a module here (NAME + lower()) and its kernel file in relomodel/kernels.
"""

from __future__ import annotations

from types import ModuleType

from relomodel.compiler.ir import Graph
from relomodel.compiler.ops import dequantize, fully_connected, quantize, reshape, softmax
from relomodel.errors import UnsupportedOpError

_MODULES: tuple[ModuleType, ...] = (fully_connected, softmax, reshape, quantize, dequantize)
REGISTRY: dict[str, ModuleType] = {module.NAME: module for module in _MODULES}


def op_module(name: str) -> ModuleType:
    return REGISTRY[name]


def check_supported(graph: Graph) -> None:
    """Raise UnsupportedOpError listing every operator we cannot compile, before compiling any."""
    unsupported = [(op.index, op.name) for op in graph.operators if op.name not in REGISTRY]
    if unsupported:
        raise UnsupportedOpError(
            unsupported,
            hint="supported operators: " + ", ".join(sorted(REGISTRY)),
        )
