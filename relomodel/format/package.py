"""Build, sign and parse .rmod packages. Every number comes from relomodel/format/spec.py.

Layout (docs/package-format.md):

    [header][manifest][tensor desc x n][segment entry x m]   signed: bytes [0, signed_size)
    [signature block]
    [segment bytes ...]   each on a SEGMENT_ALIGN boundary, order CODE, WEIGHTS?, DATA, RELOC, TEST_VECTORS?

The parser accepts exactly the canonical layout the builder writes: a device (and this parser)
can then check every offset against one expected value instead of reasoning about overlaps.
"""

from __future__ import annotations

import hashlib
import math
import struct
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from relomodel import keys
from relomodel.errors import PackageError
from relomodel.format import spec

SEGMENT_ORDER_SPLIT = (spec.SEGMENT.CODE, spec.SEGMENT.WEIGHTS, spec.SEGMENT.DATA, spec.SEGMENT.RELOC)
SEGMENT_ORDER = (spec.SEGMENT.CODE, spec.SEGMENT.DATA, spec.SEGMENT.RELOC)
PACKAGE_FLAGS = spec.PACKAGE_FLAG_SPLIT_WEIGHTS | spec.PACKAGE_FLAG_TEST_VECTORS
MODEL_FLAGS = spec.MODEL_FLAG_STATEFUL | spec.MODEL_FLAG_LITERT_ROUNDING | spec.MODEL_FLAG_ALLOW_DOWNGRADE
U32_MAX = 0xFFFFFFFF
RELOC_ENTRY_SIZE = 4


@dataclass
class Segment:
    kind: int  # spec.SEGMENT
    data: bytes
    offset: int = 0  # in the package; set by build/parse
    sha256: bytes = b""

    @property
    def kind_name(self) -> str:
        return spec.SEGMENT.name_of(self.kind)


@dataclass
class Package:
    header: dict  # spec.PACKAGE_HEADER fields
    manifest: dict  # spec.MANIFEST fields (name as str)
    tensors: list[dict]  # spec.TENSOR_DESC fields (name as str, dims as a tuple of rank ints)
    segments: list[Segment]
    signature: bytes
    key_id: bytes
    raw: bytes = field(default=b"", repr=False)

    @property
    def signed_region(self) -> bytes:
        return self.raw[: self.header["signed_size"]]

    def segment(self, kind: int) -> Segment | None:
        return next((s for s in self.segments if s.kind == kind), None)

    @property
    def test_vectors(self) -> list[tuple[list[bytes], list[bytes]]]:
        """The golden test vectors: (input bytes per input, expected output bytes per output)."""
        segment = self.segment(spec.SEGMENT.TEST_VECTORS)
        if segment is None:
            return []
        inputs = self.tensors[: self.manifest["input_count"]]
        outputs = self.tensors[self.manifest["input_count"]:]
        return decode_test_vectors(segment.data, [t["size_bytes"] for t in inputs], [t["size_bytes"] for t in outputs])

    @property
    def relocations(self) -> list[int]:
        reloc = self.segment(spec.SEGMENT.RELOC)
        return list(struct.unpack(f"<{len(reloc.data) // 4}I", reloc.data)) if reloc else []


# ---------------------------------------------------------------------------------------------
# building


def tensor_desc_values(name: str, dtype: int, shape: tuple[int, ...], scale: float, zero_point: int,
                       arena_offset: int, size_bytes: int, flags: int = 0) -> dict:
    """spec.TENSOR_DESC field values for one tensor (dims packed as u32 x MAX_RANK)."""
    if len(shape) > spec.MAX_RANK:
        raise PackageError(f"tensor {name!r} has rank {len(shape)}, more than {spec.MAX_RANK}")
    dims = list(shape) + [0] * (spec.MAX_RANK - len(shape))
    return {
        "name": _fixed_name(name, "tensor name"), "dtype": dtype, "rank": len(shape), "flags": flags,
        "dims": struct.pack(f"<{spec.MAX_RANK}I", *dims), "arena_offset": arena_offset,
        "size_bytes": size_bytes, "scale": scale, "zero_point": zero_point,
    }


