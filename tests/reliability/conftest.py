"""Fixtures of the reliability harnesses: two small signed packages of our own model, and
relo_sim built from the working tree."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from relomodel import packer
from relomodel.format import package as pkgformat
from relomodel.modelgen.mlp import big_mlp, demo_model
from tests.conftest import DEV_KEY
from tests.reliability.simdevice import build_sim


@pytest.fixture(scope="session")
def relo_sim() -> Path:
    if shutil.which("gcc") is None or shutil.which("make") is None:
        pytest.skip("needs host gcc and make to build relo_sim")
    return build_sim()


@pytest.fixture(scope="session")
def reliability_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reliability")


@pytest.fixture(scope="session")
def demo_tflite(reliability_dir) -> Path:
    path = reliability_dir / "demo.tflite"
    path.write_bytes(demo_model())
    return path


@pytest.fixture(scope="session")
def big_tflite(reliability_dir) -> Path:
    """Large enough (about two flash sectors) that a push passes resume checkpoints."""
    path = reliability_dir / "big_mlp.tflite"
    path.write_bytes(big_mlp())
    return path


@pytest.fixture(scope="session")
def big_old_and_new(reliability_dir, big_tflite) -> tuple[bytes, bytes]:
    return _pack_pair(reliability_dir, big_tflite, 1)


def _pack_pair(directory: Path, tflite: Path, test_vectors: int | None) -> tuple[bytes, bytes]:
    """Two versions of the same small model: the installed one and its update. Both may
    replace the other (allow_downgrade): these harnesses alternate them, anti-rollback is
    not what they test."""
    packages = []
    for version in ("1.0.0", "2.0.0"):
        out = directory / f"demo-{version}-{test_vectors}.rmod"
        packer.pack(tflite, DEV_KEY, out, target="cortex-m4", version=version, allow_downgrade=True,
                    test_vectors=test_vectors)
        packages.append(out.read_bytes())
    return packages[0], packages[1]


@pytest.fixture(scope="session")
def old_and_new(reliability_dir, demo_tflite) -> tuple[bytes, bytes]:
    """For the emulated board: with golden test vectors, which it runs at install."""
    return _pack_pair(reliability_dir, demo_tflite, None)


@pytest.fixture(scope="session")
def old_and_new_sim(reliability_dir, demo_tflite) -> tuple[bytes, bytes]:
    """For relo_sim: without golden vectors, since model code cannot execute on the host."""
    return _pack_pair(reliability_dir, demo_tflite, 0)


def signed_sha256(package: bytes) -> str:
    """What MODEL_INFO reports for this package once it is active."""
    return hashlib.sha256(pkgformat.parse_package(package).signed_region).hexdigest()


def head_size(package: bytes) -> int:
    """Bytes sent with INSTALL_BEGIN: the signed region and the signature block."""
    header = pkgformat.parse_package(package).header
    return header["signature_offset"] + header["signature_size"]


def padding_offsets(package: bytes) -> set[int]:
    """Bytes outside the head and every segment: alignment padding, which must be zero."""
    parsed = pkgformat.parse_package(package)
    covered = set(range(head_size(package)))
    for segment in parsed.segments:
        covered.update(range(segment.offset, segment.offset + len(segment.data)))
    return set(range(len(package))) - covered
