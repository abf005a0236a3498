"""Which kernel runs a convolution: the portable C one, or a DSP-extension one when the target
has it (Cortex-M4/M7), with the weight layout that kernel reads, made here at pack time.

The op modules lower every operator for the portable kernel first (all validation and
quantization arithmetic lives there); `conv_2d` and `depthwise_conv_2d` then swap in a DSP
kernel where it applies and is provably exact, replacing the filter array, the requantization
constants and the call. Weights keep their `.rodata.relo_weights.*` section. Layout contracts
are documented in the C files.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from relomodel.compiler.ir import Graph, Tensor
from relomodel.compiler.ops.base import LowerContext, LoweredOp, c_array, c_identifier, c_struct

CONV_DSP_KERNEL = "relo_conv_s8_dsp.c"
DEPTHWISE_DSP_KERNEL = "relo_depthwise_conv_s8_dsp.c"
FC_DSP_KERNEL = "relo_fully_connected_s8_dsp.c"
KERNEL_NOTE = "kernel"  # LoweredOp.notes key naming the kernel function chosen
# LoweredOp.notes key holding the portable lowering a DSP one replaced (the FC streaming
# fusion, compiler/stream_conv_fc.py, calls the portable kernel's streaming entry points)
PORTABLE_NOTE = "portable"

# (0, 2, 1, 3): SXTB16 of a word of these bytes gives taps (0, 1), SXTB16 ROR 8 taps (2, 3)
SXTB16_ORDER = np.array([0, 2, 1, 3])
# FULLY_CONNECTED splits weights and raw int8 inputs alike, (0, 2) and (1, 3): no reordering
NATURAL_ORDER = np.arange(4)
# relo_dsp_requantize_bounded needs every accumulator below this in magnitude
ACCUMULATOR_BOUND = 1 << 29
INPUT_SPAN = 255  # |input + input_offset| <= 255 for int8 input and zero point
MAX_RIGHT_SHIFT = 22  # output offset (|offset| <= 128) << 22 stays below 2^29
# Two pixels per step need two im2col columns of scratch; one column is kept when two would
# cost more than this share of the model's largest activation (a floor of its arena), so the
# scratch can grow the arena by at most that share.
TWO_COLUMN_SHARE = 1 / 64

Requant = tuple[list[int], list[int]]  # (multipliers, shifts) per output channel


def conv_2d(ctx: LowerContext, lowered: LoweredOp, *, data: Tensor, weights: Tensor,
            bias: Tensor | None, output: Tensor, fields: dict, requant: Requant,
            graph: Graph) -> LoweredOp:
    """CONV_2D without groups -> im2col + SMLAD matrix product."""
    if not _dsp_applies(ctx, data, weights) or fields["filter_input_depth"] != fields["input_depth"]:
        return lowered
    filters = weights.data.reshape(weights.shape[0], -1)
    records = fast_requant(filters, bias, requant, fields["output_offset"])
    if records is None:
        return lowered
    return _im2col_conv(lowered, filters, records, data=data, bias=bias, output=output, fields=fields,
                        graph=graph)


def depthwise_conv_2d(ctx: LowerContext, lowered: LoweredOp, *, data: Tensor, weights: Tensor,
                      bias: Tensor | None, output: Tensor, fields: dict, requant: Requant,
                      graph: Graph) -> LoweredOp:
    """DEPTHWISE_CONV_2D: one input channel is a plain convolution (im2col + SMLAD, e.g.
    micro_speech's 10x8 filter); depth multiplier 1 over a multiple of 4 channels gets the
    four-channels-per-load kernel; anything else stays portable."""
    if not _dsp_applies(ctx, data, weights):
        return lowered
    out_depth = weights.shape[3]
    filters = weights.data.reshape(-1, out_depth).T  # [out, h * w]
    records = fast_requant(filters, bias, requant, fields["output_offset"])
    if records is None:
        return lowered
    if fields["input_depth"] == 1:
        conv_fields = {
            "window": fields["window"], "input_depth": 1, "filter_input_depth": 1,
            "output_depth": out_depth,
            **{key: fields[key] for key in ("input_offset", "output_offset", "activation_min",
                                            "activation_max", "filter_offset")},
        }
        # output channel c reads the one input channel: [out, h * w] is a CONV_2D filter
        return _im2col_conv(lowered, filters, records, data=data, bias=bias, output=output,
                            fields=conv_fields, graph=graph)
    if fields["depth_multiplier"] == 1 and out_depth % 4 == 0:
        return _depthwise_four(lowered, weights, records, data=data, bias=bias, output=output)
    return lowered


def fully_connected(ctx: LowerContext, lowered: LoweredOp, *, data: Tensor, weights: Tensor,
                    bias: Tensor | None, output: Tensor, requant: Requant, input_offset: int,
                    output_offset: int, single_rounding: bool, portable_kernel: str) -> LoweredOp:
    """FULLY_CONNECTED -> SMLAD over four inputs, two rows per pass, the input offset folded
    into a per-row constant. The fast requantization where it is provably exact (TFLite
    Micro's double rounding, bounded accumulators); elsewhere the portable kernel's own
    requantization (relo_fully_connected_s8_dsp_rescale). Both link `portable_kernel`, which
    holds that requantization."""
    if not _dsp_applies(ctx, data, weights):
        return lowered
    op = lowered.op
    filters = weights.data.reshape(weights.shape[0], -1)
    multipliers, shifts = requant
    if len(multipliers) == 1:  # per tensor: the fast kernel reads one record per row
        multipliers, shifts = multipliers * filters.shape[0], shifts * filters.shape[0]
    records = None if single_rounding else fast_requant(filters, bias, (multipliers, shifts), output_offset)
    names = _dsp_names(op, bias)
    names["constants"] = c_identifier(op, "row_constants_dsp")
    params = c_identifier(op, "params")
    replaced = ("weights",) + (("bias",) if bias is not None else ())
    replaced += ("multiplier", "shift") if records is not None else ()
    declarations = _without(lowered.declarations, *(c_identifier(op, role) for role in replaced))
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


def fc_row_constants(filters: np.ndarray, bias: Tensor | None, input_offset: int) -> np.ndarray:
    """bias + input_offset * sum(row) per output row, wrapped to int32 as the kernels' int32
    sums wrap (only the sum modulo 2^32 reaches the requantization)."""
    constants = filters.astype(np.int64).sum(axis=1) * input_offset
    if bias is not None:
        constants += bias.data.reshape(-1).astype(np.int64)
    return (constants + (1 << 31)) % (1 << 32) - (1 << 31)


def fast_requant(filters: np.ndarray, bias: Tensor | None, requant: Requant,
                 output_offset: int) -> np.ndarray | None:
    """relo_dsp_requant_t records (multiplier, right shift, rounding + offset) per output
    channel for relo_dsp_requantize_bounded, or None when its preconditions do not hold: every
    shift in [-MAX_RIGHT_SHIFT, -1] and every accumulator (bias + sum of filter * (input +
    offset)) provably below ACCUMULATOR_BOUND."""
    multipliers, shifts = requant
    if any(not -MAX_RIGHT_SHIFT <= s <= -1 for s in shifts) or any(not 0 <= m < 1 << 31 for m in multipliers):
        return None
    worst = np.abs(filters.astype(np.int64)).sum(axis=1) * INPUT_SPAN
    if bias is not None:
        worst += np.abs(bias.data.reshape(-1).astype(np.int64))
    if worst.max() >= ACCUMULATOR_BOUND:
        return None
    return np.array([[m, -s, (1 << (-s - 1)) + (output_offset << -s)] for m, s in zip(multipliers, shifts)],
                    dtype=np.int64)


def conv_filter_layout(filters: np.ndarray, order: np.ndarray = SXTB16_ORDER) -> np.ndarray:
    """[out, taps] int8 -> the relo_conv_s8_dsp.c layout: K = taps rounded up to 4, zero padded;
    the quads of each pair of channels interleaved (quad q of channel 2i, then of 2i + 1); an
    odd last channel plain; every quad in `order` (SXTB16 order for the convolution, natural
    for relo_fully_connected_s8_dsp.c). Returned flat."""
    out_depth, taps = filters.shape
    length = column_length(taps)
    padded = np.zeros((out_depth, length), dtype=np.int8)
    padded[:, :taps] = filters
    quads = padded.reshape(out_depth, length // 4, 4)[:, :, order]
    paired = out_depth // 2 * 2
    interleaved = quads[:paired].reshape(paired // 2, 2, length // 4, 4).transpose(0, 2, 1, 3)
    return np.concatenate([interleaved.reshape(-1), quads[paired:].reshape(-1)])


def depthwise_filter_layout(filters: np.ndarray) -> np.ndarray:
    """[1, h, w, C] int8 -> the relo_depthwise_conv_s8_dsp.c layout: int16, by groups of four
    channels, each group's taps consecutive, channels of a tap in SXTB16 order. Returned flat."""
    channels = filters.shape[3]
    taps = filters.reshape(-1, channels // 4, 4)[:, :, SXTB16_ORDER].astype(np.int16)
    return taps.transpose(1, 0, 2).reshape(-1)


def column_length(taps: int) -> int:
    return (taps + 3) // 4 * 4


def scratch_key(op_index: int) -> int:
    """The arena-plan key of an op's scratch buffer (negative: never a tensor index)."""
    return -(op_index + 1)


def _dsp_applies(ctx: LowerContext, data: Tensor, weights: Tensor) -> bool:
    # asymmetric (uint8-born) filters keep the portable kernels' filter-offset path
    return (ctx.dsp and data.dtype == "int8" and weights.dtype == "int8"
            and all(z == 0 for z in weights.quantization.zero_points))


def _im2col_conv(lowered: LoweredOp, filters: np.ndarray, records: np.ndarray, *, data: Tensor,
                 bias: Tensor | None, output: Tensor, fields: dict, graph: Graph) -> LoweredOp:
    op = lowered.op
    names = _dsp_names(op, bias)
    params = c_identifier(op, "params")  # re-declared: a DEPTHWISE_CONV_2D becomes a CONV_2D
    declarations = _without(lowered.declarations, *(c_identifier(op, role) for role in
                                                     ("filter", "params", "multiplier", "shift")))
    declarations += [c_array("int8_t", names["filter"], conv_filter_layout(filters), weights=True),
                     c_array("int32_t", names["requant"], records, weights=True),
                     c_struct("relo_conv_params_t", params, fields)]
    column_bytes = column_length(filters.shape[1]) * 2  # int16 taps
    largest = max(t.size_bytes for t in graph.tensors if not t.is_constant)
    columns = 2 if 2 * column_bytes <= TWO_COLUMN_SHARE * largest else 1

    def emit_call(arena) -> str:
        return (f"relo_conv_s8_dsp(&{params}, (const int8_t *){arena(data.index)}, {names['filter']}, "
                f"{names['bias']}, (const relo_dsp_requant_t *){names['requant']}, (int8_t *){arena(output.index)}, "
                f"(int16_t *){arena(scratch_key(op.index))}, {columns})")

    return dataclasses.replace(lowered, kernel_files=(CONV_DSP_KERNEL,), declarations=declarations,
                               emit_call=emit_call, scratch_bytes=columns * column_bytes,
                               notes={**lowered.notes, KERNEL_NOTE: "relo_conv_s8_dsp"})


def _depthwise_four(lowered: LoweredOp, weights: Tensor, records: np.ndarray, *, data: Tensor,
                    bias: Tensor | None, output: Tensor) -> LoweredOp:
    op = lowered.op
    names = _dsp_names(op, bias)
    declarations = _without(lowered.declarations, *(c_identifier(op, role) for role in
                                                     ("filter", "multiplier", "shift")))
    declarations += [c_array("int16_t", names["filter"], depthwise_filter_layout(weights.data), weights=True),
                     c_array("int32_t", names["requant"], records, weights=True)]

    def emit_call(arena) -> str:
        return (f"relo_depthwise_conv_s8_dsp(&{c_identifier(op, 'params')}, "
                f"(const int8_t *){arena(data.index)}, {names['filter']}, {names['bias']}, "
                f"(const relo_dsp_requant_t *){names['requant']}, (int8_t *){arena(output.index)})")

    return dataclasses.replace(lowered, kernel_files=(DEPTHWISE_DSP_KERNEL,), declarations=declarations,
                               emit_call=emit_call,
                               notes={**lowered.notes, KERNEL_NOTE: "relo_depthwise_conv_s8_dsp"})


def _dsp_names(op, bias: Tensor | None) -> dict[str, str]:
    return {"filter": c_identifier(op, "filter_dsp"), "requant": c_identifier(op, "requant_dsp"),
            "bias": c_identifier(op, "bias") if bias is not None else "0"}


def _without(declarations: list[str], *names: str) -> list[str]:
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
