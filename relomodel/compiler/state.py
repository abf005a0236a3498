"""Persistent state of stateful models: variable tensors (LSTM hidden/cell state, SVDF memory).

Variable tensors keep their value from one inference to the next, so they cannot live in the
arena (the planner reuses arena bytes between ops). Each one becomes a zero-initialised static
array in the blob's RAM (.bss) and the generated `relo_model_reset_state()` restores the initial
value TFLite Micro gives variable tensors: the zero point for int8, zero otherwise
(MicroInterpreter ResetVariableTensors). `relo_model_init()` calls it once after loading.
"""

from __future__ import annotations

from dataclasses import dataclass

from relomodel.compiler.ir import Graph
from relomodel.errors import ModelError

STATE_ALIGN = 4
_C_TYPES = {"int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "float32": "float"}


@dataclass(frozen=True)
class StateTensor:
    tensor: int  # index of the variable tensor in the graph
    symbol: str  # C array name
    ctype: str
    count: int  # elements
    initial: int  # value every element takes on reset


def state_symbol(tensor_index: int) -> str:
    """The C array holding variable tensor `tensor_index`; op modules pass it to their kernels."""
    return f"relo_state_t{tensor_index}"


def find_state(graph: Graph) -> list[StateTensor]:
    """Every variable tensor some operator reads, in tensor order."""
    used = sorted({t for op in graph.operators for t in op.inputs + op.outputs
                   if t >= 0 and graph.tensor(t).is_variable})
    states = []
    for index in used:
        tensor = graph.tensor(index)
        if tensor.dtype not in _C_TYPES:
            raise ModelError(f"variable tensor '{tensor.name}' has unsupported type {tensor.dtype.upper()}")
        if index in graph.inputs or index in graph.outputs:
            raise ModelError(f"variable tensor '{tensor.name}' is a model input or output")
        initial = 0
        if tensor.dtype == "int8" and tensor.quantization is not None:
            initial = tensor.quantization.zero_point
        states.append(StateTensor(index, state_symbol(index), _C_TYPES[tensor.dtype],
                                  max(tensor.element_count, 1), initial))
    return states


def state_declarations(states: list[StateTensor]) -> list[str]:
    """Static arrays in .bss: zeroed by the loader, then set by relo_model_reset_state()."""
    if not states:
        return []
    lines = ["/* persistent state (variable tensors): lives outside the arena, kept across runs */"]
    for state in states:
        lines.append(f"static {state.ctype} {state.symbol}[{state.count}] "
                     f"__attribute__((aligned({STATE_ALIGN})));")
    return ["\n".join(lines)]


def reset_function(states: list[StateTensor]) -> str:
    lines = [
        "RELO_MODEL_EXPORT int32_t relo_model_reset_state(uint8_t *arena)",
        "{",
        "    (void)arena; /* state lives in the blob's RAM, not in the arena */",
    ]
    for state in states:
        lines += [
            f"    for (int32_t i = 0; i < {state.count}; ++i) {{",
            f"        {state.symbol}[i] = ({state.ctype}){state.initial};",
            "    }",
        ]
    lines += ["    return 0;", "}"]
    return "\n".join(lines)
