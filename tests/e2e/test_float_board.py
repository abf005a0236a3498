"""A float32 CNN packed, pushed and run on the emulated Cortex-M4F: the device computes
exactly what the host build computes (its install self-test checks that too), and agrees with
TFLite Micro within the documented tolerance (docs/float-models.md)."""

from __future__ import annotations

import numpy as np
import pytest

from relomodel import packer, reference
from relomodel.board.qemu import QemuBoard
from relomodel.compiler import compile_model
from relomodel.compiler.hostrun import HostModel
from relomodel.compiler.ops.float32.tolerance import assert_within_tolerance
from relomodel.format.package import describe, parse_package
from relomodel.modelgen.float_models import float_cnn
from relomodel.targets import get_target
from relomodel.transport.device import Device
from tests.conftest import DEV_KEY, toolchain_available

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)"),
]


def test_float_cnn_on_device(tmp_path):
    model_bytes = float_cnn(seed=5)
    source = tmp_path / "float_cnn.tflite"
    source.write_bytes(model_bytes)
    package = tmp_path / "float_cnn.rmod"
    packer.pack(source, DEV_KEY, package, target="cortex-m4", version="1.0.0")
    described = describe(parse_package(package.read_bytes()))
    for tensor in described["inputs"] + described["outputs"]:  # float I/O: no quantization
        assert (tensor["dtype"], tensor["scale"], tensor["zero_point"]) == ("float32", 0.0, 0)

    host = HostModel(compile_model(model_bytes, name="float_cnn", target=get_target("cortex-m4")))
    rng = np.random.default_rng(11)
    images = [rng.uniform(-3.0, 3.0, (1, 12, 12, 3)).astype(np.float32) for _ in range(3)]
    with QemuBoard(board="qemu-m4", flash=tmp_path / "flash.img") as board, Device.open(board.url) as device:
        device.install(package.read_bytes())  # runs the golden vectors: bit-exact or refused
        for image in images:
            outputs, _ = device.run([image])
            np.testing.assert_array_equal(outputs[0], host.run([image])[0])
            assert_within_tolerance(outputs[0], reference.run_reference(model_bytes, [image])[0])
            assert abs(float(outputs[0].sum()) - 1.0) < 1e-5  # softmax probabilities
