"""`relomodel analyze --plot`: per-layer MACs and the arena plan as one PNG.

matplotlib is an optional dependency (`pip install relomodel[plot]`); it is imported here
only, with the Agg backend, so analyze works without a display and without matplotlib.
"""

from __future__ import annotations

from pathlib import Path

from relomodel.analyze import Analysis
from relomodel.errors import RelomodelError

UNSUPPORTED_COLOUR = "tab:red"
SUPPORTED_COLOUR = "tab:blue"


def plot_analysis(analysis: Analysis, path: Path) -> None:
    pyplot = _pyplot()
    figure, (macs_axes, plan_axes) = pyplot.subplots(2, 1, figsize=(10, 8), constrained_layout=True)
    try:
        _draw_macs(macs_axes, analysis)
        _draw_plan(plan_axes, analysis)
        figure.suptitle(f"{analysis.model}: {analysis.macs} MACs, arena {analysis.arena} B")
        try:
            figure.savefig(path, format="png", dpi=100)
        except OSError as exc:
            raise RelomodelError(f"cannot write the plot {path}: {exc.strerror}") from None
    finally:
        pyplot.close(figure)


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise RelomodelError("--plot needs matplotlib, which is not installed",
                             hint="pip install 'relomodel[plot]'") from None
    matplotlib.use("Agg")  # files only: never needs a display
    from matplotlib import pyplot

    return pyplot


def _draw_macs(axes, analysis: Analysis) -> None:
    layers = analysis.layers
    heights = [layer.macs or 0 for layer in layers]
    colours = [UNSUPPORTED_COLOUR if layer.problem else SUPPORTED_COLOUR for layer in layers]
    axes.bar(range(len(layers)), heights, color=colours)
    axes.set_xticks(range(len(layers)), [f"{layer.index} {layer.op}" for layer in layers],
                    rotation=90, fontsize=6)
    axes.set_ylabel("MACs")
    axes.set_title("MACs per layer" + (" (red: cannot be compiled)" if analysis.unsupported else ""))


def _draw_plan(axes, analysis: Analysis) -> None:
    """One rectangle per buffer: layers it lives across (x) by the arena bytes it holds (y)."""
    for buffer in analysis.buffers:
        axes.broken_barh([(buffer.first - 0.4, buffer.last - buffer.first + 0.8)],
                         (buffer.offset, buffer.size), facecolors=SUPPORTED_COLOUR, edgecolor="black",
                         alpha=0.6)
    axes.axhline(analysis.arena, color="black", linestyle="--", linewidth=1, label=f"arena {analysis.arena} B")
    axes.axhline(analysis.arena_lower_bound, color="tab:green", linestyle=":", linewidth=1,
                 label=f"lower bound {analysis.arena_lower_bound} B")
    axes.set_xlim(-0.5, max(len(analysis.layers) - 0.5, 0.5))
    axes.set_ylim(0, max(analysis.arena, 1) * 1.08)
    axes.xaxis.get_major_locator().set_params(integer=True)  # layers are whole steps
    axes.set_xlabel("layer")
    axes.set_ylabel("arena offset (bytes)")
    axes.set_title("memory plan")
    axes.legend(loc="upper right", fontsize=8)
