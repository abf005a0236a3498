"""Single-op stateful models for property tests: SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM.

Weights are random; scales are chosen from the shapes so intermediate values span their
integer ranges instead of saturating (a `spread` factor moves them either way).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from relomodel.modelgen.tflite_writer import ModelSpec

INT8_LIMIT, INT16_LIMIT = 127, 32767


def _f32(value: float) -> float:
    return float(np.float32(value))


@dataclass(frozen=True)
class SvdfShape:
    batches: int
    input_size: int
    units: int
    rank: int
    memory_size: int


def svdf_model(shape: SvdfShape, *, seed: int, state_dtype: str = "int8",
               input_quant: tuple[float, int] = (0.05, -3), state_zero_point: int = 0,
               output_zero_point: int = -128, spread: float = 1.0, bias: bool = True) -> bytes:
    """One SVDF; `state_dtype` int8 (int8 weights_time) or int16 (int16 weights_time, zero point 0)."""
    rng = np.random.default_rng(seed)
    filters = shape.units * shape.rank
    in_scale, in_zp = input_quant
    feature_scale = _f32(rng.uniform(0.002, 0.02))
    time_scale = _f32(rng.uniform(0.002, 0.02)) if state_dtype == "int8" else _f32(rng.uniform(1e-5, 1e-4))
    limit = INT8_LIMIT if state_dtype == "int8" else INT16_LIMIT
    # typical |feature accumulator| ~ 64 * 64 * sqrt(input_size) in input x weight units
    state_scale = _f32(in_scale * feature_scale * 64 * 64 * math.sqrt(shape.input_size) * spread / limit)
    typical_out = state_scale * time_scale * (limit / 2) * (limit / 2) * math.sqrt(shape.memory_size * shape.rank)
    out_scale = _f32(typical_out * spread / 64)

    model = ModelSpec(description="relomodel single SVDF")
    x = model.add_tensor("x", "int8", (shape.batches, shape.input_size), scale=in_scale, zero_point=in_zp)
    wf = model.add_tensor("weights_feature", "int8", (filters, shape.input_size), scale=feature_scale,
                          data=rng.integers(-127, 128, (filters, shape.input_size)))
    wt = model.add_tensor("weights_time", state_dtype, (filters, shape.memory_size), scale=time_scale,
                          data=rng.integers(-limit, limit + 1, (filters, shape.memory_size)))
    inputs = [x, wf, wt]
    if bias:
        inputs.append(model.add_tensor("bias", "int32", (shape.units,), scale=_f32(state_scale * time_scale),
                                       data=rng.integers(-20000, 20000, shape.units)))
    else:
        inputs.append(-1)
    state_zp = state_zero_point if state_dtype == "int8" else 0
    inputs.append(model.add_tensor("state", state_dtype, (shape.batches, filters * shape.memory_size),
                                   scale=state_scale, zero_point=state_zp, variable=True))
    y = model.add_tensor("y", "int8", (shape.batches, shape.units), scale=out_scale, zero_point=output_zero_point)
    model.add_op("SVDF", inputs, [y], rank=shape.rank, fused_activation_function="RELU")
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


@dataclass(frozen=True)
class LstmShape:
    batches: int
    time_steps: int
    input_size: int
    state_size: int
    time_major: bool = False


def lstm_model(shape: LstmShape, *, seed: int, input_quant: tuple[float, int] = (0.02, -5),
               hidden_quant: tuple[float, int] = (0.0078125, 0), cell_power: int = -12,
               cell_clip: float = 0.0, cell_activation: str = "TANH", spread: float = 1.0) -> bytes:
    """One int8 UNIDIRECTIONAL_SEQUENCE_LSTM with an int16 cell state of scale 2^cell_power."""
    rng = np.random.default_rng(seed)
    n, depth = shape.state_size, shape.input_size
    in_scale, in_zp = input_quant
    hidden_scale, hidden_zp = hidden_quant
    rows = (shape.time_steps, shape.batches) if shape.time_major else (shape.batches, shape.time_steps)

    model = ModelSpec(description="relomodel single UNIDIRECTIONAL_SEQUENCE_LSTM")
    x = model.add_tensor("x", "int8", (*rows, depth), scale=in_scale, zero_point=in_zp)

    def weights(name: str, columns: int, column_scale: float) -> int:
        # gate pre-activations of a few units (Q3.12 covers +-8): |sum| ~ 64 * 64 * sqrt(columns)
        scale = _f32(3.0 * spread / (64 * 64 * math.sqrt(columns) * column_scale))
        return model.add_tensor(name, "int8", (n, columns), scale=scale,
                                data=rng.integers(-127, 128, (n, columns)))

    input_weights = [weights(f"input_to_{g}", depth, in_scale) for g in ("input", "forget", "cell", "output")]
    recurrent_weights = [weights(f"recurrent_to_{g}", n, hidden_scale) for g in ("input", "forget", "cell", "output")]
    biases = []
    for g, w in zip(("input", "forget", "cell", "output"), input_weights):
        bias_scale = _f32(in_scale * model.tensors[w].scales[0])
        biases.append(model.add_tensor(f"{g}_bias", "int32", (n,), scale=bias_scale,
                                       data=rng.integers(-3000, 3000, n)))
    hidden = model.add_tensor("hidden_state", "int8", (shape.batches, n), scale=hidden_scale,
                              zero_point=hidden_zp, variable=True)
    cell = model.add_tensor("cell_state", "int16", (shape.batches, n), scale=2.0 ** cell_power, variable=True)
    y = model.add_tensor("y", "int8", (*rows, n), scale=hidden_scale, zero_point=hidden_zp)
    inputs = [x, *input_weights, *recurrent_weights, -1, -1, -1, *biases, -1, -1, hidden, cell, -1, -1, -1, -1]
    model.add_op("UNIDIRECTIONAL_SEQUENCE_LSTM", inputs, [y], fused_activation_function=cell_activation,
                 cell_clip=float(cell_clip), proj_clip=0.0, time_major=bool(shape.time_major))
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()
