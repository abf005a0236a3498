"""Sliding-window geometry shared by CONV_2D, DEPTHWISE_CONV_2D and the 2-D pools.

Output sizes and padding follow TFLite's ComputeOutSize / ComputePaddingHeightWidth; the
model's own output shape must agree (we never resize tensors). Only the leading padding is
passed to the kernels: TFLM's reference kernels ignore the odd extra cell at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relomodel.compiler.ir import Operator, Tensor
from relomodel.compiler.ops.base import fail

PADDING_SAME, PADDING_VALID = 0, 1  # tflite.Padding


def padding_name(op: Operator) -> str:
    code = op.options.get("padding", PADDING_SAME)
    if code == PADDING_SAME:
        return "SAME"
    if code == PADDING_VALID:
        return "VALID"
    raise fail(op, f"padding type {code} is not supported (only SAME and VALID)")


def output_size(padding: str, size: int, filter_size: int, stride: int, dilation: int) -> int:
    effective = (filter_size - 1) * dilation + 1
    if padding == "SAME":
        return (size + stride - 1) // stride
    return (size + stride - effective) // stride


def leading_padding(size: int, filter_size: int, stride: int, dilation: int, out_size: int) -> int:
    effective = (filter_size - 1) * dilation + 1
    total = max((out_size - 1) * stride + effective - size, 0)
    return total // 2


def require_nhwc(op: Operator, tensor: Tensor, what: str) -> tuple[int, int, int, int]:
    if len(tensor.shape) != 4:
        raise fail(op, f"{what} tensor '{tensor.name}' must be 4-D NHWC, found shape {tensor.shape}")
    if min(tensor.shape) <= 0:
        raise fail(op, f"{what} tensor '{tensor.name}' has an empty shape {tensor.shape}")
    return tensor.shape  # type: ignore[return-value]


def window_fields(op: Operator, data: Tensor, output: Tensor, filter_hw: tuple[int, int], *,
                  dilated: bool) -> dict:
    """The relo_window_t initializer, after checking the model's output size."""
    batches, in_h, in_w, _ = require_nhwc(op, data, "input")
    out_batches, out_h, out_w, _ = require_nhwc(op, output, "output")
    stride_h, stride_w = op.options.get("stride_h", 1), op.options.get("stride_w", 1)
    dil_h = op.options.get("dilation_hfactor", 1) if dilated else 1
    dil_w = op.options.get("dilation_wfactor", 1) if dilated else 1
    filter_h, filter_w = filter_hw
    if min(stride_h, stride_w, dil_h, dil_w, filter_h, filter_w) < 1:
        raise fail(op, f"strides ({stride_h}, {stride_w}), dilations ({dil_h}, {dil_w}) and window "
                       f"({filter_h}, {filter_w}) must all be at least 1")
    padding = padding_name(op)
    expected = (batches,
                output_size(padding, in_h, filter_h, stride_h, dil_h),
                output_size(padding, in_w, filter_w, stride_w, dil_w))
    if (out_batches, out_h, out_w) != expected or min(expected) < 1:
        raise fail(op, f"output shape {output.shape} does not match input {data.shape} with a "
                       f"{filter_h}x{filter_w} window, stride ({stride_h}, {stride_w}), dilation "
                       f"({dil_h}, {dil_w}) and {padding} padding (expected N,H,W = {expected})")
    return {
        "batches": batches, "input_height": in_h, "input_width": in_w,
        "output_height": out_h, "output_width": out_w,
        "filter_height": filter_h, "filter_width": filter_w,
        "stride_height": stride_h, "stride_width": stride_w,
        "dilation_height": dil_h, "dilation_width": dil_w,
        "pad_top": leading_padding(in_h, filter_h, stride_h, dil_h, out_h),
        "pad_left": leading_padding(in_w, filter_w, stride_w, dil_w, out_w),
    }


@dataclass(frozen=True)
class ConvShape:
    """A CONV_2D's or DEPTHWISE_CONV_2D's checked shapes (any dtype)."""

    window: dict  # window_fields
    in_depth: int
    out_depth: int
    taps: int  # MACs per output value
    filter_in_depth: int = 1  # CONV_2D: input channels per group
    depth_multiplier: int = 1  # DEPTHWISE_CONV_2D


