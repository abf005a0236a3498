"""Shared fixtures: where the third-party models are, the development key, the emulated board."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_MODELS = REPO.parent / "shared" / "models"
DEV_KEY = REPO / "keys" / "dev_ed25519.pem"


def shared_model(name: str) -> Path:
    """Path of a model in ../shared/models, or skip the test saying why."""
    path = SHARED_MODELS / name
    if not path.exists():
        pytest.skip(f"{path} is missing: the third-party models live in ../shared/models beside the repo")
    return path


def toolchain_available() -> bool:
    return shutil.which("arm-none-eabi-gcc") is not None and shutil.which("qemu-system-arm") is not None


@pytest.fixture(scope="session")
def dev_key() -> Path:
    return DEV_KEY
