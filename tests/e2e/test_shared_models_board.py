"""Every model in ../shared/models that the compiler supports runs on the emulated board
bit-exact with TFLite Micro, over tens of random inputs (one sequence for stateful models,
after RESET_STATE), checked through `relomodel validate`'s own library code. One QEMU for the
module: the models replace each other in the flash slots like a field update would.

Also: validate refuses to compare against a model the device does not run, and reports a
real mismatch (a package rounding FULLY_CONNECTED like LiteRT) with exit status 1.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from relomodel import packer
from relomodel.analyze import analyze
from relomodel.board.qemu import QemuBoard
from relomodel.cli import cli
from relomodel.errors import WrongModelError
from relomodel.transport.device import Device
from relomodel.validate import format_report, validate
from tests.conftest import DEV_KEY, SHARED_MODELS, shared_model, toolchain_available

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)"),
]

# model -> (random inputs, stateful, split weights). The split alternates to cover both layouts.
BOARD_MODELS = {
    "hello_world_int8.tflite": (40, False, False),
    "simple_add_model.tflite": (10, False, True),  # 48 KiB over the UART per run
    "micro_speech_quantized.tflite": (20, False, False),
    "person_detect.tflite": (10, False, True),
    "trained_lstm_int8.tflite": (20, True, False),
    "dtln_noise_suppression.tflite": (20, True, True),
    "keyword_scrambled_8bit.tflite": (30, True, False),
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("shared_models")


@pytest.fixture(scope="module")
def board(workdir):
    with QemuBoard(board="qemu-m4", flash=workdir / "flash.img") as emulated:
        yield emulated


def _install(board, workdir, name: str, *, split_weights: bool = False, litert_rounding: bool = False):
    model = shared_model(name)
    package = workdir / f"{model.stem}{'-litert' if litert_rounding else ''}.rmod"
    packer.pack(model, DEV_KEY, package, split_weights=split_weights, litert_rounding=litert_rounding)
    with Device.open(board.url) as device:
        device.install(package.read_bytes())
    return model


def test_every_supported_shared_model_is_covered():
    """A model added to ../shared/models that compiles must be added to BOARD_MODELS."""
    if not SHARED_MODELS.is_dir():
        pytest.skip(f"{SHARED_MODELS} is missing")
    supported = {path.name for path in SHARED_MODELS.glob("*.tflite")
                 if not analyze(path, build=False).unsupported}
    assert supported == set(BOARD_MODELS)


@pytest.mark.parametrize("name", list(BOARD_MODELS))
def test_shared_model_bit_exact_on_the_board(board, workdir, name):
    runs, stateful, split_weights = BOARD_MODELS[name]
    model = _install(board, workdir, name, split_weights=split_weights)
    with Device.open(board.url) as device:
        result = validate(device, model, runs=runs, seed=len(name))
    report = format_report(result)
    assert result.stateful == stateful, report
    assert result.passed(), report
    for output in result.outputs:
        assert output.exact_runs == runs and output.matching_elements == output.elements, report
    assert result.mean_count > 0


def test_validate_refuses_a_model_the_device_does_not_run(board, workdir):
    _install(board, workdir, "hello_world_int8.tflite")
    with Device.open(board.url) as device, pytest.raises(WrongModelError) as error:
        validate(device, shared_model("micro_speech_quantized.tflite"), runs=1)
    assert "hello_world_int8" in str(error.value) and "micro_speech_quantized.tflite" in str(error.value)


def test_validate_cli_passes_and_reports_a_real_mismatch(board, workdir):
    """hello_world rounded like LiteRT differs from TFLM by 1 LSB on some inputs: validate says so."""
    model = _install(board, workdir, "hello_world_int8.tflite")
    runner = CliRunner()
    passed = runner.invoke(cli, ["validate", str(model), "--port", board.url, "-n", "5"])
    assert passed.exit_code == 0, passed.output
    assert "exact 5/5 runs" in passed.output and "bit-exact with TFLite Micro" in passed.output

    _install(board, workdir, "hello_world_int8.tflite", litert_rounding=True)
    failed = runner.invoke(cli, ["validate", str(model), "--port", board.url, "-n", "40"])
    assert failed.exit_code == 1, failed.output
    assert "MISMATCH" in failed.output and "LiteRT" in failed.output and "max abs error 1 " in failed.output
    tolerated = runner.invoke(cli, ["validate", str(model), "--port", board.url, "-n", "40", "--atol", "1"])
    assert tolerated.exit_code == 0 and "within 1 of TFLite Micro" in tolerated.output

    other = runner.invoke(cli, ["validate", str(shared_model("micro_speech_quantized.tflite")), "--port", board.url])
    assert other.exit_code == 2, other.output
    assert "error: the device runs 'hello_world_int8'" in other.output and "hint: pack and push" in other.output
