"""Build the resident firmware and the bootloader for a board, with their own Makefiles.

Make decides what is stale; this module only finds the sources, checks the toolchain and
turns a failed build into one readable error.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from relomodel.errors import BuildError, RelomodelError

REPO_ROOT = Path(__file__).resolve().parents[2]
BOARDS = ("qemu-m4", "qemu-m7")
TOOLS = {
    "make": "make",
    "arm-none-eabi-gcc": "gcc-arm-none-eabi libnewlib-arm-none-eabi",
}
_LOG_TAIL_LINES = 20


@dataclass(frozen=True)
class FirmwarePaths:
    firmware: Path  # resident firmware ELF, loaded after the bootloader
    bootloader: Path  # first stage, booted by QEMU -kernel


def check_board(board: str) -> None:
    if board not in BOARDS:
        raise RelomodelError(f"unknown board {board!r}; choose one of: {', '.join(BOARDS)}")


def _check_sources(directory: Path) -> None:
    if not (directory / "Makefile").is_file():
        raise RelomodelError(
            f"firmware sources not found ({directory / 'Makefile'} is missing)",
            hint="building the firmware needs a relomodel source checkout (git clone), not an installed package",
        )


def _check_toolchain() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        packages = " ".join(TOOLS[tool] for tool in missing)
        raise RelomodelError(
            f"cannot build the firmware: {', '.join(missing)} not found on PATH",
            hint=f"install it with: sudo apt-get install {packages}",
        )


def _make(directory: Path, board: str) -> None:
    # The Makefiles run Python helpers (header generation, key export): use ours.
    command = ["make", "-C", str(directory), f"BOARD={board}", f"PYTHON={sys.executable}"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        log = (result.stdout + result.stderr).strip().splitlines()
        tail = "\n".join(log[-_LOG_TAIL_LINES:])
        raise BuildError(f"`{' '.join(command)}` failed (exit {result.returncode}):\n{tail}")


def ensure_built(board: str = "qemu-m4", root: Path = REPO_ROOT) -> FirmwarePaths:
    """Run make for the firmware and the bootloader; return the two ELF files."""
    check_board(board)
    firmware_dir, bootloader_dir = root / "host_firmware", root / "bootloader"
    _check_sources(firmware_dir)
    _check_sources(bootloader_dir)
    _check_toolchain()
    _make(bootloader_dir, board)
    _make(firmware_dir, board)
    paths = FirmwarePaths(
        firmware=firmware_dir / "build" / board / "firmware.elf",
        bootloader=bootloader_dir / "build" / board / "bootloader.elf",
    )
    for elf in (paths.firmware, paths.bootloader):
        if not elf.is_file():
            raise BuildError(f"make succeeded but {elf} was not produced")
    return paths
