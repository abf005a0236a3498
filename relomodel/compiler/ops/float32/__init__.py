"""float32 operators: one module per op (NAME + lower(), like the int8 modules one level up).

The registry keeps one entry per TFLite operator name; for the names below that entry is a
DtypeDispatch, which lowers an operator with its float32 module when its data input is
float32 and with the int8 module otherwise. RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE and
STRIDED_SLICE need nothing here: they move elements of any type.
"""

from __future__ import annotations

from types import ModuleType

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp
from relomodel.compiler.ops.float32 import (
    add, average_pool_2d, concatenation, conv_2d, depthwise_conv_2d, fully_connected, hard_swish,
    leaky_relu, logistic, max_pool_2d, mean, mul, pad, pad_v2, relu, relu6, softmax, sub, tanh,
)

FLOAT_MODULES: dict[str, ModuleType] = {module.NAME: module for module in (
    fully_connected, conv_2d, depthwise_conv_2d, average_pool_2d, max_pool_2d, add, sub, mul,
    softmax, logistic, tanh, relu, relu6, leaky_relu, hard_swish, pad, pad_v2, concatenation, mean,
)}


class DtypeDispatch:
    """Stands in the registry for an operator name that has an int8 and a float32 module."""

    def __init__(self, int8_module: ModuleType, float_module: ModuleType):
        self.NAME = int8_module.NAME
        self.int8_module, self.float_module = int8_module, float_module

    def module_for(self, graph: Graph, op: Operator) -> ModuleType:
        return self.float_module if data_is_float(graph, op) else self.int8_module

    def lower(self, graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
        return self.module_for(graph, op).lower(graph, op, ctx)


def data_is_float(graph: Graph, op: Operator) -> bool:
    """The operator's data input (its first) is float32."""
    data = next((i for i in op.inputs if i >= 0), None)
    return data is not None and graph.tensor(data).dtype == "float32"


def computes_in_float(graph: Graph) -> bool:
    """Some operator runs a float32 kernel: the model then agrees with TFLite Micro within a
    tolerance, not bit for bit (docs/float-models.md)."""
    return any(op.name in FLOAT_MODULES and data_is_float(graph, op) for op in graph.operators)


def with_float_dispatch(registry: dict) -> dict:
    """A copy of `registry` where every name that has a float32 module dispatches on dtype."""
    return {name: DtypeDispatch(module, FLOAT_MODULES[name]) if name in FLOAT_MODULES else module
            for name, module in registry.items()}
