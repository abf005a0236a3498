""".rmod packages: build -> parse round trips, every validation error, signing, determinism."""

from __future__ import annotations

import hashlib
import shutil
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relomodel import keys, packer
from relomodel.errors import ModelError, PackageError
from relomodel.format import package as pkg
from relomodel.format import spec

FIXTURES = Path(__file__).parent / "fixtures"
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
PUBLIC = keys.public_bytes(KEY)

HEADER = 0  # offsets of the records inside a package
MANIFEST = spec.PACKAGE_HEADER.size
TENSORS = MANIFEST + spec.MANIFEST.size

CODE = bytes(range(256)) * 2
WEIGHTS = bytes([7]) * 100
# RAM image: word 0 -> CODE offset 0x11 (a Thumb pointer), word 1 -> WEIGHTS offset 100
# (one past the end is legal), word 2 -> RAM offset 12, word 3 plain data.
DATA = struct.pack("<4I", 0x11, 100, 12, 0xDEADBEEF)
RELOCS = [0 | spec.RELOC_TARGET.CODE, 4 | spec.RELOC_TARGET.WEIGHTS, 8 | spec.RELOC_TARGET.RAM]


def manifest(**overrides) -> dict:
    values = {
        "name": "synthetic", "version": spec.encode_version("1.2.3"), "security_counter": 7,
        "target_cpu": spec.CPU.CORTEX_M4, "target_fpu": spec.FPU.FPV4_SP_D16, "target_abi": spec.FLOAT_ABI.HARD,
        "entry_init": 0x1, "entry_run": 0x41, "entry_reset": 0, "got_offset": 0, "ram_data_size": len(DATA),
        "ram_bss_size": 8, "arena_size": 64, "arena_align": 16, "stack_size": 96,
        "packer_version": spec.encode_version("0.1.0"), "flags": spec.MODEL_FLAG_STATEFUL, "macs": 1234,
        "source_sha256": hashlib.sha256(b"model").digest(),
    }
    values.update(overrides)
    return values


def tensors():
    inputs = [pkg.tensor_desc_values("in", spec.DTYPE.INT8, (1, 8), 0.5, -3, 0, 8)]
    outputs = [pkg.tensor_desc_values("out", spec.DTYPE.INT16, (2, 2), 0.25, 0, 8, 8),
               pkg.tensor_desc_values("score", spec.DTYPE.FLOAT32, (1,), 0.0, 0, 16, 4)]
    return inputs, outputs


def make(split: bool = True, key=KEY, data: bytes = DATA, relocs=RELOCS, **manifest_overrides) -> bytes:
    inputs, outputs = tensors()
    segments = [pkg.Segment(spec.SEGMENT.CODE, CODE)]
    if split:
        segments.append(pkg.Segment(spec.SEGMENT.WEIGHTS, WEIGHTS))
    segments += [pkg.Segment(spec.SEGMENT.DATA, data),
                 pkg.Segment(spec.SEGMENT.RELOC, b"".join(struct.pack("<I", r) for r in relocs))]
    overrides = {"ram_data_size": len(data), **manifest_overrides}
    return pkg.build_package(manifest(**overrides), inputs, outputs, segments, key,
                             flags=spec.PACKAGE_FLAG_SPLIT_WEIGHTS if split else 0)


GOOD = make()
GOOD_UNSPLIT = make(split=False, relocs=[0 | spec.RELOC_TARGET.CODE, 8 | spec.RELOC_TARGET.RAM])


def patch(data: bytes, layout, at: int, resign: bool = False, **fields) -> bytes:
    """Rewrite fields of the record at `offset`; optionally re-sign so only the field is wrong."""
    values = layout.unpack(data, at)
    values.update(fields)
    out = bytearray(data)
    out[at:at + layout.size] = layout.pack(**values)
    if resign:
        signed = struct.unpack_from("<I", out, spec.PACKAGE_HEADER.offsets["signed_size"])[0]
        sig = spec.SIGNATURE_BLOCK.pack(key_id=keys.key_id(PUBLIC), signature=KEY.sign(bytes(out[:signed])))
        out[signed:signed + spec.SIGNATURE_BLOCK.size] = sig
    return bytes(out)


def segment_entry_offset(data: bytes, index: int) -> int:
    header = spec.PACKAGE_HEADER.unpack(data)
    return header["segtab_offset"] + index * spec.SEGMENT_ENTRY.size


