"""LiteRT (ai-edge-litert) with its reference kernels (BUILTIN_REF): the oracle for uint8
models and for --litert-rounding. Tests using it skip when the package is not installed."""

from __future__ import annotations

import numpy as np
import pytest


class LiteRTReference:
    """One interpreter, reused across invokes (so stateful models would carry their state)."""

    def __init__(self, model_bytes: bytes):
        litert = pytest.importorskip("ai_edge_litert.interpreter", reason="ai-edge-litert is not installed")
        self.interpreter = litert.Interpreter(
            model_content=model_bytes, experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
        self.interpreter.allocate_tensors()
        self.inputs = self.interpreter.get_input_details()
        self.outputs = self.interpreter.get_output_details()

    def invoke(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        for detail, value in zip(self.inputs, inputs, strict=True):
            self.interpreter.set_tensor(detail["index"], np.asarray(value).astype(detail["dtype"]).reshape(detail["shape"]))
        self.interpreter.invoke()
        return [self.interpreter.get_tensor(detail["index"]).copy() for detail in self.outputs]
