"""Kernels and generated code cross-compile cleanly for every target with the PIC flags,
and a linked blob needs nothing outside itself (no newlib, no libgcc)."""

import shutil
import subprocess

import pytest

from relomodel.build.toolchain import LINK_FLAGS, PIC_FLAGS
from relomodel.compiler import compile_model
from relomodel.kernels import KERNEL_DIR
from relomodel.modelgen.mlp import demo_model, make_mlp
from relomodel.targets import TARGETS

GCC, NM, READELF = "arm-none-eabi-gcc", "arm-none-eabi-nm", "arm-none-eabi-readelf"
pytestmark = pytest.mark.skipif(shutil.which(GCC) is None, reason=f"{GCC} is not installed")
STRICT = ("-O2", "-std=c11", "-Wall", "-Wextra", "-Werror")


def _symbols(objects, flag):
    out = subprocess.run([NM, flag, *map(str, objects)], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip() and not line.endswith(":")}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_blob_is_self_contained(target, tmp_path):
    # every kernel, plus a model using per-channel weights and all activations
    model = compile_model(make_mlp([12, 9, 5], seed=9, per_channel_layers=(1,),
                                   activations=("RELU6", "RELU"), softmax=True),
                          name="arm", target=TARGETS[target])
    (tmp_path / "model.c").write_text(model.c_sources["model.c"])
    sources = [tmp_path / "model.c", *sorted(KERNEL_DIR.glob("*.c"))]
    objects = []
    for source in sources:
        obj = tmp_path / (source.stem + ".o")
        result = subprocess.run([GCC, *TARGETS[target].cflags, *PIC_FLAGS, *STRICT, f"-I{KERNEL_DIR}",
                                 "-c", str(source), "-o", str(obj)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        objects.append(obj)
    undefined = _symbols(objects, "-u")
    defined = _symbols(objects, "--defined-only")
    assert undefined <= defined, f"needs symbols from outside the blob: {sorted(undefined - defined)}"

    elf = tmp_path / "model.elf"
    link = subprocess.run([GCC, *TARGETS[target].cflags, *LINK_FLAGS, "-Wl,-e,relo_model_run",
                           *map(str, objects), "-o", str(elf)], capture_output=True, text=True)
    assert link.returncode == 0, link.stderr
    assert _dynamic_relocation_types(elf) == {"R_ARM_RELATIVE"}  # data is reached via the GOT


def _dynamic_relocation_types(elf) -> set[str]:
    from elftools.elf.elffile import ELFFile
    from elftools.elf.relocation import RelocationSection
    from elftools.elf.descriptions import describe_reloc_type

    with open(elf, "rb") as handle:
        image = ELFFile(handle)
        return {describe_reloc_type(rel["r_info_type"], image)
                for section in image.iter_sections()
                if isinstance(section, RelocationSection) and section.name in (".rel.dyn", ".rela.dyn")
                for rel in section.iter_relocations()}


def test_weights_land_in_their_own_sections(tmp_path):
    model = compile_model(demo_model(), name="demo", target=TARGETS["cortex-m4"])
    source = tmp_path / "model.c"
    source.write_text(model.c_sources["model.c"])
    obj = tmp_path / "model.o"
    subprocess.run([GCC, *TARGETS["cortex-m4"].cflags, *PIC_FLAGS, *STRICT, f"-I{KERNEL_DIR}",
                    "-c", str(source), "-o", str(obj)], check=True)
    headers = subprocess.run([READELF, "-W", "-S", str(obj)], capture_output=True, text=True).stdout
    weight_sections = [line for line in headers.splitlines() if ".rodata.relo_weights." in line]
    assert len(weight_sections) == 9  # per FULLY_CONNECTED: DSP weights, row constants, requant records
    assert ".data.rel.ro" not in headers  # no pointer tables in constant data
