"""Single-op models for the elementwise, activation and shape operators (property tests), and
a model with the dynamic-batch pattern a converter emits (SHAPE -> STRIDED_SLICE -> PACK ->
RESHAPE) for the constant-folding pass."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from relomodel.modelgen.tflite_writer import ModelSpec

Quant = tuple[float, int]


def binary_model(name: str, shape1: Sequence[int], shape2: Sequence[int], output_shape: Sequence[int], *,
                 quants: tuple[Quant, Quant, Quant], activation: str = "NONE",
                 constant2: np.ndarray | None = None) -> bytes:
    """One ADD/SUB/MUL of two int8 tensors; the second is a constant when `constant2` is given."""
    model = ModelSpec(description=f"relomodel single {name}")
    (s1, z1), (s2, z2), (so, zo) = quants
    a = model.add_tensor("a", "int8", shape1, scale=s1, zero_point=z1)
    b = model.add_tensor("b", "int8", shape2, scale=s2, zero_point=z2, data=constant2)
    y = model.add_tensor("y", "int8", output_shape, scale=so, zero_point=zo)
    model.add_op(name, [a, b], [y], fused_activation_function=activation)
    model.inputs = [a] if constant2 is not None else [a, b]
    model.outputs = [y]
    return model.to_bytes()


def unary_model(name: str, shape: Sequence[int], *, input_quant: Quant, output_quant: Quant,
                input_dtype: str = "int8", output_dtype: str = "int8", **options) -> bytes:
    """One single-input op (LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH, QUANTIZE)."""
    model = ModelSpec(description=f"relomodel single {name}")
    x = model.add_tensor("x", input_dtype, shape, scale=input_quant[0], zero_point=input_quant[1])
    y = model.add_tensor("y", output_dtype, shape, scale=output_quant[0], zero_point=output_quant[1])
    model.add_op(name, [x], [y], **options)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def concatenation_model(shapes: Sequence[Sequence[int]], axis: int, *, quants: Sequence[Quant],
                        output_quant: Quant) -> bytes:
    model = ModelSpec(description="relomodel single CONCATENATION")
    inputs = [model.add_tensor(f"x{i}", "int8", shape, scale=q[0], zero_point=q[1])
              for i, (shape, q) in enumerate(zip(shapes, quants))]
    output_shape = list(shapes[0])
    output_shape[axis] = sum(shape[axis] for shape in shapes)
    y = model.add_tensor("y", "int8", output_shape, scale=output_quant[0], zero_point=output_quant[1])
    model.add_op("CONCATENATION", inputs, [y], axis=axis)
    model.inputs, model.outputs = inputs, [y]
    return model.to_bytes()


def concatenation_via_quantize_model(shapes: Sequence[Sequence[int]], axis: int, *, quants: Sequence[Quant],
                                     output_quant: Quant) -> bytes:
    """The same concatenation with an explicit QUANTIZE (int8 -> int8) before every input whose
    quantization differs from the output's: what TFLite Micro can run, and what our
    CONCATENATION computes for such inputs in one step."""
    model = ModelSpec(description="relomodel QUANTIZE + CONCATENATION")
    inputs, parts = [], []
    for i, (shape, q) in enumerate(zip(shapes, quants)):
        x = model.add_tensor(f"x{i}", "int8", shape, scale=q[0], zero_point=q[1])
        inputs.append(x)
        if tuple(q) != tuple(output_quant):
            requantized = model.add_tensor(f"x{i}_requantized", "int8", shape, scale=output_quant[0],
                                           zero_point=output_quant[1])
            model.add_op("QUANTIZE", [x], [requantized])
            x = requantized
        parts.append(x)
    output_shape = list(shapes[0])
    output_shape[axis] = sum(shape[axis] for shape in shapes)
    y = model.add_tensor("y", "int8", output_shape, scale=output_quant[0], zero_point=output_quant[1])
    model.add_op("CONCATENATION", parts, [y], axis=axis)
    model.inputs, model.outputs = inputs, [y]
    return model.to_bytes()


def strided_slice_model(shape: Sequence[int], output_shape: Sequence[int], begin, end, strides, *,
                        dtype: str = "int8", quant: Quant = (0.05, 3), **masks) -> bytes:
    model = ModelSpec(description="relomodel single STRIDED_SLICE")
    scale = quant[0] if dtype in ("int8", "uint8") else None
    x = model.add_tensor("x", dtype, shape, scale=scale, zero_point=quant[1])
    arguments = [model.add_tensor(n, "int32", (len(shape),), data=np.array(v))
                 for n, v in (("begin", begin), ("end", end), ("strides", strides))]
    y = model.add_tensor("y", dtype, output_shape, scale=scale, zero_point=quant[1])
    model.add_op("STRIDED_SLICE", [x, *arguments], [y], **masks)
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def transpose_model(shape: Sequence[int], permutation: Sequence[int], *, dtype: str = "int8",
                    quant: Quant = (0.05, 3)) -> bytes:
    model = ModelSpec(description="relomodel single TRANSPOSE")
    scale = quant[0] if dtype in ("int8", "uint8") else None
    x = model.add_tensor("x", dtype, shape, scale=scale, zero_point=quant[1])
    perm = model.add_tensor("perm", "int32", (len(shape),), data=np.array(permutation))
    y = model.add_tensor("y", dtype, [shape[p] for p in permutation], scale=scale, zero_point=quant[1])
    model.add_op("TRANSPOSE", [x, perm], [y])
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def squeeze_expand_model(shape: Sequence[int], quant: Quant = (0.05, 3)) -> bytes:
    """x -> EXPAND_DIMS(axis 0) -> SQUEEZE(axis 0) -> ADD with itself: aliases feeding a kernel."""
    model = ModelSpec(description="relomodel EXPAND_DIMS + SQUEEZE")
    x = model.add_tensor("x", "int8", shape, scale=quant[0], zero_point=quant[1])
    axis = model.add_tensor("axis", "int32", (1,), data=np.array([0]))
    expanded = model.add_tensor("expanded", "int8", (1, *shape), scale=quant[0], zero_point=quant[1])
    model.add_op("EXPAND_DIMS", [x, axis], [expanded])
    squeezed = model.add_tensor("squeezed", "int8", shape, scale=quant[0], zero_point=quant[1])
    model.add_op("SQUEEZE", [expanded], [squeezed], squeeze_dims=[0])
    y = model.add_tensor("y", "int8", shape, scale=quant[0] * 2, zero_point=quant[1])
    model.add_op("ADD", [squeezed, x], [y])
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()


def dynamic_batch_model(feature_shape: Sequence[int] = (4, 6), *, seed: int = 0) -> bytes:
    """x [1, *feature_shape] -> RESHAPE to [batch, features] with the shape computed the way a
    converter emits it for a dynamic batch: SHAPE(x)[0:1] (shrunk to a scalar) packed with the
    constant feature count. Then a MUL by a constant and a LOGISTIC, so there is real work."""
    rng = np.random.default_rng(seed)
    features = int(np.prod(feature_shape))
    model = ModelSpec(description="relomodel dynamic-batch reshape")
    q = (0.05, -3)
    x = model.add_tensor("x", "int8", (1, *feature_shape), scale=q[0], zero_point=q[1])
    shape = model.add_tensor("shape", "int32", (len(feature_shape) + 1,))
    model.add_op("SHAPE", [x], [shape], out_type=2)  # TensorType.INT32
    begin, end, strides = (model.add_tensor(n, "int32", (1,), data=np.array([v]))
                           for n, v in (("begin", 0), ("end", 1), ("strides", 1)))
    batch = model.add_tensor("batch", "int32", ())
    model.add_op("STRIDED_SLICE", [shape, begin, end, strides], [batch], shrink_axis_mask=1)
    width = model.add_tensor("width", "int32", (), data=np.array(features))
    new_shape = model.add_tensor("new_shape", "int32", (2,))
    model.add_op("PACK", [batch, width], [new_shape], values_count=2, axis=0)
    flat = model.add_tensor("flat", "int8", (1, features), scale=q[0], zero_point=q[1])
    model.add_op("RESHAPE", [x, new_shape], [flat], new_shape=[1, features])
    gains = model.add_tensor("gains", "int8", (features,), scale=0.02, zero_point=0,
                             data=rng.integers(-127, 128, features))
    scaled = model.add_tensor("scaled", "int8", (1, features), scale=0.03, zero_point=1)
    model.add_op("MUL", [flat, gains], [scaled])
    y = model.add_tensor("y", "int8", (1, features), scale=1.0 / 256, zero_point=-128)
    model.add_op("LOGISTIC", [scaled], [y])
    model.inputs, model.outputs = [x], [y]
    return model.to_bytes()
