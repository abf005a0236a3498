"""compile_model(): .tflite bytes -> CompiledModel (generated C + everything the manifest needs)."""

from __future__ import annotations

import hashlib

from relomodel.compiler import codegen, ops, stream_conv_fc
from relomodel.compiler.ir import Graph, Tensor
from relomodel.compiler.kernel_select import scratch_key
from relomodel.compiler.model import CompiledModel, LayerInfo, TensorInfo
from relomodel.compiler.ops.base import LowerContext, LoweredOp
from relomodel.compiler.passes import run_passes
from relomodel.compiler.planner import ArenaPlan, Overlap, plan_arena
from relomodel.compiler.state import find_state
from relomodel.compiler.tflite_reader import read_tflite
from relomodel.errors import ModelError
from relomodel.format import spec
from relomodel.kernels import KERNEL_DIR, kernel_path
from relomodel.targets import Target

RUNTIME_KERNEL = "relo_rt.c"  # memcpy/memset/memmove: every blob links without newlib
_SPEC_DTYPES = {
    "float32": spec.DTYPE.FLOAT32,
    "int8": spec.DTYPE.INT8,
    "uint8": spec.DTYPE.UINT8,
    "int16": spec.DTYPE.INT16,
    "int32": spec.DTYPE.INT32,
}


def compile_model(model_bytes: bytes, *, name: str, target: Target, litert_rounding: bool = False) -> CompiledModel:
    """Compile one TFLite model. Raises ModelError (or UnsupportedOpError) on anything we cannot do."""
    graph = run_passes(read_tflite(model_bytes))  # e.g. shape arithmetic folded to constants
    ops.check_supported(graph)
    _check_graph_io(graph)
    ctx = lower_context(target, litert_rounding)
    graph, by_index = stream_where_smaller(graph, {op.index: ops.op_module(op.name).lower(graph, op, ctx)
                                                   for op in graph.operators})
    lowered = [by_index[op.index] for op in graph.operators]
    plan = plan_lowered(graph, lowered)
    states = find_state(graph)
    digest = hashlib.sha256(model_bytes).digest()
    source = codegen.generate_model_c(name, lowered, plan, digest.hex(), states)

    kernel_names = sorted({f for item in lowered for f in item.kernel_files} | {RUNTIME_KERNEL})
    return CompiledModel(
        name=name,
        c_sources={"model.c": source},
        kernel_files=[kernel_path(f) for f in kernel_names],
        include_dirs=[KERNEL_DIR],
        inputs=[_tensor_info(graph.tensor(t), plan.offsets[t]) for t in graph.inputs],
        outputs=[_tensor_info(graph.tensor(t), plan.offsets[t]) for t in graph.outputs],
        arena_size=plan.size,
        arena_align=plan.align,
        macs=sum(item.macs for item in lowered),
        weight_bytes=sum(item.weight_bytes for item in lowered),
        stateful=bool(states),
        litert_rounding=litert_rounding,
        source_sha256=digest,
        layers=[layer_info(item) for item in lowered],
        arena_lower_bound=plan.lower_bound,
    )


def lower_context(target: Target, litert_rounding: bool = False) -> LowerContext:
    """How operators are lowered for `target` (compile_model and `relomodel analyze` share it)."""
    return LowerContext(litert_rounding=litert_rounding, dsp=target.has_dsp)


def plan_lowered(graph: Graph, lowered: list[LoweredOp]) -> ArenaPlan:
    """The arena plan, honouring each lowered op's aliases and overlap promises."""
    aliases = dict(item.alias for item in lowered if item.alias is not None)
    overlaps = [Overlap(*item.overlap) for item in lowered if item.overlap is not None]
    scratch = {step: (scratch_key(item.op.index), item.scratch_bytes)
               for step, item in enumerate(lowered) if item.scratch_bytes}
    return plan_arena(graph, aliases, overlaps=overlaps, scratch=scratch)


def stream_where_smaller(graph: Graph, lowered: dict[int, LoweredOp]) -> tuple[Graph, dict[int, LoweredOp]]:
    """Fuse each convolution into the FULLY_CONNECTED consuming it (stream_conv_fc.py) where that
    makes the arena smaller; `lowered` maps op index -> lowered op. Returns the graph to plan."""
    pairs = stream_conv_fc.find_pairs(graph, lowered)
    if not pairs:
        return graph, lowered
    best = plan_lowered(graph, [lowered[op.index] for op in graph.operators]).size
    for pair in pairs:
        fused_graph, fused = stream_conv_fc.fuse(graph, lowered, pair)
        size = plan_lowered(fused_graph, [fused[op.index] for op in fused_graph.operators]).size
        if size < best:
            graph, lowered, best = fused_graph, fused, size
    return graph, lowered


def _check_graph_io(graph: Graph) -> None:
    if not graph.inputs or not graph.outputs:
        raise ModelError("model has no inputs or no outputs")
    if len(graph.inputs) + len(graph.outputs) > spec.MAX_TENSORS:
        raise ModelError(f"model has more than {spec.MAX_TENSORS} inputs and outputs")
    for index in graph.inputs + graph.outputs:
        tensor = graph.tensor(index)
        if tensor.is_constant:
            raise ModelError(f"model input/output '{tensor.name}' is a constant")
        if tensor.dtype not in _SPEC_DTYPES:
            raise ModelError(f"model input/output '{tensor.name}' has unsupported type {tensor.dtype.upper()}")
        if len(tensor.shape) > spec.MAX_RANK:
            raise ModelError(f"model input/output '{tensor.name}' has rank {len(tensor.shape)} > {spec.MAX_RANK}")
        if tensor.quantization is not None and tensor.quantization.per_channel:
            raise ModelError(f"model input/output '{tensor.name}' is quantized per channel")
    produced = {t for op in graph.operators for t in op.outputs}
    for index in graph.outputs:
        if index not in produced and index not in graph.inputs:
            raise ModelError(f"model output '{graph.tensor(index).name}' is never computed")


def _tensor_info(tensor: Tensor, offset: int) -> TensorInfo:
    q = tensor.quantization
    return TensorInfo(
        name=tensor.name[: spec.NAME_LENGTH - 1],
        dtype=int(_SPEC_DTYPES[tensor.dtype]),
        shape=tensor.shape,
        scale=q.scale if q is not None else 0.0,
        zero_point=q.zero_point if q is not None else 0,
        arena_offset=offset,
        size_bytes=tensor.size_bytes,
    )


def layer_info(item: LoweredOp) -> LayerInfo:
    return LayerInfo(
        index=item.op.index,
        op=item.op.name,
        output_shape=tuple(item.output_shape),
        macs=item.macs,
        weight_bytes=item.weight_bytes,
    )
