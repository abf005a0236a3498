"""Reference inference with the TFLite Micro interpreter (reference kernels), for comparisons."""

from __future__ import annotations

import numpy as np

from relomodel.compiler.tflite_reader import read_tflite
from relomodel.errors import ModelError


class _Reference:
    def __init__(self, model_bytes: bytes):
        from tflite_micro.python.tflite_micro import runtime

        graph = read_tflite(model_bytes)  # clear ModelError for non-TFLite input
        self.input_count, self.output_count = len(graph.inputs), len(graph.outputs)
        try:
            self.interpreter = runtime.Interpreter.from_bytes(
                model_bytes, arena_size=_arena_size(graph, model_bytes))
        except Exception as exc:  # the interpreter reports bad models with RuntimeError/ValueError
            raise ModelError(f"TFLite Micro cannot load the model: {exc}") from None

    def invoke(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        if len(inputs) != self.input_count:
            raise ValueError(f"model takes {self.input_count} inputs, got {len(inputs)}")
        for index, value in enumerate(inputs):
            details = self.interpreter.get_input_details(index)
            array = np.asarray(value, dtype=details["dtype"]).reshape(details["shape"])
            self.interpreter.set_input(array, index)
        self.interpreter.invoke()
        return [np.array(self.interpreter.get_output(i)) for i in range(self.output_count)]


def _arena_size(graph, model_bytes: bytes) -> int:
    """The interpreter's default arena (10x the file) is too small for small models with big
    activations (e.g. a single PAD); give every computed tensor room, plus TFLM's overhead."""
    activations = sum(t.size_bytes for t in graph.tensors
                      if not t.is_constant and t.dtype in ("int8", "uint8", "int16", "int32", "float32"))
    return max(10 * len(model_bytes), 2 * activations + 64 * 1024)


def run_reference(model_bytes: bytes, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """One invoke on a fresh interpreter; returns every output."""
    return _Reference(model_bytes).invoke(inputs)


def run_reference_sequence(model_bytes: bytes, steps: list[list[np.ndarray]]) -> list[list[np.ndarray]]:
    """Several invokes on ONE interpreter, so stateful models (LSTM, SVDF) carry their state."""
    reference = _Reference(model_bytes)
    return [reference.invoke(inputs) for inputs in steps]


def input_details(model_bytes: bytes) -> list[dict]:
    """Shape and numpy dtype of each model input, as the reference interpreter sees them."""
    reference = _Reference(model_bytes)
    details = []
    for index in range(reference.input_count):
        d = reference.interpreter.get_input_details(index)
        details.append({"shape": tuple(int(x) for x in d["shape"]), "dtype": np.dtype(d["dtype"])})
    return details
