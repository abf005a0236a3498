"""Single-op convolutions and FULLY_CONNECTEDs that exercise every path of the DSP kernels (compiler/kernel_select/):
shared by the host-native tests (portable emulation of the DSP instructions) and the tests on
the emulated Cortex-M4 (the real instructions)."""

from __future__ import annotations

import math

import numpy as np

from relomodel.modelgen.conv_fc import ConvLayer, FcLayer, conv_fc_model
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


def _spread_quant(input_quant, scales, taps, output_quant):
    """An output quantization where about three standard deviations of the dot product span
    the int8 range: few outputs saturate."""
    spread = input_quant[0] * max(scales) * 128 * 73 * math.sqrt(taps) * 3 / 128
    return spread, output_quant[1] // 4


def conv_case(seed, hw, in_depth, out_depth, window, *, stride=(1, 1), dilation=(1, 1),
              padding="SAME", activation="NONE", bias=True, batches=1, spread=False):
    rng = np.random.default_rng(seed)
    filters = rng.integers(-127, 128, (out_depth, *window, in_depth)).astype(np.int8)
    input_quant, scales, output_quant = _quant(rng, out_depth, window[0] * window[1] * in_depth)
    if spread:
        output_quant = _spread_quant(input_quant, scales, window[0] * window[1] * in_depth, output_quant)
    out_hw = tuple(_out(hw[i], window[i], stride[i], dilation[i], padding) for i in range(2))
    data = conv_2d_model((batches, *hw, in_depth), filters,
                         rng.integers(-30000, 30000, out_depth).astype(np.int32) if bias else None,
                         output_shape=(batches, *out_hw, out_depth), input_quant=input_quant,
                         filter_scales=scales, output_quant=output_quant, padding=padding,
                         stride=stride, dilation=dilation, activation=activation)
    return data, (batches, *hw, in_depth)


