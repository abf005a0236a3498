"""`make demo`: the whole product path once, on the emulated board.

Generates a small int8 MLP (our own model, written through the TFLite schema from seeded numpy
weights), boots the emulated board with a fresh flash file, packs and signs the model with the
development key, pushes it over the emulated UART, runs it on a few inputs and prints the
device's outputs next to the TFLite Micro reference interpreter's. Exit status 0 only if every
output is identical.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from relomodel import packer, reference
from relomodel.board.qemu import QemuBoard
from relomodel.errors import RelomodelError
from relomodel.modelgen.mlp import demo_model
from relomodel.transport.device import Device

REPO = Path(__file__).resolve().parents[1]


def _inputs(model_bytes: bytes, count: int, seed: int) -> list[list[np.ndarray]]:
    """Random inputs covering each input tensor's dtype and range."""
    rng = np.random.default_rng(seed)
    details = reference.input_details(model_bytes)
    runs = []
    for _ in range(count):
        run = []
        for d in details:
            if np.issubdtype(d["dtype"], np.floating):
                run.append(rng.uniform(-1.0, 1.0, d["shape"]).astype(d["dtype"]))
            else:
                info = np.iinfo(d["dtype"])
                run.append(rng.integers(info.min, info.max + 1, d["shape"]).astype(d["dtype"]))
        runs.append(run)
    return runs


def run_demo(board: str, workdir: Path, count: int) -> bool:
    workdir.mkdir(parents=True, exist_ok=True)
    model_path = workdir / "demo_mlp.tflite"
    model_bytes = demo_model()
    model_path.write_bytes(model_bytes)
    print(f"model    {model_path} ({len(model_bytes)} bytes, generated from seeded numpy weights)")

    package_path = workdir / "demo_mlp.rmod"
    report = packer.pack(model_path, REPO / "keys" / "dev_ed25519.pem", package_path, target=board_target(board))
    print(f"package  {package_path}: {report.summary()}")

    flash = workdir / "flash.img"
    flash.unlink(missing_ok=True)
    with QemuBoard(board=board, flash=flash) as emulated:
        print(f"board    {board} (QEMU) on {emulated.url}, flash in {flash}")
        with Device.open(emulated.url) as device:
            started = time.monotonic()
            device.install(package_path.read_bytes())
            print(f"push     {package_path.stat().st_size} bytes in {time.monotonic() - started:.2f} s")
            all_equal = True
            print(f"{'#':>3}  {'device output':<40} {'TFLite Micro reference':<40} {'instructions':>12}  match")
            for i, inputs in enumerate(_inputs(model_bytes, count, seed=1)):
                outputs, count_measured = device.run(inputs)
                expected = reference.run_reference(model_bytes, inputs)
                equal = all(np.array_equal(o, e) for o, e in zip(outputs, expected))
                all_equal &= equal
                print(
                    f"{i:>3}  {_fmt(outputs[0]):<40} {_fmt(expected[0]):<40} {count_measured:>12}  {'yes' if equal else 'NO'}"
                )
    print("all outputs identical to the reference" if all_equal else "MISMATCH against the reference")
    return all_equal


def board_target(board: str) -> str:
    return {"qemu-m4": "cortex-m4", "qemu-m7": "cortex-m7"}[board]


def _fmt(array: np.ndarray) -> str:
    flat = array.reshape(-1)
    if np.issubdtype(flat.dtype, np.floating):
        return "[" + " ".join(f"{v:.4f}" for v in flat[:4]) + (" ..." if flat.size > 4 else "") + "]"
    return "[" + " ".join(str(v) for v in flat[:8]) + (" ..." if flat.size > 8 else "") + "]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", default="qemu-m4", choices=["qemu-m4", "qemu-m7"])
    parser.add_argument("--workdir", type=Path, default=REPO / "out" / "demo")
    parser.add_argument("-n", "--count", type=int, default=8, help="inputs to run")
    args = parser.parse_args()
    try:
        ok = run_demo(args.board, args.workdir, args.count)
    except RelomodelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