def replace_segment(data: bytes, index: int, content: bytes) -> bytes:
    """Same-size replacement of a segment's bytes with its digest updated and the head re-signed."""
    entry_at = segment_entry_offset(data, index)
    entry = spec.SEGMENT_ENTRY.unpack(data, entry_at)
    assert len(content) == entry["size"]
    out = bytearray(data)
    out[entry["offset"]:entry["offset"] + entry["size"]] = content
    return patch(bytes(out), spec.SEGMENT_ENTRY, entry_at, resign=True, sha256=hashlib.sha256(content).digest())


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("data, split", [(GOOD, True), (GOOD_UNSPLIT, False)], ids=["split", "unsplit"])
def test_round_trip(data, split):
    package = pkg.parse_package(data, public_key=PUBLIC)
    kinds = [s.kind for s in package.segments]
    assert kinds == list(pkg.SEGMENT_ORDER_SPLIT if split else pkg.SEGMENT_ORDER)
    assert package.segment(spec.SEGMENT.CODE).data == CODE
    assert package.segment(spec.SEGMENT.DATA).data == DATA
    assert (package.segment(spec.SEGMENT.WEIGHTS).data == WEIGHTS) if split else package.segment(spec.SEGMENT.WEIGHTS) is None
    assert all(s.offset % spec.SEGMENT_ALIGN == 0 for s in package.segments)
    assert package.key_id == keys.key_id(PUBLIC)
    assert package.manifest["name"] == "synthetic" and package.manifest["macs"] == 1234
    assert [t["name"] for t in package.tensors] == ["in", "out", "score"]
    assert package.tensors[1]["dims"] == (2, 2)
    assert package.header["signed_size"] == package.header["signature_offset"]


def test_describe():
    info = pkg.describe(pkg.parse_package(GOOD))
    assert info["name"] == "synthetic" and info["version"] == "1.2.3" and info["packer_version"] == "0.1.0"
    assert info["target"] == {"cpu": "Cortex-M4", "fpu": "FPv4-SP-D16", "float_abi": "hard"}
    assert info["inputs"][0] == {"name": "in", "dtype": "int8", "shape": [1, 8], "scale": 0.5, "zero_point": -3,
                                 "arena_offset": 0, "size_bytes": 8}
    assert [o["dtype"] for o in info["outputs"]] == ["int16", "float32"]
    assert info["ram"] == {"data": 16, "bss": 8, "arena": 64, "arena_align": 16, "stack": 96}
    assert [s["kind"] for s in info["segments"]] == ["CODE", "WEIGHTS", "DATA", "RELOC"]
    assert info["segments"][0]["sha256"] == hashlib.sha256(CODE).hexdigest()
    assert info["macs"] == 1234 and info["relocations"] == 3
    assert info["source_sha256"] == hashlib.sha256(b"model").hexdigest()
    assert info["key_id"] == keys.key_id(PUBLIC).hex()
    assert info["flags"] == ["stateful", "split-weights"]


def test_building_is_deterministic():
    assert make() == GOOD


# -- signatures -------------------------------------------------------------------------------


def test_other_key_is_unknown():
    with pytest.raises(PackageError, match=f"unknown key id {keys.key_id(PUBLIC).hex()}"):
        pkg.parse_package(GOOD, public_key=keys.public_bytes(OTHER_KEY))


def test_signed_with_one_key_claiming_another_fails():
    forged = patch(make(key=OTHER_KEY), spec.SIGNATURE_BLOCK, spec.PACKAGE_HEADER.unpack(GOOD)["signed_size"],
                   key_id=keys.key_id(PUBLIC))
    with pytest.raises(PackageError, match="signature is invalid"):
        pkg.parse_package(forged, public_key=PUBLIC)


def test_tampered_head_fails_signature():
    tampered = patch(GOOD, spec.MANIFEST, MANIFEST, security_counter=8)
    pkg.parse_package(tampered)  # structurally fine
    with pytest.raises(PackageError, match="signature is invalid"):
        pkg.parse_package(tampered, public_key=PUBLIC)


# -- crafted packages: every error path ---------------------------------------------------------


def expect(data: bytes, message: str) -> None:
    with pytest.raises(PackageError, match=message):
        pkg.parse_package(data)


def test_bad_magic():
    expect(b"ELF\x7f" + GOOD[4:], r"bad magic")
    expect(b"", r"bad magic")


