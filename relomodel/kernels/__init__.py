"""Portable C kernels compiled into every model blob (package data: *.c, *.h)."""

from pathlib import Path

KERNEL_DIR = Path(__file__).resolve().parent


def kernel_path(file_name: str) -> Path:
    """Absolute path of one kernel source file shipped with the package."""
    path = KERNEL_DIR / file_name
    if not path.is_file():
        raise FileNotFoundError(f"kernel source {file_name} is missing from {KERNEL_DIR}")
    return path
