"""Names, orders and C-declaration helpers every kernel choice shares."""

from __future__ import annotations

import numpy as np

from relomodel.compiler.ir import Tensor
from relomodel.compiler.ops.base import LowerContext, c_identifier

CONV_DSP_KERNEL = "relo_conv_s8_dsp.c"
DEPTHWISE_DSP_KERNEL = "relo_depthwise_conv_s8_dsp.c"
FC_DSP_KERNEL = "relo_fully_connected_s8_dsp.c"
ONE_CHANNEL_KERNEL = "relo_conv_one_channel_s8_dsp.c"
LSTM_DSP_KERNEL = "relo_lstm_s8_dsp.c"
SVDF_DSP_KERNEL = "relo_svdf_s8_dsp.c"
SVDF_DSP_FUNCTIONS = {"int8": "relo_svdf_s8_dsp", "int16": "relo_svdf_s8_s16_dsp"}  # by state type
KERNEL_NOTE = "kernel"  # LoweredOp.notes key naming the kernel function chosen
# LoweredOp.notes key holding the portable lowering a DSP one replaced (the FC streaming
# fusion, compiler/stream_conv_fc.py, calls the portable kernel's streaming entry points)
PORTABLE_NOTE = "portable"

# (0, 2, 1, 3): SXTB16 of a word of these bytes gives taps (0, 1), SXTB16 ROR 8 taps (2, 3)
SXTB16_ORDER = np.array([0, 2, 1, 3])
# FULLY_CONNECTED splits weights and raw int8 inputs alike, (0, 2) and (1, 3): no reordering
NATURAL_ORDER = np.arange(4)

Requant = tuple[list[int], list[int]]  # (multipliers, shifts) per output channel


def column_length(taps: int) -> int:
    return (taps + 3) // 4 * 4

def scratch_key(op_index: int) -> int:
    """The arena-plan key of an op's scratch buffer (negative: never a tensor index)."""
    return -(op_index + 1)

def dsp_applies(ctx: LowerContext, data: Tensor, weights: Tensor) -> bool:
    # asymmetric (uint8-born) filters keep the portable kernels' filter-offset path
    return (ctx.dsp and data.dtype == "int8" and weights.dtype == "int8"
            and all(z == 0 for z in weights.quantization.zero_points))

def dsp_names(op, bias: Tensor | None) -> dict[str, str]:
    return {"filter": c_identifier(op, "filter_dsp"), "requant": c_identifier(op, "requant_dsp"),
            "bias": c_identifier(op, "bias") if bias is not None else "0"}

def without(declarations: list[str], *names: str) -> list[str]:
    """The declarations minus the ones defining `names` (each must be there exactly once)."""
    kept = list(declarations)
    for name in names:
        found = [d for d in kept if _defines(d, name)]
        if len(found) != 1:
            raise AssertionError(f"expected one declaration of {name}, found {len(found)}")
        kept.remove(found[0])
    return kept

def _defines(declaration: str, name: str) -> bool:
    head = declaration.split("=", 1)[0]
    return f" {name}[" in head or head.rstrip().endswith(f" {name}")
