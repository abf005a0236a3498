"""Which kernel runs an LSTM or SVDF on a target with the DSP extension."""

from __future__ import annotations

import dataclasses

import numpy as np

from relomodel.compiler.ir import Tensor
from relomodel.compiler.kernel_select.common import (
    KERNEL_NOTE, LSTM_DSP_KERNEL, SVDF_DSP_FUNCTIONS, SVDF_DSP_KERNEL, column_length, scratch_key, without,
)
from relomodel.compiler.kernel_select.layouts import four_rows_layout, lstm_weights_layout, svdf_unit_constants
from relomodel.compiler.kernel_select.requant import INPUT_SPAN, LSTM_PRODUCT_BOUND, rescale_record
from relomodel.compiler.ops.base import LowerContext, LoweredOp, c_array, c_identifier
from relomodel.compiler.state import state_symbol

def lstm(ctx: LowerContext, lowered: LoweredOp, *, input_weights: list[Tensor],
         recurrent_weights: list[Tensor], biases: list[Tensor], params: dict) -> LoweredOp:
    """UNIDIRECTIONAL_SEQUENCE_LSTM -> SMLAD over the four gates of an element at once, and
    TFLite Micro's requantizations in a few instructions where `lstm_rescales` proves them
    exact (else the portable kernel). The kernel keeps the portable one's sums; the weights
    and biases move to its layout under the same names, so the call is the portable one with
    the DSP kernel's name and the records appended."""
    if not ctx.dsp:  # the op module has checked the weights: int8, symmetric, per tensor
        return lowered
    rescales = lstm_rescales(params, input_weights, recurrent_weights, biases)
    if rescales is None:
        return lowered
    op = lowered.op
    names = {role: c_identifier(op, role) for role in ("input_weights", "recurrent_weights", "biases")}
    declarations = without(lowered.declarations, *names.values())
    declarations += [
        c_array("int8_t", names["input_weights"], lstm_weights_layout(np.stack([w.data for w in input_weights])),
                weights=True),
        c_array("int8_t", names["recurrent_weights"],
                lstm_weights_layout(np.stack([w.data for w in recurrent_weights])), weights=True),
        c_array("int32_t", names["biases"], np.stack([b.data.reshape(-1) for b in biases]).T),
        c_array("int32_t", c_identifier(op, "rescales_dsp"), rescales, weights=True),
    ]

    def emit_call(arena) -> str:
        call = lowered.emit_call(arena)
        assert call.startswith("relo_lstm_s8(") and call.endswith(")")
        return f"relo_lstm_s8_dsp({call[len('relo_lstm_s8('):-1]}, {c_identifier(op, 'rescales_dsp')})"

    return dataclasses.replace(lowered, kernel_files=(LSTM_DSP_KERNEL,), declarations=declarations,
                               emit_call=emit_call, notes={**lowered.notes, KERNEL_NOTE: "relo_lstm_s8_dsp"})

def lstm_rescales(params: dict, input_weights: list[Tensor], recurrent_weights: list[Tensor],
                  biases: list[Tensor]) -> np.ndarray | None:
    """relo_lstm_s8_dsp.c's records (multiplier, left shift + 1, right shift, rounding) in
    relo_lstm_common.h order: the input FC of each gate, the recurrent FC of each gate,
    forget x cell, input x cell gate, hidden. None unless every one is provably exact: each
    multiplier in [0, 2^31), right shift <= 31, and |x << left shift| < RESCALE_BOUND for
    every x it can see (FC accumulators from the weights and bias, products of int16 gates)."""
    def bound(weights: Tensor, bias: Tensor | None) -> int:
        worst = np.abs(weights.data.astype(np.int64)).sum(axis=1) * INPUT_SPAN
        if bias is not None:
            worst += np.abs(bias.data.reshape(-1).astype(np.int64))
        return int(worst.max())

    cases = [(params["input_multiplier"][g], params["input_shift"][g], bound(input_weights[g], biases[g]))
             for g in range(4)]
    cases += [(params["recurrent_multiplier"][g], params["recurrent_shift"][g], bound(recurrent_weights[g], None))
              for g in range(4)]
    cases += [(params[f"{name}_multiplier"], params[f"{name}_shift"], LSTM_PRODUCT_BOUND)
              for name in ("forget_cell", "input_cell", "hidden")]
    records = [rescale_record(*case) for case in cases]
    return None if any(r is None for r in records) else np.array(records, dtype=np.int64)

def svdf(ctx: LowerContext, lowered: LoweredOp, *, data: Tensor, feature: Tensor, time: Tensor,
         bias: np.ndarray | None, state: Tensor, output: Tensor, fields: dict) -> LoweredOp:
    """SVDF (int8 or int16 state) -> the feature products four filters a step by SMLAD over the
    input widened once (arena scratch), the memory products by SMLAD over the raw state with
    the state zero point folded into per-unit constants; where the feature requantization is
    provably exact in relo_dsp_rescale.h's few instructions (else the portable kernel)."""
    if not ctx.dsp:
        return lowered
    filters = feature.data.reshape(fields["filters"], -1).astype(np.int64)
    record = rescale_record(fields["feature_multiplier"], fields["feature_shift"],
                            int(np.abs(filters).sum(axis=1).max()) * INPUT_SPAN)
    if record is None:
        return lowered
    op = lowered.op
    padded = np.zeros((column_length(fields["filters"]), filters.shape[1]), dtype=np.int8)
    padded[:fields["filters"]] = filters
    names = {role: c_identifier(op, role) for role in
             ("weights_feature", "weights_time", "params", "unit_constants", "feature_rescale")}
    declarations = without(lowered.declarations, names["weights_feature"],
                            *([c_identifier(op, "bias")] if bias is not None else []))
    declarations += [
        c_array("int8_t", names["weights_feature"], four_rows_layout(padded), weights=True),
        c_array("int32_t", names["unit_constants"],
                svdf_unit_constants(time.data, bias, fields["state_zero_point"], fields["rank"]), weights=True),
        c_array("int32_t", names["feature_rescale"], np.array(record, dtype=np.int64), weights=True),
    ]

    kernel = SVDF_DSP_FUNCTIONS[state.dtype]

    def emit_call(arena) -> str:
        return (f"{kernel}(&{names['params']}, (const int8_t *){arena(data.index)}, "
                f"{names['weights_feature']}, {names['weights_time']}, {names['unit_constants']}, "
                f"{names['feature_rescale']}, {state_symbol(state.index)}, (int8_t *){arena(output.index)}, "
                f"(int16_t *){arena(scratch_key(op.index))})")

    return dataclasses.replace(lowered, kernel_files=(SVDF_DSP_KERNEL,), declarations=declarations,
                               emit_call=emit_call, scratch_bytes=2 * column_length(filters.shape[1]),
                               notes={**lowered.notes, KERNEL_NOTE: kernel})