def pooled_conv_case(seed, hw, pool, in_depth, out_depth, window, *, stride=(1, 1), padding="SAME",
                     activation="NONE", bias=True, batches=1):
    """MAX_POOL_2D (pool x pool, stride pool) shrinking a large input, then CONV_2D: the input is
    the model's largest activation, so the small convolution's whole-image scratch fits in the
    arena's bytes (relo_conv_s8_dsp_image)."""
    from relomodel.modelgen.tflite_writer import ModelSpec

    rng = np.random.default_rng(seed)
    filters = rng.integers(-127, 128, (out_depth, *window, in_depth)).astype(np.int8)
    input_quant, scales, output_quant = _quant(rng, out_depth, window[0] * window[1] * in_depth)
    output_quant = _spread_quant(input_quant, scales, window[0] * window[1] * in_depth, output_quant)
    pooled = tuple(size // pool for size in hw)
    out_hw = tuple(_out(pooled[i], window[i], stride[i], 1, padding) for i in range(2))
    model = ModelSpec(description="relomodel MAX_POOL_2D into CONV_2D")
    x = model.add_tensor("x", "int8", (batches, *hw, in_depth), scale=input_quant[0], zero_point=input_quant[1])
    small = model.add_tensor("pooled", "int8", (batches, *pooled, in_depth), scale=input_quant[0],
                             zero_point=input_quant[1])
    model.add_op("MAX_POOL_2D", [x], [small], padding="VALID", stride_h=pool, stride_w=pool,
                 filter_height=pool, filter_width=pool, fused_activation_function="NONE")
    w = model.add_tensor("w", "int8", filters.shape, scale=scales, zero_point=0, axis=0, data=filters)
    inputs = [small, w]
    if bias:
        bias_scales = [float(np.float32(input_quant[0]) * np.float32(s)) for s in scales]
        inputs.append(model.add_tensor("b", "int32", (out_depth,), scale=bias_scales, zero_point=0,
                                       data=rng.integers(-30000, 30000, out_depth).astype(np.int32)))
    y = model.add_tensor("y", "int8", (batches, *out_hw, out_depth), scale=output_quant[0],
                         zero_point=output_quant[1])
    model.add_op("CONV_2D", inputs, [y], padding=padding, stride_h=stride[0], stride_w=stride[1],
                 dilation_h=1, dilation_w=1, fused_activation_function=activation)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes(), (batches, *hw, in_depth)


def depthwise_case(seed, hw, in_depth, multiplier, window, *, stride=(1, 1), dilation=(1, 1),
                   padding="SAME", activation="NONE", bias=True, batches=1, spread=False):
    rng = np.random.default_rng(seed)
    out_depth = in_depth * multiplier
    filters = rng.integers(-127, 128, (1, *window, out_depth)).astype(np.int8)
    input_quant, scales, output_quant = _quant(rng, out_depth, window[0] * window[1])
    if spread:
        output_quant = _spread_quant(input_quant, scales, window[0] * window[1], output_quant)
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


def stream_case(seed, hw, multiplier, window, outputs, *, stride=(2, 2), huge_first_bias=False):
    """A one-channel DEPTHWISE_CONV_2D streamed into its FULLY_CONNECTED (compiler/stream_conv_fc.py),
    as micro_speech: the row loop calls the DSP FC's streaming kernels. A huge first FC bias
    (saturating that output) leaves no bound for the fast requantization of any output."""
    rng = np.random.default_rng(seed)
    out_hw = tuple(_out(hw[i], window[i], stride[i], 1, "SAME") for i in range(2))
    conv_shape = (1, *out_hw, multiplier)
    conv = ConvLayer(kind="DEPTHWISE_CONV_2D", filters=rng.integers(-127, 128, (1, *window, multiplier)).astype(np.int8),
                     bias=rng.integers(-500, 500, multiplier).astype(np.int32), filter_scales=[0.01],
                     output_shape=conv_shape, output_quant=(0.05, -100), stride=stride, activation="RELU")
    elements = int(np.prod(conv_shape))
    bias = rng.integers(-3000, 3000, outputs).astype(np.int32)
    if huge_first_bias:
        bias[0] = (1 << 31) - (1 << 22)
    # the outputs spread over the int8 range (measured with the reference): few saturate
    fc = FcLayer(weights=rng.integers(-127, 128, (outputs, elements)).astype(np.int8), bias=bias,
                 weight_scales=[0.01], output_quant=(0.05 * math.sqrt(elements), 3))
    return conv_fc_model((1, *hw, 1), (0.1, 5), conv, fc), (1, *hw, 1)


# name -> (model bytes, input shape, DSP kernel the compiler must pick)
def cases() -> dict[str, tuple[bytes, tuple[int, ...], str]]:
    conv, dw, fc = "relo_conv_s8_dsp(", "relo_depthwise_conv_s8_dsp(", "relo_fully_connected_s8_dsp("
    one = "relo_conv_one_channel_s8_dsp("
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
        # one input channel: no im2col (relo_conv_one_channel_s8_dsp.c): two quads a filter row
        # (asm), one quad (asm), three (C); channel groups padded; blocks of 32 channels
        "depthwise_depth1_x8_10x8": (*depthwise_case(6, (20, 16), 1, 8, (10, 8), stride=(2, 2)), one),
        "dw_depth1_x8_3x3_stride2": (*depthwise_case(16, (13, 14), 1, 8, (3, 3), stride=(2, 2),
                                                            activation="RELU6"), one),
        "dw_depth1_x5_2x12_valid": (*depthwise_case(17, (7, 19), 1, 5, (2, 12), padding="VALID",
                                                           bias=False), one),
        "dw_depth1_x36_5x6_two_batches": (*depthwise_case(18, (6, 9), 1, 36, (5, 6), stride=(1, 3),
                                                                 batches=2), one),
        "dw_depth1_x3_7x1_stride_rows": (*depthwise_case(19, (15, 4), 1, 3, (7, 1), stride=(3, 1)), one),
        # one quad a filter row, full int8 range: each group of four requantized in its asm
        # block; 8 channels, and 40 (blocks of 32 and 8)
        "dw_depth1_x8_3x3_s2_full": (*depthwise_case(54, (17, 18), 1, 8, (3, 3), stride=(2, 2),
                                                     spread=True), one),
        "dw_depth1_x40_3x2_full": (*depthwise_case(55, (9, 8), 1, 40, (3, 2), spread=True), one),
        # streamed into a FULLY_CONNECTED: SMLAD accumulate, odd last FC row, fast or portable finish
        "stream_depth1_fc_dsp": (*stream_case(21, (17, 12), 8, (4, 4), 5), "relo_fc_stream_finish_s8_dsp("),
        "stream_depth1_fc_huge_bias": (*stream_case(22, (9, 10), 8, (3, 4), 3, huge_first_bias=True),
                                       "relo_fc_stream_accumulate_s8_dsp("),
        # dilated: im2col
        "dw_depth1_x4_3x3_dilated": (*depthwise_case(20, (10, 10), 1, 4, (3, 3), dilation=(2, 2)), conv),
        "depthwise3x3_8": (*depthwise_case(7, (9, 8), 8, 1, (3, 3)), dw),
        "depthwise3x3_16_stride2": (*depthwise_case(8, (10, 9), 16, 1, (3, 3), stride=(2, 2),
                                                    activation="RELU6"), dw),
        "depthwise5x5_dilated_valid": (*depthwise_case(9, (12, 12), 4, 1, (5, 5), dilation=(2, 1),
                                                       padding="VALID", bias=False), dw),
        "depthwise4x1_two_batches": (*depthwise_case(10, (7, 6), 12, 1, (4, 1), batches=2), dw),
        # 3x3 edges: window copies by chunks of 32 channels (LDM/STM) and a tail chunk (words),
        # dilated, strided, clamped activation; VALID: no edge at all
        "depthwise3x3_40_dilated_relu6": (*depthwise_case(41, (7, 9), 40, 1, (3, 3), dilation=(2, 1),
                                                          activation="RELU6"), dw),
        "dw3x3_64_stride2_two_batches": (*depthwise_case(42, (6, 7), 64, 1, (3, 3), stride=(2, 2),
                                                         batches=2), dw),
        "depthwise3x3_4_valid": (*depthwise_case(43, (5, 6), 4, 1, (3, 3), padding="VALID"), dw),
        # 1x1 over 8 channels: the pixel in registers (relo_conv_pointwise8_s8_dsp), odd
        # channels (one a pass) and even (two a pass)
        "conv1x1_depth8_pointwise8": (*conv_case(44, (7, 9), 8, 13, (1, 1), batches=2, spread=True),
                                      "relo_conv_pointwise8_s8_dsp("),
        "pointwise8_no_bias": (*conv_case(45, (4, 4), 8, 2, (1, 1), bias=False, spread=True),
                               "relo_conv_pointwise8_s8_dsp("),
        # >= 576 pixels: the wide (int16) filter, two columns and one, full and clamped ranges
        "conv1x1_wide_odd_channels": (*conv_case(46, (24, 25), 12, 7, (1, 1)), "relo_conv_s8_dsp_wide("),
        "conv1x1_wide_relu6": (*conv_case(47, (24, 24), 16, 10, (1, 1), activation="RELU6"),
                               "relo_conv_s8_dsp_wide("),
        # K a multiple of 16, full range: the channel pairs of each pixel pair in one asm loop
        "conv1x1_wide_k32_odd_channels": (*conv_case(53, (24, 24), 32, 7, (1, 1), spread=True),
                                          "relo_conv_s8_dsp_wide("),
        "conv3x3_wide_one_column": (*conv_case(48, (24, 24), 16, 7, (3, 3), activation="RELU6"),
                                    "relo_conv_s8_dsp_wide("),
        # small images: every pixel's column at once, each channel pair widened at run time
        # (relo_conv_s8_dsp_image): a lone last pixel and an odd last channel, a padded 3x3
        # window over two batches with a clamped range, no bias and one channel pair
        "conv1x1_image_odd_pixels_odd_ch": (*pooled_conv_case(49, (28, 28), 4, 16, 11, (1, 1)),
                                                  "relo_conv_s8_dsp_image("),
        "conv3x3_image_relu_two_batches": (*pooled_conv_case(50, (24, 24), 4, 8, 6, (3, 3), batches=2,
                                                             activation="RELU"), "relo_conv_s8_dsp_image("),
        "conv2x2_image_valid_no_bias": (*pooled_conv_case(51, (40, 40), 4, 4, 3, (2, 2), stride=(2, 2),
                                                          padding="VALID", bias=False),
                                        "relo_conv_s8_dsp_image("),
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


# Stateful single-op models for the LSTM and SVDF DSP kernels (relo_lstm_s8_dsp.c,
# relo_svdf_s8_dsp.c), run over sequences of invokes: sizes not multiples of 4 (padded quads,
# padded filter groups, the state shift's byte tail), batches, both LSTM layouts, rank > 1.
# name -> (model bytes, input shape, DSP kernel the compiler must pick)
def stateful_cases() -> dict[str, tuple[bytes, tuple[int, ...], str]]:
    from relomodel.modelgen.recurrent import LstmShape, SvdfShape, lstm_model, svdf_model

    lstm, svdf = "relo_lstm_s8_dsp(", "relo_svdf_s8_dsp("
    cases = {
        "lstm_dtln_like_257_to_12": (lstm_model(LstmShape(1, 1, 257, 12), seed=31, cell_power=-11,
                                                cell_clip=5.0, input_quant=(0.03, 0)), lstm),
        "lstm_3_steps_28_to_20": (lstm_model(LstmShape(1, 3, 28, 20), seed=32), lstm),
        "lstm_two_batches_time_major": (lstm_model(LstmShape(2, 2, 7, 5, time_major=True), seed=33,
                                                       hidden_quant=(1 / 128, 9), spread=2.5), lstm),
        "svdf_keyword_like": (svdf_model(SvdfShape(1, 16, 64, 1, 8), seed=34, state_zero_point=-13), svdf),
        "svdf_rank2_odd_two_batches": (svdf_model(SvdfShape(2, 13, 3, 2, 7), seed=35, state_zero_point=25,
                                                        output_zero_point=3, spread=0.5), svdf),
        "svdf_memory_33": (svdf_model(SvdfShape(1, 5, 6, 1, 33), seed=36, state_zero_point=-128), svdf),
        # int16 state: odd memory sizes put filter rows at odd halfwords
        "svdf16_rank2_two_batches": (svdf_model(SvdfShape(2, 11, 6, 2, 5), seed=37, state_dtype="int16"),
                                     "relo_svdf_s8_s16_dsp("),
        "svdf16_keyword_like": (svdf_model(SvdfShape(1, 32, 32, 1, 32), seed=38, state_dtype="int16",
                                           spread=2.0), "relo_svdf_s8_s16_dsp("),
    }
    return {name: (data, _input_shape(data), kernel) for name, (data, kernel) in cases.items()}


def _input_shape(data: bytes) -> tuple[int, ...]:
    from relomodel.compiler.tflite_reader import read_tflite

    graph = read_tflite(data)
    return tuple(graph.tensor(graph.inputs[0]).shape)


def sequence(shape, steps, seed=0) -> list[list[np.ndarray]]:
    """`steps` invokes' inputs, as reference.run_reference_sequence takes them."""
    return [[x] for x in inputs(shape, steps, seed)]
