"""Single-op models with int16 tensors, for property tests: QUANTIZE from int16, SOFTMAX to int16."""

from __future__ import annotations

from typing import Sequence

from relomodel.modelgen.tflite_writer import ModelSpec

SOFTMAX_S16_SCALE, SOFTMAX_S16_ZERO_POINT = 1.0 / 65536, -32768


def requantize_s16_model(size: int, *, input_quant: tuple[float, int], output_dtype: str,
                         output_quant: tuple[float, int]) -> bytes:
    """QUANTIZE int16 -> `output_dtype` (int8, int16 or int32)."""
    model = ModelSpec(description="relomodel single QUANTIZE from int16")
    x = model.add_tensor("x", "int16", (1, size), scale=input_quant[0], zero_point=input_quant[1])
    y = model.add_tensor("y", output_dtype, (1, size), scale=output_quant[0], zero_point=output_quant[1])
    model.add_op("QUANTIZE", [x], [y])
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def softmax_s16_model(shape: Sequence[int], *, input_quant: tuple[float, int], beta: float = 1.0) -> bytes:
    """SOFTMAX int8 -> int16 (scale 1/65536, zero point -32768)."""
    model = ModelSpec(description="relomodel single SOFTMAX to int16")
    x = model.add_tensor("x", "int8", shape, scale=input_quant[0], zero_point=input_quant[1])
    y = model.add_tensor("y", "int16", shape, scale=SOFTMAX_S16_SCALE, zero_point=SOFTMAX_S16_ZERO_POINT)
    model.add_op("SOFTMAX", [x], [y], beta=beta)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()
