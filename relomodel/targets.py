"""Cortex-M targets a package can be built for: compiler flags and the manifest's CPU/FPU/ABI.

Chip differences are data here, not branches elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from relomodel.errors import RelomodelError
from relomodel.format import spec


@dataclass(frozen=True)
class Target:
    name: str
    cpu: int  # spec.CPU
    fpu: int  # spec.FPU
    abi: int  # spec.FLOAT_ABI
    cflags: tuple[str, ...]
    has_dsp: bool


TARGETS = {
    "cortex-m4": Target(
        "cortex-m4",
        spec.CPU.CORTEX_M4,
        spec.FPU.FPV4_SP_D16,
        spec.FLOAT_ABI.HARD,
        ("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"),
        True,
    ),
    "cortex-m7": Target(
        "cortex-m7",
        spec.CPU.CORTEX_M7,
        spec.FPU.FPV5_D16,
        spec.FLOAT_ABI.HARD,
        ("-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-d16"),
        True,
    ),
}


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        raise RelomodelError(f"unknown target {name!r}; choose one of: {', '.join(TARGETS)}") from None
