"""The documented agreement between a float32 model run by relomodel and by the TFLite Micro
reference (docs/float-models.md explains where the differences come from).

Every element of every output must satisfy

    |ours - reference| <= TOLERANCE * max(1, max |reference| over that output tensor)

and NaN must appear in the same places. Per-op and whole-model differences measured on the
host and on the emulated Cortex-M4F are far below this (docs/float-models.md lists them).
"""

from __future__ import annotations

import numpy as np

TOLERANCE = 1e-5


def float_error(got: np.ndarray, want: np.ndarray) -> float:
    """The largest difference, in units of the tolerance's scale max(1, max|want|); NaN in one
    and not the other counts as infinitely far."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape or not np.array_equal(np.isnan(got), np.isnan(want)):
        return float("inf")
    finite = ~np.isnan(want)
    if not finite.any():
        return 0.0
    g, w = got[finite], want[finite]
    same = g == w  # equal infinities included
    scale = max(1.0, float(np.max(np.abs(w[np.isfinite(w)]), initial=0.0)))
    with np.errstate(invalid="ignore"):  # inf - inf where `same` already decided
        difference = np.where(same, 0.0, np.abs(g - w))
    return float(np.max(difference)) / scale


def within_tolerance(got: np.ndarray, want: np.ndarray) -> bool:
    return float_error(got, want) <= TOLERANCE


def assert_within_tolerance(got: np.ndarray, want: np.ndarray, what: str = "output") -> None:
    error = float_error(got, want)
    if not error <= TOLERANCE:
        raise AssertionError(f"{what}: scaled error {error:.3g} > tolerance {TOLERANCE:g}\n"
                             f" got {np.asarray(got).ravel()[:16]}\nwant {np.asarray(want).ravel()[:16]}")
