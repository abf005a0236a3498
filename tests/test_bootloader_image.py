"""The bootloader's portable image check (bootloader/src) and the post-link stamp script,
compiled for the host and called through ctypes: every refusal reason, and agreement of the
C CRC-32 with zlib. Fast; needs only a host C compiler."""

from __future__ import annotations

import ctypes
import importlib.util
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO

BOOTLOADER = REPO / "bootloader"
LOAD = 0x00010000
RAM_START, RAM_END = 0x20000000, 0x20100000
MAX_SIZE = 0x003F0000

# relo_image_status_t
OK, BAD_ARGUMENT, NO_RECORD, BAD_VERSION, BAD_SIZE, WRONG_ADDRESS, BAD_CRC, BAD_STACK, BAD_ENTRY = range(9)


def _load_stamp_module():
    spec = importlib.util.spec_from_file_location("stamp_image", BOOTLOADER / "tools" / "stamp_image.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


stamp_image = _load_stamp_module()


class Region(ctypes.Structure):
    _fields_ = [("load_address", ctypes.c_uint32), ("max_size", ctypes.c_uint32),
                ("ram_start", ctypes.c_uint32), ("ram_end", ctypes.c_uint32)]


@pytest.fixture(scope="module")
def check_lib(tmp_path_factory):
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("needs a host C compiler")
    out = tmp_path_factory.mktemp("bootcheck") / "libbootcheck.so"
    firmware = BOOTLOADER.parent / "host_firmware"
    sources = [BOOTLOADER / "src" / "image_check.c", firmware / "src" / "crc32.c"]
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror", "-I", str(BOOTLOADER / "include"),
                    "-I", str(firmware / "include"),
                    *map(str, sources), "-o", str(out)], check=True)
    lib = ctypes.CDLL(str(out))
    lib.relo_image_check.argtypes = [ctypes.c_char_p, ctypes.POINTER(Region), ctypes.POINTER(ctypes.c_uint32)]
    lib.relo_image_check.restype = ctypes.c_int
    lib.relo_crc32_update.argtypes = [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_uint32]
    lib.relo_crc32_update.restype = ctypes.c_uint32
    lib.relo_image_status_text.argtypes = [ctypes.c_int]
    lib.relo_image_status_text.restype = ctypes.c_char_p
    return lib


def _unstamped_image(size: int = 0x800, sp: int = RAM_END, reset: int = LOAD + 0x501) -> bytearray:
    image = bytearray(size)
    struct.pack_into("<II", image, 0, sp, reset)
    struct.pack_into("<I", image, stamp_image.INFO_OFFSET, stamp_image.PLACEHOLDER_MAGIC)
    image[0x500:0x520] = bytes(range(1, 33))  # some "code"
    return image


def _check(lib, image: bytes, region: Region | None = None) -> tuple[int, int]:
    region = region or Region(LOAD, MAX_SIZE, RAM_START, RAM_END)
    # The check reads up to max_size bytes at most image_size; give it exactly the image.
    crc = ctypes.c_uint32()
    buffer = ctypes.create_string_buffer(bytes(image), len(image))
    status = lib.relo_image_check(buffer, ctypes.byref(region), ctypes.byref(crc))
    return status, crc.value


def test_stamped_image_is_accepted(check_lib):
    stamped, record = stamp_image.stamp(bytes(_unstamped_image()), LOAD)
    status, crc = _check(check_lib, stamped)
    assert status == OK
    assert crc == struct.unpack_from("<I", record, 12)[0]
    assert stamped[stamp_image.INFO_OFFSET : stamp_image.INFO_OFFSET + 32] == record


def test_unstamped_image_has_no_record(check_lib):
    assert _check(check_lib, bytes(_unstamped_image()))[0] == NO_RECORD
    assert _check(check_lib, b"\xff" * 0x800)[0] == NO_RECORD  # erased / nothing loaded


def test_any_flipped_bit_is_a_crc_mismatch(check_lib):
    stamped, _ = stamp_image.stamp(bytes(_unstamped_image()), LOAD)
    for position in (8, 0x3FF, 0x420, 0x510, 0x7FF):
        corrupt = bytearray(stamped)
        corrupt[position] ^= 0x10
        assert _check(check_lib, corrupt)[0] == BAD_CRC, hex(position)


def _stamped_with(**fields) -> bytes:
    stamped, _ = stamp_image.stamp(bytes(_unstamped_image(**fields)), LOAD)
    return stamped


def test_bad_vectors_are_refused_even_with_a_good_crc(check_lib):
    assert _check(check_lib, _stamped_with(sp=RAM_END + 8))[0] == BAD_STACK
    assert _check(check_lib, _stamped_with(sp=RAM_START))[0] == BAD_STACK
    assert _check(check_lib, _stamped_with(sp=RAM_END - 4))[0] == BAD_STACK  # not 8-byte aligned
    assert _check(check_lib, _stamped_with(reset=LOAD + 0x500))[0] == BAD_ENTRY  # no Thumb bit
    assert _check(check_lib, _stamped_with(reset=LOAD + 0x801))[0] == BAD_ENTRY  # past the image
    assert _check(check_lib, _stamped_with(reset=0x0000_0101))[0] == BAD_ENTRY  # in the bootloader


def test_record_fields_are_checked(check_lib):
    stamped, _ = stamp_image.stamp(bytes(_unstamped_image()), LOAD + 0x1000)
    assert _check(check_lib, stamped)[0] == WRONG_ADDRESS
    small_region = Region(LOAD, 0x600, RAM_START, RAM_END)  # image is 0x800
    assert _check(check_lib, _stamped_with(), small_region)[0] == BAD_SIZE
    versioned = bytearray(_stamped_with())
    struct.pack_into("<H", versioned, stamp_image.INFO_OFFSET + 4, 2)
    assert _check(check_lib, versioned)[0] == BAD_VERSION
    assert _check(check_lib, _stamped_with(), Region(LOAD, MAX_SIZE, RAM_END, RAM_START))[0] == BAD_ARGUMENT
    assert check_lib.relo_image_status_text(BAD_CRC) == b"image CRC mismatch"


def test_stamp_refuses_what_it_cannot_stamp():
    with pytest.raises(stamp_image.StampError, match="too short"):
        stamp_image.stamp(b"\0" * 0x100, LOAD)
    with pytest.raises(stamp_image.StampError, match="no placeholder"):
        stamp_image.stamp(b"\0" * 0x800, LOAD)
    stamped, _ = stamp_image.stamp(bytes(_unstamped_image()), LOAD)
    with pytest.raises(stamp_image.StampError, match="already stamped"):
        stamp_image.stamp(stamped, LOAD)


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=600), split=st.integers(min_value=0, max_value=600))
def test_crc32_matches_zlib_and_chains(check_lib, data, split):
    split = min(split, len(data))
    assert check_lib.relo_crc32_update(0, data, len(data)) == zlib.crc32(data)
    first = check_lib.relo_crc32_update(0, data[:split], split)
    assert check_lib.relo_crc32_update(first, data[split:], len(data) - split) == zlib.crc32(data)
