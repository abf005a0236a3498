"""The emulated board port (host_firmware/port/qemu_mps2) and the bootloader, on real QEMU.

The board self-test firmware (make APP=selftest) exposes each driver over UART0 with a tiny
command set (documented at the top of port/qemu_mps2/selftest.c); these tests drive it
through the real boot path: bootloader checks the stamped image, jumps, firmware runs.
"""

from __future__ import annotations

import random
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import serial

from relomodel.board.firmware import FirmwarePaths
from relomodel.board.qemu import FLASH_SIZE, QemuBoard, create_flash, free_port, qemu_command
from relomodel.format import spec
from tests.conftest import REPO, toolchain_available

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm"),
]

BOARDS = ("qemu-m4", "qemu-m7")
SECTOR = 128 * 1024
UNIT = 32
TIMEOUT = 10.0
INSTRUCTIONS_PER_TICK = 40


def _make(directory: str, board: str, *extra: str) -> None:
    command = ["make", "-C", str(REPO / directory), f"BOARD={board}", f"PYTHON={sys.executable}", *extra]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module", params=BOARDS)
def selftest_paths(request) -> tuple[str, FirmwarePaths]:
    board = request.param
    _make("bootloader", board)
    _make("host_firmware", board, "APP=selftest")
    return board, FirmwarePaths(
        firmware=REPO / "host_firmware" / "build" / f"{board}-selftest" / "firmware.elf",
        bootloader=REPO / "bootloader" / "build" / board / "bootloader.elf",
    )


class SelfTest:
    """Client of the self-test firmware's command set."""

    def __init__(self, url: str):
        self.port = serial.serial_for_url(url, timeout=TIMEOUT)

    def close(self) -> None:
        self.port.close()

    def read_exact(self, count: int) -> bytes:
        data = self.port.read(count)
        assert len(data) == count, f"expected {count} bytes from the board, got {len(data)}: {data[:64]!r}"
        return data

    def command(self, request: bytes, reply_size: int) -> bytes:
        self.port.write(request)
        reply = self.read_exact(1 + reply_size)
        assert reply[0] == request[0] + 0x20, f"reply {reply[:1]!r} to command {request[:1]!r}"
        return reply[1:]

    def info(self) -> dict:
        raw = self.command(b"I", 16 + 11 * 4)
        fields = struct.unpack("<11I", raw[16:])
        keys = ("cpu", "fpu", "abi", "model_ram", "model_ram_size", "counter_unit",
                "xip_base", "flash_size", "sector_size", "write_size", "overruns")
        return {"name": raw[:16].rstrip(b"\0").decode(), **dict(zip(keys, fields))}

    def erase(self, offset: int) -> int:
        return struct.unpack("<i", self.command(b"X" + struct.pack("<I", offset), 4))[0]

    def program(self, offset: int, data: bytes) -> int:
        return struct.unpack("<i", self.command(b"W" + struct.pack("<II", offset, len(data)) + data, 4))[0]

    def read(self, offset: int, length: int) -> bytes | int:
        result = struct.unpack("<i", self.command(b"R" + struct.pack("<II", offset, length), 4))[0]
        return self.read_exact(length) if result == 0 else result

    def count(self, iterations: int) -> int:
        return struct.unpack("<Q", self.command(b"C" + struct.pack("<I", iterations), 8))[0]


@pytest.fixture(scope="module")
def flash_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("board") / "flash.img"


@pytest.fixture(scope="module")
def board(selftest_paths, flash_file):
    name, paths = selftest_paths
    with QemuBoard(board=name, flash=flash_file, firmware=paths) as emulated:
        client = SelfTest(emulated.url)
        try:
            yield name, client, emulated
        finally:
            client.close()


def test_boots_through_bootloader_and_reports_the_board(board):
    name, client, _ = board
    info = client.info()
    m7 = name == "qemu-m7"
    assert info["name"] == name
    assert info["cpu"] == (spec.CPU.CORTEX_M7 if m7 else spec.CPU.CORTEX_M4)
    assert info["fpu"] == (spec.FPU.FPV5_D16 if m7 else spec.FPU.FPV4_SP_D16)
    assert info["abi"] == spec.FLOAT_ABI.HARD
    assert (info["model_ram"], info["model_ram_size"]) == (0x20100000, 0x300000)
    assert info["counter_unit"] == spec.COUNTER_UNIT.INSTRUCTIONS
    assert info["xip_base"] == (0x60000000 if m7 else 0x21000000)
    assert (info["flash_size"], info["sector_size"], info["write_size"]) == (FLASH_SIZE, SECTOR, UNIT)


