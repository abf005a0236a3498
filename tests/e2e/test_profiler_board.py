"""The per-operator profiler (relomodel/board/profiler.py) measures what the firmware measures:
for the same model and inputs, the sum of its per-operator counts equals the instruction count
the resident firmware reports around the model's run call, up to the profiler's hook and tick
granularity; and a profiling build whose outputs differ from TFLite Micro is refused."""

from __future__ import annotations

import numpy as np
import pytest

from relomodel import packer
from relomodel.board import profiler
from relomodel.board.qemu import QemuBoard
from relomodel.errors import RelomodelError
from relomodel.transport.device import Device
from relomodel.validate import random_inputs
from tests import dsp_cases
from tests.conftest import DEV_KEY, shared_model, toolchain_available

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)"),
]

TICK = 40  # instructions per SysTick tick under -icount shift=0
HOOK = 40  # the timestamp call's own instructions, per operator (measured ~25-35)


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with QemuBoard(board="qemu-m4", flash=tmp_path_factory.mktemp("profiler") / "flash.img") as emulated:
        yield emulated


def _models(tmp_path):
    conv, _shape = dsp_cases.conv_case(3, (12, 10), 8, 12, (3, 3), activation="RELU6")
    return {"hello_world_int8": shared_model("hello_world_int8.tflite").read_bytes(), "conv_3x3": conv}


def test_profile_sums_to_the_firmware_count(board, tmp_path):
    with Device.open(board.url) as device:
        for name, data in _models(tmp_path).items():
            profile = profiler.profile_model(data, name=name, runs=1, seed=4)
            assert profile.ops and all(op.instructions > 0 for op in profile.ops), name

            model = tmp_path / f"{name}.tflite"
            model.write_bytes(data)
            package = tmp_path / f"{name}.rmod"
            packer.pack(model, DEV_KEY, package, target="cortex-m4")
            device.install(package.read_bytes())
            descs = [{"dtype": t["dtype"], "shape": t["shape"]} for t in device.model_info()["inputs"]]
            _outputs, count = device.run(random_inputs(descs, 1, seed=4)[0])
            slack = len(profile.ops) * (HOOK + TICK) + 2 * TICK
            assert abs(profile.total - count) <= slack, (name, profile.total, count)
            device.erase(name)


def test_a_build_computing_something_else_is_refused(monkeypatch):
    data = shared_model("hello_world_int8.tflite").read_bytes()
    real_parse = profiler._parse

    def corrupted(lines, runs, output_count):
        counts, outputs = real_parse(lines, runs, output_count)
        key = next(iter(outputs))
        outputs[key] = bytes((b ^ 1) for b in outputs[key])
        return counts, outputs

    monkeypatch.setattr(profiler, "_parse", corrupted)
    with pytest.raises(RelomodelError, match="differs from TFLite Micro"):
        profiler.profile_model(data, runs=1)


def test_profile_of_a_stateful_model_carries_state_over_runs():
    # keyword_scrambled (seven SVDF layers): three runs, each checked against one reference interpreter
    data = shared_model("keyword_scrambled_8bit.tflite").read_bytes()
    profile = profiler.profile_model(data, runs=3, seed=1)
    assert len(profile.runs) == 3 and np.all(np.array(profile.runs) > 0)
    assert [op.op for op in profile.ops].count("SVDF") == 7
