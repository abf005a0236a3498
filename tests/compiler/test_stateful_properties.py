"""Property tests: single-op SVDF and LSTM models (random shapes, quantization and state layout)
through our C vs the TFLite Micro reference kernels over sequences of invokes, plus the int16
QUANTIZE and SOFTMAX variants the stateful models need."""

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relomodel.compiler import compile_model
from relomodel.compiler.sigmoid_table import sigmoid_table
from relomodel.errors import ModelError
from relomodel.kernels import KERNEL_DIR
from relomodel.modelgen.int16 import requantize_s16_model, softmax_s16_model
from relomodel.modelgen.recurrent import LstmShape, SvdfShape, lstm_model, svdf_model
from relomodel.reference import run_reference, run_reference_sequence

from .conftest import TARGET, host_model

PROPERTY_SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEQUENCE = 5
zero_points = st.integers(-128, 127)


def _assert_sequence_matches(data, seed, steps=SEQUENCE):
    model = host_model(data)
    info = model.model.inputs[0]
    rng = np.random.default_rng(seed)
    inputs = [[rng.integers(-128, 128, info.shape).astype(np.int8)] for _ in range(steps)]
    expected = run_reference_sequence(data, inputs)
    model.reset_state()  # the host library may be shared with an earlier example of the same model
    for step, (x, want) in enumerate(zip(inputs, expected)):
        got = model.run(x)[0]
        assert np.array_equal(got, want[0]), f"step {step}:\n got {got}\nwant {want[0]}"


@st.composite
def svdf_cases(draw):
    shape = SvdfShape(batches=draw(st.integers(1, 3)), input_size=draw(st.integers(1, 24)),
                      units=draw(st.integers(1, 8)), rank=draw(st.integers(1, 3)),
                      memory_size=draw(st.integers(1, 10)))
    state_dtype = draw(st.sampled_from(["int8", "int16"]))
    data = svdf_model(shape, seed=draw(st.integers(0, 2**32 - 1)), state_dtype=state_dtype,
                      input_quant=(draw(st.floats(0.005, 0.5)), draw(zero_points)),
                      state_zero_point=draw(zero_points), output_zero_point=draw(zero_points),
                      spread=draw(st.floats(0.3, 3.0)))
    return data, draw(st.integers(0, 2**32 - 1))


@PROPERTY_SETTINGS
@given(svdf_cases())
def test_svdf_matches_tflm_over_a_sequence(case):
    _assert_sequence_matches(*case)


@st.composite
def lstm_cases(draw):
    shape = LstmShape(batches=draw(st.integers(1, 3)), time_steps=draw(st.integers(1, 4)),
                      input_size=draw(st.integers(1, 12)), state_size=draw(st.integers(1, 12)),
                      time_major=draw(st.booleans()))
    cell_power = draw(st.integers(-15, -9))
    cell_clip = draw(st.sampled_from([0.0, 0.0, draw(st.floats(0.05, 4.0))]))
    data = lstm_model(shape, seed=draw(st.integers(0, 2**32 - 1)),
                      input_quant=(draw(st.floats(0.002, 0.2)), draw(zero_points)),
                      hidden_quant=(draw(st.floats(1 / 256, 1 / 64)), draw(st.integers(-20, 20))),
                      cell_power=cell_power, cell_clip=max(cell_clip, 2.0 ** cell_power),
                      spread=draw(st.floats(0.3, 4.0)))
    return data, draw(st.integers(0, 2**32 - 1))


@PROPERTY_SETTINGS
@given(lstm_cases())
def test_lstm_matches_tflm_over_a_sequence(case):
    _assert_sequence_matches(*case)


@PROPERTY_SETTINGS
@given(st.floats(1e-4, 0.01), st.integers(-1000, 1000), st.sampled_from(["int8", "int16", "int32"]),
       st.floats(1e-5, 0.1), st.integers(-100, 100))
