""".tflite bytes -> ir.Graph. The only file that touches flatbuffer types.

Uses the `tflite` package's generated readers. Anything malformed becomes a ModelError.
"""

from __future__ import annotations

import re

import numpy as np
import tflite
from tflite.utils import BUILTIN_OPCODE2NAME

from relomodel.compiler.ir import NUMPY_DTYPES, Graph, Operator, Quantization, Tensor
from relomodel.errors import ModelError

_TENSOR_TYPE_NAMES = {
    value: name.lower() for name, value in vars(tflite.TensorType).items() if name.isupper()
}
_OPTIONS_TYPE_NAMES = {
    value: name for name, value in vars(tflite.BuiltinOptions).items() if not name.startswith("_")
}
_CUSTOM_OP_CODE = 32  # BuiltinOperator.CUSTOM


def read_tflite(model_bytes: bytes) -> Graph:
    """Parse a TFLite flatbuffer (first subgraph) into our IR."""
    if len(model_bytes) < 8 or model_bytes[4:8] != b"TFL3":
        raise ModelError("not a TFLite model (missing 'TFL3' file identifier)")
    try:
        model = tflite.Model.GetRootAsModel(model_bytes, 0)
        return _read_model(model)
    except ModelError:
        raise
    except Exception as exc:  # the flatbuffer readers raise anything on corrupt offsets
        raise ModelError(f"corrupt TFLite model: {type(exc).__name__}: {exc}") from None


def _read_model(model) -> Graph:
    if model.SubgraphsLength() < 1:
        raise ModelError("TFLite model has no subgraph")
    if model.SubgraphsLength() > 1:
        raise ModelError(
            f"TFLite model has {model.SubgraphsLength()} subgraphs; only single-subgraph models "
            "are supported (no control flow)"
        )
    op_names = [_operator_code_name(model.OperatorCodes(i)) for i in range(model.OperatorCodesLength())]
    subgraph = model.Subgraphs(0)
    tensors = [_read_tensor(model, subgraph.Tensors(i), i) for i in range(subgraph.TensorsLength())]
    operators = [_read_operator(subgraph.Operators(i), i, op_names) for i in range(subgraph.OperatorsLength())]
    graph = Graph(
        tensors=tensors,
        operators=operators,
        inputs=tuple(int(i) for i in _int_vector(subgraph.InputsAsNumpy())),
        outputs=tuple(int(i) for i in _int_vector(subgraph.OutputsAsNumpy())),
        description=_text(model.Description()),
    )
    _check_indices(graph)
    return graph


def _operator_code_name(code) -> str:
    # Old files only fill the deprecated int8 field; new ones put 127 there and use BuiltinCode.
    builtin = max(code.DeprecatedBuiltinCode(), code.BuiltinCode())
    if builtin == _CUSTOM_OP_CODE:
        return f"CUSTOM:{_text(code.CustomCode())}"
    return BUILTIN_OPCODE2NAME.get(builtin, f"BUILTIN_{builtin}")


def _read_tensor(model, fb_tensor, index: int) -> Tensor:
    dtype = _TENSOR_TYPE_NAMES.get(fb_tensor.Type(), f"type{fb_tensor.Type()}")
    shape = tuple(int(d) for d in _int_vector(fb_tensor.ShapeAsNumpy()))
    if any(d < 0 for d in shape):
        raise ModelError(f"tensor #{index} has a dynamic shape {shape}; only static shapes are supported")
    return Tensor(
        index=index,
        name=_text(fb_tensor.Name()) or f"tensor{index}",
        dtype=dtype,
        shape=shape,
        quantization=_read_quantization(fb_tensor.Quantization()),
        data=_read_constant(model, fb_tensor, dtype, shape, index),
        is_variable=bool(fb_tensor.IsVariable()),
    )