def test_unsupported_version():
    expect(patch(GOOD, spec.PACKAGE_HEADER, HEADER, format_version=spec.FORMAT_VERSION + 1),
           rf"unsupported package format version {spec.FORMAT_VERSION + 1}")


def test_truncated():
    expect(GOOD[:40], r"truncated: 40 bytes, shorter than its 64-byte header")
    expect(GOOD[:-1], rf"truncated: header says {len(GOOD)} bytes, got {len(GOOD) - 1}")
    expect(GOOD + b"\0", r"1 unexpected bytes after the end")


@pytest.mark.parametrize("field, value, message", [
    ("header_size", 60, "header_size is 60, expected 64"),
    ("manifest_offset", 72, "manifest_offset is 72"),
    ("segtab_offset", 1000, "segtab_offset is 1000"),
    ("segment_entry_size", 40, "segment_entry_size is 40"),
    ("signed_size", 4, "signed_size is 4"),
    ("signature_offset", 4, "signature_offset is 4"),
    ("signature_size", 64, "signature_size is 64"),
    ("signature_alg", 9, "signature_alg is 9"),
    ("flags", 0x80, "unknown flags 0x80"),
])
def test_header_fields_disagreeing(field, value, message):
    expect(patch(GOOD, spec.PACKAGE_HEADER, HEADER, **{field: value}), f"malformed package header: {message}")


def test_head_running_past_the_end():
    # A consistent header whose segment table would end past the package (e.g. a 32-bit overflow).
    header = spec.PACKAGE_HEADER.unpack(GOOD)
    huge = 0xFFFFF000
    data = patch(GOOD, spec.PACKAGE_HEADER, HEADER, manifest_size=huge, segtab_offset=64 + huge,
                 signed_size=64 + huge + header["segment_count"] * 48, signature_offset=64 + huge + header["segment_count"] * 48)
    expect(data, "run past the end of the package")


def test_manifest_errors():
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, tensor_desc_size=64), "tensor_desc_size is 64")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, output_count=0), "1 inputs and 0 outputs")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, input_count=2), "manifest_size .* disagrees with 4 tensor descriptors")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, input_count=20), "20 inputs")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, target_cpu=99), "unknown target_cpu 99")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, target_fpu=99), "unknown target_fpu 99")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, arena_align=12), "arena_align 12 is not a power of two")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, flags=0x100), "unknown model flags 0x100")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, name=b"x" * spec.NAME_LENGTH), "model name: not NUL terminated")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, name=b"ab\0c"), "model name: not NUL terminated and NUL padded")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, name=b"\xff\xfe"), "model name: not UTF-8")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, ram_data_size=20), "ram_data_size 20 but the data segment has 16")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, entry_run=0x40), "entry_run 0x40 is not a Thumb address")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, entry_init=len(CODE) + 1), "entry_init .* inside the code segment")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, entry_reset=2), "entry_reset 0x2")
    expect(patch(GOOD, spec.MANIFEST, MANIFEST, got_offset=2), "got_offset 2")


def test_tensor_errors():
    second = TENSORS + spec.TENSOR_DESC.size
    expect(patch(GOOD, spec.TENSOR_DESC, TENSORS, dtype=42), r"tensor #0 \(in\): unknown dtype 42")
    expect(patch(GOOD, spec.TENSOR_DESC, second, rank=7), r"tensor #1 \(out\): rank 7 exceeds 6")
    expect(patch(GOOD, spec.TENSOR_DESC, second, rank=1), r"tensor #1 \(out\): dimensions beyond its rank")
    expect(patch(GOOD, spec.TENSOR_DESC, TENSORS, size_bytes=9), r"tensor #0 \(in\): size_bytes 9 but its shape needs 8")
    expect(patch(GOOD, spec.TENSOR_DESC, second, arena_offset=60), r"tensor #1 \(out\): lies outside the 64-byte arena")


