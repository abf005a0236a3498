"""Streaming a convolution into the FULLY_CONNECTED that consumes it (a lowering step).

A CONV_2D or DEPTHWISE_CONV_2D whose output (possibly through RESHAPE aliases) is read only
by one batch-1 FULLY_CONNECTED never needs to exist whole: the fused operator computes the
convolution one output row at a time into a small row buffer and adds that row's share of the
FULLY_CONNECTED's int32 accumulators (relo_fc_stream_*_s8; on the DSP FULLY_CONNECTED's
weight layout relo_fc_stream_*_s8_dsp, SMLAD), requantizing once at the end.
Integer sums do not depend on their order, so the result is bit-exact with the two operators.

Both operators are lowered as usual first (all validation, the DSP kernel choice and every
constant stay theirs); the fused operator keeps their declarations and adds a small static C
function running the row loop, which calls the convolution exactly as its own lowering emits
it, on a one-row window (relo_window_select_row). In the graph the pair becomes one operator
at the convolution's step, so the arena plan and its lower bound see the fused graph; the
driver keeps the fusion only where it makes the arena smaller.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.kernel_select import KERNEL_NOTE, PORTABLE_NOTE, scratch_key
from relomodel.compiler.ops.base import LoweredOp, c_identifier

CONVOLUTIONS = ("CONV_2D", "DEPTHWISE_CONV_2D")
SCRATCH_ALIGN = 4  # the row buffer and the int32 accumulators start on word boundaries
# FULLY_CONNECTED kernels whose weight layout the DSP streaming kernels read
DSP_FC_KERNELS = ("relo_fully_connected_s8_dsp", "relo_fully_connected_s8_dsp_rescale")


@dataclass(frozen=True)
class FcStream:
    """How the fused loop runs the FULLY_CONNECTED: the lowering whose arrays it reads and its
    streaming kernels' names and arguments."""

    lowered: LoweredOp
    params: str
    initial: str  # begin's "bias": the accumulators' start values (or "0")
    accumulate: str  # function name
    weights: str
    finish: str  # function name
    rescale: str  # finish's requantization arguments

    def begin_call(self, acc: str) -> str:
        return f"relo_fc_stream_begin_s8(&{self.params}, {self.initial}, {acc})"

    def accumulate_call(self, slice_: str, first: str, count: str, acc: str) -> str:
        return f"{self.accumulate}(&{self.params}, {slice_}, {first}, {count}, {self.weights}, {acc})"

    def finish_call(self, acc: str, output: str) -> str:
        return f"{self.finish}(&{self.params}, {self.rescale}, {acc}, {output})"


@dataclass(frozen=True)
class ConvFc:
    """A convolution, the RESHAPE aliases between it and its FULLY_CONNECTED, and that FC."""

    conv: Operator
    reshapes: tuple[Operator, ...]
    fc: Operator


def find_pairs(graph: Graph, lowered: dict[int, LoweredOp]) -> list[ConvFc]:
    """Every convolution whose output only one batch-1 int8 FULLY_CONNECTED reads, flattened."""
    pairs = []
    for op in graph.operators:
        if op.name in CONVOLUTIONS and op.index in lowered:
            pair = _pair_from(graph, lowered, op)
            if pair is not None:
                pairs.append(pair)
    return pairs


def _pair_from(graph: Graph, lowered: dict[int, LoweredOp], conv: Operator) -> ConvFc | None:
    data, output = graph.tensor(conv.inputs[0]), graph.tensor(conv.outputs[0])
    if data.dtype != "int8" or output.dtype != "int8" or len(output.shape) != 4 or output.shape[0] != 1:
        return None
    reshapes: list[Operator] = []
    tensor = output.index
    while True:
        if tensor in graph.outputs:
            return None
        readers = graph.consumers(tensor)
        if len(readers) != 1 or readers[0].index not in lowered:
            return None
        reader = readers[0]
        if reader.name == "RESHAPE" and reader.inputs[0] == tensor:
            reshapes.append(reader)
            tensor = reader.outputs[0]
            continue
        if reader.name != "FULLY_CONNECTED" or reader.inputs[0] != tensor:
            return None
        weights = graph.tensor(reader.inputs[1])
        if weights.shape[1] != output.element_count:  # batch 1: the whole output is the FC's one row
            return None
        return ConvFc(conv, tuple(reshapes), reader)


def fuse(graph: Graph, lowered: dict[int, LoweredOp], pair: ConvFc) -> tuple[Graph, dict[int, LoweredOp]]:
    """The graph and lowered ops with `pair` replaced by one streaming operator at the
    convolution's step (its other inputs are constants, so it can run that early)."""
    fused = Operator(index=pair.conv.index, name=f"{pair.conv.name}+FULLY_CONNECTED",
                     inputs=pair.conv.inputs + pair.fc.inputs[1:], outputs=pair.fc.outputs)
    dropped = {op.index for op in pair.reshapes} | {pair.fc.index}
    operators = [fused if op.index == pair.conv.index else op
                 for op in graph.operators if op.index not in dropped]
    fused_lowered = {index: item for index, item in lowered.items() if index not in dropped}
    fused_lowered[fused.index] = _lower_fused(graph, fused, lowered[pair.conv.index], lowered[pair.fc.index])
    return dataclasses.replace(graph, operators=operators), fused_lowered


