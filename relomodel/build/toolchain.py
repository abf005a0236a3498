"""Runs arm-none-eabi-gcc: compiles a CompiledModel's C files and links them into a PIC blob ELF.

The flags are the verified r9 static-base scheme (docs/ARCHITECTURE.md): code reaches all
data - weights included - through the GOT addressed by r9, so code runs in place from any
flash address and the RAM image can sit anywhere.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from os import cpu_count
from pathlib import Path

from relomodel.build.linker import linker_script
from relomodel.compiler.model import CompiledModel
from relomodel.errors import BuildError
from relomodel.targets import Target

COMPILER = "arm-none-eabi-gcc"
APT_PACKAGES = "gcc-arm-none-eabi libnewlib-arm-none-eabi"

PIC_FLAGS = (
    "-fpic",
    "-msingle-pic-base",
    "-mpic-register=r9",
    "-mno-pic-data-is-text-relative",
    "-ffunction-sections",
    "-fdata-sections",
    "-fno-common",
    "-fvisibility=hidden",
    "-fno-unwind-tables",
    "-fno-asynchronous-unwind-tables",
)
# -ffp-contract=off: no fused multiply-add in float32 kernels, so the device computes exactly
# what the host build computes (hostrun.HOST_CFLAGS has it too; docs/float-models.md)
OPTIMIZE_FLAGS = ("-O2", "-Wall", "-ffp-contract=off")
STACK_FLAGS = ("-fcallgraph-info=su",)  # per-function frame sizes + call edges, for stack.py
LINK_FLAGS = (
    "-nostartfiles",
    "-nostdlib",
    "-pie",
    "-Wl,--no-dynamic-linker",
    "-Wl,-z,text",
    "-Wl,-q",
    "-Wl,--gc-sections",
    "-Wl,--build-id=none",
)
COMPILE_TIMEOUT_S = 300


@dataclass
class LinkOutput:
    elf: bytes
    callgraphs: list[str]  # text of gcc's -fcallgraph-info files, one per object
    warnings: str = ""  # compiler/linker warnings, for reports


def find_compiler() -> str:
    path = shutil.which(COMPILER)
    if path is None:
        raise BuildError(f"{COMPILER} not found on PATH", hint=f"install it with: apt-get install {APT_PACKAGES}")
    return path


def compile_and_link(compiled: CompiledModel, target: Target, *, split_weights: bool,
                     work_dir: Path | None = None, extra_cflags: tuple[str, ...] = ()) -> LinkOutput:
    """Compile every source of `compiled`, link with a generated script, return the ELF bytes.

    `extra_cflags` come last (e.g. -g, -D...); the PIC checks still judge the result.
    """
    gcc = find_compiler()
    if not compiled.c_sources and not compiled.kernel_files:
        raise BuildError(f"model {compiled.name!r} has no C sources to compile")
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
        return _build_in(Path(work_dir), gcc, compiled, target, split_weights, extra_cflags)
    with tempfile.TemporaryDirectory(prefix="relomodel-build-") as tmp:
        return _build_in(Path(tmp), gcc, compiled, target, split_weights, extra_cflags)


def _build_in(work: Path, gcc: str, compiled: CompiledModel, target: Target, split_weights: bool,
              extra_cflags: tuple[str, ...]) -> LinkOutput:
    sources = _stage_sources(work, compiled)
    cflags = [*target.cflags, *PIC_FLAGS, *OPTIMIZE_FLAGS, *STACK_FLAGS]
    cflags += [f"-I{Path(d).resolve()}" for d in [work, *compiled.include_dirs]] + list(extra_cflags)
    jobs = [(src, f"obj{i}.o") for i, src in enumerate(sources)]
    with ThreadPoolExecutor(max_workers=max(1, cpu_count() or 1)) as pool:
        results = list(pool.map(lambda job: run_tool([gcc, *cflags, "-c", _relative(job[0], work), "-o", job[1]], work,
                                                 f"compiling {job[0].name}"), jobs))
    script = work / "model.ld"
    script.write_text(linker_script(split_weights=split_weights))
    objects = [obj for _, obj in jobs]
    link_warn = run_tool([gcc, *target.cflags, *LINK_FLAGS, "-T", script.name, *objects, "-lgcc", "-o", "model.elf"],
                     work, "linking")
    return LinkOutput(
        elf=(work / "model.elf").read_bytes(),
        callgraphs=[p.read_text() for p in sorted(work.glob("*.ci"))],
        warnings="".join(results) + link_warn,
    )


def _stage_sources(work: Path, compiled: CompiledModel) -> list[Path]:
    """Write generated sources into the work dir; kernels are compiled from where they are."""
    staged = []
    for name, text in sorted(compiled.c_sources.items()):
        if Path(name).name != name:
            raise BuildError(f"generated source name {name!r} must be a plain file name")
        path = work / name
        path.write_text(text)
        staged.append(path)
    for kernel in compiled.kernel_files:
        kernel = Path(kernel).resolve()  # gcc runs in the work dir
        if not kernel.is_file():
            raise BuildError(f"kernel source {kernel} does not exist")
        staged.append(kernel)
    return staged


def run_tool(argv: list[str], cwd: Path, what: str) -> str:
    """Run one toolchain command (the blob's build here, the profiling image's in
    board/profiler.py); its stderr becomes the BuildError message on failure."""
    try:
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise BuildError(f"{what} timed out after {COMPILE_TIMEOUT_S} s") from None
    if proc.returncode != 0:
        message = (proc.stderr or proc.stdout).strip()
        raise BuildError(f"{what} failed:\n{message}")
    return proc.stderr


def _relative(source: Path, work: Path) -> str:
    """Generated sources are named relative to the work dir, so diagnostics stay short."""
    return source.name if source.parent == work else str(source)
