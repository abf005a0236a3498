"""Power cuts at every flash operation of an update, on relo_sim (the real firmware core on
the host, file-backed NOR flash, real Python transport over TCP).

Count the erase/program operations of a complete update, then replay it cutting the power
at every k (cleanly, and torn part-way), reboot on the same flash: the device must report
the old or the new verified package (never neither, never another), and a repeated push
must complete. Also on a blank device, and with two cuts in a row.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from relomodel.errors import DeviceError, RelomodelError
from relomodel.format import spec
from tests.reliability.conftest import signed_sha256
from tests.reliability.simdevice import EXIT_POWER_CUT, SIM_BINARY, SimDevice, open_device

NO_MODEL = "no model"


def active_model(flash: Path) -> str:
    """Boots the device on `flash` and returns the signed SHA-256 it reports, or NO_MODEL."""
    with SimDevice(flash) as sim, open_device(sim) as device:
        try:
            return device.model_info()["signed_sha256"]
        except DeviceError as exc:
            assert exc.status == spec.STATUS.NO_MODEL, exc
            return NO_MODEL


def push(flash: Path, package: bytes) -> tuple[str, int]:
    """Boots, installs `package` to completion; returns (active sha, flash operations)."""
    sim = SimDevice(flash).start()
    try:
        with open_device(sim) as device:
            sha = device.install(package)["signed_sha256"]
    finally:
        operations = sim.stop()
    return sha, operations


def push_with_cut(flash: Path, package: bytes, cut_after: int, torn: bool) -> None:
    """Pushes `package` to a device that loses power after `cut_after` flash operations."""
    sim = SimDevice(flash, cut_after=cut_after, torn=torn).start()
    try:
        with open_device(sim, timeout=0.5, data_timeout=0.5, slow_timeout=2.0, retries=0) as device:
            with pytest.raises(RelomodelError):
                device.install(package)
        assert sim.wait_exit() == EXIT_POWER_CUT, sim.stderr
    finally:
        sim.stop()


@pytest.fixture(scope="module")
def flashes(tmp_path_factory, relo_sim, old_and_new_sim):
    """Flash images: blank, and with the old package installed; plus the update's op count."""
    root = tmp_path_factory.mktemp("powercut")
    old, new = old_and_new_sim
    blank = root / "blank.img"
    with_old = root / "old.img"
    assert push(with_old, old)[0] == signed_sha256(old)
    shutil.copy(with_old, root / "count.img")
    sha, operations = push(root / "count.img", new)
    assert sha == signed_sha256(new) and operations > 0
    print(f"\nan update (old -> new, {len(new)} bytes) takes {operations} flash operations")
    return {"root": root, "blank": blank, "old": with_old, "update_operations": operations}


def replay_cut(flashes, base: str, k: int, torn: bool, package: bytes) -> Path:
    flash = flashes["root"] / f"cut-{base}-{k}-{int(torn)}.img"
    if flashes[base].exists():
        shutil.copy(flashes[base], flash)
    push_with_cut(flash, package, k, torn)
    return flash


@pytest.mark.parametrize("torn", [False, True], ids=["clean", "torn"])
def test_cut_at_every_operation_of_an_update(flashes, old_and_new_sim, torn):
    old, new = old_and_new_sim
    outcomes = []
    for k in range(flashes["update_operations"]):
        flash = replay_cut(flashes, "old", k, torn, new)
        active = active_model(flash)
        assert active in (signed_sha256(old), signed_sha256(new)), f"cut after {k} operations: active {active}"
        outcomes.append(active == signed_sha256(new))
        assert push(flash, new)[0] == signed_sha256(new), f"re-push after a cut at {k}"
        assert active_model(flash) == signed_sha256(new)
        flash.unlink()
    assert not outcomes[0], "a cut at the very first operation cannot have activated the update"


@pytest.mark.parametrize("torn", [False, True], ids=["clean", "torn"])
def test_cut_at_every_operation_of_a_first_install(flashes, old_and_new_sim, torn):
    _old, new = old_and_new_sim
    count_flash = flashes["root"] / "first-count.img"
    operations = push(count_flash, new)[1]
    for k in range(operations):
        flash = replay_cut(flashes, "blank", k, torn, new)
        assert active_model(flash) in (NO_MODEL, signed_sha256(new)), f"cut after {k} operations"
        assert push(flash, new)[0] == signed_sha256(new)
        flash.unlink()


def test_two_cuts_in_a_row(flashes, old_and_new_sim):
    """A cut during the update, then another during the re-push, then a clean boot."""
    old, new = old_and_new_sim
    n = flashes["update_operations"]
    for k1 in range(n):
        k2 = (3 * k1 + 1) % n
        flash = replay_cut(flashes, "old", k1, k1 % 2 == 1, new)
        push_with_cut(flash, new, k2, k1 % 2 == 0)
        assert active_model(flash) in (signed_sha256(old), signed_sha256(new)), f"cuts after {k1} then {k2}"
        assert push(flash, new)[0] == signed_sha256(new)
        flash.unlink()


def test_relo_sim_refuses_a_flash_file_of_the_wrong_size(relo_sim, tmp_path):
    flash = tmp_path / "short.img"
    flash.write_bytes(b"\xff" * 4096)
    result = subprocess.run([str(SIM_BINARY), "--flash", str(flash)], capture_output=True, text=True, timeout=10)
    assert result.returncode == 1 and "must be empty or exactly 16777216 bytes" in result.stderr