def build_package(manifest: dict, inputs: list[dict], outputs: list[dict], segments: list[Segment],
                  key: Ed25519PrivateKey, *, flags: int = 0) -> bytes:
    """Lay out, hash and sign a package.

    `manifest` holds spec.MANIFEST values except the ones derived here (input/output counts,
    tensor_desc_size); `inputs`/`outputs` are tensor_desc_values() dicts; `segments` are in
    package order. The result is checked with parse_package before it is returned.
    """
    tensors = [*inputs, *outputs]
    if not inputs or not outputs or len(tensors) > spec.MAX_TENSORS:
        raise PackageError(f"a model needs 1 to {spec.MAX_TENSORS} tensors with at least one input and one "
                           f"output; got {len(inputs)} inputs and {len(outputs)} outputs")
    manifest = {**manifest, "input_count": len(inputs), "output_count": len(outputs),
                "tensor_desc_size": spec.TENSOR_DESC.size}
    manifest["name"] = _fixed_name(manifest["name"], "model name")
    manifest_bytes = spec.MANIFEST.pack(**manifest) + b"".join(spec.TENSOR_DESC.pack(**t) for t in tensors)

    hdr = spec.PACKAGE_HEADER.size
    segtab_offset = hdr + len(manifest_bytes)
    signed_size = segtab_offset + len(segments) * spec.SEGMENT_ENTRY.size
    offset = signed_size + spec.SIGNATURE_BLOCK.size
    for segment in segments:
        segment.offset = _align(offset)
        segment.sha256 = hashlib.sha256(segment.data).digest()
        offset = segment.offset + len(segment.data)
    package_size = offset
    if package_size > U32_MAX:
        raise PackageError(f"package would be {package_size} bytes, more than the format can describe")

    header = spec.PACKAGE_HEADER.pack(
        magic=spec.PACKAGE_MAGIC, format_version=spec.FORMAT_VERSION, header_size=hdr,
        package_size=package_size, signed_size=signed_size, manifest_offset=hdr,
        manifest_size=len(manifest_bytes), segtab_offset=segtab_offset, segment_count=len(segments),
        segment_entry_size=spec.SEGMENT_ENTRY.size, signature_offset=signed_size,
        signature_size=spec.SIGNATURE_BLOCK.size, signature_alg=spec.SIG_ALG.ED25519, flags=flags,
    )
    segtab = b"".join(
        spec.SEGMENT_ENTRY.pack(kind=s.kind, flags=0, offset=s.offset, size=len(s.data), sha256=s.sha256)
        for s in segments
    )
    signed = header + manifest_bytes + segtab
    public = keys.public_bytes(key)
    signature = spec.SIGNATURE_BLOCK.pack(key_id=keys.key_id(public), signature=keys.sign(key, signed))
    out = bytearray(signed + signature)
    for segment in segments:
        out += bytes(segment.offset - len(out)) + segment.data
    parse_package(bytes(out), public_key=public)  # never hand out a package our own parser refuses
    return bytes(out)


def segment_order(flags: int) -> tuple[int, ...]:
    """Segment kinds in package order for the package header's flags."""
    order = SEGMENT_ORDER_SPLIT if flags & spec.PACKAGE_FLAG_SPLIT_WEIGHTS else SEGMENT_ORDER
    return order + ((spec.SEGMENT.TEST_VECTORS,) if flags & spec.PACKAGE_FLAG_TEST_VECTORS else ())


def encode_test_vectors(vectors: list[tuple[list[bytes], list[bytes]]]) -> bytes:
    """TEST_VECTORS segment bytes: header, then per vector every input then every output."""
    if not vectors:
        raise PackageError("a TEST_VECTORS segment needs at least one vector")
    body = b"".join(b"".join(inputs) + b"".join(outputs) for inputs, outputs in vectors)
    return spec.TEST_VECTORS_HEADER.pack(count=len(vectors), reserved=0) + body