def _read_quantization(fb_quant) -> Quantization | None:
    if fb_quant is None or fb_quant.ScaleLength() == 0:
        return None
    scales = tuple(float(s) for s in np.asarray(fb_quant.ScaleAsNumpy(), dtype=np.float32))
    zero_points = tuple(int(z) for z in _int_vector(fb_quant.ZeroPointAsNumpy()))
    if not zero_points:
        zero_points = (0,) * len(scales)
    if len(zero_points) != len(scales):
        raise ModelError(f"quantization has {len(scales)} scales but {len(zero_points)} zero points")
    return Quantization(scales, zero_points, int(fb_quant.QuantizedDimension()))


def _read_constant(model, fb_tensor, dtype: str, shape, index: int) -> np.ndarray | None:
    buffer_index = fb_tensor.Buffer()
    if buffer_index == 0 or buffer_index >= model.BuffersLength():
        return None
    buffer = model.Buffers(buffer_index)
    if buffer.Offset() > 1:
        raise ModelError(f"tensor #{index} stores its data outside the flatbuffer (>2 GB model format)")
    if buffer.DataLength() == 0:
        return None
    raw = buffer.DataAsNumpy().tobytes()
    if dtype not in NUMPY_DTYPES:
        # Kept as raw bytes: the op that uses it refuses the type, after the op check has
        # listed every unsupported operator.
        return np.frombuffer(raw, dtype=np.uint8).copy()
    element_type = NUMPY_DTYPES[dtype].newbyteorder("<")
    count = int(np.prod(shape)) if shape else 1
    if len(raw) != count * element_type.itemsize:
        raise ModelError(
            f"constant tensor #{index} holds {len(raw)} bytes, its shape {shape} needs "
            f"{count * element_type.itemsize}"
        )
    return np.frombuffer(raw, dtype=element_type).astype(NUMPY_DTYPES[dtype]).reshape(shape)


def _read_operator(fb_op, index: int, op_names: list[str]) -> Operator:
    opcode = fb_op.OpcodeIndex()
    if opcode >= len(op_names):
        raise ModelError(f"operator #{index} refers to missing operator code {opcode}")
    return Operator(
        index=index,
        name=op_names[opcode],
        options=_read_options(fb_op),
        inputs=tuple(int(i) for i in _int_vector(fb_op.InputsAsNumpy())),
        outputs=tuple(int(i) for i in _int_vector(fb_op.OutputsAsNumpy())),
    )


def _read_options(fb_op) -> dict:
    """Decode the builtin options table generically: every accessor becomes a snake_case key."""
    type_name = _OPTIONS_TYPE_NAMES.get(fb_op.BuiltinOptionsType())
    table = fb_op.BuiltinOptions()
    if not type_name or type_name == "NONE" or table is None:
        return {}
    options_class = getattr(tflite, type_name, None)
    if options_class is None:
        return {}
    options = options_class()
    options.Init(table.Bytes, table.Pos)
    decoded = {}
    for attr in dir(options_class):
        if not attr[0].isupper() or attr in ("Init", "GetRootAs") or attr.startswith("GetRootAs"):
            continue
        if attr.endswith(("AsNumpy", "Length", "IsNone", "BufferHasIdentifier")):
            continue
        if hasattr(options_class, attr + "AsNumpy"):
            value = [v.item() for v in np.atleast_1d(getattr(options, attr + "AsNumpy")())] \
                if getattr(options, attr + "Length")() else []
        else:
            try:
                value = getattr(options, attr)()
            except TypeError:  # accessors that need an index (vectors of tables): not used by us
                continue
        decoded[_snake_case(attr)] = value
    return decoded


def _check_indices(graph: Graph) -> None:
    count = len(graph.tensors)
    for op in graph.operators:
        for tensor_index in op.inputs + op.outputs:
            if tensor_index < -1 or tensor_index >= count:
                raise ModelError(f"operator #{op.index} ({op.name}) refers to missing tensor {tensor_index}")
    for tensor_index in graph.inputs + graph.outputs:
        if not 0 <= tensor_index < count:
            raise ModelError(f"graph input/output refers to missing tensor {tensor_index}")


def _int_vector(values) -> np.ndarray:
    # The generated readers return the int 0 for an absent vector.
    if isinstance(values, int):
        return np.zeros(0, dtype=np.int32)
    return np.asarray(values)


def _text(value) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
