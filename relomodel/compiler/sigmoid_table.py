"""The 256-entry sigmoid table of TFLite's int16 LOGISTIC/TANH, derived from its formula.

Entry i is 65536 * sigmoid(i / 24), pre-compensated for the linear interpolation the kernels do
between entries: the chord of a concave/convex curve misses it by h^2/8 * f'' at mid-interval,
so each entry is shifted by half of that (h^2/16 * f''), splitting the error between the
samples and the midpoints. The last entry is pinned to 65535, the saturation value the kernels
use from entry 255 on, so interpolation in the last interval ends where saturation begins.

relomodel/kernels/relo_nn_s16_activations.h holds the same values; tests check they agree.
"""

from __future__ import annotations

import math

ENTRIES = 256
STEP = 1.0 / 24.0
FULL_SCALE = 65536.0


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _second_derivative(x: float) -> float:
    s = _sigmoid(x)
    return s * (1.0 - s) * (1.0 - 2.0 * s)


def sigmoid_table() -> list[int]:
    table = []
    for i in range(ENTRIES):
        x = i * STEP
        value = FULL_SCALE * (_sigmoid(x) - STEP * STEP / 16.0 * _second_derivative(x))
        table.append(min(int(math.floor(value + 0.5)), 65535))
    table[-1] = 65535
    return table


def c_table_body(per_line: int = 12) -> str:
    values = [str(v) for v in sigmoid_table()]
    return "\n".join("    " + ", ".join(values[i:i + per_line]) + ","
                     for i in range(0, len(values), per_line))


if __name__ == "__main__":
    print(c_table_body())
