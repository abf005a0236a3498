"""Writes the packages the host C tests load, built by the project's own packer code
(relomodel.format.package) and signed with relomodel.keys, plus what the C side must
compute from them (relocated RAM images), derived here independently in Python.

usage: python make_fixtures.py OUTDIR

Fixtures:
  good.rmod / good.image       CODE + DATA + RELOC, dev key; image = relocated data+bss
  split.rmod / split.image     with a separate WEIGHTS segment
  otherkey.rmod                valid, signed by a key the firmware does not trust
  m7.rmod                      built for Cortex-M7 (WRONG_CPU on the M4 host board)
  bigram.rmod                  needs more model RAM than the host board lends
  badreloc.rmod                signed, but one relocated word points past the CODE segment
  large.rmod                   300 KiB of code: spans several flash sectors
  vectors.rmod                 good + 2 golden test vectors for the host stand-in model
                               (output[i] = input[i] + 1), version 1.3.0
  badvectors.rmod              the same, but vector 1 expects a wrong output byte
  counter9.rmod                security_counter 9, version 1.4.0
  old.rmod / oldallowed.rmod   version 1.0.0, without / with MODEL_FLAG_ALLOW_DOWNGRADE
  other.rmod                   another model (name "other"), version 0.1.0, with the vectors
"""

from __future__ import annotations

import hashlib
import struct
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from relomodel import keys
from relomodel.format import spec
from relomodel.format.package import Segment, build_package, encode_test_vectors, tensor_desc_values

REPO = Path(__file__).resolve().parents[2]
DEV_KEY = REPO / "keys" / "dev_ed25519.pem"

# Where the C tests (and relo_pkgcheck's defaults) place things: slot 0 of the emulated
# board's flash, model RAM at the start of the emulated board's model SSRAM.
FLASH_XIP = 0x21000000
SLOT0 = 0x40000
RAM_BASE = 0x20100000


def code_bytes(size: int) -> bytes:
    return bytes((i * 7 + 3) & 0xFF for i in range(size))


