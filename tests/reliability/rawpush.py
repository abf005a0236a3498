"""An install driven request by request, for hostile packages: no host-side checks, so
every refusal measured here is the device's own."""

from __future__ import annotations

from relomodel.errors import DeviceError, RelomodelError
from relomodel.format import spec
from relomodel.transport import protocol
from relomodel.transport.device import Device

CHUNK = 1024  # a multiple of the flash write unit, below every device's max_payload


def push_raw(device: Device, package: bytes, head_size: int) -> int | None:
    """Sends package[:head_size] with INSTALL_BEGIN, the rest as data, then INSTALL_END.
    Returns the STATUS the device refused it with, or None if it was accepted."""
    try:
        begin = device.request(spec.CMD.INSTALL_BEGIN, package[:head_size], retries=0)
        offset = protocol.parse_install_begin(begin.payload)["next_offset"]
        resyncs = 0
        while offset < len(package):
            end = min(len(package), offset + CHUNK)
            try:
                device.request(spec.CMD.INSTALL_DATA, protocol.install_data_payload(offset, package[offset:end]), retries=0)
            except DeviceError as exc:
                if exc.status != spec.STATUS.OUT_OF_ORDER or resyncs >= 8 or exc.detail >= len(package):
                    raise
                resyncs += 1
                offset = exc.detail
                continue
            offset = end
        device.request(spec.CMD.INSTALL_END, retries=0)
    except DeviceError as exc:
        try:
            device.request(spec.CMD.INSTALL_ABORT, retries=0)
        except RelomodelError:
            pass
        return exc.status
    return None


def flipped(package: bytes, offsets) -> list[tuple[str, bytes]]:
    """(description, package with byte i inverted) for each offset i."""
    return [(f"byte {i} flipped", package[:i] + bytes([package[i] ^ 0xFF]) + package[i + 1 :]) for i in offsets]
