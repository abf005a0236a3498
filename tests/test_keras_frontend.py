"""Keras and SavedModel inputs for `relomodel pack` (relomodel/frontends/keras.py).

Small Keras models with seeded weights are saved as .keras, .h5 and SavedModel, packed through
the CLI with a representative .npy, and the converted OUT.tflite is compiled and run on the
host harness bit-exact against TFLite Micro; one package also runs on the emulated board.
The error paths run without TensorFlow where they can (missing data, no TensorFlow at all).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from click.testing import CliRunner

from relomodel.cli import cli
from relomodel.format.package import describe, parse_package
from relomodel.reference import run_reference_sequence
from tests.compiler.conftest import host_model
from tests.conftest import DEV_KEY, REPO, toolchain_available

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # inside Keras

SAMPLES = 32  # representative samples: enough for stable calibration, fast to convert


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


def _seeded(keras, seed: int) -> dict:
    """Random (not default zero) biases too, so the quantized bias path is exercised."""
    return dict(kernel_initializer=keras.initializers.RandomNormal(stddev=0.5, seed=seed),
                bias_initializer=keras.initializers.RandomNormal(stddev=0.3, seed=seed + 100))


def keras_mlp(tf):
    keras = tf.keras
    return keras.Sequential([
        keras.Input((12,)),
        keras.layers.Dense(24, activation="relu", **_seeded(keras, 1)),
        keras.layers.Dense(16, activation="relu6", **_seeded(keras, 2)),
        keras.layers.Dense(5, **_seeded(keras, 3)),
        keras.layers.Softmax(),
    ])


def keras_cnn(tf):
    keras = tf.keras
    return keras.Sequential([
        keras.Input((10, 10, 3)),
        keras.layers.Conv2D(6, 3, activation="relu", **_seeded(keras, 4)),
        keras.layers.DepthwiseConv2D(3, padding="same", activation="relu6",
                                     depthwise_initializer=keras.initializers.RandomNormal(stddev=0.5, seed=5),
                                     bias_initializer=keras.initializers.RandomNormal(stddev=0.3, seed=6)),
        keras.layers.MaxPooling2D(2),
        keras.layers.AveragePooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(4, **_seeded(keras, 7)),
    ])


def save(model, path, form: str):
    if form == "savedmodel":
        model.export(str(path), verbose=False)
    else:
        model.save(path)
    return path


def representative(tmp_path, shape, seed=0):
    path = tmp_path / "samples.npy"
    np.save(path, np.random.default_rng(seed).uniform(-2.0, 2.0, (SAMPLES, *shape)).astype(np.float32))
    return path


def pack_cli(model_path, out, *extra):
    result = CliRunner().invoke(cli, ["pack", str(model_path), "-k", str(DEV_KEY), "-o", str(out), *extra])
    return result


@pytest.mark.parametrize("build, form, float_io", [
    (keras_mlp, "keras", False),
    (keras_mlp, "h5", True),
    (keras_cnn, "keras", False),
    (keras_cnn, "savedmodel", False),
], ids=["mlp-keras", "mlp-h5-float-io", "cnn-keras", "cnn-savedmodel"])
def test_packed_keras_model_is_bit_exact_with_tflm(tf, tmp_path, build, form, float_io):
    tf.keras.utils.set_random_seed(0)
    model = build(tf)
    suffix = {"keras": ".keras", "h5": ".h5", "savedmodel": ""}[form]
    source = save(model, tmp_path / f"net{suffix}", form)
    samples = representative(tmp_path, model.inputs[0].shape[1:])
    out = tmp_path / "out" / "net.rmod"

    result = pack_cli(source, out, "--representative-data", str(samples), *(["--float-io"] if float_io else []))
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "Saved artifact" not in result.output  # TF's chatter is silenced

    converted = out.with_suffix(".tflite").read_bytes()  # kept beside the package
    described = describe(parse_package(out.read_bytes()))
    want_dtype = "float32" if float_io else "int8"
    assert [t["dtype"] for t in described["inputs"] + described["outputs"]] == [want_dtype, want_dtype]
    assert described["name"] == "net"

    host = host_model(converted)
    info = host.model.inputs[0]
    rng = np.random.default_rng(42)
    if float_io:
        inputs = [[rng.uniform(-3.0, 3.0, info.shape).astype(np.float32)] for _ in range(150)]
    else:
        inputs = [[rng.integers(-128, 128, info.shape).astype(np.int8)] for _ in range(150)]
    expected = run_reference_sequence(converted, inputs)
    for index, (x, want) in enumerate(zip(inputs, expected)):
        got = host.run(x)
        assert np.array_equal(got[0], want[0]), f"input {index}: {got[0]} != {want[0]}"


def test_converted_model_tracks_the_float_keras_model(tf, tmp_path):
    """The int8 model approximates the Keras model: the calibration really used our samples."""
    tf.keras.utils.set_random_seed(0)
    model = keras_mlp(tf)
    source = save(model, tmp_path / "mlp.keras", "keras")
    out = tmp_path / "mlp.rmod"
    assert pack_cli(source, out, "--representative-data", str(representative(tmp_path, (12,))),
                    "--float-io").exit_code == 0
    host = host_model(out.with_suffix(".tflite").read_bytes())
    x = np.random.default_rng(3).uniform(-2.0, 2.0, (20, 12)).astype(np.float32)
    want = model.predict(x, verbose=0)
    got = np.concatenate([host.run([row[None]])[0] for row in x])
    assert np.abs(got - want).max() < 0.05


# ---------------------------------------------------------------------------------------------
# errors: one line and a hint, never a traceback


def test_missing_representative_data_is_refused_before_tensorflow(tmp_path):
    source = tmp_path / "net.keras"
    source.write_bytes(b"not even read")
    result = pack_cli(source, tmp_path / "net.rmod")
    assert result.exit_code == 2
    assert "needs a representative dataset" in result.output and "--representative-data" in result.output
    assert not (tmp_path / "net.rmod").exists()


def test_directory_that_is_not_a_savedmodel(tmp_path):
    (tmp_path / "empty").mkdir()
    result = pack_cli(tmp_path / "empty", tmp_path / "x.rmod")
    assert result.exit_code == 2 and "not a SavedModel" in result.output


def test_tensorflow_not_installed(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # makes `import tensorflow` raise ImportError
    source = tmp_path / "net.keras"
    source.write_bytes(b"x")
    samples = representative(tmp_path, (12,))
    result = pack_cli(source, tmp_path / "net.rmod", "--representative-data", str(samples))
    assert result.exit_code == 2
    assert "need TensorFlow, which is not installed" in result.output
    assert "relomodel[tensorflow]" in result.output


def test_representative_data_only_for_keras_inputs(tmp_path):
    from relomodel.modelgen.mlp import demo_model

    source = tmp_path / "demo.tflite"
    source.write_bytes(demo_model())
    result = pack_cli(source, tmp_path / "demo.rmod", "--float-io")
    assert result.exit_code == 2 and "apply only to Keras/SavedModel inputs" in result.output


def test_npy_of_wrong_shape(tf, tmp_path):
    tf.keras.utils.set_random_seed(0)
    source = save(keras_cnn(tf), tmp_path / "cnn.keras", "keras")
    samples = representative(tmp_path, (10, 10))  # a channel axis short
    result = pack_cli(source, tmp_path / "cnn.rmod", "--representative-data", str(samples))
    assert result.exit_code == 2
    assert "representative data of shape [32, 10, 10] does not fit cnn.keras's input (10x10x3 per sample)" in result.output
    assert "[samples, 10, 10, 3]" in result.output
    assert not (tmp_path / "cnn.tflite").exists() and not (tmp_path / "cnn.rmod").exists()


def test_corrupt_keras_file(tf, tmp_path):
    source = tmp_path / "broken.h5"
    source.write_bytes(b"not an HDF5 file")
    result = pack_cli(source, tmp_path / "broken.rmod", "--representative-data", str(representative(tmp_path, (4,))))
    assert result.exit_code == 2 and "error: cannot load broken.h5 with TensorFlow: " in result.output
    assert "Traceback" not in result.output


def test_conversion_failure_is_one_condensed_line(tf, tmp_path):
    keras = tf.keras
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4), keras.layers.Lambda(lambda x: tf.math.erf(x))])
    source = save(model, tmp_path / "erf", "savedmodel")
    result = pack_cli(source, tmp_path / "erf.rmod", "--representative-data", str(representative(tmp_path, (6,))))
    assert result.exit_code == 2
    error = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert error == ["error: TensorFlow cannot convert erf: 'tf.Erf' op is neither a custom op nor a flex op"]
    assert "Traceback" not in result.output and "loc(" not in result.output


def test_unsupported_op_after_conversion(tf, tmp_path):
    keras = tf.keras
    model = keras.Sequential([keras.Input((4, 4, 2)), keras.layers.Conv2D(2, 1), keras.layers.UpSampling2D()])
    source = save(model, tmp_path / "up.keras", "keras")
    result = pack_cli(source, tmp_path / "up.rmod", "--representative-data",
                      str(representative(tmp_path, (4, 4, 2))))
    assert result.exit_code == 2
    assert "error: unsupported operator(s): TILE (operator #" in result.output  # Keras lowers UpSampling2D to TILE
    assert (tmp_path / "up.tflite").is_file() and not (tmp_path / "up.rmod").exists()  # kept to inspect


def test_tflite_inputs_and_help_do_not_import_tensorflow(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from click.testing import CliRunner
        from relomodel.cli import cli
        from relomodel.modelgen.mlp import demo_model
        runner = CliRunner()
        assert runner.invoke(cli, ["--help"]).exit_code == 0
        open({str(tmp_path / "demo.tflite")!r}, "wb").write(demo_model())
        result = runner.invoke(cli, ["pack", {str(tmp_path / "demo.tflite")!r}, "-k", {str(DEV_KEY)!r},
                                     "-o", {str(tmp_path / "demo.rmod")!r}])
        assert result.exit_code == 0, result.output
        loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("tensorflow", "keras"))
        print("loaded:", loaded[:5])
        sys.exit(1 if loaded else 0)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


# ---------------------------------------------------------------------------------------------
# on the emulated board


@pytest.mark.qemu
@pytest.mark.skipif(not toolchain_available(), reason="needs arm-none-eabi-gcc and qemu-system-arm (make setup)")
def test_keras_cnn_on_the_board_is_bit_exact(tf, tmp_path):
    from relomodel.board.qemu import QemuBoard
    from relomodel.transport.device import Device
    from relomodel.validate import validate

    tf.keras.utils.set_random_seed(0)
    source = save(keras_cnn(tf), tmp_path / "cnn", "savedmodel")
    out = tmp_path / "cnn.rmod"
    result = pack_cli(source, out, "--representative-data", str(representative(tmp_path, (10, 10, 3))))
    assert result.exit_code == 0, result.output
    converted = out.with_suffix(".tflite")
    with QemuBoard(board="qemu-m4", flash=tmp_path / "flash.img") as board, Device.open(board.url) as device:
        device.install(out.read_bytes())  # the golden vectors run first: bit-exact or refused
        validation = validate(device, converted, runs=20, seed=9)  # checks it runs this very .tflite
    assert validation.passed(0.0) and validation.outputs[0].exact_runs == 20, validation
