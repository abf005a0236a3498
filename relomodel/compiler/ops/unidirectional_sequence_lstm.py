"""UNIDIRECTIONAL_SEQUENCE_LSTM: int8 activations and weights, int16 cell state, int32 bias.

TFLite Micro's integer LSTM (the reference kernels, which carry state across invokes): gate
pre-activations are Q3.12 int16, gate outputs Q0.15, the cell state int16 with a power-of-two
scale. The hidden state (input 18) and cell state (input 19) are variable tensors kept in the
blob's RAM (compiler/state.py). Standard LSTM only, as TFLM: no CIFG, peephole, projection or
layer normalisation.
"""

from __future__ import annotations

import math

import numpy as np

from relomodel.compiler import kernel_select, quant
from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_array, c_identifier, c_struct, fail, input_tensor, output_tensor,
    require_activation, require_dtype, require_per_tensor_quant,
)
from relomodel.compiler.state import state_symbol

NAME = "UNIDIRECTIONAL_SEQUENCE_LSTM"
KERNEL = "relo_lstm_s8.c"
GATES = ("input", "forget", "cell", "output")  # relo_nn_types.h RELO_LSTM_GATE_* order
INPUT_WEIGHTS = (1, 2, 3, 4)
RECURRENT_WEIGHTS = (5, 6, 7, 8)
BIASES = (12, 13, 14, 15)
UNSUPPORTED_INPUTS = {9: "peephole (cell to input)", 10: "peephole (cell to forget)",
                      11: "peephole (cell to output)", 16: "projection weights", 17: "projection bias",
                      20: "input layer norm", 21: "forget layer norm", 22: "cell layer norm",
                      23: "output layer norm"}
HIDDEN_STATE, CELL_STATE = 18, 19
GATE_INPUT_SCALE = 2.0 ** -12  # Q3.12 pre-activation
GATE_OUTPUT_SCALE = 2.0 ** -15  # Q0.15 sigmoid/tanh output
# Cell gate nonlinearity by TFLite activation code. The kernel also does SIGMOID (6), but the
# flatbuffer schema cannot express it, so only TANH reaches us.
ACTIVATIONS = {4: "TANH"}


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    if len(op.inputs) != 24:
        raise fail(op, f"expected 24 inputs, found {len(op.inputs)}")
    _refuse_variants(graph, op)
    data = input_tensor(graph, op, 0, "data")
    hidden = input_tensor(graph, op, HIDDEN_STATE, "hidden state")
    cell = input_tensor(graph, op, CELL_STATE, "cell state")
    output = output_tensor(graph, op)
    require_dtype(op, data, "input", "int8")
    require_dtype(op, output, "output", "int8")
    require_dtype(op, hidden, "hidden state", "int8")
    require_dtype(op, cell, "cell state", "int16")
    require_activation(op, data, "input")
    for tensor, what in ((hidden, "hidden state"), (cell, "cell state")):
        if not tensor.is_variable:
            raise fail(op, f"{what} '{tensor.name}' must be a variable tensor")
    sizes = _check_shapes(op, data, hidden, cell, output)
    in_scale, in_zp = require_per_tensor_quant(op, data, "input")
    hidden_scale, hidden_zp = require_per_tensor_quant(op, hidden, "hidden state")
    cell_scale, cell_power = _cell_scale(op, cell)

    n, depth = sizes["state_size"], sizes["input_size"]
    input_weights = [_weights(graph, op, i, (n, depth)) for i in INPUT_WEIGHTS]
    recurrent_weights = [_weights(graph, op, i, (n, n)) for i in RECURRENT_WEIGHTS]
    biases = [_bias(graph, op, i, n) for i in BIASES]
    params = {
        **sizes,
        "time_major": int(bool(op.options.get("time_major", False))),
        "input_offset": -in_zp, "hidden_offset": -hidden_zp, "hidden_zero_point": hidden_zp,
        **_gate_multipliers(in_scale, hidden_scale, input_weights, recurrent_weights),
        **_inter_gate_multipliers(cell_scale, hidden_scale),
        "cell_gate_activation": _cell_gate_activation(op),
        "cell_clip": _quantized_cell_clip(op, cell_scale),
        **_cell_tanh_scaling(op, cell_power),
    }

    names = {role: c_identifier(op, role) for role in
             ("input_weights", "recurrent_weights", "biases", "params")}
    declarations = [
        c_array("int8_t", names["input_weights"], np.stack([w.data for w in input_weights]), weights=True),
        c_array("int8_t", names["recurrent_weights"], np.stack([w.data for w in recurrent_weights]),
                weights=True),
        c_array("int32_t", names["biases"], np.stack([b.data.reshape(-1) for b in biases])),
        c_struct("relo_lstm_params_t", names["params"], params),
    ]

    def emit_call(arena) -> str:
        return (f"relo_lstm_s8(&{names['params']}, (const int8_t *){arena(data.index)}, "
                f"{names['input_weights']}, {names['recurrent_weights']}, {names['biases']}, "
                f"{state_symbol(hidden.index)}, {state_symbol(cell.index)}, "
                f"(int8_t *){arena(output.index)}, (int16_t *){arena(kernel_select.scratch_key(op.index))})")

    rows = sizes["batches"] * sizes["time_steps"]
    portable = LoweredOp(
        op=op,
        kernel_files=(KERNEL,),
        declarations=declarations,
        emit_call=emit_call,
        macs=rows * 4 * n * (depth + n),
        weight_bytes=sum(t.size_bytes for t in input_weights + recurrent_weights + biases),
        output_shape=output.shape,
        # the widened input row and previous hidden state (relo_lstm_common.h)
        scratch_bytes=2 * (kernel_select.column_length(depth) + kernel_select.column_length(n)),
        notes={"state": (hidden.index, cell.index)},
    )
    return kernel_select.lstm(ctx, portable, input_weights=input_weights,
                              recurrent_weights=recurrent_weights, biases=biases, params=params)


