"""The emulated board: QEMU mps2-an386 (Cortex-M4F) or mps2-an500 (Cortex-M7).

UART0 is a TCP server on 127.0.0.1; the PSRAM is backed by a file that plays the flash and
survives restarts and kill -9. A QemuBoard never outlives the Python process (context
manager plus an atexit hook).
"""

from __future__ import annotations

import atexit
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from relomodel.board.firmware import FirmwarePaths, check_board, ensure_built
from relomodel.errors import RelomodelError

FLASH_SIZE = 16 * 1024 * 1024
ERASED = 0xFF  # erased NOR flash reads as ones
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


@dataclass(frozen=True)
class Machine:
    qemu_machine: str
    cpu: str


MACHINES = {
    "qemu-m4": Machine("mps2-an386", "cortex-m4"),
    "qemu-m7": Machine("mps2-an500", "cortex-m7"),
}

# Strong references: a board dropped without stop() must still be stopped at exit.
_running: set[QemuBoard] = set()


@atexit.register
def _stop_all() -> None:
    for board in list(_running):
        board.stop()


def create_flash(path: Path) -> None:
    """A new flash file is fully erased; an existing one must have the right size."""
    if path.exists():
        size = path.stat().st_size
        if size != FLASH_SIZE:
            raise RelomodelError(f"flash file {path} is {size} bytes, expected {FLASH_SIZE} (16 MiB)")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        block = bytes([ERASED]) * (1024 * 1024)
        for _ in range(FLASH_SIZE // len(block)):
            out.write(block)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def qemu_command(board: str, paths: FirmwarePaths, flash: Path, port: int, icount: bool) -> list[str]:
    machine = MACHINES[board]
    command = ["qemu-system-arm", "-machine", machine.qemu_machine, "-cpu", machine.cpu]
    command += ["-nographic", "-monitor", "none"]
    if icount:
        # One instruction per virtual nanosecond: instruction counts are deterministic.
        command += ["-icount", "shift=0"]
    command += ["-serial", f"tcp:127.0.0.1:{port},server=on,wait=off"]
    command += ["-kernel", str(paths.bootloader), "-device", f"loader,file={paths.firmware}"]
    command += ["-object", f"memory-backend-file,id=mem,size={FLASH_SIZE // (1024 * 1024)}M,mem-path={flash},share=on"]
    command += ["-machine", "memory-backend=mem"]
    return command


class QemuBoard:
    """A running emulated board. `with QemuBoard(flash=...) as board: use board.url`."""

    def __init__(
        self,
        board: str = "qemu-m4",
        flash: Path | None = None,
        icount: bool = True,
        firmware: FirmwarePaths | None = None,
    ):
        check_board(board)
        self.board = board
        self.icount = icount
        self._tmpdir = None
        if flash is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="relomodel-flash-")
            flash = Path(self._tmpdir.name) / "flash.img"
        self.flash = Path(flash)
        self._firmware = firmware
        self.port: int | None = None
        self._process: subprocess.Popen | None = None
        self._stderr = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RelomodelError("the emulated board is not running")
        return f"socket://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> QemuBoard:
        if self.running:
            return self
        if shutil.which("qemu-system-arm") is None:
            raise RelomodelError("qemu-system-arm not found on PATH", hint="install it with: sudo apt-get install qemu-system-arm")
        if self._firmware is None:
            self._firmware = ensure_built(self.board)
        create_flash(self.flash)
        port = self.port or free_port()
        try:
            self._launch(port)
        except RelomodelError:
            if "address already in use" not in self.stderr_text().lower():
                raise
            self._launch(free_port())  # someone took the port between probe and launch
        return self

    def _launch(self, port: int) -> None:
        self.port = port
        self._stderr = tempfile.TemporaryFile()
        command = qemu_command(self.board, self._firmware, self.flash, port, self.icount)
        # Own session: a Ctrl-C in the terminal reaches us, and we stop QEMU in order.
        self._process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr, start_new_session=True
        )
        _running.add(self)
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code = self._process.returncode
                self._process = None
                raise RelomodelError(f"QEMU exited with status {code} while starting: {self.stderr_text() or 'no message'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RelomodelError(f"QEMU did not open its serial port 127.0.0.1:{self.port} within {START_TIMEOUT:g} s")

    def stderr_text(self) -> str:
        """What QEMU printed on stderr so far (its error messages)."""
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace").strip()

    def stop(self) -> None:
        """Terminate QEMU (SIGTERM, then SIGKILL if it lingers)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            except KeyboardInterrupt:
                process.kill()  # a second Ctrl-C while stopping: do not leave QEMU behind
                process.wait()
                raise
        _running.discard(self)

    def kill9(self) -> None:
        """Cut the power: SIGKILL, no chance to finish anything."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        _running.discard(self)

    def restart(self) -> QemuBoard:
        """Stop (if running) and boot again on the same flash file and port."""
        self.stop()
        return self.start()

    def close(self) -> None:
        self.stop()
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None

    def __enter__(self) -> QemuBoard:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
