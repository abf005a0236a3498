"""Exhaustive corruption of a small package on relo_sim: every single-byte flip and every
truncation is refused by the device itself (requests sent raw, no host-side checks), and
the installed model stays active. The emulated-board sample is in test_kill9_qemu.py."""

from __future__ import annotations

import collections

import pytest

from relomodel.format import spec
from tests.reliability.conftest import head_size, padding_offsets, signed_sha256
from tests.reliability.rawpush import flipped, push_raw
from tests.reliability.simdevice import SimDevice, open_device


@pytest.fixture(scope="module")
def device_with_old(tmp_path_factory, relo_sim, old_and_new_sim):
    old, _new = old_and_new_sim
    with SimDevice(tmp_path_factory.mktemp("corrupt") / "flash.img") as sim, open_device(sim) as device:
        device.install(old)
        yield device


def refuse_all(device, variants, head: int, expected_active: str) -> collections.Counter:
    statuses = collections.Counter()
    for what, variant in variants:
        status = push_raw(device, variant, min(head, len(variant)))
        assert status is not None, f"{what}: the device accepted a corrupt package"
        statuses[spec.STATUS.name_of(status)] += 1
        assert device.model_info()["signed_sha256"] == expected_active, f"{what}: the active model changed"
    return statuses


def test_every_byte_flip_is_refused(device_with_old, old_and_new_sim):
    old, new = old_and_new_sim
    offsets = sorted(set(range(len(new))) - padding_offsets(new))
    statuses = refuse_all(device_with_old, flipped(new, offsets), head_size(new), signed_sha256(old))
    print(f"\n{len(offsets)} flips refused: {dict(statuses)}")


def test_every_truncation_is_refused(device_with_old, old_and_new_sim):
    old, new = old_and_new_sim
    cuts = ((f"truncated to {n} bytes", new[:n]) for n in range(1, len(new)))
    statuses = refuse_all(device_with_old, cuts, head_size(new), signed_sha256(old))
    print(f"\n{len(new) - 1} truncations refused: {dict(statuses)}")


def test_padding_byte_flips_are_refused(device_with_old, old_and_new_sim):
    old, new = old_and_new_sim
    padding = sorted(padding_offsets(new))
    assert padding, "the test package has no padding: this test needs one that has"
    refuse_all(device_with_old, flipped(new, padding), head_size(new), signed_sha256(old))


def test_the_intact_package_still_installs(device_with_old, old_and_new_sim):
    """Last in this module: after thousands of refusals the device takes the real update."""
    _old, new = old_and_new_sim
    assert device_with_old.install(new)["signed_sha256"] == signed_sha256(new)