def test_quantize_from_int16_matches_tflm(in_scale, in_zp, out_dtype, out_scale, out_zp):
    data = requantize_s16_model(512, input_quant=(in_scale, in_zp), output_dtype=out_dtype,
                                output_quant=(out_scale, out_zp))
    try:
        model = host_model(data)
    except ModelError as error:  # a rescale too large for int32 arithmetic is refused clearly
        assert "too large" in str(error)
        return
    x = np.linspace(-32768, 32767, 512).astype(np.int16).reshape(1, 512)
    assert np.array_equal(model.run([x])[0], run_reference(data, [x])[0])


@PROPERTY_SETTINGS
@given(st.integers(1, 40), st.integers(1, 3), st.floats(0.005, 0.5), zero_points,
       st.sampled_from([1.0, 0.5, 2.0]), st.integers(0, 2**32 - 1))
def test_softmax_to_int16_matches_tflm(depth, rows, scale, zero_point, beta, seed):
    data = softmax_s16_model((rows, depth), input_quant=(scale, zero_point), beta=beta)
    model = host_model(data)
    rng = np.random.default_rng(seed)
    for x in [rng.integers(-128, 128, (rows, depth)).astype(np.int8) for _ in range(4)]:
        assert np.array_equal(model.run([x])[0], run_reference(data, [x])[0])


def test_sigmoid_table_in_c_matches_its_formula():
    header = (KERNEL_DIR / "relo_nn_s16_activations.h").read_text()
    body = header.split("relo_nn_sigmoid_table_u16[256] = {", 1)[1].split("};", 1)[0]
    assert [int(v) for v in re.findall(r"\d+", body)] == sigmoid_table()


def test_lstm_refuses_non_power_of_two_cell_scale():
    data = lstm_model(LstmShape(1, 2, 3, 4), seed=1, cell_power=-12)
    cell_scale = np.float32(2.0 ** -12).tobytes()
    assert data.count(cell_scale) == 1  # only the cell state has this scale
    patched = data.replace(cell_scale, np.float32(3e-4).tobytes())
    with pytest.raises(ModelError, match="not a power of two"):
        compile_model(patched, name="bad", target=TARGET)


def test_svdf_refuses_a_state_that_is_not_variable():
    from relomodel.modelgen.tflite_writer import ModelSpec

    model = ModelSpec()
    x = model.add_tensor("x", "int8", (1, 4), scale=0.1)
    wf = model.add_tensor("wf", "int8", (2, 4), scale=0.01, data=np.ones((2, 4)))
    wt = model.add_tensor("wt", "int8", (2, 3), scale=0.01, data=np.ones((2, 3)))
    state = model.add_tensor("state", "int8", (1, 6), scale=0.05)  # not marked variable
    y = model.add_tensor("y", "int8", (1, 2), scale=0.1)
    model.add_op("SVDF", [x, wf, wt, -1, state], [y], rank=1)
    model.inputs, model.outputs = [x], [y]
    with pytest.raises(ModelError, match=r"operator #0 \(SVDF\).*must be a variable tensor"):
        compile_model(model.to_bytes(), name="bad", target=TARGET)


def test_lstm_variants_tflm_does_not_run_are_refused_by_name():
    from relomodel.compiler.ops import unidirectional_sequence_lstm as lstm
    from relomodel.compiler.ops.base import LowerContext
    from relomodel.compiler.tflite_reader import read_tflite

    graph = read_tflite(lstm_model(LstmShape(1, 2, 3, 4), seed=1))
    op = graph.operators[0]
    weights = op.inputs[1]
    op.inputs = op.inputs[:16] + (weights,) + op.inputs[17:]  # a projection layer
    with pytest.raises(ModelError, match=r"operator #0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\).*projection weights"):
        lstm.lower(graph, op, LowerContext())
    op.inputs = (op.inputs[0], -1) + op.inputs[2:16] + (-1,) + op.inputs[17:]  # CIFG: no input gate
    with pytest.raises(ModelError, match="CIFG"):
        lstm.lower(graph, op, LowerContext())
