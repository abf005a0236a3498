"""Framing for the UART link: frame = COBS(packet || CRC-32(packet)) followed by 0x00.

COBS removes every 0x00 from the encoded bytes, so 0x00 only ever marks the end of a frame
and a receiver that lost bytes (or started listening mid-frame) recovers at the next 0x00.
The CRC-32 is zlib's (reflected IEEE 802.3, spec.CRC32_POLY), appended little-endian.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from relomodel.errors import TransportError
from relomodel.format import spec

DELIMITER = bytes([spec.FRAME_DELIMITER])
CRC_SIZE = 4
# A COBS code byte covers at most 254 data bytes.
_COBS_BLOCK = 254


class FrameError(TransportError):
    """A received frame is unusable: bad COBS encoding, bad CRC, or too short/long."""


def crc32(data: bytes) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def cobs_encode(data: bytes) -> bytes:
    """Encode `data` so that the result contains no 0x00 byte."""
    out = bytearray()
    block = bytearray()
    ended_full = False  # the last block written was a full one (no implied zero after it)
    for byte in data:
        ended_full = False
        if byte == 0:
            out.append(len(block) + 1)
            out += block
            block.clear()
            continue
        block.append(byte)
        if len(block) == _COBS_BLOCK:
            out.append(_COBS_BLOCK + 1)
            out += block
            block.clear()
            ended_full = True
    if not ended_full:
        out.append(len(block) + 1)
        out += block
    return bytes(out)


def cobs_decode(encoded: bytes) -> bytes:
    """Inverse of cobs_encode. Raises FrameError on a zero byte or a code running past the end."""
    out = bytearray()
    index = 0
    while index < len(encoded):
        code = encoded[index]
        if code == 0:
            raise FrameError(f"COBS: zero byte inside a frame at position {index}")
        end = index + code
        if end > len(encoded):
            raise FrameError(f"COBS: block at position {index} runs past the end of the frame")
        block = encoded[index + 1 : end]
        if 0 in block:
            raise FrameError(f"COBS: zero byte inside a frame at position {index + 1 + block.index(0)}")
        out += block
        index = end
        # Every block except a full one and the last is followed by an implied zero.
        if code != _COBS_BLOCK + 1 and index < len(encoded):
            out.append(0)
    return bytes(out)


def max_encoded_size(packet_size: int) -> int:
    """Largest encoded frame body (without delimiter) for a packet of `packet_size` bytes."""
    raw = packet_size + CRC_SIZE
    return raw + raw // _COBS_BLOCK + 1


def encode_frame(packet: bytes) -> bytes:
    """packet -> bytes to put on the wire, delimiter included."""
    return cobs_encode(packet + struct.pack("<I", crc32(packet))) + DELIMITER


def decode_frame(body: bytes) -> bytes:
    """Frame body (between delimiters) -> packet. Raises FrameError if COBS or CRC is bad."""
    raw = cobs_decode(body)
    if len(raw) < CRC_SIZE + 1:
        raise FrameError(f"frame too short ({len(raw)} bytes after decoding)")
    packet, (received,) = raw[:-CRC_SIZE], struct.unpack("<I", raw[-CRC_SIZE:])
    expected = crc32(packet)
    if received != expected:
        raise FrameError(f"CRC mismatch (frame says {received:08x}, packet has {expected:08x})")
    return packet


@dataclass(frozen=True)
class Received:
    """One frame out of the byte stream: `packet` when good, else `error` says what was wrong."""

    raw: bytes  # the encoded body as received, for tracing
    packet: bytes | None = None
    error: str | None = None


# The largest packet either side may send: header plus MAX_PAYLOAD.
MAX_PACKET_SIZE = spec.PACKET_HEADER.size + spec.MAX_PAYLOAD


class FrameDecoder:
    """Splits a byte stream into frames at each 0x00 and decodes them.

    Never raises on bad input: a corrupt frame comes out as a Received with `error` set and
    decoding carries on with the next one. Empty frames (consecutive delimiters, as sent to
    flush a partial frame) are skipped. A frame growing past `max_body` is dropped up to the
    next delimiter, so noise on the line cannot make the buffer grow without bound.
    """

    def __init__(self, max_packet_size: int = MAX_PACKET_SIZE):
        self.max_body = max_encoded_size(max_packet_size)
        self._buffer = bytearray()
        self._overlong = False

    def feed(self, data: bytes) -> list[Received]:
        frames: list[Received] = []
        for byte in data:
            if byte == spec.FRAME_DELIMITER:
                frame = self._finish()
                if frame is not None:
                    frames.append(frame)
            elif self._overlong:
                continue
            elif len(self._buffer) >= self.max_body:
                self._overlong = True
            else:
                self._buffer.append(byte)
        return frames

    def _finish(self) -> Received | None:
        body = bytes(self._buffer)
        self._buffer.clear()
        if self._overlong:
            self._overlong = False
            return Received(body, error=f"frame longer than {self.max_body} bytes, dropped")
        if not body:
            return None
        try:
            return Received(body, packet=decode_frame(body))
        except FrameError as exc:
            return Received(body, error=str(exc))
