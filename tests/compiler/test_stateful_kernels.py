"""The LSTM and SVDF DSP kernels (relo_lstm_s8_dsp.c, relo_svdf_s8_dsp.c) and the portable ones
they share code with, host-native (DSP instructions emulated): the compiler picks the DSP
kernel for the Cortex-M4 only where its requantization is provably exact, and both kernels
match TFLite Micro over sequences of invokes, state reset included. The real instructions:
tests/e2e/test_stateful_dsp_board.py."""

from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pytest

from relomodel.compiler import compile_model, kernel_select
from relomodel.compiler.hostrun import HostModel
from relomodel.modelgen.recurrent import LstmShape, lstm_model
from relomodel.reference import run_reference_sequence
from relomodel.targets import get_target
from tests import dsp_cases

DSP = get_target("cortex-m4")
NO_DSP = dataclasses.replace(DSP, has_dsp=False)
CASES = dsp_cases.stateful_cases()
STEPS = 4
pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="host gcc is not installed")


def _assert_sequence_exact(data, shape, model):
    steps = dsp_cases.sequence(shape, STEPS, seed=7)
    expected = run_reference_sequence(data, steps)
    run = HostModel(model)
    run.reset_state()  # the host library may be cached from an earlier test
    for attempt in range(2):  # the second pass after a reset: the state starts afresh
        for step, (x, want) in enumerate(zip(steps, expected)):
            np.testing.assert_array_equal(run.run(x)[0], want[0], err_msg=f"pass {attempt} step {step}")
        run.reset_state()


@pytest.mark.parametrize("name", sorted(CASES))
def test_stateful_dsp_kernel_is_chosen_and_bit_exact_over_a_sequence(name):
    data, shape, kernel = CASES[name]
    fast = compile_model(data, name=name, target=DSP)
    assert kernel in fast.c_sources["model.c"]
    _assert_sequence_exact(data, shape, fast)


@pytest.mark.parametrize("name", sorted(CASES))
def test_portable_stateful_kernels_bit_exact_over_a_sequence(name):
    data, shape, _kernel = CASES[name]
    portable = compile_model(data, name=name, target=NO_DSP)
    assert "_dsp(" not in portable.c_sources["model.c"]
    _assert_sequence_exact(data, shape, portable)


def test_lstm_without_a_proof_keeps_the_portable_kernel():
    # weight scales 4096 times the usual: the input FC's rescale needs a left shift of 11 that
    # its accumulators (up to 64 * 127 * 255 + bias) cannot take within 2^30
    data = lstm_model(LstmShape(1, 2, 64, 4), seed=40, spread=4096)
    source = compile_model(data, name="unproven", target=DSP).c_sources["model.c"]
    assert "relo_lstm_s8(" in source and "_dsp(" not in source
    _assert_sequence_exact(data, (1, 2, 64), compile_model(data, name="unproven", target=DSP))


def test_rescale_record_needs_a_proof():
    assert kernel_select.rescale_record(1 << 30, -3, (1 << 30) - 1) == [1 << 30, 1, 3, 4]
    assert kernel_select.rescale_record(1 << 30, 0, 5) == [1 << 30, 1, 0, 0]  # no right shift: no rounding
    assert kernel_select.rescale_record(1 << 30, 2, (1 << 28) - 1) == [1 << 30, 3, 0, 0]
    assert kernel_select.rescale_record(1 << 30, 2, 1 << 28) is None  # 2 (x << 2) overflows
    assert kernel_select.rescale_record(1 << 30, -32, 5) is None  # right shift past 31
    assert kernel_select.rescale_record(-1, -3, 5) is None


def test_four_rows_layout_interleaves_quads_of_four_rows():
    rows = np.arange(8 * 5, dtype=np.int8).reshape(8, 5)
    layout = kernel_select.four_rows_layout(rows).reshape(2, 2, 4, 4)  # groups, quads, rows, quad
    np.testing.assert_array_equal(layout[0, 0, 1], rows[1, [0, 2, 1, 3]])  # SXTB16 order
    np.testing.assert_array_equal(layout[1, 1, 3], [rows[7, 4], 0, 0, 0])  # zero padded to K = 8


