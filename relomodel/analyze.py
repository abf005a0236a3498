"""`relomodel analyze`: what a model will cost on the device, before anything is flashed.

Every number comes from the compiler itself: its IR and passes, each operator's lowering
(MACs, weight bytes), the arena planner (the memory plan and its lower bound). The flash and
RAM totals come from really packing the model into a scratch directory with a throwaway key
(1-2 s for person_detect), so they are the exact sizes `relomodel pack` writes,
not a guess. A model with unsupported operators still gets its per-layer table: the layers we
cannot compile are marked, their costs unknown, and the plan is only indicative.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from relomodel import keys, packer
from relomodel.compiler import ops
from relomodel.compiler.driver import layer_info, lower_context, plan_lowered, stream_where_smaller
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.kernel_select import scratch_key
from relomodel.compiler.ops.base import LoweredOp
from relomodel.compiler.passes import run_passes
from relomodel.compiler.planner import DEFAULT_ALIGN, ArenaPlan
from relomodel.compiler.tflite_reader import read_tflite
from relomodel.errors import ModelError, RelomodelError
from relomodel.targets import Target, get_target


@dataclass
class Layer:
    index: int
    op: str
    input_shapes: list[tuple[int, ...]]  # computed (non-constant) inputs only
    output_shapes: list[tuple[int, ...]]
    macs: int | None  # None when the layer cannot be compiled
    weight_bytes: int | None
    activation_bytes: int  # the layer's computed inputs and outputs
    arena_used: int  # high-water mark of the arena while this layer runs (from the plan)
    problem: str | None = None  # why we cannot compile it


@dataclass
class PlannedBuffer:
    tensors: list[str]
    offset: int
    size: int
    first: int  # first and last layer the bytes must hold their value
    last: int


@dataclass
class Footprint:
    """Exact sizes of the package `relomodel pack` builds, and the RAM it asks for."""

    package: int  # flash taken in a slot
    code: int
    weights: int
    overhead: int  # head, manifest, signature, data image, relocations
    data: int
    bss: int  # includes the state of stateful models
    arena: int
    stack: int

    @property
    def ram(self) -> int:
        return self.data + self.bss + self.arena + self.stack


@dataclass
class Analysis:
    model: str
    sha256: str
    target: str
    layers: list[Layer]
    buffers: list[PlannedBuffer]
    arena: int
    arena_lower_bound: int
    stateful: bool
    footprint: Footprint | None = None
    footprint_problem: str | None = None  # why there are no exact sizes
    notes: list[str] = field(default_factory=list)

    @property
    def unsupported(self) -> list[Layer]:
        return [layer for layer in self.layers if layer.problem is not None]

    @property
    def macs(self) -> int:
        return sum(layer.macs or 0 for layer in self.layers)

    @property
    def weight_bytes(self) -> int:
        return sum(layer.weight_bytes or 0 for layer in self.layers)

    def to_json(self) -> dict:
        data = asdict(self)
        data["supported"] = not self.unsupported and self.footprint is not None
        data["macs"] = self.macs
        data["weight_bytes"] = self.weight_bytes
        if self.footprint is not None:
            data["footprint"]["ram"] = self.footprint.ram
        return data


def analyze(model_path: Path, *, target: str = "cortex-m4", build: bool = True) -> Analysis:
    """Analyze one .tflite file. Raises ModelError only when it is not a readable model."""
    model_path = Path(model_path)
    try:
        model_bytes = model_path.read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read model {model_path}: {exc.strerror}") from None
    graph = run_passes(read_tflite(model_bytes))
    lowered, problems = _lower_each(graph, get_target(target))
    if not problems:
        graph, lowered = stream_where_smaller(graph, lowered)
    plan, plan_problem = _plan(graph, lowered)
    analysis = Analysis(
        model=model_path.name,
        sha256=hashlib.sha256(model_bytes).hexdigest(),
        target=target,
        layers=[_layer(graph, op, lowered.get(op.index), problems.get(op.index), plan, step)
                for step, op in enumerate(graph.operators)],
        buffers=_buffers(graph, plan),
        arena=plan.size,
        arena_lower_bound=plan.lower_bound,
        stateful=any(t.is_variable for t in graph.tensors),
    )
    if plan_problem:
        analysis.notes.append(f"no memory plan: {plan_problem}")
    elif problems:
        analysis.notes.append("the memory plan is indicative: layers we cannot compile are planned as plain ops")
    if problems:
        analysis.footprint_problem = f"{len(problems)} layer(s) cannot be compiled"
    elif build:
        _add_footprint(analysis, model_path, target)
    else:
        analysis.footprint_problem = "not built"
    return analysis


def _lower_each(graph: Graph, target: Target) -> tuple[dict[int, LoweredOp], dict[int, str]]:
    """Lower every operator on its own, so one failure does not hide the others."""
    ctx = lower_context(target)
    lowered: dict[int, LoweredOp] = {}
    problems: dict[int, str] = {}
    for op in graph.operators:
        if op.name not in ops.REGISTRY:
            problems[op.index] = "unsupported operator"
            continue
        try:
            lowered[op.index] = ops.op_module(op.name).lower(graph, op, ctx)
        except ModelError as exc:
            problems[op.index] = str(exc)
    return lowered, problems


def _plan(graph: Graph, lowered: dict[int, LoweredOp]) -> tuple[ArenaPlan, str | None]:
    """The compiler's plan; empty when a tensor only unsupported ops use has no known size."""
    try:
        return plan_lowered(graph, list(lowered.values())), None
    except ValueError as exc:
        return ArenaPlan(offsets={}, buffers=[], size=0, align=DEFAULT_ALIGN, lower_bound=0), str(exc)


