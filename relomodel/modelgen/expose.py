"""Rewrite a .tflite so chosen intermediate tensors become extra model outputs.

For tests: a model whose final output saturates (keyword_scrambled_8bit's scrambled weights)
is still compared bit for bit through every intermediate activation.
"""

from __future__ import annotations

import flatbuffers
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from relomodel.modelgen.tflite_writer import FILE_IDENTIFIER


def expose_tensors(model_bytes: bytes, tensor_indices: list[int]) -> bytes:
    """The same model with `tensor_indices` appended to the first subgraph's outputs."""
    model = schema.ModelT.InitFromPackedBuf(bytearray(model_bytes), 0)
    subgraph = model.subgraphs[0]
    outputs = [int(i) for i in subgraph.outputs]
    subgraph.outputs = outputs + [i for i in tensor_indices if i not in outputs]
    builder = flatbuffers.Builder(len(model_bytes) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=FILE_IDENTIFIER)
    return bytes(builder.Output())
