#!/usr/bin/env python3
"""Stamp the image-info record into a linked resident-firmware image (post-link step).

    stamp_image.py --bin fw.unstamped.bin --load-address 0x10000 \
                   --out-bin fw.bin --out-record record.bin

The firmware links a placeholder record (magic "RFW?") at RELO_IMAGE_INFO_OFFSET; this
script fills in size, CRC-32 and load address (layout: bootloader/include/relo_boot/image_info.h)
and writes the stamped binary plus the 32-byte record, which the Makefile puts back into
the ELF with `objcopy --update-section` so that ELF and .bin stay identical.
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib
from pathlib import Path

INFO_OFFSET = 0x400
INFO_SIZE = 32
MAGIC = 0x49574652  # "RFWI"
PLACEHOLDER_MAGIC = 0x3F574652  # "RFW?"
VERSION = 1
CRC_FIELD = INFO_OFFSET + 12
RECORD = struct.Struct("<IHHIII12x")


class StampError(Exception):
    """The input is not an image this script can stamp."""


def image_crc(image: bytes) -> int:
    """CRC-32 of the image with the record's CRC field counted as zero (as the bootloader does)."""
    return zlib.crc32(image[:CRC_FIELD] + b"\0\0\0\0" + image[CRC_FIELD + 4 :])


def stamp(image: bytes, load_address: int) -> tuple[bytes, bytes]:
    """Returns (stamped image, record)."""
    if len(image) < INFO_OFFSET + INFO_SIZE:
        raise StampError(f"image is {len(image)} bytes, too short to hold the record at 0x{INFO_OFFSET:x}")
    (magic,) = struct.unpack_from("<I", image, INFO_OFFSET)
    if magic == MAGIC:
        raise StampError("image is already stamped")
    if magic != PLACEHOLDER_MAGIC:
        raise StampError(
            f"no placeholder record at offset 0x{INFO_OFFSET:x} (found 0x{magic:08x}); "
            "is the image-info section linked right after the vector table?"
        )
    unstamped = bytearray(image)
    unstamped[INFO_OFFSET : INFO_OFFSET + INFO_SIZE] = RECORD.pack(MAGIC, VERSION, INFO_SIZE, len(image), 0, load_address)
    crc = image_crc(bytes(unstamped))
    record = RECORD.pack(MAGIC, VERSION, INFO_SIZE, len(image), crc, load_address)
    unstamped[INFO_OFFSET : INFO_OFFSET + INFO_SIZE] = record
    return bytes(unstamped), record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", type=Path, required=True, help="objcopy -O binary output of the linked firmware")
    parser.add_argument("--load-address", type=lambda s: int(s, 0), required=True)
    parser.add_argument("--out-bin", type=Path, required=True)
    parser.add_argument("--out-record", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        stamped, record = stamp(args.bin.read_bytes(), args.load_address)
    except (OSError, StampError) as exc:
        print(f"stamp_image: {args.bin}: {exc}", file=sys.stderr)
        return 1
    args.out_bin.write_bytes(stamped)
    args.out_record.write_bytes(record)
    print(f"stamped {args.out_bin}: {len(stamped)} bytes, crc32 0x{struct.unpack_from('<I', record, 12)[0]:08x}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