def _layer(graph: Graph, op: Operator, item: LoweredOp | None, problem: str | None, plan: ArenaPlan,
           step: int) -> Layer:
    computed_inputs = [t for t in op.inputs if t >= 0 and not graph.tensor(t).is_constant]
    info = layer_info(item) if item is not None else None
    activations = {t for t in computed_inputs + list(op.outputs) if not graph.tensor(t).is_variable}
    return Layer(
        index=op.index,
        op=op.name,
        input_shapes=[graph.tensor(t).shape for t in computed_inputs],
        output_shapes=[graph.tensor(t).shape for t in op.outputs],
        macs=info.macs if info else None,
        weight_bytes=info.weight_bytes if info else None,
        activation_bytes=sum(_size(graph, t) for t in activations),
        arena_used=max((b.offset + b.size for b in plan.buffers if b.first <= step <= b.last), default=0),
        problem=problem,
    )


def _size(graph: Graph, tensor: int) -> int:
    try:
        return graph.tensor(tensor).size_bytes
    except ValueError:  # a type only unsupported ops use (e.g. complex64)
        return 0


def _buffers(graph: Graph, plan: ArenaPlan) -> list[PlannedBuffer]:
    """The plan's buffers by offset; a kernel's scratch buffer is named after its layer."""
    scratch_names = {scratch_key(op.index): f"(scratch of layer {op.index} {op.name})" for op in graph.operators}
    return [PlannedBuffer(tensors=[scratch_names[t] if t in scratch_names else graph.tensor(t).name
                                   for t in b.tensors],
                          offset=b.offset, size=b.size, first=b.first, last=b.last)
            for b in sorted(plan.buffers, key=lambda b: (b.offset, b.first))]


def _add_footprint(analysis: Analysis, model_path: Path, target: str) -> None:
    """Pack for real with a throwaway key: the package size does not depend on the key."""
    with tempfile.TemporaryDirectory(prefix="relomodel-analyze-") as scratch:
        key = Path(scratch) / "throwaway.pem"
        keys.generate_key(key)
        try:
            report = packer.pack(model_path, key, Path(scratch) / "model.rmod", target=target)
        except RelomodelError as exc:
            analysis.footprint_problem = f"cannot be packed: {exc}"
            return
    analysis.footprint = Footprint(
        package=report.package_size, code=report.code, weights=report.weights, overhead=report.overhead,
        data=report.data, bss=report.bss, arena=report.arena, stack=report.stack,
    )


# ---------------------------------------------------------------------------------------------
# text report


def format_report(analysis: Analysis) -> str:
    lines = [f"{analysis.model}: sha256 {analysis.sha256[:16]}..., {len(analysis.layers)} layers, "
             f"{analysis.macs} MACs, {analysis.weight_bytes} weight bytes"
             f"{', stateful' if analysis.stateful else ''}", ""]
    lines += _layer_table(analysis.layers)
    lines += ["", *_plan_lines(analysis), ""]
    lines += _totals(analysis)
    lines += [f"note: {note}" for note in analysis.notes]
    return "\n".join(lines)


def _shapes(shapes: list[tuple[int, ...]]) -> str:
    return " ".join("x".join(str(d) for d in shape) or "scalar" for shape in shapes) or "-"


def _layer_table(layers: list[Layer]) -> list[str]:
    rows = [f"{'#':>3}  {'op':<30} {'inputs':<22} {'outputs':<16} {'MACs':>10} {'weights':>8} "
            f"{'act. B':>7} {'arena B':>8}"]
    for layer in layers:
        mark = "  <- NOT SUPPORTED" if layer.problem == "unsupported operator" else (
            f"  <- {layer.problem}" if layer.problem else "")
        rows.append(f"{layer.index:>3}  {layer.op[:30]:<30} {_shapes(layer.input_shapes)[:22]:<22} "
                    f"{_shapes(layer.output_shapes)[:16]:<16} {_unknown(layer.macs):>10} "
                    f"{_unknown(layer.weight_bytes):>8} {layer.activation_bytes:>7} {layer.arena_used:>8}{mark}")
    return rows


def _unknown(value: int | None) -> str:
    return "?" if value is None else str(value)


def _plan_lines(analysis: Analysis) -> list[str]:
    if not analysis.buffers:
        return ["memory plan: none (see the notes below)"]
    over = (analysis.arena / analysis.arena_lower_bound - 1) * 100 if analysis.arena_lower_bound else 0.0
    lines = [f"memory plan: arena {analysis.arena} B, lower bound {analysis.arena_lower_bound} B "
             f"(+{over:.1f}%), {len(analysis.buffers)} buffers",
             f"  {'offset':>8} {'size':>8}  {'layers':<9} tensors"]
    for b in analysis.buffers:
        lines.append(f"  {b.offset:>8} {b.size:>8}  {f'{b.first}-{b.last}':<9} {', '.join(b.tensors)[:60]}")
    return lines


def _totals(analysis: Analysis) -> list[str]:
    unsupported = analysis.unsupported
    if unsupported:
        names = sorted({layer.op for layer in unsupported})
        return [f"NOT SUPPORTED: {len(unsupported)} of {len(analysis.layers)} layers cannot be compiled "
                f"({', '.join(names)}); flash and RAM cannot be predicted"]
    f = analysis.footprint
    if f is None:
        return [f"flash: weights {analysis.weight_bytes} B + code unknown ({analysis.footprint_problem})",
                f"RAM:   arena {analysis.arena} B + data, bss and stack unknown"]
    return [f"flash: {f.package} B package (code {f.code} + weights {f.weights} + overhead {f.overhead})",
            f"RAM:   {f.ram} B (data {f.data} + bss {f.bss} + arena {f.arena} + stack {f.stack or 'unknown'})",
            f"supported: every layer compiles for {analysis.target}"]
