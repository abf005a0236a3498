"""A lossy link between the host and the emulated board (tests/tools/lossy_proxy.py:
corrupted, dropped and delayed bytes, seeded and bounded): the push still completes, the
installed image is identical to the package (MODEL_INFO's signed-region SHA-256, and the
package found verbatim in the board's flash file), and the model runs bit-exactly."""

from __future__ import annotations

import pytest

from relomodel.board.qemu import QemuBoard
from relomodel.transport.device import Device
from tests.conftest import toolchain_available
from tests.reliability.boardrun import assert_runs_bit_exact
from tests.reliability.conftest import signed_sha256
from tests.tools.lossy_proxy import Faults, LossyProxy

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)"),
]

# Short timeouts so a dropped frame costs half a second, not the default two to sixty.
TIMEOUTS = {"timeout": 0.5, "data_timeout": 1.0, "slow_timeout": 5.0}


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with QemuBoard(board="qemu-m4", flash=tmp_path_factory.mktemp("lossy") / "flash.img") as emulated:
        yield emulated


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_push_and_run_through_a_lossy_link(board, old_and_new, demo_tflite, seed):
    faults = Faults()
    with LossyProxy(board.port, seed=seed, faults=faults) as proxy:
        with Device.open(proxy.url, **TIMEOUTS) as device:
            for package in old_and_new:  # two real updates: each replaces the other
                info = device.install(package)
                assert info["signed_sha256"] == signed_sha256(package)
                assert package in board.flash.read_bytes(), "the installed image differs from the package"
                for run in range(5):
                    assert_runs_bit_exact(device, demo_tflite.read_bytes(), seed=100 * seed + run)
    counts = faults.counts
    print(f"\nlossy link seed {seed}: {counts}")
    assert counts["corrupted"] + counts["dropped"] > 0, "the proxy injected nothing: the test proves nothing"