def decode_test_vectors(data: bytes, input_sizes: list[int], output_sizes: list[int]) -> list[tuple[list[bytes], list[bytes]]]:
    """Inverse of encode_test_vectors; PackageError when the size disagrees with the tensors."""
    if len(data) < spec.TEST_VECTORS_HEADER.size:
        raise PackageError("malformed TEST_VECTORS segment: shorter than its header")
    header = spec.TEST_VECTORS_HEADER.unpack(data)
    stride = sum(input_sizes) + sum(output_sizes)
    body = len(data) - spec.TEST_VECTORS_HEADER.size
    if header["count"] == 0 or header["reserved"] or stride == 0 or body != header["count"] * stride:
        raise PackageError(f"malformed TEST_VECTORS segment: {header['count']} vector(s) of {stride} bytes "
                           f"do not fill its {body} bytes (or count is 0 or reserved is not 0)")
    vectors, at = [], spec.TEST_VECTORS_HEADER.size
    for _ in range(header["count"]):
        def take(sizes: list[int]) -> list[bytes]:
            nonlocal at
            parts = []
            for size in sizes:
                parts.append(data[at:at + size])
                at += size
            return parts
        vectors.append((take(input_sizes), take(output_sizes)))
    return vectors


def _align(value: int) -> int:
    return (value + spec.SEGMENT_ALIGN - 1) // spec.SEGMENT_ALIGN * spec.SEGMENT_ALIGN


def _fixed_name(name: str | bytes, what: str) -> bytes:
    raw = name.encode() if isinstance(name, str) else name
    if len(raw) > spec.NAME_LENGTH - 1 or b"\0" in raw:
        raise PackageError(f"{what} {name!r} must be at most {spec.NAME_LENGTH - 1} bytes without NUL")
    return raw


# ---------------------------------------------------------------------------------------------
# parsing


def parse_package(data: bytes, public_key: bytes | None = None) -> Package:
    """Parse and validate a package; with `public_key`, also check key id and signature.

    Raises PackageError with a specific message for the first problem found, in the order a
    device checks: header, manifest, tensors, segment table, signature, digests, relocations.
    """
    header = _parse_header(data)
    manifest, tensors = _parse_manifest(data, header)
    segments = _parse_segments(data, header, manifest)
    sig = spec.SIGNATURE_BLOCK.unpack(data, header["signature_offset"])
    package = Package(header, manifest, tensors, segments, sig["signature"], sig["key_id"], data)
    if public_key is not None:
        _verify_signature(package, public_key)
    for segment in segments:
        if hashlib.sha256(segment.data).digest() != segment.sha256:
            raise PackageError(f"digest mismatch in the {segment.kind_name} segment: the package is corrupt")
    _check_relocations(package)
    package.test_vectors  # noqa: B018 -- decoding checks the segment against the tensors
    return package


def _parse_header(data: bytes) -> dict:
    if len(data) < 4 or struct.unpack_from("<I", data)[0] != spec.PACKAGE_MAGIC:
        raise PackageError("not a relomodel package (bad magic)")
    if len(data) < spec.PACKAGE_HEADER.size:
        raise PackageError(f"package truncated: {len(data)} bytes, shorter than its {spec.PACKAGE_HEADER.size}-byte header")
    h = spec.PACKAGE_HEADER.unpack(data)
    if h["format_version"] != spec.FORMAT_VERSION:
        raise PackageError(f"unsupported package format version {h['format_version']} (this tool reads {spec.FORMAT_VERSION})")
    if h["package_size"] > len(data):
        raise PackageError(f"package truncated: header says {h['package_size']} bytes, got {len(data)}")
    if h["package_size"] < len(data):
        raise PackageError(f"{len(data) - h['package_size']} unexpected bytes after the end of the package")
    expect = {
        "header_size": spec.PACKAGE_HEADER.size,
        "manifest_offset": spec.PACKAGE_HEADER.size,
        "segment_entry_size": spec.SEGMENT_ENTRY.size,
        "signature_size": spec.SIGNATURE_BLOCK.size,
        "signature_alg": spec.SIG_ALG.ED25519,
        "segtab_offset": h["manifest_offset"] + h["manifest_size"],
        "signed_size": h["segtab_offset"] + h["segment_count"] * h["segment_entry_size"],
        "signature_offset": h["signed_size"],
    }
    for name, value in expect.items():
        if h[name] != value:
            raise PackageError(f"malformed package header: {name} is {h[name]}, expected {value}")
    if h["signature_offset"] + h["signature_size"] > h["package_size"]:
        raise PackageError("malformed package header: the signed head and signature run past the end of the package")
    if h["flags"] & ~PACKAGE_FLAGS:
        raise PackageError(f"malformed package header: unknown flags 0x{h['flags']:x}")
    return h


