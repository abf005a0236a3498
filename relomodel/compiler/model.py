"""What the compiler hands to the build stage: generated C plus everything the manifest needs.

This is the contract between compiler/ (front end, planner, codegen) and build/ + packer.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TensorInfo:
    """A model input or output as the device sees it."""

    name: str
    dtype: int  # spec.DTYPE value
    shape: tuple[int, ...]
    scale: float  # 0.0 when not quantized
    zero_point: int
    arena_offset: int  # where the tensor lives in the arena
    size_bytes: int


@dataclass(frozen=True)
class LayerInfo:
    """One operator, for reports (`relomodel info`, `analyze`, benchmarks)."""

    index: int
    op: str
    output_shape: tuple[int, ...]
    macs: int
    weight_bytes: int


@dataclass
class CompiledModel:
    name: str
    c_sources: dict[str, str]  # generated file name -> C text (e.g. "model.c")
    kernel_files: list[Path]  # library kernel .c files this model needs, compiled alongside
    include_dirs: list[Path]
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    arena_size: int
    arena_align: int
    macs: int
    weight_bytes: int
    stateful: bool
    litert_rounding: bool
    source_sha256: bytes
    layers: list[LayerInfo] = field(default_factory=list)
    arena_lower_bound: int = 0  # planner's lower bound, for reports
