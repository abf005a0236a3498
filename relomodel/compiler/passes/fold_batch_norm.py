"""Fold batch-norm MUL/ADD chains into the convolution before them, only when provably exact.

An int8 graph whose batch norm was not folded by the converter has CONV_2D/DEPTHWISE_CONV_2D
followed by MUL (per-channel constant scale) and/or ADD (per-channel constant offset). Each of
those ops rounds to int8 again, so folding them into the convolution's requantization (scale
into the filter scales, offset into the bias) is usually NOT bit-exact with TFLite Micro.

We therefore prove it per channel before folding: with the raw accumulator u (sum of filter x
input, no bias) ranging over every value the convolution can produce, the original chain and
the folded convolution are both non-decreasing step functions of u, so they are equal iff for
every output level w the smallest u reaching w is the same. Those thresholds are found by
binary search, vectorized over channels and levels. Any doubt keeps the ops as they are.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator, Quantization, Tensor

CONVOLUTIONS = {"CONV_2D": 0, "DEPTHWISE_CONV_2D": 3}  # op -> filter's output-channel axis
ADD_LEFT_SHIFT = 20  # TFLite Micro int8 ADD
INT8_LEVELS = np.arange(-127, 128, dtype=np.int64)  # every output level above the lowest


def fold_batch_norm(graph: Graph) -> Graph:
    """A copy of `graph` where every exactly-foldable MUL/ADD chain after a conv is folded."""
    for op in list(graph.operators):
        if op.name in CONVOLUTIONS and any(op is kept for kept in graph.operators):
            graph = _fold_after(graph, op)
    return graph


@dataclasses.dataclass
class _Step:
    """One MUL or ADD of the chain, as a per-channel function of its int8 activation input."""

    op: Operator
    kind: str  # "MUL" or "ADD"
    constant: np.ndarray  # int64, one raw value per channel
    const_quant: tuple[float, int]
    in_quant: tuple[float, int]
    out_quant: tuple[float, int]
    act_range: tuple[int, int]


def _fold_after(graph: Graph, conv: Operator) -> Graph:
    setup = _conv_setup(graph, conv)
    if setup is None:
        return graph
    steps = _chain(graph, conv, setup["channels"])
    while steps:  # longest chain that folds exactly; MUL alone often fails where MUL+ADD would not
        folded = _folded_conv(graph, conv, setup, steps)
        if folded is not None and _is_exact(setup, steps, folded):
            return _rewrite(graph, conv, steps, folded)
        steps = steps[:-1]
    return graph


def _conv_setup(graph: Graph, conv: Operator) -> dict | None:
    if len(conv.inputs) < 2 or len(conv.outputs) != 1:
        return None
    data, weights, output = graph.tensor(conv.inputs[0]), graph.tensor(conv.inputs[1]), graph.tensor(conv.outputs[0])
    bias = graph.tensor(conv.inputs[2]) if len(conv.inputs) > 2 and conv.inputs[2] >= 0 else None
    if any(t.dtype != "int8" or t.quantization is None for t in (data, weights, output)):
        return None
    if not weights.is_constant or len(weights.shape) != 4 or data.quantization.per_channel \
            or output.quantization.per_channel:
        return None
    if bias is not None and (not bias.is_constant or bias.dtype != "int32"):
        return None
    if quant.activation_name(conv.options.get("fused_activation_function", 0)) != "NONE":
        return None  # an activation before the batch norm cannot move after it
    axis = CONVOLUTIONS[conv.name]
    channels = weights.shape[axis]
    scales = np.broadcast_to(np.array(weights.quantization.scales, dtype=np.float64), (channels,))
    taps = weights.element_count // channels
    reach = taps * 255 * 127  # |sum of filter x (input - zero point)| never exceeds this
    return {
        "data": data, "weights": weights, "bias": bias, "output": output, "channels": channels,
        "filter_scales": scales, "reach": reach,
        "bias_values": bias.data.reshape(-1).astype(np.int64) if bias is not None else np.zeros(channels, np.int64),
    }


def _chain(graph: Graph, conv: Operator, channels: int) -> list[_Step]:
    steps: list[_Step] = []
    current = graph.tensor(conv.outputs[0])
    while current.index not in graph.outputs:
        consumers = graph.consumers(current.index)
        if len(consumers) != 1 or consumers[0].name not in ("MUL", "ADD") or len(consumers[0].outputs) != 1:
            break
        step = _step(graph, consumers[0], current, channels)
        if step is None:
            break
        steps.append(step)
        current = graph.tensor(step.op.outputs[0])
        if step.act_range != (-128, 127):
            break  # a clamp ends what we can follow (it may still be the chain's last op)
    return steps


def _step(graph: Graph, op: Operator, current: Tensor, channels: int) -> _Step | None:
    others = [i for i in op.inputs if i != current.index]
    if len(op.inputs) != 2 or len(others) != 1:
        return None
    constant, output = graph.tensor(others[0]), graph.tensor(op.outputs[0])
    if not constant.is_constant or any(t.dtype != "int8" or t.quantization is None or t.quantization.per_channel
                                       for t in (constant, output)):
        return None
    if tuple(output.shape) != tuple(current.shape) or constant.element_count not in (1, channels):
        return None
    if constant.element_count == channels and constant.shape[-1:] != (channels,):
        return None
    values = np.broadcast_to(constant.data.reshape(-1).astype(np.int64), (channels,)).copy()
    out_q = (output.quantization.scale, output.quantization.zero_point)
    activation = quant.activation_name(op.options.get("fused_activation_function", 0))
    try:
        act_range = quant.activation_range_int8(activation, *out_q)
    except Exception:  # unsupported activation: leave the op alone
        return None
    return _Step(op, op.name, values, (constant.quantization.scale, constant.quantization.zero_point),
                 (current.quantization.scale, current.quantization.zero_point), out_q, act_range)


def _folded_conv(graph: Graph, conv: Operator, setup: dict, steps: list[_Step]) -> dict | None:
    """Filter scales x the MUL factors, bias + the ADD offsets, the chain's output quantization."""
    in_scale = setup["data"].quantization.scale
    scales = setup["filter_scales"].copy()
    offset_real = np.zeros(setup["channels"])  # real value added after the scaling so far
    for step in steps:
        const_real = (step.constant - step.const_quant[1]) * step.const_quant[0]
        if step.kind == "MUL":
            if np.any(const_real <= 0):
                return None  # a sign flip would reverse the clamp and the filter scale
            scales, offset_real = scales * const_real, offset_real * const_real
        else:
            offset_real = offset_real + const_real
    scales = scales.astype(np.float32).astype(np.float64)  # stored as float32 in the model
    if np.any(scales <= 0) or not np.all(np.isfinite(scales)):
        return None
    bias = setup["bias_values"] + np.array([quant.round_half_away(v) for v in offset_real / (in_scale * scales)])
    if np.any(np.abs(bias) > 2**31 - 1 - setup["reach"]):
        return None
    last = steps[-1]
    return {"filter_scales": scales, "bias": bias, "out_quant": last.out_quant, "act_range": last.act_range,
            "activation": graph_activation(last.op)}