def test_model_ram_is_real_ram(board):
    _, client, _ = board
    (bad_words,) = struct.unpack("<I", client.command(b"A", 4))
    assert bad_words == 0


def test_flash_layout(board):
    _, client, _ = board
    assert struct.unpack("<5I", client.command(b"L", 20)) == (0, SECTOR, 0x40000, 0x140000, 0x100000)


def _echo(client: SelfTest, payload: bytes, prefix: bytes = b"") -> bytes:
    """Sends prefix + an echo command in one go while a thread collects the answer."""
    received = bytearray()

    def reader():
        while len(received) < len(payload) + 1:
            chunk = client.port.read(len(payload) + 1 - len(received))
            if not chunk:
                return
            received.extend(chunk)

    thread = threading.Thread(target=reader)
    thread.start()
    client.port.write(prefix + b"E" + struct.pack("<I", len(payload)) + payload)
    thread.join(60)
    assert not thread.is_alive(), "echo did not finish"
    assert bytes(received[-1:]) == b"e"
    return bytes(received[:-1])


def test_uart_echo_at_volume_loses_nothing(board):
    _, client, _ = board
    payload = random.Random(1).randbytes(64 * 1024)
    assert _echo(client, payload) == payload
    assert client.info()["overruns"] == 0


def test_uart_full_ring_pauses_reception_without_loss(board):
    """'S' makes the firmware stop reading until its 4 KiB ring is full; the echo command
    and 12 KiB behind it must still all arrive, in order."""
    _, client, _ = board
    payload = random.Random(2).randbytes(12 * 1024)
    received = bytearray()

    def reader():
        while len(received) < 1 + len(payload) + 1:
            chunk = client.port.read(1 + len(payload) + 1 - len(received))
            if not chunk:
                return
            received.extend(chunk)

    thread = threading.Thread(target=reader)
    thread.start()
    client.port.write(b"S" + b"E" + struct.pack("<I", len(payload)) + payload)
    thread.join(60)
    assert not thread.is_alive()
    assert received[:1] == b"s" and received[-1:] == b"e"
    assert bytes(received[1:-1]) == payload


def test_flash_follows_nor_rules(board, flash_file):
    _, client, _ = board
    base = 5 * SECTOR
    assert client.erase(base) == 0
    assert client.read(base, 4096) == b"\xff" * 4096
    first = bytes(range(64))
    assert client.program(base, first) == 0
    assert client.read(base, 96) == first + b"\xff" * 32
    # The backing file is the flash: the bytes are really there.
    with open(flash_file, "rb") as image:
        image.seek(base)
        assert image.read(96) == first + b"\xff" * 32
    # A unit that is not fully erased cannot be programmed, even to clear bits only...
    assert client.program(base, bytes(64)) == -1
    # ...and a program touching one such unit changes nothing, not even the erased units.
    assert client.program(base + 32, b"\x11" * 64) == -1
    assert client.read(base, 128) == first + b"\xff" * 64
    # Alignment and bounds.
    assert client.program(base + 16, b"\0" * 32) == -1
    assert client.program(base + 64, b"\0" * 33) == -1
    assert client.program(FLASH_SIZE - 32, b"\0" * 64) == -1
    assert client.program(FLASH_SIZE, b"\0" * 32) == -1
    assert client.erase(base + 4096) == -1
    assert client.erase(FLASH_SIZE) == -1
    assert client.read(FLASH_SIZE - 16, 32) == -1
    assert client.erase(FLASH_SIZE - SECTOR) == 0
    # Erase brings back 0xFF and the unit can be programmed again.
    assert client.erase(base) == 0
    assert client.read(base, 128) == b"\xff" * 128
    assert client.program(base, b"\x5a" * 32) == 0


def test_flash_survives_a_restart(board, flash_file):
    name, client, emulated = board
    offset = 7 * SECTOR + 0x100
    data = random.Random(3).randbytes(256)
    assert client.erase(7 * SECTOR) == 0
    assert client.program(offset, data) == 0
    client.close()
    emulated.restart()
    client.port = serial.serial_for_url(emulated.url, timeout=TIMEOUT)
    assert client.read(offset, 256) == data


