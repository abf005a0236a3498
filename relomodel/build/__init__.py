"""Build stage: cross-compile a CompiledModel, link it position-independently, extract the image.

`build_model` is the one entry point the packer uses; the modules below each do one step:
toolchain.py (run gcc), linker.py (the link script), stack.py (worst-case stack), image.py
(ELF -> LinkedImage + position-independence checks).
"""

from __future__ import annotations

from pathlib import Path

from relomodel.build.linker import ENTRY_RUN
from relomodel.build.image import LinkedImage, extract_image
from relomodel.build.stack import worst_case_stack
from relomodel.build.toolchain import compile_and_link
from relomodel.compiler.model import CompiledModel
from relomodel.targets import Target

__all__ = ["LinkedImage", "build_model"]


def build_model(compiled: CompiledModel, target: Target, *, split_weights: bool = False,
                work_dir: Path | None = None, extra_cflags: tuple[str, ...] = ()) -> LinkedImage:
    """Compile and link `compiled` for `target`; raise BuildError on any failure or PIC violation."""
    linked = compile_and_link(compiled, target, split_weights=split_weights, work_dir=work_dir,
                              extra_cflags=extra_cflags)
    stack = worst_case_stack(linked.callgraphs, root=ENTRY_RUN)
    image = extract_image(linked.elf, split_weights=split_weights, stack_size=stack)
    image.warnings = linked.warnings
    return image
