"""Errors a user can cause or a device can report.

Anything derived from RelomodelError is printed by the CLI as one line (plus an optional
hint) and exits with status 2. Any other exception is a bug and keeps its traceback.
"""


class RelomodelError(Exception):
    """A failure caused by input, environment or device, not by a bug."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


class ModelError(RelomodelError):
    """The model file cannot be compiled (unsupported op, bad quantization, corrupt file)."""


class UnsupportedOpError(ModelError):
    """One or more operators are not supported. `ops` lists (index, name) pairs."""

    def __init__(self, ops: list[tuple[int, str]], hint: str | None = None):
        listing = ", ".join(f"{name} (operator #{index})" for index, name in ops)
        super().__init__(f"unsupported operator(s): {listing}", hint)
        self.ops = ops


class BuildError(RelomodelError):
    """Cross-compilation, linking or the position-independence check failed."""


class PackageError(RelomodelError):
    """A .rmod package is malformed, or its signature/digests do not verify."""


class KeyError_(RelomodelError):
    """A signing key cannot be read or has the wrong type."""


class TransportError(RelomodelError):
    """The serial link failed: no device, timeout, framing or CRC errors."""


class DeviceError(RelomodelError):
    """The device answered with an error status (see format.spec.STATUS)."""

    def __init__(self, status: int, name: str, message: str, detail: int = 0):
        super().__init__(message)
        self.status = status
        self.name = name
        self.detail = detail


class WrongModelError(RelomodelError):
    """The device runs another model than the one given (validate compares source SHA-256)."""
