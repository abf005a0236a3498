"""`relomodel analyze`: the per-layer table, plan and totals agree with the compiler and with a
real `relomodel pack`; unsupported layers are marked, not fatal. And the memory and flash
targets against TFLite Micro, for every shared model whose TFLM figures we know."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from relomodel import packer
from relomodel.analyze import analyze, format_report
from relomodel.cli import cli
from relomodel.compiler.driver import compile_model
from relomodel.modelgen.mlp import demo_model
from relomodel.modelgen.tflite_writer import ModelSpec
from relomodel.targets import get_target
from tests.conftest import DEV_KEY, shared_model, toolchain_available

needs_toolchain = pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc (make setup)")


@dataclass(frozen=True)
class Tflm:
    """TFLite Micro on the emulated Cortex-M4 (reference figures given with the issue)."""

    arena: int  # bytes of tensor arena the interpreter needs
    kernel_code: int | None = None  # interpreter + CMSIS-NN code in its firmware, when known
    cnn: bool = False  # convolutional network: the stricter arena target applies


TFLM = {
    "person_detect.tflite": Tflm(arena=82_308, kernel_code=93_000, cnn=True),
    "micro_speech_quantized.tflite": Tflm(arena=6_836, cnn=True),
    "trained_lstm_int8.tflite": Tflm(arena=4_052),
    "dtln_noise_suppression.tflite": Tflm(arena=14_356),
}
CNN_ARENA_RATIO = 0.6  # at most this share of TFLM's arena on CNNs like person_detect
ANY_ARENA_RATIO = 0.9  # never more than this on any model
LOWER_BOUND_SLACK = 0.05  # arena within 5% of the planner's lower bound
PACKAGE_RATIO = 0.8  # package at most this share of TFLM's kernel code + flatbuffer
SUPPORTED_SHARED = ["hello_world_int8.tflite", "simple_add_model.tflite", "micro_speech_quantized.tflite",
                    "person_detect.tflite", "trained_lstm_int8.tflite", "dtln_noise_suppression.tflite",
                    "keyword_scrambled_8bit.tflite"]


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("analyze") / "demo.tflite"
    path.write_bytes(demo_model())
    return path


@pytest.fixture(scope="module")
def unsupported_path(tmp_path_factory):
    """x -> ABS (no kernel) -> RELU -> z: one layer we cannot compile, one we can."""
    model = ModelSpec()
    x, y, z = (model.add_tensor(name, "int8", (1, 8), scale=0.1, zero_point=0) for name in "xyz")
    model.add_op("ABS", [x], [y])
    model.add_op("RELU", [y], [z])
    model.inputs, model.outputs = [x], [z]
    path = tmp_path_factory.mktemp("analyze") / "abs.tflite"
    path.write_bytes(model.to_bytes())
    return path


@pytest.mark.parametrize("target", ["cortex-m4", "cortex-m7"])
def test_person_detect_analysis_is_the_compilers(target):
    """The same lowering (DSP kernels and their scratch included) and the same plan."""
    model = shared_model("person_detect.tflite")
    compiled = compile_model(model.read_bytes(), name="pd", target=get_target(target))
    analysis = analyze(model, target=target, build=False)
    assert [(layer.op, layer.macs, layer.weight_bytes) for layer in analysis.layers] == [
        (info.op, info.macs, info.weight_bytes) for info in compiled.layers]
    assert (analysis.arena, analysis.arena_lower_bound) == (compiled.arena_size, compiled.arena_lower_bound)


def test_layers_and_plan_are_the_compilers(demo_path):
    compiled = compile_model(demo_path.read_bytes(), name="demo", target=get_target("cortex-m4"))
    analysis = analyze(demo_path, build=False)
    assert [(layer.index, layer.op, layer.output_shapes[0], layer.macs, layer.weight_bytes)
            for layer in analysis.layers] == [
        (info.index, info.op, info.output_shape, info.macs, info.weight_bytes) for info in compiled.layers]
    assert analysis.macs == compiled.macs > 0
    assert (analysis.arena, analysis.arena_lower_bound) == (compiled.arena_size, compiled.arena_lower_bound)
    assert max(layer.arena_used for layer in analysis.layers) == analysis.arena
    fc = analysis.layers[2]  # QUANTIZE, RESHAPE, then FULLY_CONNECTED 16 -> 64: its own in/out bytes
    assert (fc.op, fc.input_shapes, fc.output_shapes, fc.macs) == ("FULLY_CONNECTED", [(1, 16)], [(1, 64)], 16 * 64)
    assert fc.activation_bytes == 16 + 64
    for a in analysis.buffers:  # the plan shown is a valid plan: live buffers never share bytes
        for b in analysis.buffers:
            if a is not b and a.first <= b.last and b.first <= a.last:
                assert a.offset + a.size <= b.offset or b.offset + b.size <= a.offset


@needs_toolchain
def test_footprint_is_what_pack_writes(demo_path, tmp_path):
    analysis = analyze(demo_path)
    report = packer.pack(demo_path, DEV_KEY, tmp_path / "demo.rmod")
    f = analysis.footprint
    assert f is not None and f.package == (tmp_path / "demo.rmod").stat().st_size == report.package_size
    assert (f.code, f.weights, f.data, f.bss, f.arena, f.stack) == (
        report.code, report.weights, report.data, report.bss, report.arena, report.stack)
    assert f.ram == report.data + report.bss + report.arena + report.stack
    text = format_report(analysis)
    assert f"flash: {f.package} B package" in text and f"RAM:   {f.ram} B" in text


def test_unsupported_layers_are_marked_and_the_rest_still_shown(unsupported_path):
    analysis = analyze(unsupported_path)
    assert [(layer.op, layer.problem) for layer in analysis.layers] == [
        ("ABS", "unsupported operator"), ("RELU", None)]
    assert analysis.layers[0].macs is None and analysis.layers[1].macs == 0
    assert analysis.footprint is None
    result = CliRunner().invoke(cli, ["analyze", str(unsupported_path)])
    assert result.exit_code == 1, result.output
    assert "  0  ABS" in result.output and "<- NOT SUPPORTED" in result.output and "  1  RELU" in result.output
    assert "NOT SUPPORTED: 1 of 2 layers cannot be compiled (ABS)" in result.output


def test_model_with_untyped_tensors_gets_a_table_without_a_plan():
    """audio_preprocessor: Signal custom ops on UINT32/complex tensors the planner cannot size."""
    analysis = analyze(shared_model("audio_preprocessor_int8.tflite"))
    assert len(analysis.layers) == 22 and analysis.buffers == []
    assert {layer.op for layer in analysis.unsupported} >= {"CUSTOM:SignalRfft", "CAST", "DIV"}
    assert "memory plan: none" in format_report(analysis)


def test_cli_json_and_plot(demo_path, tmp_path):
    plot = tmp_path / "demo.png"
    result = CliRunner().invoke(cli, ["analyze", str(demo_path), "--json", "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["model"] == "demo.tflite" and len(data["layers"]) == 7 and data["buffers"]
    assert data["macs"] == sum(layer["macs"] for layer in data["layers"])
    if toolchain_available():
        assert data["supported"] and data["footprint"]["ram"] >= data["arena"]
    png = plot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_cli_refuses_a_file_that_is_not_a_model(tmp_path):
    bogus = tmp_path / "bogus.tflite"
    bogus.write_bytes(b"not a flatbuffer at all")
    result = CliRunner().invoke(cli, ["analyze", str(bogus)])
    assert result.exit_code == 2 and result.output.startswith("error: ")
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------------------------
# targets against TFLite Micro


@pytest.mark.parametrize("name", SUPPORTED_SHARED)
def test_arena_within_5_percent_of_the_lower_bound(name):
    analysis = analyze(shared_model(name), build=False)
    assert not analysis.unsupported
    assert analysis.arena <= (1 + LOWER_BOUND_SLACK) * analysis.arena_lower_bound, (
        analysis.arena, analysis.arena_lower_bound)


@pytest.mark.parametrize("name", [n for n, t in TFLM.items() if t.cnn])
def test_cnn_arena_at_most_0_6x_tflm(name):
    analysis = analyze(shared_model(name), build=False)
    assert analysis.arena <= CNN_ARENA_RATIO * TFLM[name].arena, (analysis.arena, TFLM[name].arena)


@needs_toolchain
@pytest.mark.parametrize("name", list(TFLM))
def test_ram_at_most_0_9x_tflm(name):
    """The arena, and the arena plus model state (bss): TFLM keeps state in its arena too."""
    analysis = analyze(shared_model(name))
    assert analysis.footprint is not None, analysis.footprint_problem
    limit = ANY_ARENA_RATIO * TFLM[name].arena
    assert analysis.arena <= limit, (analysis.arena, TFLM[name].arena)
    assert analysis.arena + analysis.footprint.bss <= limit, (analysis.arena, analysis.footprint.bss)


@needs_toolchain
@pytest.mark.parametrize("name", [n for n, t in TFLM.items() if t.kernel_code is not None])
def test_package_at_most_0_8x_tflm_code_and_flatbuffer(name, tmp_path):
    model = shared_model(name)
    package = tmp_path / "model.rmod"
    packer.pack(model, DEV_KEY, package)
    tflm = TFLM[name].kernel_code + model.stat().st_size
    assert package.stat().st_size <= PACKAGE_RATIO * tflm, (package.stat().st_size, tflm)
    assert analyze(model).footprint.package == package.stat().st_size