def conv_shape(op: Operator, data: Tensor, weights: Tensor, output: Tensor) -> ConvShape:
    """CONV_2D: filter [out, h, w, in / groups], groups dividing both channel counts."""
    if len(weights.shape) != 4:
        raise fail(op, f"filter must be 4-D [out, h, w, in], found shape {weights.shape}")
    out_depth, filter_h, filter_w, filter_in_depth = weights.shape
    geometry = window_fields(op, data, output, (filter_h, filter_w), dilated=True)
    in_depth = data.shape[3]
    if output.shape[3] != out_depth:
        raise fail(op, f"output has {output.shape[3]} channels, the filter makes {out_depth}")
    if filter_in_depth < 1 or in_depth % filter_in_depth or out_depth % (in_depth // filter_in_depth):
        raise fail(op, f"filter depth {filter_in_depth} does not split the input's {in_depth} channels "
                       f"into groups that divide the {out_depth} output channels")
    return ConvShape(geometry, in_depth, out_depth, filter_h * filter_w * filter_in_depth,
                     filter_in_depth=filter_in_depth)


def depthwise_shape(op: Operator, data: Tensor, weights: Tensor, output: Tensor) -> ConvShape:
    """DEPTHWISE_CONV_2D: filter [1, h, w, in * multiplier]; the multiplier option, when set,
    must agree with the shapes."""
    if len(weights.shape) != 4 or weights.shape[0] != 1:
        raise fail(op, f"filter must be 4-D [1, h, w, channels], found shape {weights.shape}")
    _, filter_h, filter_w, out_depth = weights.shape
    geometry = window_fields(op, data, output, (filter_h, filter_w), dilated=True)
    in_depth = data.shape[3]
    if output.shape[3] != out_depth or out_depth % in_depth:
        raise fail(op, f"{out_depth} filter channels and {output.shape[3]} output channels must match "
                       f"and be a multiple of the {in_depth} input channels")
    multiplier = out_depth // in_depth
    declared = op.options.get("depth_multiplier", multiplier)
    if declared not in (0, multiplier):  # 0: left unset by some converters, shapes decide
        raise fail(op, f"depth_multiplier option {declared} disagrees with the shapes "
                       f"({in_depth} -> {out_depth} channels)")
    return ConvShape(geometry, in_depth, out_depth, filter_h * filter_w, depth_multiplier=multiplier)


def pool_fields(op: Operator, data: Tensor, output: Tensor) -> dict:
    """AVERAGE/MAX_POOL_2D: window_fields of the options' filter; every window must touch the
    input and the channels pass through."""
    filter_hw = (op.options.get("filter_height", 0), op.options.get("filter_width", 0))
    geometry = window_fields(op, data, output, filter_hw, dilated=False)
    if geometry["pad_top"] >= filter_hw[0] or geometry["pad_left"] >= filter_hw[1]:
        raise fail(op, "a pooling window lies entirely in the padding")
    if output.shape[3] != data.shape[3]:
        raise fail(op, f"output has {output.shape[3]} channels, input has {data.shape[3]}")
    return geometry


def window_macs(window: dict, per_output: int, channels: int) -> int:
    return window["batches"] * window["output_height"] * window["output_width"] * channels * per_output


def streaming_overlap_distance(window: dict, input_depth: int, output_depth: int) -> int:
    """Smallest input-minus-output start distance (bytes, int8) at which the output may overlap
    the input for the window kernels (relo_conv_s8, relo_depthwise_conv_s8, the pools).

    Those kernels write outputs in NHWC order, and for output pixel p read only input rows and
    columns of p's window, in any channel. Writing byte k of pixel p is safe when every input
    byte still to be read (windows of pixels >= p) lies above it: input_start + lowest byte of
    those windows > output_start + k. The distance is the maximum over k of the difference, + 1.
    """
    b, oy, ox = np.meshgrid(np.arange(window["batches"]), np.arange(window["output_height"]),
                            np.arange(window["output_width"]), indexing="ij")
    first_y = _first_inside(oy.reshape(-1) * window["stride_height"] - window["pad_top"],
                            window["dilation_height"], window["filter_height"], window["input_height"])
    first_x = _first_inside(ox.reshape(-1) * window["stride_width"] - window["pad_left"],
                            window["dilation_width"], window["filter_width"], window["input_width"])
    lowest = ((b.reshape(-1) * window["input_height"] + first_y) * window["input_width"] + first_x) * input_depth
    lowest = np.where((first_y < 0) | (first_x < 0), np.iinfo(np.int64).max // 2, lowest)
    still_read = np.minimum.accumulate(lowest[::-1])[::-1]  # lowest byte read by pixels >= p
    last_byte_written = np.arange(lowest.size, dtype=np.int64) * output_depth + output_depth - 1
    return max(int((last_byte_written - still_read).max()) + 1, 0)


def _first_inside(origin: np.ndarray, dilation: int, taps: int, size: int) -> np.ndarray:
    """Input coordinate of the first in-bounds tap of each window, -1 when none is inside."""
    first_tap = np.where(origin < 0, (-origin + dilation - 1) // dilation, 0)
    coordinate = origin + first_tap * dilation
    return np.where((first_tap < taps) & (coordinate < size), coordinate, -1).astype(np.int64)
