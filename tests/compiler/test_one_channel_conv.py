"""One-channel convolutions without im2col (relomodel/kernels/relo_conv_one_channel_s8_dsp.c,
compiler/kernel_select/ one_channel_*): the layouts, the kernel's own checks and, run
host-native with the portable emulation of the DSP instructions, bit-exact with TFLite Micro on
random geometries. The hand-written loops run on the emulated board
(tests/e2e/test_dsp_kernels_board.py, dsp_cases)."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from relomodel.compiler import compile_model, kernel_select
from relomodel.compiler.hostrun import HostModel
from relomodel.kernels import KERNEL_DIR
from relomodel.modelgen.spatial import depthwise_conv_2d_model
from relomodel.reference import run_reference

from .conftest import TARGET
from .test_spatial_properties import _quant_case, activations, window_geometry

KERNEL_CALL = "relo_conv_one_channel_s8_dsp("
pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="host gcc is not installed")


@st.composite
def one_channel_cases(draw):
    g = draw(window_geometry(dilated=False, max_window=13))  # up to 4 quads a filter row
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    multiplier = draw(st.sampled_from([1, 3, 4, 8, 13, 40]))  # padded groups, blocks of 32
    batches = draw(st.sampled_from([1, 1, 2]))
    filters = rng.integers(-127, 128, (1, *g["window"], multiplier)).astype(np.int8)
    input_quant, scales, output_quant, bias = _quant_case(draw, rng, multiplier, g["window"][0] * g["window"][1])
    shape = (batches, *g["in_hw"], 1)
    data = depthwise_conv_2d_model(shape, filters, bias, output_shape=(batches, *g["out_hw"], multiplier),
                                   input_quant=input_quant, filter_scales=scales, output_quant=output_quant,
                                   depth_multiplier=multiplier, padding=g["padding"], stride=g["stride"],
                                   activation=draw(activations))
    return data, [rng.integers(-128, 128, shape).astype(np.int8) for _ in range(3)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_channel_cases())
def test_one_channel_kernel_matches_tflm(case):
    data, inputs = case
    compiled = compile_model(data, name="one", target=TARGET)
    # where the fast requantization is provable (nearly always): the kernel under test
    assume(KERNEL_CALL in compiled.c_sources["model.c"])
    model = HostModel(compiled)
    for x in inputs:
        np.testing.assert_array_equal(model.run([x])[0], run_reference(data, [x])[0])


def test_filter_layout_groups_four_channels_by_row_and_quad():
    filters = np.arange(5 * 2 * 5, dtype=np.int8).reshape(5, 2, 5)  # 5 channels, 2 rows, 5 taps
    laid = kernel_select.one_channel_filter_layout(filters)
    assert laid.dtype == np.int16 and laid.size == 2 * 2 * 2 * 4 * 4  # groups, rows, quads, channels, taps
    # group 0, row 0, quad 0: channels 0..3, taps in SXTB16 order (0, 2, 1, 3)
    assert laid[:8].tolist() == [0, 2, 1, 3, 10, 12, 11, 13]
    # group 0, row 0, quad 1: tap 4 then zero padding
    assert laid[16:20].tolist() == [4, 0, 0, 0]
    # group 1 (channel 4 and three zero channels), row 1, quad 0
    group1_row1 = laid[64 + 32: 64 + 40]
    assert group1_row1.tolist() == [45, 47, 46, 48, 0, 0, 0, 0]


def test_offset_terms_are_prefix_sums_times_the_offset_wrapped():
    filters = np.array([[[1, 2], [3, -4]], [[127, 127], [127, 127]]], dtype=np.int8)  # 2 channels, 2 rows
    terms = kernel_select.one_channel_offset_terms(filters, 5)
    assert terms.tolist() == [[0, 15, 10], [0, 1270, 2540]]
    huge = kernel_select.one_channel_offset_terms(np.full((1, 1, 1), 127, dtype=np.int8), 1 << 30)
    assert huge.tolist() == [[0, (127 << 30) % (1 << 32) - (1 << 32)]]


def test_dilated_filters_keep_im2col():
    rng = np.random.default_rng(3)
    filters = rng.integers(-127, 128, (1, 3, 3, 4)).astype(np.int8)
    data = depthwise_conv_2d_model((1, 9, 9, 1), filters, None, output_shape=(1, 9, 9, 4), input_quant=(0.05, 3),
                                   filter_scales=[0.01], output_quant=(0.05, -2), depth_multiplier=4,
                                   dilation=(2, 1))
    source = compile_model(data, name="dil", target=TARGET).c_sources["model.c"]
    assert KERNEL_CALL not in source and "relo_conv_s8_dsp(" in source


# The kernel's checks and its scratch size, called directly (host build, sanitizers on).
HARNESS = r"""
#include <stdio.h>
#include "relo_nn_functions.h"