def test_segment_table_errors():
    first = segment_entry_offset(GOOD, 0)
    second = segment_entry_offset(GOOD, 1)
    code_offset = spec.SEGMENT_ENTRY.unpack(GOOD, first)["offset"]
    expect(patch(GOOD, spec.SEGMENT_ENTRY, second, kind=spec.SEGMENT.DATA),
           r"segments are \[CODE, DATA, DATA, RELOC\], expected \[CODE, WEIGHTS, DATA, RELOC\]")
    expect(patch(GOOD, spec.PACKAGE_HEADER, HEADER, flags=0), r"segments are \[CODE, WEIGHTS, DATA, RELOC\], expected \[CODE, DATA, RELOC\]")
    expect(patch(GOOD, spec.SEGMENT_ENTRY, first, offset=code_offset + 4), "CODE segment offset .* is not 64-byte aligned")
    expect(patch(GOOD, spec.SEGMENT_ENTRY, first, offset=code_offset - 64), "CODE segment at .* overlaps")
    expect(patch(GOOD, spec.SEGMENT_ENTRY, first, offset=code_offset + 64), "CODE segment at .*, expected")
    expect(patch(GOOD, spec.SEGMENT_ENTRY, second, size=0xFFFFFF00), "WEIGHTS segment runs past the end")
    expect(patch(GOOD, spec.SEGMENT_ENTRY, second, reserved=1), "WEIGHTS segment has non-zero flags or reserved")
    expect(patch(GOOD, spec.SEGMENT_ENTRY, second, size=len(WEIGHTS) - 1), r"padding before the DATA segment is not zero")
    last = segment_entry_offset(GOOD, 3)
    expect(patch(GOOD, spec.SEGMENT_ENTRY, last, size=8), r"bytes after the last segment")


def test_padding_must_be_zero():
    """Padding is neither signed nor digested: if it could vary, packages would be malleable."""
    weights = spec.SEGMENT_ENTRY.unpack(GOOD, segment_entry_offset(GOOD, 1))
    gap = weights["offset"] + weights["size"]  # 100-byte WEIGHTS: padding follows up to DATA
    expect(GOOD[:gap] + b"\x01" + GOOD[gap + 1:], "padding before the DATA segment is not zero")


@pytest.mark.parametrize("index, kind", [(0, "CODE"), (1, "WEIGHTS"), (2, "DATA"), (3, "RELOC")])
def test_digest_mismatch_names_the_segment(index, kind):
    entry = spec.SEGMENT_ENTRY.unpack(GOOD, segment_entry_offset(GOOD, index))
    corrupted = bytearray(GOOD)
    corrupted[entry["offset"]] ^= 0x01
    expect(bytes(corrupted), f"digest mismatch in the {kind} segment")


def test_relocation_errors():
    def with_relocs(relocs):
        reloc_bytes = b"".join(struct.pack("<I", r) for r in relocs)
        return replace_segment(GOOD, 3, reloc_bytes)

    expect(with_relocs([0, 4 | 1, 3]), r"relocation entry 2 out of bounds: unknown target 3")
    expect(with_relocs([0, 4 | 1, 16 | 2]), r"relocation entry 2 out of bounds: offset 16 is outside the 16-byte data image")
    expect(with_relocs([0, 0 | 1, 8 | 2]), r"relocation entry 1 out of bounds: offsets must be strictly increasing")
    expect(with_relocs([0, 4 | 1, 12 | 2]), r"relocation entry 2 out of bounds: value 0xdeadbeef exceeds")
    # the value 100 is inside WEIGHTS (100 bytes, end inclusive) but not inside RAM (16 + 8 bytes)
    expect(with_relocs([0, 4 | 2, 8 | 2]), r"relocation entry 1 out of bounds: value 0x64 exceeds its RAM target \(24 bytes\)")
    bad_size = make(relocs=[0, 4 | 1])
    entry_at = segment_entry_offset(bad_size, 3)
    shrunk = patch(bad_size, spec.SEGMENT_ENTRY, entry_at, size=7)[:-1]
    expect(patch(shrunk, spec.PACKAGE_HEADER, HEADER, package_size=len(shrunk)), "not a multiple of 4")


def test_unsplit_weights_relocations_are_bounded_by_code():
    # Without a WEIGHTS segment, a WEIGHTS-relative word is bounded by the code segment.
    data = replace_segment(GOOD_UNSPLIT, 1, struct.pack("<4I", 0x11, len(CODE) + 4, 12, 0))
    reloc = struct.pack("<2I", 0, 4 | spec.RELOC_TARGET.WEIGHTS)
    with pytest.raises(PackageError, match=f"value 0x{len(CODE) + 4:x} exceeds its WEIGHTS target \\({len(CODE)} bytes\\)"):
        pkg.parse_package(replace_segment(data, 2, reloc))


