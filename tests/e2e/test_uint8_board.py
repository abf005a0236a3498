"""A legacy uint8 MobileNet-v1-style model on the emulated board: packed, installed over UART,
run in place from flash with uint8 input and output, bit-exact with LiteRT's reference kernels."""

from __future__ import annotations

import numpy as np
import pytest

from relomodel import packer
from relomodel.board.qemu import QemuBoard
from relomodel.modelgen.uint8_models import mobilenet_v1_uint8
from relomodel.transport.device import Device
from tests.compiler.litert_reference import LiteRTReference
from tests.conftest import DEV_KEY, toolchain_available

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)"),
]


def test_uint8_mobilenet_runs_bit_exact_on_the_board(tmp_path):
    model_bytes = mobilenet_v1_uint8(seed=3, size=24, width=8)
    model = tmp_path / "mobilenet_uint8.tflite"
    model.write_bytes(model_bytes)
    package = tmp_path / "model.rmod"
    packer.pack(model, DEV_KEY, package, target="cortex-m4", version="1.0.0", split_weights=True)
    reference = LiteRTReference(model_bytes)
    rng = np.random.default_rng(5)
    inputs = [rng.integers(0, 256, (1, 24, 24, 3)).astype(np.uint8) for _ in range(6)]
    with QemuBoard(board="qemu-m4", flash=tmp_path / "flash.img") as board, Device.open(board.url) as device:
        device.install(package.read_bytes())
        answers = set()
        for x in inputs:
            outputs, instructions = device.run([x])
            (want,) = reference.invoke([x])
            assert outputs[0].dtype == np.uint8
            np.testing.assert_array_equal(outputs[0], want)
            assert instructions > 0
            answers.add(outputs[0].tobytes())
    assert len(answers) > 1