def graph_activation(op: Operator) -> int:
    return op.options.get("fused_activation_function", 0)


# ---- exactness proof ---------------------------------------------------------------------

def _is_exact(setup: dict, steps: list[_Step], folded: dict) -> bool:
    in_scale = setup["data"].quantization.scale
    out_q = setup["output"].quantization
    original = _conv_requant(in_scale, setup["filter_scales"], (out_q.scale, out_q.zero_point), (-128, 127))
    candidate = _conv_requant(in_scale, folded["filter_scales"], folded["out_quant"], folded["act_range"])

    def chain(u):
        values = original(u + setup["bias_values"][:, None])
        for step in steps:
            values = _apply_step(step, values)
        return values

    def folded_conv(u):
        return candidate(u + folded["bias"][:, None])

    reach = setup["reach"]
    return np.array_equal(_thresholds(chain, setup["channels"], reach),
                          _thresholds(folded_conv, setup["channels"], reach))


def _thresholds(function, channels: int, reach: int) -> np.ndarray:
    """[channel, level]: the smallest u in [-reach, reach] with function(u) >= level (reach + 1
    when none), for a per-channel non-decreasing function of u."""
    shape = (channels, INT8_LEVELS.size)
    low, high = np.full(shape, -reach, np.int64), np.full(shape, reach + 1, np.int64)
    while np.any(low < high):
        middle = (low + high) // 2
        reached = function(middle) >= INT8_LEVELS[None, :]
        high = np.where(reached, middle, high)
        low = np.where(reached, low, middle + 1)
    return low


