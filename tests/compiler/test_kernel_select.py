"""DSP kernel selection (compiler/kernel_select/) and the DSP kernels' restructured C, run
host-native with the portable emulation of the DSP instructions: bit-exact with the portable
kernels and TFLite Micro. The real instructions are tested on the emulated board
(tests/e2e/test_dsp_kernels_board.py)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from types import SimpleNamespace

import numpy as np
import pytest

from relomodel.compiler import compile_model, kernel_select
from relomodel.compiler.hostrun import HostModel
from relomodel.reference import run_reference
from relomodel.targets import get_target
from tests import dsp_cases

DSP = get_target("cortex-m4")
NO_DSP = dataclasses.replace(DSP, has_dsp=False)
CASES = dsp_cases.cases()
pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="host gcc is not installed")


@pytest.mark.parametrize("name", sorted(CASES))
def test_dsp_kernel_is_chosen_and_bit_exact(name):
    data, shape, kernel = CASES[name]
    fast = compile_model(data, name=name, target=DSP)
    portable = compile_model(data, name=name, target=NO_DSP)
    assert kernel in fast.c_sources["model.c"]
    assert "_dsp(" not in portable.c_sources["model.c"]
    fast_run, portable_run = HostModel(fast), HostModel(portable)
    for x in dsp_cases.inputs(shape, 3):
        want = run_reference(data, [x])[0]
        np.testing.assert_array_equal(fast_run.run([x])[0], want)
        np.testing.assert_array_equal(portable_run.run([x])[0], want)


def test_cases_cover_one_and_two_pixels_per_step():
    modes = set()
    for data, _, _ in CASES.values():
        source = compile_model(data, name="m", target=DSP).c_sources["model.c"]
        modes.update(re.findall(r"relo_conv_s8_dsp\(.*, (\d)\);", source))
    assert modes == {"1", "2"}  # the last argument: pixels per step


def test_conv_filter_layout_pairs_channels_and_reorders_quads():
    filters = np.arange(3 * 5, dtype=np.int8).reshape(3, 5)  # 3 channels, 5 taps -> K = 8
    laid = kernel_select.conv_filter_layout(filters)
    # channels 0 and 1 interleaved by quad, quads in (0, 2, 1, 3) order, zero padded
    assert laid[:16].tolist() == [0, 2, 1, 3, 5, 7, 6, 8, 4, 0, 0, 0, 9, 0, 0, 0]
    assert laid[16:].tolist() == [10, 12, 11, 13, 14, 0, 0, 0]  # odd channel 2, plain


def test_depthwise_filter_layout_groups_channels():
    filters = np.arange(2 * 8, dtype=np.int8).reshape(1, 2, 1, 8)  # 2 taps, 8 channels
    laid = kernel_select.depthwise_filter_layout(filters)
    assert laid.dtype == np.int16
    # per group of four channels: four int32 interior biases (zero here), the taps, doubled,
    # four requantization records (zero here)
    taps = [[0, 2, 1, 3, 8, 10, 9, 11], [4, 6, 5, 7, 12, 14, 13, 15]]
    assert laid.tolist() == ([0] * 8 + [2 * t for t in taps[0]] + [0] * 24
                             + [0] * 8 + [2 * t for t in taps[1]] + [0] * 24)


def test_depthwise_records_follow_their_group():
    filters = np.zeros((1, 1, 1, 8), dtype=np.int8)
    records = np.array([[(1 << 30) + c, 5, 16 - 128 * c] for c in range(8)], dtype=np.int64)
    laid = kernel_select.depthwise_filter_layout(filters, records=records)
    groups = laid.reshape(2, 8 + 4 + 24)
    for g in range(2):
        tail = groups[g, 12:].copy().view("<i4").reshape(4, 3)
        assert tail.tolist() == records[4 * g:4 * g + 4].tolist()


def test_depthwise_interior_biases_fold_the_input_offset():
    filters = np.arange(2 * 8, dtype=np.int8).reshape(1, 2, 1, 8)
    bias = SimpleNamespace(data=np.array([100_000, -1, 0, 7, 0, 0, 0, -300_000], dtype=np.int32))
    laid = kernel_select.depthwise_filter_layout(filters, bias, input_offset=3)
    interior = laid.reshape(2, 16 + 24)[:, :8].copy().view("<i4").reshape(-1)
    # 2 * (bias + 3 * (tap 0 + tap 1)) of each channel
    assert interior.tolist() == [2 * v for v in (100_000 + 3 * 8, -1 + 3 * 10, 3 * 12, 7 + 3 * 14,
                                                 3 * 16, 3 * 18, 3 * 20, -300_000 + 3 * 22)]


def test_fast_requantization_needs_a_proof():
    filters = np.full((2, 9), 127, dtype=np.int8)
    records = kernel_select.fast_requant(filters, None, ([1 << 30, 1 << 30], [-3, -1]), -5)
    assert records.tolist() == [[1 << 30, 3, 4 - (5 << 3)], [1 << 30, 1, 1 - (5 << 1)]]
    assert kernel_select.fast_requant(filters, None, ([1 << 30, 1 << 30], [-3, 0]), 0) is None
    assert kernel_select.fast_requant(filters, None, ([1 << 30], [-23]), 0) is None
    wide = np.full((1, 20000), 127, dtype=np.int8)  # 20000 * 127 * 255 > 2^29
    assert kernel_select.fast_requant(wide, None, ([1 << 30], [-5]), 0) is None


def test_unprovable_requantization_keeps_the_portable_kernel():
    from relomodel.modelgen.spatial import conv_2d_model
    filters = np.random.default_rng(11).integers(-127, 128, (2, 1, 1, 4)).astype(np.int8)
    # input scale * filter scale / output scale > 1: shift >= 0, outside the fast requantization
    data = conv_2d_model((1, 3, 3, 4), filters, None, output_shape=(1, 3, 3, 2), input_quant=(0.5, 0),
                         filter_scales=[0.5, 0.5], output_quant=(0.01, 0))
    assert "_dsp(" not in compile_model(data, name="up", target=DSP).c_sources["model.c"]


def test_scratch_is_planned_in_the_arena():
    data, _, _ = CASES["conv1x1_deep_relu6"]
    model = compile_model(data, name="s", target=DSP)
    source = model.c_sources["model.c"]
    assert "(int16_t *)(arena + " in source
    assert model.arena_size >= model.arena_lower_bound


def test_fc_single_rounding_keeps_the_dot_products_and_the_portable_requantization():
    # LiteRT rounds once; the fast records round twice, so the DSP FC rescales as the
    # portable kernel does: bit-exact with it (which tests/compiler check against LiteRT)
    data, shape, _ = CASES["fc_deep_per_tensor_two_batches"]
    fast = compile_model(data, name="lr", target=DSP, litert_rounding=True)
    portable = compile_model(data, name="lr", target=NO_DSP, litert_rounding=True)
    assert "relo_fully_connected_s8_dsp_rescale(" in fast.c_sources["model.c"]
    fast_run, portable_run = HostModel(fast), HostModel(portable)
    for x in dsp_cases.inputs(shape, 3):
        np.testing.assert_array_equal(fast_run.run([x])[0], portable_run.run([x])[0])


def test_fc_row_constants_fold_the_input_offset_and_wrap_to_int32():
    filters = np.array([[1, 2, 3], [-4, 0, 4]], dtype=np.int8)
    bias = dataclasses.make_dataclass("B", ["data"])(np.array([10, (1 << 31) - 1], dtype=np.int64))
    constants = kernel_select.fc_row_constants(filters, bias, 5)
    assert constants.tolist() == [10 + 5 * 6, (1 << 31) - 1]
    assert kernel_select.fc_row_constants(filters, bias, -1 << 30).tolist()[0] == 10 + (-6 << 30) % (1 << 32) - (1 << 32)


@pytest.mark.parametrize("name", [n for n in sorted(CASES) if "_image_" in n])
def test_whole_image_scratch_does_not_grow_the_arena(name, monkeypatch):
    data, _, _ = CASES[name]
    image = compile_model(data, name="i", target=DSP)
    monkeypatch.setattr(kernel_select.convolution, "IMAGE_MIN_PIXELS", 1 << 30)  # the two-column kernel
    columns = compile_model(data, name="i", target=DSP)
    assert "relo_conv_s8_dsp_image(" in image.c_sources["model.c"]
    assert "relo_conv_s8_dsp_image(" not in columns.c_sources["model.c"]
    assert image.arena_size == columns.arena_size


def test_whole_image_needs_room_in_the_arena():
    # a lone convolution's input and output are the largest activations: no room for the image
    data = dsp_cases.conv_case(52, (6, 6), 16, 8, (1, 1))[0]
    assert "relo_conv_s8_dsp_image(" not in compile_model(data, name="n", target=DSP).c_sources["model.c"]
    assert kernel_select.image_scratch_bytes(9, 5) == 5 * 2 * 8 * 2 + 8 + 4 * 8
