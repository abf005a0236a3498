"""person_detect and micro_speech (convolutions, pooling) on the emulated board: installed
over UART, run in place from flash, bit-exact with the TFLite Micro reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from relomodel import packer, reference
from relomodel.board.qemu import QemuBoard
from relomodel.transport.device import Device
from tests.conftest import DEV_KEY, shared_model, toolchain_available

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)"),
]


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with QemuBoard(board="qemu-m4", flash=tmp_path_factory.mktemp("conv") / "flash.img") as emulated:
        yield emulated


@pytest.mark.parametrize("name,runs", [("micro_speech_quantized.tflite", 8), ("person_detect.tflite", 4)])
def test_conv_model_runs_bit_exact_on_the_board(board, tmp_path, name, runs):
    model = shared_model(name)
    package = tmp_path / "model.rmod"
    packer.pack(model, DEV_KEY, package, target="cortex-m4", version="1.0.0", split_weights=True)
    model_bytes = model.read_bytes()
    (detail,) = reference.input_details(model_bytes)
    rng = np.random.default_rng(11)
    inputs = [[rng.integers(-128, 128, detail["shape"]).astype(np.int8)] for _ in range(runs)]
    expected = reference.run_reference_sequence(model_bytes, inputs)
    with Device.open(board.url) as device:
        device.install(package.read_bytes())
        for x, want in zip(inputs, expected):
            outputs, instructions = device.run(x)
            np.testing.assert_array_equal(outputs[0], want[0])
            assert instructions > 0