def _refuse_variants(graph: Graph, op: Operator) -> None:
    present = [what for index, what in UNSUPPORTED_INPUTS.items() if op.inputs[index] >= 0]
    if present:
        raise fail(op, "only the standard LSTM is supported; this one has " + ", ".join(present))
    if op.inputs[1] < 0 or op.inputs[5] < 0:
        raise fail(op, "CIFG LSTMs (no input gate) are not supported")


def _check_shapes(op: Operator, data: Tensor, hidden: Tensor, cell: Tensor, output: Tensor) -> dict:
    if len(data.shape) != 3:
        raise fail(op, f"input must be 3-D, found {data.shape}")
    time_major = bool(op.options.get("time_major", False))
    time_steps, batches = (data.shape[0], data.shape[1]) if time_major else (data.shape[1], data.shape[0])
    if len(output.shape) != 3 or output.shape[:2] != data.shape[:2]:
        raise fail(op, f"output shape {output.shape} does not match input shape {data.shape}")
    state_size = output.shape[2]
    for tensor, what in ((hidden, "hidden state"), (cell, "cell state")):
        if tensor.element_count != batches * state_size:
            raise fail(op, f"{what} has {tensor.element_count} elements, expected {batches} x {state_size}")
    return {"batches": batches, "time_steps": time_steps, "input_size": data.shape[2],
            "state_size": state_size}


def _weights(graph: Graph, op: Operator, position: int, shape: tuple[int, int]) -> Tensor:
    weights = input_tensor(graph, op, position, f"weights #{position}")
    if not weights.is_constant:
        raise fail(op, f"weights '{weights.name}' must be a constant tensor")
    require_dtype(op, weights, "weights", "int8")
    if weights.shape != shape:
        raise fail(op, f"weights '{weights.name}' have shape {weights.shape}, expected {shape}")
    q = weights.quantization
    if q is None or q.per_channel or not q.scale > 0.0 or q.zero_point != 0:
        raise fail(op, f"weights '{weights.name}' must be quantized per tensor, symmetric")
    return weights


