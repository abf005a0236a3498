"""Pack-time quantization arithmetic, done exactly as TFLite Micro does it in Prepare.

Scales arrive as float32 values; products and quotients are formed in double precision
(Python floats) like the reference, and rounding follows std::round (ties away from zero).
"""

from __future__ import annotations

import math

import numpy as np

from relomodel.errors import ModelError

INT8_MIN, INT8_MAX = -128, 127


def round_half_away(value: float) -> int:
    """std::round: nearest integer, ties away from zero."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def quantize_multiplier(real_multiplier: float, *, single_rounding: bool = False) -> tuple[int, int]:
    """A real multiplier as (Q31 significand, power-of-two shift), like TFLite's QuantizeMultiplier."""
    if real_multiplier == 0.0:
        return 0, 0
    if real_multiplier < 0.0 or not math.isfinite(real_multiplier):
        raise ModelError(f"invalid rescaling factor {real_multiplier!r} (scales must be positive)")
    significand, shift = math.frexp(real_multiplier)
    fixed = round_half_away(significand * (1 << 31))
    if fixed == 1 << 31:
        fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    if single_rounding and shift > 30:
        return (1 << 31) - 1, 30
    return fixed, shift


def quantize_multiplier_greater_than_one(real_multiplier: float) -> tuple[int, int]:
    multiplier, shift = quantize_multiplier(real_multiplier)
    if shift < 0:
        raise ModelError(f"rescaling factor {real_multiplier!r} must be >= 1 here")
    return multiplier, shift


def f32(value: float) -> float:
    """Round a Python float to float32, as C++ would store it."""
    return float(np.float32(value))


def quantize_float32(value: float, scale: float, zero_point: int) -> int:
    """zero_point + round(value / scale) with a float32 division, as CalculateActivationRangeQuantized."""
    quotient = float(np.float32(value) / np.float32(scale))
    return zero_point + round_half_away(quotient)


def activation_range_int8(activation: str, scale: float, zero_point: int) -> tuple[int, int]:
    """Clamp range of a fused activation in int8 output units (TFLM CalculateActivationRangeQuantized)."""
    if activation == "NONE":
        return INT8_MIN, INT8_MAX
    if activation == "RELU":
        return max(INT8_MIN, quantize_float32(0.0, scale, zero_point)), INT8_MAX
    if activation == "RELU6":
        return (
            max(INT8_MIN, quantize_float32(0.0, scale, zero_point)),
            min(INT8_MAX, quantize_float32(6.0, scale, zero_point)),
        )
    if activation == "RELU_N1_TO_1":
        return (
            max(INT8_MIN, quantize_float32(-1.0, scale, zero_point)),
            min(INT8_MAX, quantize_float32(1.0, scale, zero_point)),
        )
    raise ModelError(f"fused activation {activation} is not supported")


ACTIVATION_NAMES = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT", 6: "SIGMOID"}


def activation_name(code: int) -> str:
    return ACTIVATION_NAMES.get(code, f"activation {code}")
