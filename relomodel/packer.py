"""`relomodel pack`: model file -> compile -> build -> package -> sign -> .rmod on disk.

A `.c` path instead of a `.tflite` is a hand-written model following the model ABI, described
by a JSON file of the same stem (tensors, arena, MACs); it exercises the build stage and the
package format without the compiler (tests/fixtures/ holds some).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from relomodel import __version__, golden, keys
from relomodel.build import LinkedImage, build_model
from relomodel.compiler.model import CompiledModel, TensorInfo
from relomodel.errors import ModelError, RelomodelError
from relomodel.format import package as pkg
from relomodel.format import spec
from relomodel.frontends import keras as keras_frontend
from relomodel.targets import Target, get_target


@dataclass
class PackReport:
    path: Path
    name: str
    package_size: int
    code: int  # kernels, parameters and other read-only data: the CODE segment less any weights
    weights: int  # weight bytes, wherever they live (CODE segment, or WEIGHTS when split)
    data: int  # RAM image copied from the package
    bss: int
    arena: int
    stack: int  # worst-case stack of relo_model_run, 0 when unknown
    overhead: int  # package size minus code and weights: head, signature, data, relocations, padding
    relocations: int
    macs: int
    sections: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    warnings: str = ""  # compiler and linker warnings

    def summary(self) -> str:
        """One line for `relomodel pack`."""
        stack = f"{self.stack} B" if self.stack else "unknown"
        return (f"{self.package_size} bytes (code {self.code}, weights {self.weights}, overhead {self.overhead}); "
                f"RAM data {self.data} + bss {self.bss} + arena {self.arena}; stack {stack}; "
                f"{self.macs} MACs; {sum(self.timings.values()):.2f} s")


def pack(model_path: Path, key_path: Path, out_path: Path, *, target: str = "cortex-m4", version: str = "1.0.0",
         split_weights: bool = False, litert_rounding: bool = False, name: str | None = None,
         security_counter: int = 0, allow_downgrade: bool = False, test_vectors: int | None = None,
         representative_data=None, float_io: bool = False) -> PackReport:
    """`test_vectors`: how many golden test vectors to embed for the device's self-test
    (None: golden.DEFAULT_COUNT for a .tflite, none for a hand-written C model; 0: none).

    A Keras file (.keras/.h5) or SavedModel directory is first converted to int8 .tflite,
    calibrated on `representative_data` (numpy array, first axis = samples; `float_io` keeps
    float input/output), and the .tflite is kept beside the package (OUT.tflite)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now

    model_path, out_path = Path(model_path), Path(out_path)
    key = keys.load_private_key(Path(key_path))  # a bad key fails before minutes of compiling
    cpu = get_target(target)
    encoded_version = _encode_version(version)
    model_name = name or model_path.stem
    if keras_frontend.is_convertible(model_path):
        model_path = _convert(model_path, out_path, representative_data, float_io)
        lap("convert")
    elif representative_data is not None or float_io:
        raise RelomodelError("--representative-data and --float-io apply only to Keras/SavedModel inputs",
                             hint=f"{model_path.name} is used as it is")
    model_bytes = _read(model_path)
    compiled = _compile(model_path, model_bytes, model_name, cpu, litert_rounding)
    lap("compile")
    image = build_model(compiled, cpu, split_weights=split_weights)
    lap("build")
    if test_vectors is None:
        test_vectors = 0 if model_path.suffix == ".c" else golden.DEFAULT_COUNT
    vectors = _test_vectors(compiled, model_path, model_bytes, test_vectors)
    if vectors:
        lap("test vectors")
    data = _package(compiled, image, cpu, key, encoded_version, security_counter, model_name, split_weights,
                    allow_downgrade, vectors)
    lap("package")
    _write_atomically(out_path, data)
    lap("write")
    weights = len(image.weights) if image.weights is not None else image.sections.get("weights", 0)
    code = len(image.code) - (weights if image.weights is None else 0)
    return PackReport(
        path=out_path, name=model_name, package_size=len(data), code=code, weights=weights,
        data=len(image.data), bss=image.bss_size, arena=compiled.arena_size, stack=image.stack_size,
        overhead=len(data) - code - weights,
        relocations=len(image.relocations), macs=compiled.macs, sections=dict(image.sections), timings=timings,
        warnings=image.warnings,
    )


def _encode_version(text: str) -> int:
    try:
        return spec.encode_version(text)
    except ValueError as exc:
        raise RelomodelError(str(exc)) from None


def _convert(model_path: Path, out_path: Path, representative_data, float_io: bool) -> Path:
    """Convert a Keras/SavedModel input; the .tflite stays beside the package for `validate` and inspection."""
    converted = keras_frontend.convert(model_path, representative_data, float_io=float_io)
    tflite_path = out_path.with_suffix(".tflite") if out_path.suffix != ".tflite" else out_path.with_suffix(".converted.tflite")
    _write_atomically(tflite_path, converted)
    return tflite_path


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read model {path}: {exc.strerror}") from None


