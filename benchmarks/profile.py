"""Instructions per operator of one model on the emulated board: a table and JSON.

    .venv/bin/python benchmarks/profile.py MODEL.tflite [--board qemu-m4] [--runs N] [--json out.json]

Builds a profiling image (relomodel/board/profiler.py: the package's code, flags and kernels,
with a timestamp after every operator), runs it under QEMU -icount and checks its outputs
against TFLite Micro. Counts have one-tick granularity (40 instructions) and include ~30
instructions of hook per operator; the sum matches `benchmarks/run.py` to within that.
The per-op counts are those of the last run (state carries over between runs).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from relomodel.board.profiler import profile_model  # noqa: E402
from relomodel.errors import RelomodelError  # noqa: E402


def format_table(profile) -> str:
    total = max(profile.total, 1)
    lines = [f"{profile.model} on {profile.board}: {profile.total:,} instructions per run",
             "",
             "| op | kind | MACs | instructions | instr/MAC | share |",
             "|---|---|---|---|---|---|"]
    for op in profile.ops:
        per_mac = f"{op.instructions / op.macs:.2f}" if op.macs else "-"
        lines.append(f"| {op.index} | {op.op} | {op.macs:,} | {op.instructions:,} | {per_mac} | "
                     f"{100 * op.instructions / total:.1f}% |")
    by_kind: dict[str, list[int]] = {}
    for op in profile.ops:
        entry = by_kind.setdefault(op.op, [0, 0])
        entry[0] += op.macs
        entry[1] += op.instructions
    lines += ["", "| kind | MACs | instructions | instr/MAC | share |", "|---|---|---|---|---|"]
    for kind, (macs, instructions) in sorted(by_kind.items(), key=lambda item: -item[1][1]):
        per_mac = f"{instructions / macs:.2f}" if macs else "-"
        lines.append(f"| {kind} | {macs:,} | {instructions:,} | {per_mac} | {100 * instructions / total:.1f}% |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--board", default="qemu-m4")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the profile here")
    args = parser.parse_args(argv)
    try:
        profile = profile_model(args.model.read_bytes(), name=args.model.stem, board=args.board,
                                runs=args.runs, seed=args.seed)
    except (OSError, RelomodelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(format_table(profile))
    if args.json:
        args.json.write_text(json.dumps({"model": profile.model, "board": profile.board, "runs": profile.runs,
                                         "total": profile.total, "ops": [asdict(op) for op in profile.ops]},
                                        indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
