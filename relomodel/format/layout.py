"""A tiny declarative description of little-endian binary records.

`spec.py` describes every on-flash and on-wire record with `Layout`; Python packs and
unpacks with it, and `gen_c.py` turns the same objects into the C header the firmware
reads with explicit little-endian loads. A record is never memcpy'd as a C struct.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# field type -> (struct code, size in bytes)
_SCALARS = {
    "u8": ("B", 1),
    "i8": ("b", 1),
    "u16": ("H", 2),
    "i16": ("h", 2),
    "u32": ("I", 4),
    "i32": ("i", 4),
    "u64": ("Q", 8),
    "f32": ("f", 4),
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # one of _SCALARS, or "bytes" (fixed length, e.g. names and digests)
    length: int = 0  # only for "bytes"
    doc: str = ""

    @property
    def size(self) -> int:
        return self.length if self.type == "bytes" else _SCALARS[self.type][1]

    @property
    def struct_code(self) -> str:
        return f"{self.length}s" if self.type == "bytes" else _SCALARS[self.type][0]


class Layout:
    """An ordered list of fields with fixed offsets, padded with zeros to `size`."""

    def __init__(self, name: str, doc: str, fields: list[Field], size: int | None = None):
        self.name = name
        self.doc = doc
        self.fields = fields
        self.offsets: dict[str, int] = {}
        offset = 0
        for field in fields:
            natural = min(field.size, 4) if field.type != "bytes" else 1
            if offset % natural:
                raise ValueError(f"{name}.{field.name} is not naturally aligned")
            self.offsets[field.name] = offset
            offset += field.size
        self.used = offset
        self.size = size if size is not None else offset
        if self.size < offset:
            raise ValueError(f"{name}: fields take {offset} bytes, more than size {self.size}")
        self._struct = struct.Struct("<" + "".join(f.struct_code for f in fields))

    def field(self, name: str) -> Field:
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)

    def pack(self, **values) -> bytes:
        missing = [f.name for f in self.fields if f.name not in values and not f.name.startswith("reserved")]
        unknown = set(values) - {f.name for f in self.fields}
        if missing or unknown:
            raise ValueError(f"{self.name}.pack: missing {missing}, unknown {sorted(unknown)}")
        args = []
        for f in self.fields:
            v = values.get(f.name, b"" if f.type == "bytes" else 0)
            if f.type == "bytes" and isinstance(v, str):
                v = v.encode()
            if f.type == "bytes" and len(v) > f.length:
                raise ValueError(f"{self.name}.{f.name}: {len(v)} bytes do not fit in {f.length}")
            args.append(v)
        return self._struct.pack(*args) + bytes(self.size - self.used)

    def unpack(self, data: bytes, offset: int = 0) -> dict:
        if len(data) - offset < self.size:
            raise ValueError(f"{self.name}: need {self.size} bytes, have {len(data) - offset}")
        values = self._struct.unpack_from(data, offset)
        return {f.name: v for f, v in zip(self.fields, values)}


@dataclass(frozen=True)
class Code:
    """One value of an enumeration, with the text a user reads."""

    name: str
    value: int
    message: str = ""


class Enum:
    def __init__(self, name: str, doc: str, codes: list[Code]):
        self.name = name
        self.doc = doc
        self.codes = codes
        self.by_value = {c.value: c for c in codes}
        self.by_name = {c.name: c for c in codes}
        if len(self.by_value) != len(codes) or len(self.by_name) != len(codes):
            raise ValueError(f"{name}: duplicate code")

    def __getattr__(self, item: str) -> int:
        try:
            return self.__dict__["by_name"][item].value
        except KeyError:
            raise AttributeError(item) from None

    def name_of(self, value: int) -> str:
        code = self.by_value.get(value)
        return code.name if code else f"UNKNOWN_{value}"

    def message_of(self, value: int) -> str:
        code = self.by_value.get(value)
        return code.message if code else f"unknown {self.name} code {value}"