def _lower_fused(graph: Graph, fused: Operator, conv: LoweredOp, fc: LoweredOp) -> LoweredOp:
    data = graph.tensor(conv.op.inputs[0])
    conv_output = graph.tensor(conv.op.outputs[0])
    _, rows, width, depth = conv_output.shape
    row_bytes = width * depth
    stream = fc_stream(fc, row_bytes)
    fc = stream.lowered
    row_offset = _round_up(conv.scratch_bytes, SCRATCH_ALIGN)  # after the convolution's own scratch
    acc_offset = row_offset + _round_up(row_bytes, SCRATCH_ALIGN)
    acc_bytes = 4 * fc.output_shape[-1]
    function = c_identifier(fused, "stream_fc")
    helper = _row_loop_function(function, conv, stream, data_row_bytes=data.shape[2] * data.shape[3],
                                rows=rows, row_bytes=row_bytes, row_offset=row_offset, acc_offset=acc_offset)

    def emit_call(arena) -> str:
        return (f"{function}((const int8_t *){arena(data.index)}, {arena(scratch_key(fused.index))}, "
                f"(int8_t *){arena(fused.outputs[0])})")

    return LoweredOp(
        op=fused,
        kernel_files=tuple(dict.fromkeys(conv.kernel_files + fc.kernel_files)),
        declarations=conv.declarations + fc.declarations + [helper],
        emit_call=emit_call,
        macs=conv.macs + fc.macs,
        weight_bytes=conv.weight_bytes + fc.weight_bytes,
        output_shape=fc.output_shape,
        scratch_bytes=acc_offset + acc_bytes,
        notes={**conv.notes, "streamed_into": fc.op.index},
    )


def fc_stream(fc: LoweredOp, row_bytes: int) -> FcStream:
    """The DSP streaming kernels on the DSP FULLY_CONNECTED's own arrays (SMLAD, input offset
    in the row constants) where rows start on its quads; else the portable kernel's."""
    name = {role: c_identifier(fc.op, role) for role in
            ("params", "filter_dsp", "row_constants_dsp", "requant_dsp", "multiplier", "shift", "bias")}
    portable_rescale = f"{name['multiplier']}, {name['shift']}"
    if (fc.notes.get(KERNEL_NOTE) in DSP_FC_KERNELS and row_bytes % 4 == 0
            and _defines_array(fc.declarations, name["filter_dsp"])
            and _defines_array(fc.declarations, name["row_constants_dsp"])):
        records = _defines_array(fc.declarations, name["requant_dsp"])
        return FcStream(
            lowered=fc, params=name["params"], initial=name["row_constants_dsp"],
            accumulate="relo_fc_stream_accumulate_s8_dsp", weights=name["filter_dsp"],
            finish="relo_fc_stream_finish_s8_dsp" if records else "relo_fc_stream_finish_s8",
            rescale=f"(const relo_dsp_requant_t *){name['requant_dsp']}" if records else portable_rescale)
    fc = fc.notes.get(PORTABLE_NOTE, fc)  # the portable kernel's entry points and arrays
    return FcStream(
        lowered=fc, params=name["params"],
        initial=name["bias"] if _defines_array(fc.declarations, name["bias"]) else "0",
        accumulate="relo_fc_stream_accumulate_s8", weights=c_identifier(fc.op, "weights"),
        finish="relo_fc_stream_finish_s8", rescale=portable_rescale)


def _row_loop_function(function: str, conv: LoweredOp, stream: FcStream, *, data_row_bytes: int,
                       rows: int, row_bytes: int, row_offset: int, acc_offset: int) -> str:
    params = c_identifier(conv.op, "params")
    params_type = _declared_type(conv.declarations, params)
    # The convolution's own call, on the one-row window: inside the loop a local copy of its
    # parameters shadows the whole-image ones under the same name, so the call text its
    # lowering emits (DSP kernel or portable) reads the row window.
    refs = {conv.op.inputs[0]: "input_rows", conv.op.outputs[0]: "row", scratch_key(conv.op.index): "scratch"}
    conv_call = conv.emit_call(lambda tensor: refs[tensor])
    fc = stream.lowered
    begin = stream.begin_call("acc")
    accumulate = stream.accumulate_call("row", f"r * {row_bytes}", str(row_bytes), "acc")
    finish = stream.finish_call("acc", "output")
    return f"""/* operators #{conv.op.index} and #{fc.op.index}: {conv.op.name} streamed one output row at a time
 * into FULLY_CONNECTED (compiler/stream_conv_fc.py) */
#include "relo_window.h"

static int32_t {function}(const int8_t *input, uint8_t *scratch, int8_t *output)
{{
    const {params_type} *whole = &{params};
    int8_t *row = (int8_t *)(scratch + {row_offset});
    int32_t *acc = (int32_t *)(void *)(scratch + {acc_offset});
    int32_t status = {begin};
    for (int32_t r = 0; r < {rows} && status == RELO_NN_OK; ++r) {{
        {params_type} {params} = *whole;
        const int8_t *input_rows =
            input + relo_window_select_row(&whole->window, r, &{params}.window) * {data_row_bytes};
        status = {conv_call};
        if (status == RELO_NN_OK) {{
            status = {accumulate};
        }}
    }}
    if (status != RELO_NN_OK) {{
        return status;
    }}
    return {finish};
}}"""


def _declared_type(declarations: list[str], name: str) -> str:
    """The C type of the `static const <type> <name> = {...}` parameter struct."""
    pattern = re.compile(rf"static const (\w+) {re.escape(name)} =")
    found = [m.group(1) for d in declarations for m in [pattern.match(d)] if m]
    if len(found) != 1:
        raise AssertionError(f"expected one declaration of {name}, found {len(found)}")
    return found[0]


def _defines_array(declarations: list[str], name: str) -> bool:
    return any(f" {name}[" in d.split("=", 1)[0] for d in declarations)


def _round_up(value: int, align: int) -> int:
    return (value + align - 1) // align * align
