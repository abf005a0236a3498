"""`relomodel validate`: the device's model against the TFLite Micro reference, input for input.

The same N random inputs go to the device (over UART) and to the host reference interpreter;
each output is compared: runs whose whole tensor matches exactly, the share of matching
elements, and the largest absolute error (in stored units and in real units for quantized
outputs). First we make sure the device runs THIS model: its manifest carries the SHA-256 of
the .tflite it was built from. Stateful models are compared as one sequence, after resetting
the device's state, on one reference interpreter that carries its state the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from relomodel import reference
from relomodel.errors import ModelError, RelomodelError, WrongModelError
from relomodel.format import spec
from relomodel.transport.device import NUMPY_DTYPES, Device


@dataclass
class OutputComparison:
    index: int
    name: str
    dtype: str
    shape: tuple[int, ...]
    scale: float  # 0.0 for an unquantized output
    runs: int
    exact_runs: int  # runs whose whole tensor matched bit for bit
    elements: int
    matching_elements: int
    max_abs_error: float  # in the tensor's own units (LSB for integer tensors)

    @property
    def max_abs_error_real(self) -> float:
        """The error in the model's real-valued units (dequantized)."""
        return self.max_abs_error * self.scale if self.scale else self.max_abs_error


@dataclass
class Validation:
    model: str
    device_model: str  # "name version (slot N)"
    runs: int
    seed: int
    stateful: bool
    litert_rounding: bool  # the package rounds FULLY_CONNECTED like LiteRT: not bit-exact with TFLM
    outputs: list[OutputComparison]
    mean_count: float  # instructions or cycles per inference
    counter_unit: str

    def passed(self, atol: float = 0.0) -> bool:
        return all(o.max_abs_error <= atol for o in self.outputs)


def check_same_model(model_info: dict, model_bytes: bytes, model_path: Path) -> None:
    """Raise WrongModelError unless the device's model was built from `model_bytes`."""
    ours = hashlib.sha256(model_bytes).hexdigest()
    theirs = model_info["source_sha256"]
    if theirs != ours:
        raise WrongModelError(
            f"the device runs {model_info['name']!r} {model_info['version']}, built from a model with sha256 "
            f"{theirs[:16]}..., not {model_path.name} (sha256 {ours[:16]}...)",
            hint=f"pack and push {model_path.name} first, or give the model file the device was built from",
        )


def random_inputs(descs: list[dict], runs: int, seed: int) -> list[list[np.ndarray]]:
    """`runs` sets of inputs covering each integer type's whole range; floats standard normal."""
    rng = np.random.default_rng(seed)
    steps = []
    for _ in range(runs):
        step = []
        for desc in descs:
            dtype, shape = NUMPY_DTYPES[desc["dtype"]], tuple(desc["shape"])
            if dtype.kind == "f":
                step.append(rng.standard_normal(shape).astype(dtype))
            else:
                info = np.iinfo(dtype)
                step.append(rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype))
        steps.append(step)
    return steps


def validate(device: Device, model_path: Path, *, runs: int, seed: int = 0) -> Validation:
    """Run `runs` random inputs on the device and on the reference; compare every output."""
    if runs < 1:
        raise RelomodelError(f"the number of runs must be at least 1, got {runs}")
    model_path = Path(model_path)
    model_bytes = _read(model_path)
    hello = device.hello()
    info = device.model_info()
    check_same_model(info, model_bytes, model_path)
    steps = random_inputs(info["inputs"], runs, seed)
    expected = reference.run_reference_sequence(model_bytes, steps)
    if info["stateful"]:
        device.reset_state()  # the reference interpreter starts from a fresh state too
    got, counts = [], []
    for inputs in steps:
        outputs, count = device.run(inputs)
        got.append(outputs)
        counts.append(count)
    return Validation(
        model=model_path.name,
        device_model=f"{info['name']} {info['version']} (slot {info['slot']})",
        runs=runs,
        seed=seed,
        stateful=info["stateful"],
        litert_rounding=bool(info["flags"] & spec.MODEL_FLAG_LITERT_ROUNDING),
        outputs=[compare_output(index, desc, [g[index] for g in got], [e[index] for e in expected])
                 for index, desc in enumerate(info["outputs"])],
        mean_count=float(np.mean(counts)),
        counter_unit="cycles" if hello["counter_unit"] == spec.COUNTER_UNIT.CYCLES else "instructions",
    )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read model {path}: {exc.strerror}") from None


def compare_output(index: int, desc: dict, got: list[np.ndarray], want: list[np.ndarray]) -> OutputComparison:
    exact, matching, elements, worst = 0, 0, 0, 0.0
    for device_out, reference_out in zip(got, want):
        reference_out = np.asarray(reference_out).reshape(device_out.shape)
        if device_out.dtype.kind == "f":
            error = np.abs(device_out.astype(np.float64) - reference_out.astype(np.float64))
        else:
            error = np.abs(device_out.astype(np.int64) - reference_out.astype(np.int64))
        exact += int(not error.any())
        matching += int(np.count_nonzero(error == 0))
        elements += error.size
        worst = max(worst, float(error.max(initial=0)))
    return OutputComparison(
        index=index, name=desc["name"], dtype=NUMPY_DTYPES[desc["dtype"]].name, shape=tuple(desc["shape"]),
        scale=desc["scale"], runs=len(got), exact_runs=exact, elements=elements, matching_elements=matching,
        max_abs_error=worst,
    )


def format_report(validation: Validation, atol: float = 0.0) -> str:
    v = validation
    lines = [
        f"device runs {v.device_model}, built from {v.model}",
        f"{v.runs} random input set(s) (seed {v.seed})"
        + (", stateful: state reset first, compared as one sequence" if v.stateful else ""),
    ]
    for o in v.outputs:
        rate = 100.0 * o.matching_elements / o.elements if o.elements else 100.0
        real = f" ({o.max_abs_error_real:.6g} real)" if o.scale else ""
        lines.append(f"output {o.index} {o.name!r} {o.dtype} {list(o.shape)}: exact {o.exact_runs}/{o.runs} runs, "
                     f"{rate:.2f}% of elements equal, max abs error {o.max_abs_error:g}{real}")
    lines.append(f"{v.counter_unit} per inference: mean {v.mean_count:.0f}")
    if v.passed(atol):
        lines.append("result: " + ("bit-exact with TFLite Micro" if atol == 0 else f"within {atol:g} of TFLite Micro"))
    else:
        lines.append("result: MISMATCH with TFLite Micro" + (
            " (expected: the package rounds FULLY_CONNECTED like LiteRT, the reference is TFLM)"
            if v.litert_rounding else ""))
    return "\n".join(lines)