def test_svdf_unit_constants_fold_the_state_zero_point_and_wrap():
    time = np.array([[1, 2], [3, 4], [100, 100], [100, 100]], dtype=np.int64)
    bias = np.array([10, (1 << 31) - 1])
    constants = kernel_select.svdf_unit_constants(time, bias, state_zero_point=-2, rank=2)
    np.testing.assert_array_equal(constants, [10 + 2 * 10, -(1 << 31) + 799])


RESCALE_HARNESS = """
#include "relo_dsp_rescale.h"
#include "relo_nn_math.h"
void rescale(const int *record, int shift, const int *x, int *fast, int *reference, int n) {
    for (int i = 0; i < n; ++i) {
        fast[i] = relo_dsp_rescale(record, x[i]);
        reference[i] = relo_nn_requantize(x[i], record[0], shift);
    }
}
void requantize_any(int multiplier, int shift, const int *x, int *fast, int *reference, int n) {
    for (int i = 0; i < n; ++i) {
        fast[i] = relo_dsp_requantize_any(x[i], multiplier, shift);
        reference[i] = relo_nn_requantize(x[i], multiplier, shift);
    }
}
"""


@pytest.fixture(scope="module")
def rescale(tmp_path_factory):
    import ctypes
    import subprocess

    from relomodel.kernels import KERNEL_DIR

    work = tmp_path_factory.mktemp("rescale")
    (work / "harness.c").write_text(RESCALE_HARNESS)
    library = work / "harness.so"
    subprocess.run(["gcc", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared",
                    f"-I{KERNEL_DIR}", str(work / "harness.c"), "-o", str(library)], check=True)
    lib = ctypes.CDLL(str(library))

    def run(record, shift, x):
        """(fast, reference) results for x: relo_dsp_rescale by `record` or, when `record` is
        an int multiplier, relo_dsp_requantize_any"""
        x = np.ascontiguousarray(x, dtype=np.int32)
        fast, reference = np.empty_like(x), np.empty_like(x)
        pointer = ctypes.c_void_p
        tail = (ctypes.c_int(shift), x.ctypes.data_as(pointer), fast.ctypes.data_as(pointer),
                reference.ctypes.data_as(pointer), ctypes.c_int(x.size))
        if isinstance(record, int):
            lib.requantize_any(ctypes.c_int(record), *tail)
        else:
            lib.rescale(np.ascontiguousarray(record, dtype=np.int32).ctypes.data_as(pointer), *tail)
        return fast, reference
    return run


@pytest.mark.parametrize("multiplier,shift", [(1 << 30, -3), (1 << 30, -1), (1 << 30, 0), (1073741825, -14),
                                              (1239940808, -2), (2146304392, -23), (1829343180, 3),
                                              (1898169250, 4), (1 << 30, -31), (0, -5)])
def test_fast_rescale_is_tflm_requantization_up_to_its_bound(rescale, multiplier, shift):
    rng = np.random.default_rng(abs(shift) * 7 + multiplier % 1000)
    largest = (kernel_select.RESCALE_BOUND - 1) >> max(shift, 0)
    record = kernel_select.rescale_record(multiplier, shift, largest)
    assert record is not None
    dense = np.arange(-(1 << 16), 1 << 16)  # every tie of both roundings at small magnitudes
    spread = rng.integers(-largest, largest + 1, 1 << 16)
    x = np.concatenate([dense, spread, [largest, -largest, largest - 1, 1 - largest]])
    fast, reference = rescale(record, shift, x)
    np.testing.assert_array_equal(fast, reference)


@pytest.mark.parametrize("multiplier,shift", [(1754508160, -4), (1 << 30, -1), (1 << 30, 0), (2147483647, -31),
                                              (1073741825, -14), (1829343180, 3), (1213708544, 10), (0, -5)])
def test_requantize_any_is_tflm_requantization_everywhere(rescale, multiplier, shift):
    rng = np.random.default_rng(abs(shift) * 11 + multiplier % 997)
    dense = np.arange(-(1 << 16), 1 << 16)  # every tie of both roundings at small magnitudes
    wide = rng.integers(-(1 << 31), 1 << 31, 1 << 16)  # keyword_scrambled's SVDF sums reach 2^31
    x = np.concatenate([dense, wide, [-(1 << 31), (1 << 31) - 1, 1 << 30, -(1 << 30)]])
    fast, reference = rescale(multiplier, shift, x)
    np.testing.assert_array_equal(fast, reference)