def _parse_manifest(data: bytes, h: dict) -> tuple[dict, list[dict]]:
    if h["manifest_size"] < spec.MANIFEST.size:
        raise PackageError(f"malformed manifest: manifest_size {h['manifest_size']} is smaller than the manifest")
    m = spec.MANIFEST.unpack(data, h["manifest_offset"])
    m["name"] = _decode_name(m["name"], "model name")
    count = m["input_count"] + m["output_count"]
    if m["tensor_desc_size"] != spec.TENSOR_DESC.size:
        raise PackageError(f"malformed manifest: tensor_desc_size is {m['tensor_desc_size']}, expected {spec.TENSOR_DESC.size}")
    if not m["input_count"] or not m["output_count"] or count > spec.MAX_TENSORS:
        raise PackageError(f"malformed manifest: {m['input_count']} inputs and {m['output_count']} outputs "
                           f"(need at least one of each, {spec.MAX_TENSORS} in all at most)")
    if h["manifest_size"] != spec.MANIFEST.size + count * spec.TENSOR_DESC.size:
        raise PackageError(f"malformed manifest: manifest_size {h['manifest_size']} disagrees with {count} tensor descriptors")
    for name, enum in (("target_cpu", spec.CPU), ("target_fpu", spec.FPU), ("target_abi", spec.FLOAT_ABI)):
        if m[name] not in enum.by_value:
            raise PackageError(f"malformed manifest: unknown {name} {m[name]}")
    align = m["arena_align"]
    if align == 0 or align & (align - 1):
        raise PackageError(f"malformed manifest: arena_align {align} is not a power of two")
    if m["flags"] & ~MODEL_FLAGS:
        raise PackageError(f"malformed manifest: unknown model flags 0x{m['flags']:x}")
    first = h["manifest_offset"] + spec.MANIFEST.size
    tensors = [_parse_tensor(data, first + i * spec.TENSOR_DESC.size, i, m["arena_size"]) for i in range(count)]
    return m, tensors


def _parse_tensor(data: bytes, offset: int, index: int, arena_size: int) -> dict:
    t = spec.TENSOR_DESC.unpack(data, offset)
    t["name"] = _decode_name(t["name"], f"tensor #{index} name")
    what = f"tensor #{index} ({t['name']})"
    if t["dtype"] not in spec.DTYPE.by_value:
        raise PackageError(f"malformed {what}: unknown dtype {t['dtype']}")
    if t["rank"] > spec.MAX_RANK:
        raise PackageError(f"malformed {what}: rank {t['rank']} exceeds {spec.MAX_RANK}")
    dims = struct.unpack(f"<{spec.MAX_RANK}I", t["dims"])
    if any(dims[t["rank"]:]):
        raise PackageError(f"malformed {what}: dimensions beyond its rank are not zero")
    t["dims"] = dims[: t["rank"]]
    expected = math.prod(t["dims"]) * spec.DTYPE_SIZE[t["dtype"]]
    if t["size_bytes"] != expected:
        raise PackageError(f"malformed {what}: size_bytes {t['size_bytes']} but its shape needs {expected}")
    if t["arena_offset"] + t["size_bytes"] > arena_size:
        raise PackageError(f"malformed {what}: lies outside the {arena_size}-byte arena")
    return t


