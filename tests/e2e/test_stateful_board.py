"""A stateful model (LSTM) on the emulated board: state carried across invokes on the device,
bit-exact with the TFLite Micro reference over a sequence, and RESET_STATE starting afresh."""

from __future__ import annotations

import numpy as np
import pytest

from relomodel import packer, reference
from relomodel.board.qemu import QemuBoard
from relomodel.modelgen.expose import expose_tensors
from relomodel.transport.device import Device
from tests.conftest import DEV_KEY, shared_model, toolchain_available

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)"),
]
LSTM_OUTPUT = 23  # trained_lstm_int8: the LSTM's own output, exposed next to the softmax


def test_lstm_state_on_device_and_reset(tmp_path):
    model_bytes = expose_tensors(shared_model("trained_lstm_int8.tflite").read_bytes(), [LSTM_OUTPUT])
    source = tmp_path / "lstm.tflite"
    source.write_bytes(model_bytes)
    package = tmp_path / "lstm.rmod"
    packer.pack(source, DEV_KEY, package, target="cortex-m4", version="1.0.0")
    rng = np.random.default_rng(3)
    steps = [[rng.integers(-128, 128, (1, 28, 28)).astype(np.int8)] for _ in range(5)]
    expected = reference.run_reference_sequence(model_bytes, steps + steps)

    with QemuBoard(board="qemu-m4", flash=tmp_path / "flash.img") as board, Device.open(board.url) as device:
        assert device.install(package.read_bytes())["stateful"]
        for inputs, want in zip(steps + steps, expected):  # twice in a row: state carried over
            outputs, _ = device.run(inputs)
            for got, w in zip(outputs, want):
                np.testing.assert_array_equal(got, w)
        device.reset_state()
        for inputs, want in zip(steps, expected[:5]):  # after the reset: the first run again
            outputs, _ = device.run(inputs)
            np.testing.assert_array_equal(outputs[1], want[1])
    # the second pass differed from the first only because of the carried state
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(expected[:5], expected[5:]))