def test_builder_refuses_bad_inputs():
    inputs, outputs = tensors()
    segments = [pkg.Segment(spec.SEGMENT.CODE, CODE), pkg.Segment(spec.SEGMENT.DATA, DATA), pkg.Segment(spec.SEGMENT.RELOC, b"")]
    with pytest.raises(PackageError, match="at least one input and one output"):
        pkg.build_package(manifest(), inputs, [], segments, KEY)
    with pytest.raises(PackageError, match="model name .* at most 31 bytes"):
        pkg.build_package(manifest(name="n" * 40), inputs, outputs, segments, KEY)
    with pytest.raises(PackageError, match="rank 7"):
        pkg.tensor_desc_values("t", spec.DTYPE.INT8, (1,) * 7, 0.0, 0, 0, 1)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(GOOD) - 1), st.integers(min_value=1, max_value=255))
def test_any_corruption_is_a_package_error(position, flip):
    corrupted = bytearray(GOOD)
    corrupted[position] ^= flip
    try:
        pkg.parse_package(bytes(corrupted), public_key=PUBLIC)
    except PackageError:
        return
    pytest.fail(f"flipping byte {position} was not detected")


# -- the packer ---------------------------------------------------------------------------------


needs_gcc = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")


@pytest.fixture(scope="module")
def key_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "key.pem"
    keys.generate_key(path)
    return path


@needs_gcc
@pytest.mark.parametrize("split", [False, True], ids=["unsplit", "split"])
def test_pack_fixture_round_trip(tmp_path, key_file, split):
    out = tmp_path / "pointers.rmod"
    report = packer.pack(FIXTURES / "pointers.c", key_file, out, version="2.0.1", split_weights=split)
    data = out.read_bytes()
    package = pkg.parse_package(data, public_key=keys.public_bytes(keys.load_private_key(key_file)))
    info = pkg.describe(package)
    assert info["name"] == "pointers" and info["version"] == "2.0.1"
    assert [t["name"] for t in info["inputs"]] == ["input"] and [t["name"] for t in info["outputs"]] == ["output", "calls"]
    assert ("split-weights" in info["flags"]) == split and "stateful" in info["flags"]
    assert info["source_sha256"] == hashlib.sha256((FIXTURES / "pointers.c").read_bytes()).hexdigest()
    assert report.package_size == len(data)
    code_segment = len(package.segment(spec.SEGMENT.CODE).data)
    assert report.code == (code_segment if split else code_segment - report.weights)
    assert report.weights == 8 and report.arena == 16 and report.macs == 8 and report.stack > 0
    assert report.overhead == len(data) - report.code - report.weights
    assert package.manifest["entry_reset"] & 1
    assert set(report.timings) == {"compile", "build", "package", "write"}
    assert [p.name for p in tmp_path.iterdir()] == ["pointers.rmod"]  # no temporary left behind


@needs_gcc
def test_pack_is_deterministic(tmp_path, key_file):
    a, b = tmp_path / "a.rmod", tmp_path / "b.rmod"
    packer.pack(FIXTURES / "pointers.c", key_file, a, split_weights=True)
    packer.pack(FIXTURES / "pointers.c", key_file, b, split_weights=True)
    assert a.read_bytes() == b.read_bytes()


def test_pack_errors(tmp_path, key_file):
    with pytest.raises(ModelError, match="cannot read model"):
        packer.pack(tmp_path / "missing.tflite", key_file, tmp_path / "x.rmod")
    lonely = tmp_path / "lonely.c"
    lonely.write_text("int x;\n")
    with pytest.raises(ModelError, match="needs its description"):
        packer.pack(lonely, key_file, tmp_path / "x.rmod")
    with pytest.raises(Exception, match="version must be MAJOR.MINOR.PATCH"):
        packer.pack(FIXTURES / "pointers.c", key_file, tmp_path / "x.rmod", version="1.0")
    assert not (tmp_path / "x.rmod").exists()


@needs_gcc
def test_pack_real_model(tmp_path, key_file):
    """The compiler's output goes through the same build checks (skipped until it exists)."""
    pytest.importorskip("relomodel.compiler.driver")
    from tests.conftest import shared_model

    model = shared_model("hello_world_int8.tflite")
    out = tmp_path / "hello.rmod"
    report = packer.pack(model, key_file, out, split_weights=True)
    package = pkg.parse_package(out.read_bytes(), public_key=keys.public_bytes(keys.load_private_key(key_file)))
    assert package.manifest["source_sha256"] == hashlib.sha256(model.read_bytes()).digest()
    assert report.weights == len(package.segment(spec.SEGMENT.WEIGHTS).data) > 0
    assert package.tensors[0]["dtype"] == spec.DTYPE.INT8