def _decode_name(raw: bytes, what: str) -> str:
    text, _, padding = raw.partition(b"\0")
    if any(padding) or len(text) == len(raw):
        raise PackageError(f"malformed {what}: not NUL terminated and NUL padded")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError(f"malformed {what}: not UTF-8") from None


def _parse_segments(data: bytes, h: dict, m: dict) -> list[Segment]:
    order = segment_order(h["flags"])
    entries = [spec.SEGMENT_ENTRY.unpack(data, h["segtab_offset"] + i * spec.SEGMENT_ENTRY.size)
               for i in range(h["segment_count"])]
    kinds = tuple(e["kind"] for e in entries)
    if kinds != order:
        names = lambda ks: ", ".join(spec.SEGMENT.name_of(k) for k in ks)  # noqa: E731
        raise PackageError(f"malformed segment table: segments are [{names(kinds)}], expected [{names(order)}]")
    segments = []
    cursor = h["signature_offset"] + h["signature_size"]
    for e in entries:
        kind = spec.SEGMENT.name_of(e["kind"])
        if e["offset"] % spec.SEGMENT_ALIGN:
            raise PackageError(f"malformed segment table: {kind} segment offset {e['offset']} is not {spec.SEGMENT_ALIGN}-byte aligned")
        if e["offset"] < cursor:
            raise PackageError(f"malformed segment table: {kind} segment at {e['offset']} overlaps what precedes it (ends at {cursor})")
        if e["offset"] != _align(cursor):
            raise PackageError(f"malformed segment table: {kind} segment at {e['offset']}, expected {_align(cursor)}")
        if e["offset"] + e["size"] > h["package_size"]:
            raise PackageError(f"malformed segment table: {kind} segment runs past the end of the package")
        if e["flags"] or e["reserved"]:
            raise PackageError(f"malformed segment table: {kind} segment has non-zero flags or reserved bits")
        if any(data[cursor:e["offset"]]):
            raise PackageError(f"malformed package: padding before the {kind} segment is not zero")
        segments.append(Segment(e["kind"], data[e["offset"]:e["offset"] + e["size"]], e["offset"], e["sha256"]))
        cursor = e["offset"] + e["size"]
    if cursor != h["package_size"]:
        raise PackageError(f"malformed package: {h['package_size'] - cursor} bytes after the last segment")
    _check_segments_against_manifest(segments, m)
    return segments


def _check_segments_against_manifest(segments: list[Segment], m: dict) -> None:
    by_kind = {s.kind: s for s in segments}
    code = len(by_kind[spec.SEGMENT.CODE].data)
    data = len(by_kind[spec.SEGMENT.DATA].data)
    if m["ram_data_size"] != data:
        raise PackageError(f"malformed manifest: ram_data_size {m['ram_data_size']} but the data segment has {data} bytes")
    for entry in ("entry_init", "entry_run", "entry_reset"):
        value = m[entry]
        if entry == "entry_reset" and value == 0:
            continue
        if not value & 1 or (value & ~1) >= code:
            raise PackageError(f"malformed manifest: {entry} 0x{value:x} is not a Thumb address inside the code segment")
    if m["got_offset"] % 4 or m["got_offset"] > data:
        raise PackageError(f"malformed manifest: got_offset {m['got_offset']} is not an aligned offset in the RAM image")
    if len(by_kind[spec.SEGMENT.RELOC].data) % RELOC_ENTRY_SIZE:
        raise PackageError("malformed relocation segment: its size is not a multiple of 4")


def _verify_signature(package: Package, public_key: bytes) -> None:
    expected = keys.key_id(public_key)
    if package.key_id != expected:
        raise PackageError(f"package is signed with unknown key id {package.key_id.hex()} (expected {expected.hex()})")
    if not keys.verify(public_key, package.signature, package.signed_region):
        raise PackageError("package signature is invalid")


