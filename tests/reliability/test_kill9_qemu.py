"""kill -9 of the emulated board at random moments during pushes, restarted on the same
flash file: it always boots into a verified model (the old or the new one) that runs
bit-exactly, and the re-push completes (resumed or not, which is recorded).

Default: 30 kills (RELO_KILL9_COUNT overrides); RELO_LONG=1 adds a 200-kill run (slow).
RELO_KILL9_SEED picks the random moments (printed, so a failure can be replayed).
Also here: a sample of the exhaustive corruption (test_corruption_sim.py) on the board."""

from __future__ import annotations

import os
import random
import threading
import time

import pytest

from relomodel.board.qemu import QemuBoard
from relomodel.errors import RelomodelError
from relomodel.transport.device import Device
from tests.conftest import toolchain_available
from tests.reliability.boardrun import assert_runs_bit_exact, install_recording_resume
from tests.reliability.conftest import head_size, padding_offsets, signed_sha256
from tests.reliability.rawpush import flipped, push_raw

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)"),
]

KILLS = int(os.environ.get("RELO_KILL9_COUNT", "30"))
SEED = int(os.environ.get("RELO_KILL9_SEED", "20261121"))


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with QemuBoard(board="qemu-m4", flash=tmp_path_factory.mktemp("kill9") / "flash.img") as emulated:
        yield emulated


def push_in_background(url: str, package: bytes) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def push() -> None:
        try:
            with Device.open(url) as device:
                device.install(package)
            outcome["completed"] = True
        except RelomodelError as exc:  # the board died under us: expected
            outcome["error"] = str(exc)

    thread = threading.Thread(target=push, daemon=True)
    thread.start()
    return thread, outcome


def kill_during_pushes(board: QemuBoard, packages: dict[str, bytes], model_bytes: bytes, kills: int, seed: int,
                       window: tuple[float, float] = (0.0, 1.2)):
    """Kills at a random moment within `window` (fractions of one push's duration).
    Returns counts: completed before the kill, resumed re-pushes, which model booted."""
    rng = random.Random(seed)
    names = list(packages)
    with Device.open(board.url) as device:
        device.install(packages[names[0]])
        start = time.monotonic()
        device.install(packages[names[1]])
        push_seconds = time.monotonic() - start
    active = names[1]
    stats = {"kills": 0, "push_completed_before_kill": 0, "resumed": 0, "booted_old": 0, "booted_new": 0}
    shas = {name: signed_sha256(package) for name, package in packages.items()}
    for kill in range(kills):
        target = names[0] if active == names[1] else names[1]
        thread, outcome = push_in_background(board.url, packages[target])
        time.sleep(rng.uniform(push_seconds * window[0], push_seconds * window[1]))
        board.kill9()
        stats["kills"] += 1
        thread.join(30)
        assert not thread.is_alive(), "the push did not notice the board died"
        stats["push_completed_before_kill"] += bool(outcome.get("completed"))
        board.start()  # same flash file
        with Device.open(board.url) as device:
            booted = device.model_info()["signed_sha256"]
            assert booted in (shas[active], shas[target]), f"kill {kill} (seed {seed}): booted {booted}"
            stats["booted_new" if booted == shas[target] else "booted_old"] += 1
            assert_runs_bit_exact(device, model_bytes, seed=kill)
            stats["resumed"] += install_recording_resume(device, packages[target], head_size(packages[target]))
            assert device.model_info()["signed_sha256"] == shas[target]
            assert_runs_bit_exact(device, model_bytes, seed=kill + 1)
        active = target
    return stats


def test_kill9_during_pushes(board, old_and_new, demo_tflite):
    old, new = old_and_new
    stats = kill_during_pushes(board, {"old": old, "new": new}, demo_tflite.read_bytes(), KILLS, SEED)
    print(f"\nkill -9 during pushes (seed {SEED}): {stats}")
    assert stats["kills"] == KILLS


def test_kill9_late_in_large_pushes_resumes(board, big_old_and_new, big_tflite):
    """Killed after the first flash sector of a ~2-sector package was checkpointed: the
    restarted board resumes the transfer instead of starting from zero."""
    old, new = big_old_and_new
    assert len(new) > 2 * 128 * 1024 * 0.9
    stats = kill_during_pushes(board, {"old": old, "new": new}, big_tflite.read_bytes(), 3, SEED + 2,
                               window=(0.7, 0.9))
    print(f"\nkill -9 late in large pushes (seed {SEED + 2}): {stats}")
    assert stats["resumed"] == stats["kills"] - stats["push_completed_before_kill"] > 0


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("RELO_LONG") != "1", reason="long run (~7 min): RELO_LONG=1 pytest -m slow tests/reliability")
def test_kill9_during_pushes_long(board, old_and_new, demo_tflite):
    old, new = old_and_new
    stats = kill_during_pushes(board, {"old": old, "new": new}, demo_tflite.read_bytes(), 200, SEED + 1)
    print(f"\nkill -9 during pushes, long run (seed {SEED + 1}): {stats}")


def test_corruption_sample_on_the_board(board, old_and_new, demo_tflite):
    """A sample of flips (head, each segment) and truncations: refused, active model runs."""
    old, new = old_and_new
    rng = random.Random(SEED)
    with Device.open(board.url) as device:
        device.install(old)
        head = head_size(new)
        candidates = sorted(set(range(len(new))) - padding_offsets(new))
        flips = rng.sample(candidates, 12)
        variants = flipped(new, flips)
        variants += [(f"truncated to {n}", new[:n]) for n in rng.sample(range(1, len(new)), 6)]
        for what, variant in variants:
            assert push_raw(device, variant, min(head, len(variant))) is not None, f"{what} was accepted"
            assert device.model_info()["signed_sha256"] == signed_sha256(old), what
        assert_runs_bit_exact(device, demo_tflite.read_bytes(), seed=99)
