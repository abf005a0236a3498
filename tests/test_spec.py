"""The spec is the single source of truth: the generated C header must match it exactly."""

import subprocess
import sys

import pytest

from relomodel.format import gen_c, spec
from relomodel.format.layout import Field, Layout


def test_generated_c_header_is_up_to_date():
    result = subprocess.run([sys.executable, "-m", "relomodel.format.gen_c", "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_layout_round_trips_and_has_its_declared_size():
    for layout in spec.ALL_LAYOUTS:
        values = {}
        for index, field in enumerate(layout.fields):
            if field.type == "bytes":
                values[field.name] = bytes([index + 1]) * field.length
            elif field.type == "f32":
                values[field.name] = 0.5
            else:
                values[field.name] = index + 1
        packed = layout.pack(**values)
        assert len(packed) == layout.size
        assert layout.unpack(packed) == values


def test_layout_refuses_misaligned_fields_and_oversized_values():
    with pytest.raises(ValueError):
        Layout("bad", "", [Field("a", "u8"), Field("b", "u32")])
    with pytest.raises(ValueError):
        spec.MANIFEST.pack(**{f.name: 0 for f in spec.MANIFEST.fields if f.type != "bytes"}, name=b"x" * 33, source_sha256=b"")


def test_enum_values_are_unique_and_named_in_the_header():
    header = gen_c.render()
    for enum in spec.ALL_ENUMS:
        for code in enum.codes:
            assert f"RELO_{enum.name.upper()}_{code.name} {code.value}u" in header


@pytest.mark.parametrize("text,value", [("1.0.0", 0x01000000), ("2.3.65535", 0x0203FFFF), ("0.0.1", 1)])
def test_versions_encode_and_decode(text, value):
    assert spec.encode_version(text) == value
    assert spec.decode_version(value) == text


@pytest.mark.parametrize("text", ["1.0", "1.0.0.0", "a.b.c", "256.0.0", "1.256.0", "1.0.65536", ""])
def test_bad_versions_are_refused(text):
    with pytest.raises(ValueError):
        spec.encode_version(text)
