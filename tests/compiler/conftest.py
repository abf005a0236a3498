"""Shared fixtures: the shared TFLM example models and host-compiled models."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from relomodel.compiler import compile_model
from relomodel.compiler.hostrun import HostModel
from relomodel.targets import get_target

MODELS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "models"
TARGET = get_target("cortex-m4")


def shared_model_bytes(name: str) -> bytes:
    """Bytes of a model from /work/shared/models, or skip the test with the reason."""
    path = MODELS_DIR / name
    if not path.is_file():
        pytest.skip(f"{path} is missing (shared TFLM example models not available here)")
    return path.read_bytes()


def host_model(model_bytes: bytes, *, litert_rounding: bool = False) -> HostModel:
    if shutil.which("gcc") is None:
        pytest.skip("host gcc is not installed")
    compiled = compile_model(model_bytes, name="test", target=TARGET, litert_rounding=litert_rounding)
    return HostModel(compiled)
