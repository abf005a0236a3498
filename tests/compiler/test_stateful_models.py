"""Stateful TFLM example models (LSTM, SVDF): our C vs the TFLite Micro reference kernels over
sequences of invokes with the state carried, plus reset_state reproducing a fresh sequence.

The models' final outputs saturate on random inputs (softmax, scrambled weights), so every
intermediate activation is also made a model output and compared."""

import shutil

import numpy as np
import pytest

from relomodel.build.image import extract_image
from relomodel.build.toolchain import compile_and_link
from relomodel.compiler import compile_model
from relomodel.compiler.hostrun import HostModel
from relomodel.compiler.planner import plan_arena
from relomodel.compiler.tflite_reader import read_tflite
from relomodel.modelgen.expose import expose_tensors
from relomodel.reference import run_reference_sequence

from .conftest import TARGET, host_model, shared_model_bytes

STEPS = 15
# model -> (intermediate tensors exposed as extra outputs, input value range)
MODELS = {
    "trained_lstm_int8.tflite": ([23, 25], (-128, 128)),
    "dtln_noise_suppression.tflite": ([34, 42, 43], (-128, 128)),
    "keyword_scrambled_8bit.tflite": ([0, 5, 8, 13, 21, 29, 37, 42, 47, 50], (0, 24000)),
}


def _sequence(model: HostModel, count: int, value_range, seed: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    info = model.model.inputs[0]
    dtype = np.int16 if info.dtype == 4 else np.int8  # spec.DTYPE.INT16
    return [[rng.integers(*value_range, info.shape).astype(dtype)] for _ in range(count)]


def _assert_sequence_matches(model: HostModel, steps, expected) -> None:
    for step, (inputs, want) in enumerate(zip(steps, expected)):
        got = model.run(inputs)
        for k, (g, w) in enumerate(zip(got, want)):
            assert np.array_equal(g, w), (f"step {step}, output {k}: {np.count_nonzero(g != w)} values "
                                          f"differ (max {np.abs(g.astype(np.int64) - w).max()})")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_sequence_bit_exact_and_reset(name):
    exposed, value_range = MODELS[name]
    data = expose_tensors(shared_model_bytes(name), exposed)
    model = host_model(data)
    assert model.model.stateful
    steps = _sequence(model, STEPS, value_range, seed=len(name))
    expected = run_reference_sequence(data, steps)
    # the state matters: the same input gives different outputs at different steps
    repeated = [steps[0]] * 3
    repeated_expected = run_reference_sequence(data, repeated)
    if name != "keyword_scrambled_8bit.tflite":  # its scrambled weights saturate the SVDFs
        assert not all(np.array_equal(repeated_expected[0][1], e[1]) for e in repeated_expected[1:])

    _assert_sequence_matches(model, steps, expected)
    model.reset_state()
    _assert_sequence_matches(model, steps[:5], expected[:5])  # a fresh sequence again
    model.reset_state()
    _assert_sequence_matches(model, repeated, repeated_expected)


def test_state_lives_outside_the_arena():
    data = shared_model_bytes("dtln_noise_suppression.tflite")
    graph = read_tflite(data)
    variables = {t.index for t in graph.tensors if t.is_variable}
    assert len(variables) == 4
    plan = plan_arena(graph)
    assert not variables & set(plan.offsets), "variable tensors must not be planned in the arena"
    source = compile_model(data, name="dtln", target=TARGET).c_sources["model.c"]
    for index in variables:
        assert f"relo_state_t{index}[128]" in source
    assert "relo_model_reset_state" in source


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="arm-none-eabi-gcc is not installed")
def test_stateful_blob_exports_reset_and_keeps_state_in_bss():
    compiled = compile_model(shared_model_bytes("trained_lstm_int8.tflite"), name="lstm", target=TARGET)
    image = extract_image(compile_and_link(compiled, TARGET, split_weights=True).elf, split_weights=True)
    assert image.entry_reset != 0 and image.entry_reset & 1  # Thumb entry point
    assert image.bss_size >= 20 + 2 * 20  # hidden (int8) + cell (int16) state, 20 units
    assert compiled.stateful


def test_stateless_model_has_no_reset_entry():
    from relomodel.modelgen.mlp import demo_model

    compiled = compile_model(demo_model(), name="demo", target=TARGET)
    assert not compiled.stateful
    assert "relo_model_reset_state(uint8_t *arena)\n{" not in compiled.c_sources["model.c"]