def _bias(graph: Graph, op: Operator, position: int, size: int) -> Tensor:
    bias = input_tensor(graph, op, position, f"bias #{position}")
    if not bias.is_constant:
        raise fail(op, f"bias '{bias.name}' must be a constant tensor")
    require_dtype(op, bias, "bias", "int32")
    if bias.element_count != size:
        raise fail(op, f"bias '{bias.name}' has {bias.element_count} values, expected {size}")
    return bias


def _gate_multipliers(in_scale, hidden_scale, input_weights, recurrent_weights) -> dict:
    """FC -> Q3.12 rescales, as TFLM's CalculateOpDataFullyConnected (double arithmetic)."""
    fields = {"input_multiplier": [], "input_shift": [], "recurrent_multiplier": [], "recurrent_shift": []}
    for kind, scale, weights in (("input", in_scale, input_weights), ("recurrent", hidden_scale, recurrent_weights)):
        for w in weights:
            multiplier, shift = quant.quantize_multiplier(scale * w.quantization.scale / GATE_INPUT_SCALE)
            fields[f"{kind}_multiplier"].append(multiplier)
            fields[f"{kind}_shift"].append(shift)
    return fields


def _inter_gate_multipliers(cell_scale: float, hidden_scale: float) -> dict:
    """TFLM CreateInterGateMulParams: double(scale1) * double(scale2) / double(output scale)."""
    fields = {}
    for name, first, second, out in (("forget_cell", GATE_OUTPUT_SCALE, cell_scale, cell_scale),
                                     ("input_cell", GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, cell_scale),
                                     ("hidden", GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, hidden_scale)):
        multiplier, shift = quant.quantize_multiplier(first * second / out)
        fields[f"{name}_multiplier"], fields[f"{name}_shift"] = multiplier, shift
    return fields


def _cell_scale(op: Operator, cell: Tensor) -> tuple[float, int]:
    q = cell.quantization
    if q is None or q.per_channel or not q.scale > 0.0 or q.zero_point != 0:
        raise fail(op, f"cell state '{cell.name}' must be quantized symmetric per tensor")
    power = math.log2(q.scale)
    if abs(power - round(power)) > 1e-3:
        raise fail(op, f"cell state scale {q.scale} is not a power of two")
    return q.scale, int(round(power))


def _cell_gate_activation(op: Operator) -> int:
    code = int(op.options.get("fused_activation_function", 4))
    if code not in ACTIVATIONS:
        raise fail(op, f"cell gate activation {quant.activation_name(code)} is not supported (TANH only)")
    return code


def _quantized_cell_clip(op: Operator, cell_scale: float) -> int:
    clip = float(op.options.get("cell_clip", 0.0))
    if clip < 0:
        raise fail(op, f"cell_clip {clip} must not be negative")
    if clip == 0:
        return 0
    quantized = int(min(max(clip / cell_scale, -32768.0), 32767.0))  # truncated, as the C++ cast
    if quantized <= 0:
        raise fail(op, f"cell_clip {clip} is below one cell state step {cell_scale}")
    return quantized


def _cell_tanh_scaling(op: Operator, cell_power: int) -> dict:
    """tanh(cell) input scaling of TFLM's LSTM Tanh: Q3.12 needs x * 3; other powers shift it."""
    left_shift = 12 + cell_power
    if left_shift > 14:
        raise fail(op, f"cell state scale 2^{cell_power} is too coarse")
    if left_shift >= 0:
        return {"cell_tanh_multiplier": 3 << left_shift, "cell_tanh_right_shift": 0}
    if -left_shift > 15:
        raise fail(op, f"cell state scale 2^{cell_power} is too fine")
    return {"cell_tanh_multiplier": 3, "cell_tanh_right_shift": -left_shift}
