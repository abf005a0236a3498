"""Operator registry: one module per supported TFLite operator.

Adding an op = adding a module here (NAME + lower()) and its kernel file in relomodel/kernels.
"""

from __future__ import annotations

from types import ModuleType

from relomodel.compiler.ir import Graph
from relomodel.compiler.ops import dequantize, fully_connected, quantize, reshape, softmax
from relomodel.errors import UnsupportedOpError
from relomodel.compiler.ops import (  # convolutions, pooling, padding
    average_pool_2d, conv_2d, depthwise_conv_2d, max_pool_2d, mean, pad, pad_v2,
)

_MODULES: tuple[ModuleType, ...] = (fully_connected, softmax, reshape, quantize, dequantize)
_MODULES += (conv_2d, depthwise_conv_2d, average_pool_2d, max_pool_2d, pad, pad_v2, mean)
from relomodel.compiler.ops import svdf, unidirectional_sequence_lstm  # stateful  # noqa: E402
_MODULES += (svdf, unidirectional_sequence_lstm)
from relomodel.compiler.ops import (  # elementwise, activation and shape ops  # noqa: E402
    add, concatenation, expand_dims, hard_swish, leaky_relu, logistic, mul, relu, relu6, squeeze,
    strided_slice, sub, tanh, transpose,
)
_MODULES += (add, sub, mul, logistic, tanh, relu, relu6, leaky_relu, hard_swish, concatenation,
             strided_slice, transpose, squeeze, expand_dims)
REGISTRY: dict[str, ModuleType] = {module.NAME: module for module in _MODULES}
# float32 models: the same names, lowered by ops/float32 when the data input is float32
from relomodel.compiler.ops.float32 import with_float_dispatch  # noqa: E402
REGISTRY = with_float_dispatch(REGISTRY)


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
