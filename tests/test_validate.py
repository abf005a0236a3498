"""`relomodel validate`'s host side: the model identity check, the random inputs and the
comparison arithmetic. On the emulated board it is exercised for every shared model by
tests/e2e/test_shared_models_board.py (including a real mismatch and a wrong model)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from relomodel.errors import WrongModelError
from relomodel.format import spec
from relomodel.validate import OutputComparison, Validation, compare_output, check_same_model, format_report, random_inputs


def _desc(dtype: int, shape: tuple[int, ...], scale: float = 0.0) -> dict:
    return {"name": "t", "dtype": dtype, "shape": shape, "scale": scale, "zero_point": 0}


def test_same_model_passes_and_another_is_refused_by_name_and_digest():
    model = b"TFL3 some model bytes"
    info = {"name": "kws", "version": "1.2.0", "source_sha256": hashlib.sha256(model).hexdigest()}
    check_same_model(info, model, Path("kws.tflite"))
    with pytest.raises(WrongModelError) as error:
        check_same_model(info, model + b"!", Path("other.tflite"))
    message = str(error.value)
    assert "'kws' 1.2.0" in message and "not other.tflite" in message
    assert info["source_sha256"][:16] in message and error.value.hint.startswith("pack and push other.tflite")


def test_random_inputs_cover_each_type_and_repeat_with_the_seed():
    descs = [_desc(spec.DTYPE.INT8, (1, 4096)), _desc(spec.DTYPE.INT16, (2, 8)), _desc(spec.DTYPE.FLOAT32, (3,))]
    steps = random_inputs(descs, 3, seed=5)
    assert len(steps) == 3 and [a.dtype for a in steps[0]] == [np.int8, np.int16, np.float32]
    assert [a.shape for a in steps[0]] == [(1, 4096), (2, 8), (3,)]
    assert steps[0][0].min() == -128 and steps[0][0].max() == 127  # the whole int8 range
    assert not np.array_equal(steps[0][0], steps[1][0])  # a different input every run
    again = random_inputs(descs, 3, seed=5)
    assert all(np.array_equal(a, b) for step, other in zip(steps, again) for a, b in zip(step, other))


def test_compare_counts_exact_runs_elements_and_the_worst_error():
    want = [np.array([[1, 2, 3, 4]], np.int8), np.array([[5, 6, 7, 8]], np.int8)]
    got = [want[0].copy(), np.array([[5, 6, 4, 8]], np.int8)]
    result = compare_output(0, _desc(spec.DTYPE.INT8, (1, 4), scale=0.5), got, want)
    assert (result.runs, result.exact_runs, result.elements, result.matching_elements) == (2, 1, 8, 7)
    assert result.max_abs_error == 3 and result.max_abs_error_real == 1.5


def test_compare_int_extremes_do_not_wrap_and_floats_keep_fractions():
    extreme = compare_output(0, _desc(spec.DTYPE.INT8, (2,)), [np.array([127, 0], np.int8)], [np.array([-128, 0], np.int8)])
    assert extreme.max_abs_error == 255
    floats = compare_output(0, _desc(spec.DTYPE.FLOAT32, (2,)), [np.array([0.5, 1.0], np.float32)],
                      [np.array([0.25, 1.0], np.float32)])
    assert floats.max_abs_error == 0.25 and floats.max_abs_error_real == 0.25 and floats.exact_runs == 0


def test_report_says_pass_or_mismatch():
    output = OutputComparison(0, "y", "int8", (1, 2), 0.1, runs=4, exact_runs=3, elements=8, matching_elements=7,
                              max_abs_error=1)
    validation = Validation("m.tflite", "m 1.0.0 (slot 0)", 4, 0, True, False, [output], 1000.0, "instructions")
    text = format_report(validation)
    assert "exact 3/4 runs, 87.50% of elements equal, max abs error 1 (0.1 real)" in text
    assert "state reset first" in text and "result: MISMATCH" in text
    assert not validation.passed() and validation.passed(atol=1)
    assert "within 1 of TFLite Micro" in format_report(validation, atol=1)