def _conv_requant(in_scale, filter_scales, out_quant, act_range):
    pairs = [quant.quantize_multiplier(in_scale * s / out_quant[0]) for s in filter_scales]
    multipliers = np.array([m for m, _ in pairs], np.int64)[:, None]
    shifts = np.array([s for _, s in pairs], np.int64)[:, None]

    def requant(acc):
        return np.clip(_multiply_by_quantized_multiplier(acc, multipliers, shifts) + out_quant[1], *act_range)
    return requant


def _apply_step(step: _Step, values: np.ndarray) -> np.ndarray:
    """TFLite Micro's int8 MUL / ADD of `values` [channel, ...] with the per-channel constant."""
    constant = step.constant[:, None]
    if step.kind == "MUL":
        multiplier, shift = quant.quantize_multiplier(step.in_quant[0] * step.const_quant[0] / step.out_quant[0])
        product = (values - step.in_quant[1]) * (constant - step.const_quant[1])
        result = _multiply_by_quantized_multiplier(product, multiplier, shift) + step.out_quant[1]
    else:
        twice_max = 2.0 * max(step.in_quant[0], step.const_quant[0])
        m1, s1 = quant.quantize_multiplier(step.in_quant[0] / twice_max)
        m2, s2 = quant.quantize_multiplier(step.const_quant[0] / twice_max)
        mo, so = quant.quantize_multiplier(twice_max / ((1 << ADD_LEFT_SHIFT) * step.out_quant[0]))
        scaled1 = _multiply_by_quantized_multiplier((values - step.in_quant[1]) << ADD_LEFT_SHIFT, m1, s1)
        scaled2 = _multiply_by_quantized_multiplier((constant - step.const_quant[1]) << ADD_LEFT_SHIFT, m2, s2)
        result = _multiply_by_quantized_multiplier(scaled1 + scaled2, mo, so) + step.out_quant[1]
    return np.clip(result, *step.act_range)


def _multiply_by_quantized_multiplier(x, multiplier, shift):
    """TFLite's double-rounding requantization on int64 arrays holding int32 values."""
    x = np.asarray(x, np.int64)
    shift = np.asarray(shift, np.int64)
    x = x << np.maximum(shift, 0)
    product = x * multiplier
    nudged = product + np.where(product >= 0, 1 << 30, 1 - (1 << 30))
    high = np.where(nudged >= 0, nudged >> 31, -((-nudged) >> 31))  # division truncating to zero
    exponent = np.maximum(-shift, 0)
    mask = (np.int64(1) << exponent) - 1
    remainder = high & mask
    threshold = (mask >> 1) + (high < 0)
    return (high >> exponent) + (remainder > threshold)


# ---- rewrite -----------------------------------------------------------------------------

def _rewrite(graph: Graph, conv: Operator, steps: list[_Step], folded: dict) -> Graph:
    tensors = list(graph.tensors)
    weights = tensors[conv.inputs[1]]
    axis = CONVOLUTIONS[conv.name]
    tensors[weights.index] = dataclasses.replace(
        weights, quantization=Quantization(tuple(float(s) for s in folded["filter_scales"]),
                                           (0,) * len(folded["filter_scales"]), axis))
    # a new bias tensor: the old one may be shared, and simply loses this reader
    new_bias = Tensor(len(tensors), f"{weights.name}/folded_bias", "int32", (len(folded["bias"]),),
                      data=folded["bias"].astype(np.int32))
    tensors.append(new_bias)
    final_output = steps[-1].op.outputs[0]
    new_conv = dataclasses.replace(
        conv, inputs=(conv.inputs[0], conv.inputs[1], new_bias.index) + tuple(conv.inputs[3:]),
        outputs=(final_output,),
        options={**conv.options, "fused_activation_function": folded["activation"]})
    removed = {id(step.op) for step in steps}
    operators = [new_conv if op is conv else op for op in graph.operators if id(op) not in removed]
    return dataclasses.replace(graph, tensors=tensors, operators=operators)
