"""End to end on the emulated board: real cross-compiler, real QEMU, real UART bytes through
pyserial, real signatures. One QEMU per module; its flash file persists across restarts.

Order matters and is explicit: hello_world is installed first, then the big MLP over it, then
QEMU is restarted on the same flash, then hostile packages are refused while the MLP keeps running.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from relomodel import packer, reference
from relomodel.board.qemu import QemuBoard
from relomodel.errors import DeviceError
from relomodel.format import package as pkgformat
from relomodel.format import spec
from relomodel.keys import generate_key
from relomodel.modelgen.mlp import big_mlp, demo_model
from relomodel.transport.device import Device
from tests.conftest import DEV_KEY, shared_model, toolchain_available

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)"),
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def board(workdir):
    with QemuBoard(board="qemu-m4", flash=workdir / "flash.img") as emulated:
        yield emulated


@pytest.fixture(scope="module")
def hello_package(workdir) -> tuple[bytes, Path]:
    model = shared_model("hello_world_int8.tflite")
    out = workdir / "hello.rmod"
    packer.pack(model, DEV_KEY, out, target="cortex-m4", version="1.0.0")
    return model.read_bytes(), out


@pytest.fixture(scope="module")
def mlp_package(workdir) -> tuple[bytes, Path]:
    model_bytes = big_mlp()
    model = workdir / "big_mlp.tflite"
    model.write_bytes(model_bytes)
    out = workdir / "big_mlp.rmod"
    packer.pack(model, DEV_KEY, out, target="cortex-m4", version="1.1.0")
    return model_bytes, out


@pytest.fixture(scope="module")
def demo_path(workdir) -> Path:
    """A small model of our own, so the rejection tests never depend on ../shared."""
    path = workdir / "demo.tflite"
    path.write_bytes(demo_model())
    return path


@pytest.fixture(scope="module")
def demo_package(workdir, demo_path) -> Path:
    out = workdir / "demo.rmod"
    packer.pack(demo_path, DEV_KEY, out, target="cortex-m4", version="2.0.0")
    return out


def _model_info_or_none(device: Device) -> dict | None:
    try:
        return device.model_info()
    except DeviceError as exc:
        assert exc.status == spec.STATUS.NO_MODEL
        return None


def _mlp_inputs(model_bytes: bytes, count: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(7)
    (detail,) = reference.input_details(model_bytes)
    runs = []
    for _ in range(count):
        if np.issubdtype(detail["dtype"], np.floating):
            runs.append([rng.uniform(-1, 1, detail["shape"]).astype(detail["dtype"])])
        else:
            runs.append([rng.integers(-128, 128, detail["shape"]).astype(detail["dtype"])])
    return runs


def _assert_runs_like_reference(device: Device, model_bytes: bytes, runs) -> None:
    for inputs in runs:
        outputs, count = device.run(inputs)
        expected = reference.run_reference(model_bytes, inputs)
        for got, want in zip(outputs, expected):
            np.testing.assert_array_equal(got, want)
        assert count > 0


def test_hello_world_all_256_inputs_bit_exact(board, hello_package):
    model_bytes, package = hello_package
    with Device.open(board.url) as device:
        device.install(package.read_bytes())
        assert device.model_info()["name"] == "hello_world_int8"
        runs = [[np.array([[value]], dtype=np.int8)] for value in range(-128, 128)]
        _assert_runs_like_reference(device, model_bytes, runs)


def test_big_mlp_replaces_the_running_model_without_restart(board, mlp_package):
    """Runs after the hello_world test (module order): the MLP goes into the other slot."""
    model_bytes, package = mlp_package
    assert len(package.read_bytes()) > 200_000
    with Device.open(board.url) as device:
        before = _model_info_or_none(device)
        device.install(package.read_bytes())
        after = device.model_info()
        if before is not None:
            assert after["slot"] != before["slot"]
        assert after["version"] == "1.1.0"
        _assert_runs_like_reference(device, model_bytes, _mlp_inputs(model_bytes, 20))


def test_installed_model_survives_qemu_restart(board, mlp_package):
    model_bytes, _ = mlp_package
    runs = _mlp_inputs(model_bytes, 5)
    with Device.open(board.url) as device:
        before = [device.run(inputs)[0] for inputs in runs]
    board.restart()
    with Device.open(board.url) as device:
        assert device.model_info()["version"] == "1.1.0"
        after = [device.run(inputs)[0] for inputs in runs]
        _assert_runs_like_reference(device, model_bytes, runs)
    for b, a in zip(before, after):
        for x, y in zip(b, a):
            np.testing.assert_array_equal(x, y)


def _refused(board, package_bytes: bytes) -> DeviceError:
    with Device.open(board.url) as device:
        with pytest.raises(DeviceError) as info:
            device.install(package_bytes)
        return info.value


def _still_runs_mlp(board, mlp_package) -> None:
    model_bytes, _ = mlp_package
    with Device.open(board.url) as device:
        assert device.model_info()["version"] == "1.1.0"
        _assert_runs_like_reference(device, model_bytes, _mlp_inputs(model_bytes, 3))


def test_package_signed_with_another_key_is_refused(board, workdir, demo_path, mlp_package):
    other_key = workdir / "other.pem"
    generate_key(other_key)
    out = workdir / "other_key.rmod"
    packer.pack(demo_path, other_key, out, version="2.0.0")
    error = _refused(board, out.read_bytes())
    assert error.status == spec.STATUS.UNKNOWN_KEY
    assert "key" in str(error)
    _still_runs_mlp(board, mlp_package)


def test_package_with_forged_key_id_is_refused(board, workdir, demo_path, demo_package, mlp_package):
    """Signed by another key but claiming the trusted key's id: the signature itself must fail."""
    other_key = workdir / "forger.pem"
    generate_key(other_key)
    out = workdir / "forged.rmod"
    packer.pack(demo_path, other_key, out, version="2.0.0")
    forged = bytearray(out.read_bytes())
    genuine = pkgformat.parse_package(demo_package.read_bytes())
    forged_pkg = pkgformat.parse_package(bytes(forged))
    offset = forged_pkg.header["signature_offset"] + spec.SIGNATURE_BLOCK.offsets["key_id"]
    forged[offset : offset + spec.KEY_ID_LENGTH] = genuine.key_id
    error = _refused(board, bytes(forged))
    assert error.status == spec.STATUS.BAD_SIGNATURE
    _still_runs_mlp(board, mlp_package)


def test_flipped_byte_in_code_segment_is_refused(board, demo_package, mlp_package):
    data = bytearray(demo_package.read_bytes())
    parsed = pkgformat.parse_package(bytes(data))
    code = next(s for s in parsed.segments if s.kind == spec.SEGMENT.CODE)
    data[code.offset + len(code.data) // 2] ^= 0x01
    error = _refused(board, bytes(data))
    assert error.status == spec.STATUS.DIGEST_MISMATCH
    assert "code" in str(error)
    _still_runs_mlp(board, mlp_package)


def test_package_for_another_cpu_is_refused(board, workdir, demo_path, mlp_package):
    out = workdir / "m7.rmod"
    packer.pack(demo_path, DEV_KEY, out, target="cortex-m7", version="2.0.0")
    error = _refused(board, out.read_bytes())
    assert error.status == spec.STATUS.WRONG_CPU
    assert "Cortex-M7" in str(error) and "Cortex-M4" in str(error)
    _still_runs_mlp(board, mlp_package)
