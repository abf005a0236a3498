"""The serial port: the only module that imports pyserial.

A port is a device path (/dev/ttyACM0, /dev/pts/3) or any pyserial URL, e.g.
socket://127.0.0.1:4321 for the emulated board. Every pyserial failure leaves this module
as a TransportError naming the port, with a hint for the usual causes.
"""

from __future__ import annotations

import errno

import serial

from relomodel.errors import TransportError

# pyserial's own exceptions, for the CLI's last-resort handler (nothing else imports serial).
SERIAL_ERRORS = (serial.SerialException,)

EMULATOR_HINT = "is `relomodel emulate` running? use the socket:// URL it prints as --port"
CABLE_HINT = "is the cable plugged in and the board powered? list ports with: python -m serial.tools.list_ports"


def _is_url(port: str) -> bool:
    return "://" in port


def _open_error(port: str, exc: Exception) -> TransportError:
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code == errno.ECONNREFUSED or "refused" in text:
        return TransportError(f"cannot connect to {port}: connection refused", hint=EMULATOR_HINT)
    if code == errno.ENOENT or "no such file" in text:
        return TransportError(f"cannot open {port}: no such device", hint=CABLE_HINT)
    if code == errno.EACCES or "permission denied" in text:
        return TransportError(
            f"cannot open {port}: permission denied", hint="add your user to the 'dialout' group, then log in again"
        )
    if code == errno.EBUSY or "busy" in text:
        return TransportError(f"cannot open {port}: port busy", hint="another program (a terminal?) is using it")
    hint = EMULATOR_HINT if _is_url(port) else CABLE_HINT
    reason = getattr(exc, "strerror", None) or str(exc)
    return TransportError(f"cannot open {port}: {reason}", hint=hint)


class SerialLink:
    """A byte pipe to the device: write everything, read whatever has arrived."""

    def __init__(self, port: str, connection):
        self.name = port
        self._connection = connection

    def write(self, data: bytes) -> None:
        try:
            self._connection.write(data)
            self._connection.flush()
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"lost connection to {self.name} while sending: {exc}", hint=CABLE_HINT) from None

    def read(self) -> bytes:
        """Bytes received so far; waits at most the poll timeout for the first one."""
        try:
            waiting = self._connection.in_waiting
            return self._connection.read(max(1, waiting))
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"lost connection to {self.name}: {exc}", hint=CABLE_HINT) from None

    def close(self) -> None:
        try:
            self._connection.close()
        except (serial.SerialException, OSError):
            pass  # closing a link that already failed must not hide the first error

    def __enter__(self) -> SerialLink:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_port(port: str, baud: int = 115200, timeout: float = 0.05) -> SerialLink:
    """Open `port`. `timeout` is the poll interval of read(), not a request timeout."""
    if not port:
        raise TransportError("no serial port given", hint=EMULATOR_HINT)
    try:
        if _is_url(port):
            connection = serial.serial_for_url(port, baudrate=baud, timeout=timeout, write_timeout=10)
        else:
            connection = serial.Serial(port, baudrate=baud, timeout=timeout, write_timeout=10)
    except (serial.SerialException, OSError, ValueError) as exc:
        raise _open_error(port, _root_cause(exc)) from None
    return SerialLink(port, connection)


def _root_cause(exc: Exception) -> Exception:
    """pyserial wraps the OSError that says why (errno) in a SerialException."""
    cause = exc.__cause__ or exc.__context__
    return cause if isinstance(cause, OSError) else exc
