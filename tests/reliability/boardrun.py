"""Helpers for the emulated-board harnesses: what is active, and does it run bit-exactly."""

from __future__ import annotations

import numpy as np

from relomodel import reference
from relomodel.transport.device import Device


def reference_inputs(model_bytes: bytes, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    inputs = []
    for detail in reference.input_details(model_bytes):
        if np.issubdtype(detail["dtype"], np.floating):
            inputs.append(rng.uniform(-1, 1, detail["shape"]).astype(detail["dtype"]))
        else:
            inputs.append(rng.integers(-128, 128, detail["shape"]).astype(detail["dtype"]))
    return inputs


def assert_runs_bit_exact(device: Device, model_bytes: bytes, seed: int) -> None:
    """One inference on the board against TFLite Micro, byte for byte."""
    inputs = reference_inputs(model_bytes, seed)
    outputs, count = device.run(inputs)
    for got, want in zip(outputs, reference.run_reference(model_bytes, inputs)):
        np.testing.assert_array_equal(got, want)
    assert count > 0


def install_recording_resume(device: Device, package: bytes, head_size: int) -> bool:
    """Installs `package`; True if the device resumed (asked for data past the head)."""
    first_offsets: list[int] = []
    device.install(package, progress=lambda done, _total: first_offsets.append(done) if not first_offsets else None)
    return bool(first_offsets) and first_offsets[0] > head_size
