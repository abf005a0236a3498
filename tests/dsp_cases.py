"""Single-op convolutions and FULLY_CONNECTEDs that exercise every path of the DSP kernels (compiler/kernel_select.py):
shared by the host-native tests (portable emulation of the DSP instructions) and the tests on
the emulated Cortex-M4 (the real instructions)."""

from __future__ import annotations

import math

import numpy as np

from relomodel.modelgen.mlp import fully_connected_model
from relomodel.modelgen.spatial import conv_2d_model, depthwise_conv_2d_model


def _out(size, window, stride, dilation, padding):
    effective = (window - 1) * dilation + 1
    return math.ceil(size / stride) if padding == "SAME" else math.ceil((size - effective + 1) / stride)


def _quant(rng, channels, taps, per_channel=True):
    input_quant = (0.05, int(rng.integers(-128, 128)))
    scales = (0.01 * rng.uniform(0.2, 1.0, channels)).tolist() if per_channel else [0.01]
    output_quant = (0.05 * 0.01 * 128 * math.sqrt(taps) / 128, int(rng.integers(-128, 128)))
    return input_quant, scales, output_quant


def conv_case(seed, hw, in_depth, out_depth, window, *, stride=(1, 1), dilation=(1, 1),
              padding="SAME", activation="NONE", bias=True, batches=1):
    rng = np.random.default_rng(seed)
    filters = rng.integers(-127, 128, (out_depth, *window, in_depth)).astype(np.int8)
    input_quant, scales, output_quant = _quant(rng, out_depth, window[0] * window[1] * in_depth)
    out_hw = tuple(_out(hw[i], window[i], stride[i], dilation[i], padding) for i in range(2))
    data = conv_2d_model((batches, *hw, in_depth), filters,
                         rng.integers(-30000, 30000, out_depth).astype(np.int32) if bias else None,
                         output_shape=(batches, *out_hw, out_depth), input_quant=input_quant,
                         filter_scales=scales, output_quant=output_quant, padding=padding,
                         stride=stride, dilation=dilation, activation=activation)
    return data, (batches, *hw, in_depth)


def depthwise_case(seed, hw, in_depth, multiplier, window, *, stride=(1, 1), dilation=(1, 1),
                   padding="SAME", activation="NONE", bias=True, batches=1):
    rng = np.random.default_rng(seed)
    out_depth = in_depth * multiplier
    filters = rng.integers(-127, 128, (1, *window, out_depth)).astype(np.int8)
    input_quant, scales, output_quant = _quant(rng, out_depth, window[0] * window[1])
    out_hw = tuple(_out(hw[i], window[i], stride[i], dilation[i], padding) for i in range(2))
    data = depthwise_conv_2d_model((batches, *hw, in_depth), filters,
                                   rng.integers(-30000, 30000, out_depth).astype(np.int32) if bias else None,
                                   output_shape=(batches, *out_hw, out_depth), input_quant=input_quant,
                                   filter_scales=scales, output_quant=output_quant,
                                   depth_multiplier=multiplier, padding=padding, stride=stride,
                                   dilation=dilation, activation=activation)
    return data, (batches, *hw, in_depth)


def fc_case(seed, in_depth, out_depth, *, per_channel=True, activation="NONE", bias=True, batches=1,
            bias_span=30000):
    rng = np.random.default_rng(seed)
    weights = rng.integers(-127, 128, (out_depth, in_depth)).astype(np.int8)
    input_quant, scales, output_quant = _quant(rng, out_depth, in_depth, per_channel)
    # about three standard deviations of the dot product span the int8 output: few saturate
    spread = input_quant[0] * max(scales) * 74 * 73 * math.sqrt(in_depth) * 3 / 128
    output_quant = (spread, output_quant[1] // 4)
    data = fully_connected_model(weights, rng.integers(-bias_span, bias_span, out_depth).astype(np.int32) if bias else None,
                                 batches=batches, input_quant=input_quant, weight_scales=scales,
                                 output_quant=output_quant, activation=activation)
    return data, (batches, in_depth)


# name -> (model bytes, input shape, DSP kernel the compiler must pick)
def cases() -> dict[str, tuple[bytes, tuple[int, ...], str]]:
    conv, dw, fc = "relo_conv_s8_dsp(", "relo_depthwise_conv_s8_dsp(", "relo_fully_connected_s8_dsp("
    return {
        # large enough images for two pixels per step (two im2col columns, the asm loop)
        "conv1x1_odd_channels": (*conv_case(1, (24, 19), 12, 5, (1, 1)), conv),
        "conv1x1_deep_relu6": (*conv_case(2, (16, 16), 64, 33, (1, 1), activation="RELU6"), conv),
        "conv3x3_depth1_stride2": (*conv_case(3, (48, 46), 1, 8, (3, 3), stride=(2, 2)), conv),
        # small ones: one pixel per step
        "conv3x3_dilated_valid": (*conv_case(4, (9, 9), 3, 4, (3, 3), dilation=(2, 2), padding="VALID",
                                             bias=False), conv),
        "conv5x2_two_batches": (*conv_case(5, (6, 5), 6, 7, (5, 2), stride=(1, 2), batches=2,
                                           activation="RELU"), conv),
        "depthwise_depth1_x8_10x8": (*depthwise_case(6, (20, 16), 1, 8, (10, 8), stride=(2, 2)), conv),
        "depthwise3x3_8": (*depthwise_case(7, (9, 8), 8, 1, (3, 3)), dw),
        "depthwise3x3_16_stride2": (*depthwise_case(8, (10, 9), 16, 1, (3, 3), stride=(2, 2),
                                                    activation="RELU6"), dw),
        "depthwise5x5_dilated_valid": (*depthwise_case(9, (12, 12), 4, 1, (5, 5), dilation=(2, 1),
                                                       padding="VALID", bias=False), dw),
        "depthwise4x1_two_batches": (*depthwise_case(10, (7, 6), 12, 1, (4, 1), batches=2), dw),
        # row pairs, an odd last row, depth not a multiple of 4, blocks of 32 rows, per tensor
        "fc_16x8_per_channel": (*fc_case(11, 16, 8), fc),
        "fc_odd_rows_odd_depth_relu": (*fc_case(12, 37, 7, activation="RELU"), fc),
        "fc_deep_per_tensor_two_batches": (*fc_case(13, 250, 67, per_channel=False, batches=2), fc),
        "fc_one_row_no_bias_depth3": (*fc_case(14, 3, 1, bias=False), fc),
        # biases near 2^31 (keyword_scrambled): no bound for the fast requantization
        "fc_huge_bias_rescale": (*fc_case(15, 21, 5, bias_span=(1 << 31) - (1 << 22)),
                                 "relo_fully_connected_s8_dsp_rescale("),
    }


def inputs(shape, count, seed=0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(-128, 128, shape).astype(np.int8) for _ in range(count)]