def data_and_relocs(code_size: int, weights_size: int, ram_size: int) -> tuple[bytes, list[int]]:
    """A data image of words, some relocated: (offset-in-target, target) or plain."""
    words = [
        (0x11, spec.RELOC_TARGET.CODE),
        (0xDEADBEEF, None),
        (8, spec.RELOC_TARGET.RAM),
        (weights_size // 2, spec.RELOC_TARGET.WEIGHTS),
        (code_size, spec.RELOC_TARGET.CODE),  # one-past-the-end is legal
        (ram_size, spec.RELOC_TARGET.RAM),
        (0x01020304, None),
        (0, spec.RELOC_TARGET.WEIGHTS),
    ]
    assert len(words) == DATA_WORDS
    data = b"".join(struct.pack("<I", value) for value, _ in words)
    relocs = [4 * i | target for i, (_, target) in enumerate(words) if target is not None]
    return data, relocs


def manifest(data_size: int, code_size: int, cpu: int = spec.CPU.CORTEX_M4, arena: int = 256,
             version: str = "1.2.3", counter: int = 1, name: str = "fixture") -> dict:
    return {
        "name": name, "version": spec.encode_version(version), "security_counter": counter,
        "target_cpu": cpu, "target_fpu": spec.FPU.FPV4_SP_D16 if cpu == spec.CPU.CORTEX_M4 else spec.FPU.FPV5_D16,
        "target_abi": spec.FLOAT_ABI.HARD, "entry_init": 0x41, "entry_run": 0x81, "entry_reset": 0,
        "got_offset": 0, "ram_data_size": data_size, "ram_bss_size": BSS_SIZE, "arena_size": arena, "arena_align": 16,
        "stack_size": 512, "packer_version": spec.encode_version("0.1.0"), "flags": 0, "macs": 1234,
        "source_sha256": hashlib.sha256(b"fixture").digest(),
    }


def tensors() -> tuple[list[dict], list[dict]]:
    inputs = [tensor_desc_values("input", spec.DTYPE.INT8, (1, 16), 0.5, -3, 0, 16)]
    outputs = [tensor_desc_values("output", spec.DTYPE.INT8, (1, 4), 0.25, 7, 64, 4)]
    return inputs, outputs


DATA_WORDS = 8
BSS_SIZE = 64


def build(key: Ed25519PrivateKey, split: bool = False, cpu: int = spec.CPU.CORTEX_M4, arena: int = 256,
          code_size: int = 300, vectors: list | None = None, version: str = "1.2.3", counter: int = 1,
          model_flags: int = 0, name: str = "fixture") -> bytes:
    weights_size = 200
    data, relocs = data_and_relocs(code_size, weights_size if split else code_size, 4 * DATA_WORDS + BSS_SIZE)
    segments = [Segment(spec.SEGMENT.CODE, code_bytes(code_size))]
    if split:
        segments.append(Segment(spec.SEGMENT.WEIGHTS, bytes(range(weights_size))))
    segments += [Segment(spec.SEGMENT.DATA, data), Segment(spec.SEGMENT.RELOC, struct.pack(f"<{len(relocs)}I", *relocs))]
    inputs, outputs = tensors()
    flags = spec.PACKAGE_FLAG_SPLIT_WEIGHTS if split else 0
    if vectors:
        segments.append(Segment(spec.SEGMENT.TEST_VECTORS, encode_test_vectors(vectors)))
        flags |= spec.PACKAGE_FLAG_TEST_VECTORS
    m = manifest(len(data), code_size, cpu, arena, version, counter, name)
    m["flags"] = model_flags
    return build_package(m, inputs, outputs, segments, key, flags=flags)


def plus_one_vectors(wrong_byte_in: int | None = None) -> list:
    """Vectors for the C tests' stand-in model, output[i] = input[i] + 1 (int8, wrapping)."""
    vectors = []
    for v in range(2):
        inp = bytes((v * 31 + i * 5) & 0xFF for i in range(16))
        out = bytearray((b + 1) & 0xFF for b in inp[:4])
        if wrong_byte_in == v:
            out[2] ^= 0x40
        vectors.append(([inp], [bytes(out)]))
    return vectors


def segments_of(raw: bytes) -> list[dict]:
    h = spec.PACKAGE_HEADER.unpack(raw)
    return [spec.SEGMENT_ENTRY.unpack(raw, h["segtab_offset"] + i * spec.SEGMENT_ENTRY.size)
            for i in range(h["segment_count"])]


def resign(raw: bytearray, key: Ed25519PrivateKey) -> bytes:
    """Recomputes every segment digest and the signature after a deliberate edit."""
    h = spec.PACKAGE_HEADER.unpack(raw)
    for i, e in enumerate(segments_of(bytes(raw))):
        at = h["segtab_offset"] + i * spec.SEGMENT_ENTRY.size + spec.SEGMENT_ENTRY.offsets["sha256"]
        raw[at:at + 32] = hashlib.sha256(raw[e["offset"]:e["offset"] + e["size"]]).digest()
    signed = bytes(raw[: h["signed_size"]])
    sig_at = h["signature_offset"]
    raw[sig_at:sig_at + spec.SIGNATURE_BLOCK.size] = spec.SIGNATURE_BLOCK.pack(
        key_id=keys.key_id(keys.public_bytes(key)), signature=keys.sign(key, signed))
    return bytes(raw)


def relocated_image(raw: bytes) -> bytes:
    """What the loader must produce for slot 0 at FLASH_XIP and RAM at RAM_BASE."""
    h = spec.PACKAGE_HEADER.unpack(raw)
    m = spec.MANIFEST.unpack(raw, h["manifest_offset"])
    segs = {e["kind"]: e for e in segments_of(raw)}
    code = segs[spec.SEGMENT.CODE]
    weights = segs.get(spec.SEGMENT.WEIGHTS, code)
    bases = {
        spec.RELOC_TARGET.CODE: FLASH_XIP + SLOT0 + code["offset"],
        spec.RELOC_TARGET.WEIGHTS: FLASH_XIP + SLOT0 + weights["offset"],
        spec.RELOC_TARGET.RAM: RAM_BASE,
    }
    data_seg, reloc_seg = segs[spec.SEGMENT.DATA], segs[spec.SEGMENT.RELOC]
    image = bytearray(raw[data_seg["offset"]:data_seg["offset"] + data_seg["size"]]) + bytes(m["ram_bss_size"])
    for (entry,) in struct.iter_unpack("<I", raw[reloc_seg["offset"]:reloc_seg["offset"] + reloc_seg["size"]]):
        offset, target = entry & ~spec.RELOC_TARGET_MASK, entry & spec.RELOC_TARGET_MASK
        (value,) = struct.unpack_from("<I", image, offset)
        struct.pack_into("<I", image, offset, (bases[target] + value) & 0xFFFFFFFF)
    return bytes(image)


def bad_relocation(raw: bytes, key: Ed25519PrivateKey) -> bytes:
    """Word 0 (relocated against CODE) now points 4 bytes past the end of CODE."""
    out = bytearray(raw)
    segs = {e["kind"]: e for e in segments_of(raw)}
    struct.pack_into("<I", out, segs[spec.SEGMENT.DATA]["offset"], segs[spec.SEGMENT.CODE]["size"] + 4)
    return resign(out, key)


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    dev = keys.load_private_key(DEV_KEY)
    other = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"relomodel test key").digest())
    good = build(dev)
    split = build(dev, split=True)
    files = {
        "good.rmod": good,
        "good.image": relocated_image(good),
        "split.rmod": split,
        "split.image": relocated_image(split),
        "otherkey.rmod": build(other),
        "m7.rmod": build(dev, cpu=spec.CPU.CORTEX_M7),
        "bigram.rmod": build(dev, arena=1024 * 1024),
        "badreloc.rmod": bad_relocation(good, dev),
        "large.rmod": build(dev, code_size=300 * 1024 + 5),
        "vectors.rmod": build(dev, vectors=plus_one_vectors(), version="1.3.0"),
        "badvectors.rmod": build(dev, vectors=plus_one_vectors(wrong_byte_in=1), version="1.3.0"),
        "counter9.rmod": build(dev, version="1.4.0", counter=9),
        "old.rmod": build(dev, version="1.0.0"),
        "oldallowed.rmod": build(dev, version="1.0.0", model_flags=spec.MODEL_FLAG_ALLOW_DOWNGRADE),
        "other.rmod": build(dev, vectors=plus_one_vectors(), version="0.1.0", name="other"),
    }
    for name, content in files.items():
        (outdir / name).write_bytes(content)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_fixtures.py OUTDIR")
    main(Path(sys.argv[1]))
