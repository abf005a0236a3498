"""Which kernel runs a FULLY_CONNECTED on a target with the DSP extension."""

from __future__ import annotations

import dataclasses

from relomodel.compiler.ir import Tensor
from relomodel.compiler.kernel_select.common import (
    FC_DSP_KERNEL, KERNEL_NOTE, NATURAL_ORDER, PORTABLE_NOTE, Requant, dsp_applies, dsp_names, without,
)
from relomodel.compiler.kernel_select.layouts import conv_filter_layout, fc_row_constants
from relomodel.compiler.kernel_select.requant import fast_requant
from relomodel.compiler.ops.base import LowerContext, LoweredOp, c_array, c_identifier

def fully_connected(ctx: LowerContext, lowered: LoweredOp, *, data: Tensor, weights: Tensor,
                    bias: Tensor | None, output: Tensor, requant: Requant, input_offset: int,
                    output_offset: int, single_rounding: bool, portable_kernel: str) -> LoweredOp:
    """FULLY_CONNECTED -> SMLAD over four inputs, two rows per pass, the input offset folded
    into a per-row constant. The fast requantization where it is provably exact (TFLite
    Micro's double rounding, bounded accumulators); elsewhere the portable kernel's own
    requantization (relo_fully_connected_s8_dsp_rescale). Both link `portable_kernel`, which
    holds that requantization."""
    if not dsp_applies(ctx, data, weights):
        return lowered
    op = lowered.op
    filters = weights.data.reshape(weights.shape[0], -1)
    multipliers, shifts = requant
    if len(multipliers) == 1:  # per tensor: the fast kernel reads one record per row
        multipliers, shifts = multipliers * filters.shape[0], shifts * filters.shape[0]
    records = None if single_rounding else fast_requant(filters, bias, (multipliers, shifts), output_offset)
    names = dsp_names(op, bias)
    names["constants"] = c_identifier(op, "row_constants_dsp")
    params = c_identifier(op, "params")
    replaced = ("weights",) + (("bias",) if bias is not None else ())
    replaced += ("multiplier", "shift") if records is not None else ()
    declarations = without(lowered.declarations, *(c_identifier(op, role) for role in replaced))
    declarations += [
        c_array("int8_t", names["filter"], conv_filter_layout(filters, order=NATURAL_ORDER), weights=True),
        c_array("int32_t", names["constants"], fc_row_constants(filters, bias, input_offset), weights=True),
    ]
    if records is not None:
        declarations.append(c_array("int32_t", names["requant"], records, weights=True))
        kernel = "relo_fully_connected_s8_dsp"
        rescale = f"(const relo_dsp_requant_t *){names['requant']}"
    else:
        kernel = "relo_fully_connected_s8_dsp_rescale"
        rescale = f"{c_identifier(op, 'multiplier')}, {c_identifier(op, 'shift')}"

    def emit_call(arena) -> str:
        return (f"{kernel}(&{params}, (const int8_t *){arena(data.index)}, {names['filter']}, "
                f"{names['constants']}, {rescale}, (int8_t *){arena(output.index)})")

    return dataclasses.replace(lowered, kernel_files=(FC_DSP_KERNEL, portable_kernel), declarations=declarations, emit_call=emit_call,
                               notes={**lowered.notes, KERNEL_NOTE: kernel, PORTABLE_NOTE: lowered})