def _compile(path: Path, model_bytes: bytes, name: str, target: Target, litert_rounding: bool) -> CompiledModel:
    if path.suffix == ".c":
        return load_c_model(path, model_bytes, name, litert_rounding)
    from relomodel.compiler.driver import compile_model  # the front end is only needed for real models

    return compile_model(model_bytes, name=name, target=target, litert_rounding=litert_rounding)


def _test_vectors(compiled: CompiledModel, model_path: Path, model_bytes: bytes, count: int) -> list:
    if count <= 0:
        return []
    return golden.make_test_vectors(compiled, None if model_path.suffix == ".c" else model_bytes, count)


def _package(compiled: CompiledModel, image: LinkedImage, cpu: Target, key, version: int, security_counter: int,
             name: str, split_weights: bool, allow_downgrade: bool = False, vectors: list | None = None) -> bytes:
    flags = (spec.MODEL_FLAG_STATEFUL if compiled.stateful else 0) | (
        spec.MODEL_FLAG_LITERT_ROUNDING if compiled.litert_rounding else 0) | (
        spec.MODEL_FLAG_ALLOW_DOWNGRADE if allow_downgrade else 0)
    manifest = {
        "name": name, "version": version, "security_counter": security_counter,
        "target_cpu": cpu.cpu, "target_fpu": cpu.fpu, "target_abi": cpu.abi,
        "entry_init": image.entry_init, "entry_run": image.entry_run, "entry_reset": image.entry_reset,
        "got_offset": image.got_offset, "ram_data_size": len(image.data), "ram_bss_size": image.bss_size,
        "arena_size": compiled.arena_size, "arena_align": compiled.arena_align, "stack_size": image.stack_size,
        "packer_version": spec.encode_version(__version__), "flags": flags, "macs": compiled.macs,
        "source_sha256": compiled.source_sha256,
    }
    segments = [pkg.Segment(spec.SEGMENT.CODE, image.code)]
    if split_weights:
        segments.append(pkg.Segment(spec.SEGMENT.WEIGHTS, image.weights or b""))
    segments += [
        pkg.Segment(spec.SEGMENT.DATA, image.data),
        pkg.Segment(spec.SEGMENT.RELOC, b"".join(r.to_bytes(4, "little") for r in image.relocations)),
    ]
    if vectors:
        segments.append(pkg.Segment(spec.SEGMENT.TEST_VECTORS, pkg.encode_test_vectors(vectors)))
    package_flags = (spec.PACKAGE_FLAG_SPLIT_WEIGHTS if split_weights else 0) | (
        spec.PACKAGE_FLAG_TEST_VECTORS if vectors else 0)
    return pkg.build_package(
        manifest, [_tensor(t) for t in compiled.inputs], [_tensor(t) for t in compiled.outputs], segments, key,
        flags=package_flags,
    )


def _tensor(t: TensorInfo) -> dict:
    return pkg.tensor_desc_values(t.name, t.dtype, t.shape, t.scale, t.zero_point, t.arena_offset, t.size_bytes)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path` and rename: readers never see half a package."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------
# hand-written C models (build-stage fixtures)


def load_c_model(path: Path, source: bytes, name: str, litert_rounding: bool = False) -> CompiledModel:
    """A C file following the model ABI plus `<stem>.json` describing its tensors and arena."""
    meta_path = path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text())
        inputs = [_tensor_info(t) for t in meta["inputs"]]
        outputs = [_tensor_info(t) for t in meta["outputs"]]
        arena_size, arena_align = int(meta["arena_size"]), int(meta.get("arena_align", 16))
    except OSError as exc:
        raise ModelError(f"a C model needs its description {meta_path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{meta_path} is not a valid C model description ({exc!r})") from None
    return CompiledModel(
        name=name, c_sources={path.name: _decode_source(path, source)}, kernel_files=[], include_dirs=[path.parent],
        inputs=inputs, outputs=outputs, arena_size=arena_size, arena_align=arena_align,
        macs=int(meta.get("macs", 0)), weight_bytes=0, stateful=bool(meta.get("stateful", False)),
        litert_rounding=litert_rounding, source_sha256=hashlib.sha256(source).digest(),
    )


def _tensor_info(t: dict) -> TensorInfo:
    dtype = spec.DTYPE.by_name[t["dtype"]].value
    shape = tuple(int(d) for d in t["shape"])
    size = spec.DTYPE_SIZE[dtype]
    for d in shape:
        size *= d
    return TensorInfo(t["name"], dtype, shape, float(t.get("scale", 0.0)), int(t.get("zero_point", 0)),
                      int(t["arena_offset"]), size)


def _decode_source(path: Path, source: bytes) -> str:
    try:
        return source.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError(f"{path} is not UTF-8 C source") from None