def test_instruction_counter_counts_instructions(board):
    _, client, _ = board
    for iterations in (1000, 100_000, 3_000_000):
        # The loop is exactly 2 instructions per iteration; one tick is 40 instructions.
        assert abs(client.count(iterations) - 2 * iterations) <= INSTRUCTIONS_PER_TICK


def test_instruction_counter_extends_the_24_bit_systick(board):
    _, client, _ = board
    iterations = 350_000_000  # 700 M instructions > 2^24 ticks x 40 (671 M)
    assert abs(client.count(iterations) - 2 * iterations) <= INSTRUCTIONS_PER_TICK


def test_call_model_sets_and_restores_r9(board):
    _, client, _ = board
    result, before, after = struct.unpack("<iII", client.command(b"M" + struct.pack("<II", 1000, 234), 12))
    assert result == 1234  # read one word through r9 and one from the arena
    assert after == before  # the fake model zeroed r9; the caller's value came back


def test_fault_report_names_the_faulting_pc(board):
    """Must run last on its board: the firmware halts after the report."""
    _, client, emulated = board
    (entry,) = struct.unpack("<I", client.command(b"F", 4))
    deadline = time.monotonic() + TIMEOUT
    text = b""
    while b"\n" not in text.lstrip(b"\r\n") and time.monotonic() < deadline:
        text += client.port.read(1)
    line = text.decode(errors="replace").strip()
    assert line.startswith("RELO-FAULT UsageFault"), line
    assert f"pc=0x{entry:08x}" in line
    assert re.search(r"cfsr=0x0002....", line), line  # INVSTATE: branched without the Thumb bit
    client.close()
    emulated.restart()  # leave a live board for anything that runs after
    client.port = serial.serial_for_url(emulated.url, timeout=TIMEOUT)
    assert client.info()["name"]


# --- bootloader ----------------------------------------------------------------------------


def _boot_message(board: str, paths: FirmwarePaths, tmp_path: Path) -> str:
    """Boots with the serial port waiting for us (wait=on), so nothing the bootloader says
    before we connect is lost; returns its first line."""
    flash = tmp_path / "flash.img"
    create_flash(flash)
    port = free_port()
    command = [arg.replace("wait=off", "wait=on") for arg in qemu_command(board, paths, flash, port, icount=True)]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "QEMU did not open its serial port"
                time.sleep(0.05)
        with connection:
            text = b""
            while not text.endswith(b"\n") and time.monotonic() < deadline:
                chunk = connection.recv(256)
                if not chunk:
                    break
                text += chunk
        return text.decode(errors="replace").strip()
    finally:
        process.kill()
        process.wait()


def _corrupt_text(elf: Path, out: Path) -> None:
    from elftools.elf.elffile import ELFFile

    data = bytearray(elf.read_bytes())
    with open(elf, "rb") as stream:
        text = ELFFile(stream).get_section_by_name(".text")
        offset = text["sh_offset"] + text["sh_size"] // 2
    data[offset] ^= 0x01
    out.write_bytes(data)


def test_bootloader_refuses_a_corrupted_firmware(selftest_paths, tmp_path):
    name, paths = selftest_paths
    corrupt = tmp_path / "corrupt.elf"
    _corrupt_text(paths.firmware, corrupt)
    line = _boot_message(name, FirmwarePaths(firmware=corrupt, bootloader=paths.bootloader), tmp_path)
    assert line.startswith("relo-boot: resident firmware at 0x00010000 refused: image CRC mismatch (computed 0x"), line


def test_bootloader_refuses_an_unstamped_firmware(selftest_paths, tmp_path):
    name, paths = selftest_paths
    unstamped = paths.firmware.with_name("firmware.unstamped.elf")
    line = _boot_message(name, FirmwarePaths(firmware=unstamped, bootloader=paths.bootloader), tmp_path)
    assert line == "relo-boot: resident firmware at 0x00010000 refused: no image-info record (not stamped, or nothing loaded); halted"


# --- the real firmware ---------------------------------------------------------------------


@pytest.mark.skipif(not (REPO / "host_firmware" / "core.mk").exists(), reason="the portable core (core.mk) is not there yet")
@pytest.mark.parametrize("name", BOARDS)
def test_real_firmware_answers_hello(name, tmp_path):
    from relomodel.transport.device import Device

    with QemuBoard(board=name, flash=tmp_path / "flash.img") as emulated:
        with Device.open(emulated.url) as device:
            hello = device.hello()
    assert hello["board"] == name
