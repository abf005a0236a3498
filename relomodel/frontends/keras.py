"""Keras (.keras/.h5) and SavedModel -> full-integer int8 .tflite, with tf.lite.TFLiteConverter.

Quantization is calibrated on a representative dataset (a numpy array whose first axis is the
samples, the rest the model input's shape without its batch axis). TensorFlow is the optional
`tensorflow` extra and is imported only here, only when such an input is packed.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings
from pathlib import Path

import numpy as np

from relomodel.errors import ModelError, RelomodelError

KERAS_SUFFIXES = (".keras", ".h5")
SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")
SIGNATURE_KEY = "serving_default"  # what TFLiteConverter.from_saved_model converts by default
INSTALL_HINT = "pip install 'relomodel[tensorflow]' (`make test` installs it)"
MAX_ERROR_CHARS = 300


def is_convertible(path: Path) -> bool:
    """True for the inputs this front end converts: a Keras file or a (would-be) SavedModel directory."""
    path = Path(path)
    return path.suffix.lower() in KERAS_SUFFIXES or path.is_dir()


def convert(path: Path, representative_data: np.ndarray | None, *, float_io: bool = False) -> bytes:
    """The .tflite bytes of the Keras file or SavedModel directory at `path`.

    Weights and activations are int8; the model's input and output are int8 too unless
    `float_io` (then the converter adds QUANTIZE/DEQUANTIZE at the edges)."""
    path = Path(path)
    _check_saved_model_dir(path)
    if representative_data is None:
        raise ModelError(f"{path.name} is a Keras/SavedModel input: int8 quantization needs a representative dataset",
                         hint="give --representative-data SAMPLES.npy (first axis = samples)")
    tf = _import_tensorflow()
    converter, input_shape = _converter(tf, path)
    _quantize_int8(tf, converter, _samples(representative_data, input_shape, path), float_io)
    try:
        with _quiet():
            return converter.convert()
    except Exception as exc:  # TF raises ConverterError, ValueError, RuntimeError... all mean "cannot convert"
        raise ModelError(f"TensorFlow cannot convert {path.name}: {condense_error(exc)}",
                         hint="the model must be expressible with TFLite int8 builtin operators") from None


def _quantize_int8(tf, converter, samples: np.ndarray, float_io: bool) -> None:
    """Full-integer quantization calibrated on `samples`, one batch-of-1 sample at a time;
    TFLITE_BUILTINS_INT8 alone, so an op without an int8 kernel fails instead of staying float."""
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([sample[None]] for sample in samples)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    io_type = tf.float32 if float_io else tf.int8
    converter.inference_input_type = io_type
    converter.inference_output_type = io_type


def condense_error(exc: BaseException) -> str:
    """TF's conversion errors span pages (MLIR dumps, stack traces): keep the first line that says what failed."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    chosen = next((line for line in lines if "error:" in line), lines[0] if lines else type(exc).__name__)
    chosen = _strip_location(chosen.split("error:", 1)[-1].strip()) or chosen
    return chosen if len(chosen) <= MAX_ERROR_CHARS else chosen[: MAX_ERROR_CHARS - 3] + "..."


def _strip_location(text: str) -> str:
    """Drop MLIR's leading `loc(callsite(...)):` source location, which names TF internals, not layers."""
    if not text.startswith("loc("):
        return text
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and char == ")":
            return text[index + 1:].lstrip(": ")
    return text


def _check_saved_model_dir(path: Path) -> None:
    if path.is_dir() and not any((path / name).is_file() for name in SAVED_MODEL_FILES):
        raise ModelError(f"{path} is a directory but not a SavedModel (no saved_model.pb in it)",
                         hint="give a .tflite, .keras or .h5 file, or a SavedModel directory")


def _import_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TF's C++ start-up chatter is not ours to print
    try:
        with _quiet():
            import tensorflow as tf
    except ImportError:
        raise RelomodelError("Keras and SavedModel inputs need TensorFlow, which is not installed",
                             hint=INSTALL_HINT) from None
    return tf


def _converter(tf, path: Path):
    """The converter for `path` and its single input's shape (batch axis first, None where free)."""
    try:
        with _quiet():
            if path.is_dir():
                shapes = _saved_model_input_shapes(tf, path)
                converter = tf.lite.TFLiteConverter.from_saved_model(str(path))
            else:
                model = tf.keras.models.load_model(path, compile=False)
                shapes = [tuple(tensor.shape) for tensor in model.inputs]
                converter = tf.lite.TFLiteConverter.from_keras_model(model)
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise ModelError(f"cannot load {path.name} with TensorFlow: {condense_error(exc)}") from None
    if len(shapes) != 1:
        raise ModelError(f"{path.name} has {len(shapes)} inputs; a representative .npy describes exactly one",
                         hint="convert multi-input models to .tflite yourself, then pack the .tflite")
    return converter, shapes[0]


def _saved_model_input_shapes(tf, path: Path) -> list[tuple]:
    loaded = tf.saved_model.load(str(path))
    if SIGNATURE_KEY not in loaded.signatures:
        raise ModelError(f"SavedModel {path.name} has no '{SIGNATURE_KEY}' signature "
                         f"(it has: {', '.join(loaded.signatures) or 'none'})")
    _, keyword_specs = loaded.signatures[SIGNATURE_KEY].structured_input_signature
    return [tuple(spec.shape) for spec in keyword_specs.values()]


def _samples(data: np.ndarray, input_shape: tuple, path: Path) -> np.ndarray:
    """`data` as float32 samples, after checking each sample has the model input's shape."""
    want = tuple(input_shape[1:])  # the converter fixes the batch axis to 1
    data = np.asarray(data)
    shown = "x".join("?" if d is None else str(d) for d in want)
    if data.ndim != len(want) + 1 or any(w is not None and w != d for w, d in zip(want, data.shape[1:])):
        raise ModelError(f"representative data of shape {list(data.shape)} does not fit {path.name}'s input "
                         f"({shown} per sample)", hint=f"give an array of shape [samples, {', '.join(shown.split('x'))}]")
    if data.shape[0] == 0:
        raise ModelError("the representative data holds no samples", hint="the first axis counts the samples")
    if not np.issubdtype(data.dtype, np.number) or np.issubdtype(data.dtype, np.complexfloating):
        raise ModelError(f"representative data must be real numbers, not {data.dtype}")
    return data.astype(np.float32)


@contextlib.contextmanager
def _quiet():
    """Silence TensorFlow while it works: its C++ logs (start-up banners, converter statistics)
    go straight to file descriptors 1 and 2, Keras prints its export signature and the converter
    warns through Python. The CLI prints only our own lines; failures still arrive as exceptions."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)
