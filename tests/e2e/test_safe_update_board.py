"""Updates that cannot brick the device, end to end on the emulated board (issue 5).

One QEMU for the module, on a fresh flash file; the tests run in order and each leaves a
known model installed for the next:
  demo 1.0.0 confirmed by its self-test -> a package whose golden vectors disagree is reverted
  -> a model that hangs in its trial is reverted by the reset -> downgrades and the security
  counter -> a push cut mid-transfer resumes where the device's journal says (a second named
  model, big_mlp) -> the two models side by side: list, run each, activate, rollback, erase.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from relomodel import keys, packer, reference
from relomodel.board.qemu import QemuBoard
from relomodel.errors import DeviceError, RelomodelError, TransportError
from relomodel.format import package as pkgformat
from relomodel.format import spec
from relomodel.modelgen.mlp import big_mlp, demo_model
from relomodel.transport.device import Device
from tests.conftest import DEV_KEY, toolchain_available

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)"),
]

# A model that never returns from relo_model_run: its trial can only end with a reset.
SPIN_C = """
#include <stdint.h>
int32_t relo_model_init(uint8_t *arena) { (void)arena; return 0; }
int32_t relo_model_run(uint8_t *arena)
{
    (void)arena;
    for (;;) {
        __asm__ volatile("");
    }
}
"""
SPIN_JSON = """{
  "inputs": [{"name": "in", "dtype": "INT8", "shape": [1, 4], "arena_offset": 0}],
  "outputs": [{"name": "out", "dtype": "INT8", "shape": [1, 4], "arena_offset": 4}],
  "arena_size": 8, "arena_align": 8
}"""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("safe_update")


@pytest.fixture(scope="module")
def board(workdir):
    with QemuBoard(board="qemu-m4", flash=workdir / "flash.img") as emulated:
        yield emulated


@pytest.fixture(scope="module")
def demo_path(workdir) -> Path:
    path = workdir / "demo.tflite"
    path.write_bytes(demo_model())
    return path


def _pack(source: Path, workdir: Path, version: str, **options) -> bytes:
    out = workdir / f"{source.stem}-{version}-{len(options)}.rmod"
    packer.pack(source, DEV_KEY, out, target="cortex-m4", version=version, **options)
    return out.read_bytes()


def _with_vectors(data: bytes, vectors) -> bytes:
    """The same package with other golden vectors, signed again with the (trusted) dev key:
    what a buggy compiler, not an attacker, could produce."""
    parsed = pkgformat.parse_package(data)
    derived = ("input_count", "output_count", "tensor_desc_size")
    manifest = {k: v for k, v in parsed.manifest.items() if k not in derived}
    tensors = [pkgformat.tensor_desc_values(t["name"], t["dtype"], t["dims"], t["scale"], t["zero_point"],
                                            t["arena_offset"], t["size_bytes"]) for t in parsed.tensors]
    count = parsed.manifest["input_count"]
    segments = [pkgformat.Segment(s.kind, s.data) for s in parsed.segments if s.kind != spec.SEGMENT.TEST_VECTORS]
    segments.append(pkgformat.Segment(spec.SEGMENT.TEST_VECTORS, pkgformat.encode_test_vectors(vectors)))
    return pkgformat.build_package(manifest, tensors[:count], tensors[count:], segments,
                                   keys.load_private_key(DEV_KEY), flags=parsed.header["flags"] | spec.PACKAGE_FLAG_TEST_VECTORS)


def _assert_runs_like_reference(device: Device, model_bytes: bytes) -> None:
    rng = np.random.default_rng(3)
    (detail,) = reference.input_details(model_bytes)
    inputs = [rng.uniform(-1, 1, detail["shape"]).astype(detail["dtype"])]
    outputs, _ = device.run(inputs)
    for got, want in zip(outputs, reference.run_reference(model_bytes, inputs)):
        np.testing.assert_array_equal(got, want)


def test_new_model_is_confirmed_by_its_own_test_vectors(board, workdir, demo_path):
    package = _pack(demo_path, workdir, "1.0.0")
    assert len(pkgformat.parse_package(package).test_vectors) == 2
    with Device.open(board.url) as device:
        device.install(package)
        hello = device.hello()
        assert hello["last_event"] == spec.EVENT.CONFIRMED and hello["event_detail"] == 2
        _assert_runs_like_reference(device, demo_path.read_bytes())


def test_vectors_that_disagree_revert_to_the_previous_model_with_the_reason(board, workdir, demo_path):
    good = _pack(demo_path, workdir, "1.1.0")
    vectors = pkgformat.parse_package(good).test_vectors
    inputs, outputs = vectors[1]
    wrong = bytes([outputs[0][0] ^ 0x01]) + outputs[0][1:]
    package = _with_vectors(good, [vectors[0], (inputs, [wrong, *outputs[1:]])])
    with Device.open(board.url) as device:
        before = device.model_info()
        with pytest.raises(DeviceError) as failure:
            device.install(package)
        assert failure.value.status == spec.STATUS.SELF_TEST_FAILED and failure.value.detail == 1
        assert "test vector 1; the previous model was restored" in str(failure.value)
        hello = device.hello()
        assert hello["last_event"] == spec.EVENT.SELF_TEST_FAILED and hello["event_detail"] == 1
        after = device.model_info()
        assert (after["version"], after["slot"]) == ("1.0.0", before["slot"])
        _assert_runs_like_reference(device, demo_path.read_bytes())


def test_reset_before_confirmation_reverts(board, workdir, demo_path):
    (workdir / "spin.c").write_text(SPIN_C)
    (workdir / "spin.json").write_text(SPIN_JSON)
    spin = _pack(workdir / "spin.c", workdir, "9.0.0")
    package = _with_vectors(spin, [([bytes(4)], [bytes(4)])])
    with Device.open(board.url, slow_timeout=3.0, retries=0) as device:
        with pytest.raises(TransportError):
            device.install(package)  # INSTALL_END never answers: the trial spins
    board.kill9()  # the watchdog's job on real hardware
    board.start()
    with Device.open(board.url) as device:
        hello = device.hello()
        assert hello["last_event"] == spec.EVENT.TRIAL_INTERRUPTED
        assert device.model_info()["version"] == "1.0.0"
        _assert_runs_like_reference(device, demo_path.read_bytes())


def test_versions_only_go_forward_unless_the_package_allows_it(board, workdir, demo_path):
    older = _pack(demo_path, workdir, "0.9.0")
    with Device.open(board.url) as device:
        with pytest.raises(DeviceError) as refused:
            device.install(older)
        assert refused.value.status == spec.STATUS.DOWNGRADE
        assert "package 0.9.0 < installed 1.0.0" in str(refused.value)
        assert device.model_info()["version"] == "1.0.0"
        device.install(_pack(demo_path, workdir, "0.9.0", allow_downgrade=True))
        assert device.model_info()["version"] == "0.9.0"


def test_security_counter_never_goes_back(board, workdir, demo_path):
    with Device.open(board.url) as device:
        device.install(_pack(demo_path, workdir, "1.2.0", security_counter=5))
        assert device.hello()["security_counter"] == 5
        lower = _pack(demo_path, workdir, "1.3.0", security_counter=3, allow_downgrade=True)
        for precheck in (True, False):  # the host predicts it; the device enforces it anyway
            with pytest.raises(DeviceError) as refused:
                device.install(lower, precheck=precheck)
            assert refused.value.status == spec.STATUS.SECURITY_COUNTER
            assert "device requires at least 5" in str(refused.value)
        assert device.model_info()["version"] == "1.2.0"


class _CablePulled(Exception):
    pass


def test_push_cut_mid_transfer_resumes_from_the_last_checkpoint(board, workdir):
    model = workdir / "big_mlp.tflite"
    model.write_bytes(big_mlp())
    package = _pack(model, workdir, "2.0.0", security_counter=5)
    cut_at = 200_000  # past the first 128 KiB sector: at least one checkpoint
    assert len(package) > cut_at

    def pull_the_cable(done: int, total: int) -> None:
        if done >= cut_at:
            raise _CablePulled()

    with Device.open(board.url) as device:
        with pytest.raises(_CablePulled):
            device.install(package, progress=pull_the_cable)
    with Device.open(board.url) as device:
        installed = device.install(package)
        sector = device.hello()["flash_sector_size"]
        assert device.resumed_from >= cut_at - sector and device.resumed_from % sector == 0
        assert device.hello()["last_event"] == spec.EVENT.CONFIRMED
        assert (installed["name"], installed["version"]) == ("big_mlp", "2.0.0")
        device.select("big_mlp")
        _assert_runs_like_reference(device, model.read_bytes())


def test_two_named_models_side_by_side(board, workdir, demo_path):
    mlp = (workdir / "big_mlp.tflite").read_bytes()
    with Device.open(board.url) as device:
        listing = device.list_models()
        active = {m["name"]: m for m in listing["models"] if m["role"] == "active"}
        assert set(active) == {"demo", "big_mlp"}
        assert active["big_mlp"]["default"] and active["demo"]["version"] == "1.2.0"  # pushed last: default
        backup = [m for m in listing["models"] if m["role"] == "backup"]
        assert [(m["name"], m["version"]) for m in backup] == [("demo", "0.9.0")]
        for name, model_bytes in [("demo", demo_path.read_bytes()), ("big_mlp", mlp), ("demo", demo_path.read_bytes())]:
            device.select(name)  # each switch loads the other model from its slot
            assert device.model_info()["name"] == name
            _assert_runs_like_reference(device, model_bytes)
        device.activate("demo")
        device.select(None)
        assert device.model_info()["name"] == "demo"
        assert device.hello()["active_slot"] == active["demo"]["slot"]
        device.rollback("demo")
        assert device.model_info()["version"] == "0.9.0"
        _assert_runs_like_reference(device, demo_path.read_bytes())
    board.restart()  # all of it is in the journal
    with Device.open(board.url) as device:
        assert (device.model_info()["name"], device.model_info()["version"]) == ("demo", "0.9.0")
        device.erase("big_mlp")
        assert {m["name"] for m in device.list_models()["models"]} == {"demo"}
        with pytest.raises(RelomodelError, match="no model named 'big_mlp'"):
            device.select("big_mlp")
        device.erase("demo")
        assert device.list_models()["models"] == []
        with pytest.raises(DeviceError) as none:
            device.model_info()
        assert none.value.status == spec.STATUS.NO_MODEL