static relo_conv_params_t params(int32_t width, int32_t out_width, int32_t filter_w, int32_t stride)
{
    relo_conv_params_t p = {0};
    p.window = (relo_window_t){.batches = 1, .input_height = 6, .input_width = width,
        .output_height = 3, .output_width = out_width, .filter_height = 3, .filter_width = filter_w,
        .stride_height = 2, .stride_width = stride, .dilation_height = 1, .dilation_width = 1,
        .pad_top = 1, .pad_left = 1};
    p.input_depth = 1, p.filter_input_depth = 1, p.output_depth = 4;
    p.activation_min = -128, p.activation_max = 127;
    return p;
}

int main(void)
{
    static int8_t input[64], output[64];
    static int16_t filter[256];
    static int32_t terms[64], requant[64];
    static uint32_t scratch[64];
    int8_t *s = (int8_t *)scratch;
    relo_conv_params_t p = params(10, 5, 3, 2);
    const relo_dsp_requant_t *r = (const relo_dsp_requant_t *)requant;
    const int32_t need = relo_conv_one_channel_s8_dsp_scratch_bytes(&p);
    printf("scratch %d %d %d\n", need, relo_conv_one_channel_s8_dsp_scratch_bytes(&(relo_conv_params_t){0}),
           (int)relo_conv_one_channel_s8_dsp_scratch_bytes(0));
    for (int32_t i = 0; i < 4; ++i) {
        requant[3 * i] = 1 << 30, requant[3 * i + 1] = 1, requant[3 * i + 2] = 1;
    }
    printf("ok %d\n", relo_conv_one_channel_s8_dsp(&p, input, filter, 0, terms, r, output, s, need));
    printf("null %d\n", relo_conv_one_channel_s8_dsp(&p, input, filter, 0, 0, r, output, s, need));
    printf("small %d\n", relo_conv_one_channel_s8_dsp(&p, input, filter, 0, terms, r, output, s, need - 1));
    printf("unaligned %d\n", relo_conv_one_channel_s8_dsp(&p, input, filter, 0, terms, r, output, s + 1, need));
    relo_conv_params_t bad = p;
    bad.window.dilation_width = 2;
    printf("dilated %d\n", relo_conv_one_channel_s8_dsp(&bad, input, filter, 0, terms, r, output, s, need));
    bad = p, bad.input_depth = 2, bad.filter_input_depth = 2;
    printf("deep %d\n", relo_conv_one_channel_s8_dsp(&bad, input, filter, 0, terms, r, output, s, need));
    bad = p, bad.input_offset = -128; /* zero point 128: not int8 */
    printf("offset %d\n", relo_conv_one_channel_s8_dsp(&bad, input, filter, 0, terms, r, output, s, need));
    return 0;
}
"""


def test_kernel_checks_its_arguments_and_scratch(tmp_path):
    source = tmp_path / "harness.c"
    source.write_text(HARNESS)
    binary = tmp_path / "harness"
    subprocess.run(["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-fsanitize=address,undefined",
                    "-fno-sanitize-recover=all", f"-I{KERNEL_DIR}", str(source),
                    str(KERNEL_DIR / kernel_select.ONE_CHANNEL_KERNEL), "-o", str(binary)], check=True)
    lines = dict(line.split(" ", 1) for line in subprocess.run([str(binary)], check=True, capture_output=True,
                                                               text=True).stdout.splitlines())
    window = {"output_width": 5, "stride_width": 2, "filter_width": 3, "filter_height": 3, "pad_left": 1,
              "input_width": 10}
    assert lines["scratch"] == f"{kernel_select.one_channel_scratch_bytes(window)} 0 0"
    # left strip: pixel 0 (4 B); right strip: pixel 4, reading x = 7..10 (4 B); 3 rows
    assert kernel_select.one_channel_scratch_bytes(window) == 24
    assert lines["ok"] == "0"
    assert lines["null"] == "1"  # RELO_NN_ERR_NULL_ARG
    assert lines["small"] == lines["unaligned"] == lines["deep"] == "2"  # RELO_NN_ERR_BAD_SIZE
    assert lines["dilated"] == lines["offset"] == "3"  # RELO_NN_ERR_BAD_PARAM
