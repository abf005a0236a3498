"""The DSP-extension kernels with the real instructions (SMLAD, SXTB16, SXTAB16, SMMULR and the
hand-scheduled loop) on the emulated Cortex-M4: single-op models covering every kernel path,
packed for cortex-m4, pushed over UART and run in place, bit-exact with TFLite Micro."""

from __future__ import annotations

import numpy as np
import pytest

from relomodel import packer, reference
from relomodel.board.qemu import QemuBoard
from relomodel.transport.device import Device
from tests import dsp_cases
from tests.conftest import DEV_KEY, toolchain_available

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)"),
]


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with QemuBoard(board="qemu-m4", flash=tmp_path_factory.mktemp("dsp") / "flash.img") as emulated:
        yield emulated


def test_dsp_kernels_bit_exact_on_the_board(board, tmp_path):
    with Device.open(board.url) as device:
        for name, (data, shape, _kernel) in sorted(dsp_cases.cases().items()):
            model = tmp_path / f"{name}.tflite"
            model.write_bytes(data)
            package = tmp_path / f"{name}.rmod"
            packer.pack(model, DEV_KEY, package, target="cortex-m4")
            device.install(package.read_bytes())
            for x in dsp_cases.inputs(shape, 2, seed=5):
                outputs, _count = device.run([x])
                want = reference.run_reference_sequence(data, [[x]])[0]
                np.testing.assert_array_equal(outputs[0], want[0], err_msg=name)
            device.erase(name)  # the board has a few slots; the cases outnumber them
