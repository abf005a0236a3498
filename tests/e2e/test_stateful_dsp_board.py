"""The LSTM and SVDF DSP kernels with the real instructions (SMLAD, SXTB16, SMMULR, SSAT, the
LDRD loop of relo_dsp_dot4.h) on the emulated Cortex-M4: single-op stateful models packed for
cortex-m4, state carried across invokes on the device, bit-exact with TFLite Micro over a
sequence, and RESET_STATE starting it afresh."""

from __future__ import annotations

import numpy as np
import pytest

from relomodel import packer, reference
from relomodel.board.qemu import QemuBoard
from relomodel.compiler import compile_model
from relomodel.targets import get_target
from relomodel.transport.device import Device
from tests import dsp_cases
from tests.conftest import DEV_KEY, toolchain_available

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)"),
]
STEPS = 3


def test_stateful_dsp_kernels_bit_exact_on_the_board(tmp_path):
    cases = dsp_cases.stateful_cases()
    with QemuBoard(board="qemu-m4", flash=tmp_path / "flash.img") as board, Device.open(board.url) as device:
        for name, (data, shape, kernel) in sorted(cases.items()):
            assert kernel in compile_model(data, name=name, target=get_target("cortex-m4")).c_sources["model.c"]
            model = tmp_path / f"{name}.tflite"
            model.write_bytes(data)
            package = tmp_path / f"{name}.rmod"
            packer.pack(model, DEV_KEY, package, target="cortex-m4")
            assert device.install(package.read_bytes())["stateful"]
            steps = dsp_cases.sequence(shape, STEPS, seed=11)
            expected = reference.run_reference_sequence(data, steps)
            for attempt in range(2):  # the second pass after RESET_STATE: the same outputs
                for step, (inputs, want) in enumerate(zip(steps, expected)):
                    outputs, _count = device.run(inputs)
                    np.testing.assert_array_equal(outputs[0], want[0], err_msg=f"{name} pass {attempt} step {step}")
                device.reset_state()
            device.erase(name)  # the board has a few slots; the cases outnumber them
