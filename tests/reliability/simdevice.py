"""relo_sim (host_firmware/sim): the resident firmware core as a host process on a flash file.

A "reboot" is a new process on the same file. `cut_after=K` makes the (K+1)-th flash
erase/program lose power (optionally torn part-way) and the process die there.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
from pathlib import Path

from relomodel.errors import TransportError
from relomodel.transport.device import Device
from tests.conftest import REPO

# RELO_SIM_DIR: build and use relo_sim from another checkout of host_firmware/sim.
SIM_DIR = Path(os.environ.get("RELO_SIM_DIR", REPO / "host_firmware" / "sim"))
SIM_BINARY = SIM_DIR / "build" / "relo_sim"
EXIT_POWER_CUT = 75  # sim_main.c RELO_SIM_EXIT_POWER_CUT
_READY = re.compile(rb"listening on 127\.0\.0\.1:(\d+)")
_COUNT = re.compile(r"flash operations (\d+)")


def build_sim() -> Path:
    """Builds relo_sim (incrementally) with the project's Python for the trusted key."""
    python = REPO / ".venv" / "bin" / "python"
    subprocess.run(
        ["make", "-s", "-C", str(SIM_DIR), f"RELO_PYTHON={python}"], check=True, stdout=subprocess.DEVNULL
    )
    return SIM_BINARY


class SimDevice:
    """One relo_sim process. Use as a context manager, or start()/stop()."""

    def __init__(self, flash: Path, cut_after: int | None = None, torn: bool = False):
        self.flash = Path(flash)
        self.cut_after = cut_after
        self.torn = torn
        self.port: int | None = None
        self._process: subprocess.Popen | None = None
        self.stderr = ""

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def start(self) -> SimDevice:
        command = [str(SIM_BINARY), "--flash", str(self.flash)]
        if self.cut_after is not None:
            command += ["--cut-after", str(self.cut_after)] + (["--torn"] if self.torn else [])
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self._process.stdout.readline()
        match = _READY.search(line)
        if match is None:
            self._process.kill()
            raise RuntimeError(f"relo_sim did not start: {line!r} {self._process.communicate()[1]!r}")
        self.port = int(match.group(1))
        return self

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Waits for the process to end by itself (a power cut); returns its exit status."""
        _out, err = self._process.communicate(timeout=timeout)
        self.stderr += err.decode(errors="replace")
        return self._process.returncode

    def stop(self) -> int | None:
        """SIGTERM; returns the completed flash operations it reports (None if already dead)."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            _out, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            _out, err = process.communicate()
        self.stderr += err.decode(errors="replace")
        self._process = None
        match = _COUNT.search(self.stderr)
        return int(match.group(1)) if match and process.returncode == 0 else None

    def __enter__(self) -> SimDevice:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class SocketLink:
    """transport.device.Link over a plain TCP socket: the same bytes as pyserial's socket://
    URL, without the 0.3 s pyserial sleeps on every close (hundreds of reboots here)."""

    def __init__(self, port: int, poll: float = 0.05):
        self.name = f"socket://127.0.0.1:{port}"
        self._socket = socket.create_connection(("127.0.0.1", port), timeout=2.0)
        self._socket.settimeout(poll)

    def write(self, data: bytes) -> None:
        try:
            self._socket.sendall(data)
        except OSError as exc:
            raise TransportError(f"lost connection to {self.name} while sending: {exc}") from None

    def read(self) -> bytes:
        try:
            data = self._socket.recv(65536)
        except socket.timeout:
            return b""
        except OSError as exc:
            raise TransportError(f"lost connection to {self.name}: {exc}") from None
        if not data:
            raise TransportError(f"lost connection to {self.name}: closed by the device")
        return data

    def close(self) -> None:
        self._socket.close()


def open_device(sim: SimDevice, **options) -> Device:
    """The real transport.device.Device on a SocketLink to `sim`."""
    return Device(SocketLink(sim.port), **options)