def _check_relocations(package: Package) -> None:
    """Every entry names an aligned word of the data image whose value stays inside its target."""
    data = package.segment(spec.SEGMENT.DATA).data
    code_size = len(package.segment(spec.SEGMENT.CODE).data)
    weights = package.segment(spec.SEGMENT.WEIGHTS)
    limits = {
        spec.RELOC_TARGET.CODE: code_size,
        spec.RELOC_TARGET.WEIGHTS: len(weights.data) if weights else code_size,
        spec.RELOC_TARGET.RAM: len(data) + package.manifest["ram_bss_size"],
    }
    previous = -1
    for index, entry in enumerate(package.relocations):
        offset, target = entry & ~spec.RELOC_TARGET_MASK, entry & spec.RELOC_TARGET_MASK
        if target not in limits:
            raise PackageError(f"relocation entry {index} out of bounds: unknown target {target}")
        if offset + 4 > len(data):
            raise PackageError(f"relocation entry {index} out of bounds: offset {offset} is outside the {len(data)}-byte data image")
        if offset <= previous:
            raise PackageError(f"relocation entry {index} out of bounds: offsets must be strictly increasing")
        (value,) = struct.unpack_from("<I", data, offset)
        if value > limits[target]:
            raise PackageError(f"relocation entry {index} out of bounds: value 0x{value:x} exceeds its "
                               f"{spec.RELOC_TARGET.name_of(target)} target ({limits[target]} bytes)")
        previous = offset


# ---------------------------------------------------------------------------------------------
# describing


def describe(package: Package) -> dict:
    """Everything `relomodel info` shows, as plain data."""
    m, h = package.manifest, package.header
    count_in = m["input_count"]

    def tensor(t: dict) -> dict:
        return {
            "name": t["name"], "dtype": spec.DTYPE.message_of(t["dtype"]), "shape": list(t["dims"]),
            "scale": t["scale"], "zero_point": t["zero_point"], "arena_offset": t["arena_offset"],
            "size_bytes": t["size_bytes"],
        }

    model_flags = ((spec.MODEL_FLAG_STATEFUL, "stateful"), (spec.MODEL_FLAG_LITERT_ROUNDING, "litert-rounding"),
                   (spec.MODEL_FLAG_ALLOW_DOWNGRADE, "allow-downgrade"))
    flags = [n for bit, n in model_flags if m["flags"] & bit]
    if h["flags"] & spec.PACKAGE_FLAG_SPLIT_WEIGHTS:
        flags.append("split-weights")
    return {
        "name": m["name"],
        "version": spec.decode_version(m["version"]),
        "security_counter": m["security_counter"],
        "packer_version": spec.decode_version(m["packer_version"]),
        "target": {
            "cpu": spec.CPU.message_of(m["target_cpu"]),
            "fpu": spec.FPU.message_of(m["target_fpu"]),
            "float_abi": spec.FLOAT_ABI.message_of(m["target_abi"]),
        },
        "inputs": [tensor(t) for t in package.tensors[:count_in]],
        "outputs": [tensor(t) for t in package.tensors[count_in:]],
        "ram": {
            "data": m["ram_data_size"], "bss": m["ram_bss_size"], "arena": m["arena_size"],
            "arena_align": m["arena_align"], "stack": m["stack_size"],
        },
        "entries": {"init": m["entry_init"], "run": m["entry_run"], "reset": m["entry_reset"], "got_offset": m["got_offset"]},
        "segments": [
            {"kind": s.kind_name, "offset": s.offset, "size": len(s.data), "sha256": s.sha256.hex()}
            for s in package.segments
        ],
        "relocations": len(package.relocations),
        "test_vectors": len(package.test_vectors),
        "macs": m["macs"],
        "source_sha256": m["source_sha256"].hex(),
        "key_id": package.key_id.hex(),
        "package_size": h["package_size"],
        "signed_size": h["signed_size"],
        "flags": flags,
    }
