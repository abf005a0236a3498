"""Benchmarks on the emulated board: one command, a table and JSON.

    .venv/bin/python benchmarks/run.py [--board qemu-m4] [--json out.json] [MODEL ...]

For every model (default: the generated demo and big MLPs plus every model in ../shared/models),
packs it, pushes it to a fresh emulated board and runs a few inferences, checking each against
the TFLite Micro reference. Reports MACs, instructions per inference (SysTick x 40 under
-icount shift=0, measured by the device around the model's run call only), instructions per
MAC, code/weight/overhead bytes, RAM (data + bss + arena), pack and push time. Models the
compiler cannot take yet are listed with the reason instead of a number.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from relomodel import packer, reference  # noqa: E402
from relomodel.board.qemu import QemuBoard  # noqa: E402
from relomodel.errors import RelomodelError  # noqa: E402
from relomodel.modelgen.mlp import big_mlp, demo_model  # noqa: E402
from relomodel.transport.device import Device  # noqa: E402

SHARED_MODELS = REPO.parent / "shared" / "models"
# The yardstick (issue 4): instructions per inference of TFLite Micro with CMSIS-NN kernels on the
# same emulated Cortex-M4 (-O2, -icount shift=0, SysTick x 40). "vs TFLM" = ours / theirs.
TFLM_CMSIS_NN_INSTRUCTIONS = {
    "person_detect": 22_928_840,
    "micro_speech_quantized": 1_495_448,
    "trained_lstm_int8": 574_456,
    "dtln_noise_suppression": 747_968,
    "keyword_scrambled_8bit": 120_540,
    "hello_world_int8": 3_580,
}
KEY = REPO / "keys" / "dev_ed25519.pem"
TARGETS = {"qemu-m4": "cortex-m4", "qemu-m7": "cortex-m7"}


def default_models(workdir: Path) -> list[Path]:
    models = []
    for name, make in (("demo_mlp", demo_model), ("big_mlp", big_mlp)):
        path = workdir / f"{name}.tflite"
        path.write_bytes(make())
        models.append(path)
    if SHARED_MODELS.is_dir():
        models += sorted(SHARED_MODELS.glob("*.tflite"))
    return models


def random_inputs(model_bytes: bytes, rng: np.random.Generator) -> list[np.ndarray]:
    inputs = []
    for detail in reference.input_details(model_bytes):
        dtype = detail["dtype"]
        if np.issubdtype(dtype, np.floating):
            inputs.append(rng.uniform(-1, 1, detail["shape"]).astype(dtype))
        else:
            info = np.iinfo(dtype)
            inputs.append(rng.integers(info.min, info.max + 1, detail["shape"]).astype(dtype))
    return inputs


def bench_model(model: Path, board: QemuBoard, target: str, workdir: Path, runs: int) -> dict:
    row: dict = {"model": model.stem}
    package = workdir / f"{model.stem}.rmod"
    try:
        report = packer.pack(model, KEY, package, target=target)
    except RelomodelError as exc:
        row["error"] = str(exc).splitlines()[0]
        return row
    row.update(
        macs=report.macs,
        package_bytes=report.package_size,
        code_bytes=report.code,
        weight_bytes=report.weights,
        overhead_bytes=report.overhead,
        ram_data_bytes=report.data + report.bss,
        arena_bytes=report.arena,
        pack_seconds=round(sum(report.timings.values()), 3),
    )
    model_bytes = model.read_bytes()
    rng = np.random.default_rng(0)
    with Device.open(board.url) as device:
        started = time.monotonic()
        device.install(package.read_bytes())
        row["push_seconds"] = round(time.monotonic() - started, 2)
        counts, exact = [], True
        steps = [random_inputs(model_bytes, rng) for _ in range(runs)]
        expected = reference.run_reference_sequence(model_bytes, steps)
        for inputs, want in zip(steps, expected):
            outputs, count = device.run(inputs)
            counts.append(count)
            exact &= all(np.array_equal(o, w) for o, w in zip(outputs, want))
        device.erase(report.name)  # free the slot: the board holds only a few models
    row["instructions"] = int(np.median(counts))
    row["instructions_per_mac"] = round(row["instructions"] / report.macs, 2) if report.macs else None
    if model.stem in TFLM_CMSIS_NN_INSTRUCTIONS and target == "cortex-m4":
        row["vs_tflm_cmsis_nn"] = round(row["instructions"] / TFLM_CMSIS_NN_INSTRUCTIONS[model.stem], 3)
    row["bit_exact"] = exact
    return row


def print_table(rows: list[dict]) -> None:
    columns = [
        ("model", "model", "{}"),
        ("macs", "MACs", "{:,}"),
        ("instructions", "instructions", "{:,}"),
        ("instructions_per_mac", "instr/MAC", "{}"),
        ("vs_tflm_cmsis_nn", "vs TFLM+CMSIS-NN", "{}"),
        ("code_bytes", "code B", "{:,}"),
        ("weight_bytes", "weights B", "{:,}"),
        ("overhead_bytes", "overhead B", "{:,}"),
        ("arena_bytes", "arena B", "{:,}"),
        ("pack_seconds", "pack s", "{}"),
        ("push_seconds", "push s", "{}"),
        ("bit_exact", "exact", "{}"),
    ]
    header = " | ".join(title for _, title, _ in columns)
    print(f"| {header} |")
    print("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        if "error" in row:
            print(f"| {row['model']} | not supported yet: {row['error']} |")
            continue
        cells = [fmt.format(row[key]) if row.get(key) is not None else "-" for key, _, fmt in columns]
        print("| " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", type=Path)
    parser.add_argument("--board", default="qemu-m4", choices=sorted(TARGETS))
    parser.add_argument("--runs", type=int, default=3, help="inferences per model")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        models = args.models or default_models(workdir)
        rows = []
        with QemuBoard(board=args.board, flash=workdir / "flash.img") as board:
            for model in models:
                rows.append(bench_model(model, board, TARGETS[args.board], workdir, args.runs))
                print(f"# {rows[-1]}", file=sys.stderr)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps({"board": args.board, "rows": rows}, indent=2) + "\n")
    return 0 if all(row.get("bit_exact", True) for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
