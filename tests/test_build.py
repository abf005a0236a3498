"""Build stage: cross-compile hand-written model-ABI C, link it PIC, extract and check the image."""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from relomodel.build import build_model, linker, toolchain
from relomodel.build.image import LinkedImage
from relomodel.build.stack import EXTERNAL_FRAME_ALLOWANCE, worst_case_stack
from relomodel.compiler.model import CompiledModel
from relomodel.errors import BuildError
from relomodel.format import spec
from relomodel.targets import get_target

pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")

FIXTURES = Path(__file__).parent / "fixtures"
POINTERS_C = (FIXTURES / "pointers.c").read_text()
M4 = get_target("cortex-m4")

# A model with only const weights, accessed through an index so the compiler cannot fold them.
WEIGHTS_ONLY_C = """
#include <stdint.h>
const int8_t relo_weights_k[4] = {1, 2, 3, 4};
int32_t relo_model_init(uint8_t *a) { (void)a; return 0; }
int32_t relo_model_run(uint8_t *a) {
    for (int i = 0; i < 4; i++) a[i] = a[i] * relo_weights_k[a[4 + i] & 3];
    return 0;
}
"""


def c_model(source: str, name: str = "fixture") -> CompiledModel:
    return CompiledModel(
        name=name, c_sources={"model.c": source}, kernel_files=[], include_dirs=[], inputs=[], outputs=[],
        arena_size=16, arena_align=8, macs=0, weight_bytes=0, stateful=False, litert_rounding=False,
        source_sha256=hashlib.sha256(source.encode()).digest(),
    )


def build(source: str, *, split: bool = False, extra: tuple[str, ...] = ()) -> LinkedImage:
    return build_model(c_model(source), M4, split_weights=split, extra_cflags=extra)


@pytest.fixture(scope="module", params=[False, True], ids=["unsplit", "split"])
def pointers(request) -> tuple[bool, LinkedImage]:
    return request.param, build(POINTERS_C, split=request.param)


def relocated_words(image: LinkedImage) -> dict[int, tuple[int, int]]:
    """RAM offset -> (target, stored offset) for every relocation."""
    out = {}
    for entry in image.relocations:
        offset = entry & ~spec.RELOC_TARGET_MASK
        out[offset] = (entry & spec.RELOC_TARGET_MASK, struct.unpack_from("<I", image.data, offset)[0])
    return out


# -- a good model ---------------------------------------------------------------------------


def test_entries_and_layout(pointers):
    split, image = pointers
    assert image.entry_init & 1 and image.entry_run & 1 and image.entry_reset & 1
    assert max(image.entry_init, image.entry_run, image.entry_reset) < len(image.code)
    assert image.got_offset % 4 == 0 and image.got_offset < len(image.data)
    assert image.bss_size >= 4  # run_count
    assert image.sections["weights"] == 8
    if split:
        assert image.weights == bytes([1, 0xFE, 3, 0xFC, 5, 0xFA, 7, 0xF8])
        assert image.weights not in image.code
    else:
        assert image.weights is None
        assert bytes([1, 0xFE, 3, 0xFC, 5, 0xFA, 7, 0xF8]) in image.code


def test_every_relocation_target_appears(pointers):
    split, image = pointers
    targets = {t for t, _ in relocated_words(image).values()}
    expected = {spec.RELOC_TARGET.CODE, spec.RELOC_TARGET.RAM}
    if split:
        expected.add(spec.RELOC_TARGET.WEIGHTS)
    assert targets == expected
    assert image.relocations == sorted(image.relocations)
    limits = {spec.RELOC_TARGET.CODE: len(image.code), spec.RELOC_TARGET.RAM: len(image.data) + image.bss_size,
              spec.RELOC_TARGET.WEIGHTS: len(image.weights or b"")}
    for target, value in relocated_words(image).values():
        assert value <= limits[target]


def test_function_pointer_keeps_thumb_bit(pointers):
    _, image = pointers
    code_targets = [v for t, v in relocated_words(image).values() if t == spec.RELOC_TARGET.CODE]
    assert any(v & 1 for v in code_targets)  # &relu / &identity


@pytest.mark.parametrize("split", [False, True])
def test_relocations_reproduce_a_link_at_other_addresses(split, monkeypatch):
    """Applying our relocation table at arbitrary bases gives exactly the RAM image the linker
    writes when told those bases: the table is complete and each target is classified right."""
    image = build(POINTERS_C, split=split)
    bases = {spec.RELOC_TARGET.CODE: 0x00200000, spec.RELOC_TARGET.WEIGHTS: 0x00340000, spec.RELOC_TARGET.RAM: 0x20100000}
    if not split:
        bases[spec.RELOC_TARGET.WEIGHTS] = bases[spec.RELOC_TARGET.CODE]
    monkeypatch.setattr(linker, "CODE_BASE", bases[spec.RELOC_TARGET.CODE])
    monkeypatch.setattr(linker, "WEIGHTS_BASE", bases[spec.RELOC_TARGET.WEIGHTS])
    monkeypatch.setattr(linker, "RAM_BASE", bases[spec.RELOC_TARGET.RAM])
    linked = toolchain.compile_and_link(c_model(POINTERS_C), M4, split_weights=split)
    elf = ELFFile(io.BytesIO(linked.elf))
    expected = elf.get_section_by_name(".got").data() + elf.get_section_by_name(".data").data()

    loaded = bytearray(image.data)
    for entry in image.relocations:
        offset = entry & ~spec.RELOC_TARGET_MASK
        word = struct.unpack_from("<I", loaded, offset)[0] + bases[entry & spec.RELOC_TARGET_MASK]
        struct.pack_into("<I", loaded, offset, word)
    assert bytes(loaded) == expected


@pytest.mark.parametrize("split", [False, True])
def test_weights_reached_through_one_got_slot(split):
    image = build(WEIGHTS_ONLY_C, split=split)
    assert image.entry_reset == 0  # optional entry absent
    [(target, value)] = relocated_words(image).values()
    if split:
        assert (target, value) == (spec.RELOC_TARGET.WEIGHTS, 0) and image.weights == bytes([1, 2, 3, 4])
    else:
        assert target == spec.RELOC_TARGET.CODE and image.code[value:value + 4] == bytes([1, 2, 3, 4])


def test_stack_estimate_includes_libgcc_allowance(pointers):
    _, image = pointers
    # relo_model_run calls __aeabi_ldivmod (libgcc, no frame info) and an indirect call.
    assert image.stack_size >= EXTERNAL_FRAME_ALLOWANCE


def test_build_is_deterministic():
    assert build(POINTERS_C, split=True) == build(POINTERS_C, split=True)


# -- refusals ---------------------------------------------------------------------------------


def test_plain_fpic_is_refused():
    # -mpic-data-is-text-relative is what plain -fPIC does: data reached PC-relatively.
    with pytest.raises(BuildError, match=r"PC-relative access from CODE to RAM"):
        build(POINTERS_C, extra=("-mpic-data-is-text-relative",))


def test_text_relative_weights_refused_only_when_split():
    build(WEIGHTS_ONLY_C, extra=("-mpic-data-is-text-relative",))  # one segment: fixed distance is true
    with pytest.raises(BuildError, match=r"relo_weights_k .*PC-relative access from CODE to WEIGHTS"):
        build(WEIGHTS_ONLY_C, split=True, extra=("-mpic-data-is-text-relative",))


def test_absolute_addresses_in_code_are_refused():
    with pytest.raises(BuildError, match="read-only segment has dynamic relocations"):
        build(POINTERS_C, extra=("-fno-pic",))


def model_using(declarations: str, expression: str) -> str:
    """A minimal model whose run writes `expression` to the arena, so the linker keeps it."""
    return f"""
#include <stdint.h>
{declarations}
int32_t relo_model_init(uint8_t *a) {{ (void)a; return 0; }}
int32_t relo_model_run(uint8_t *a) {{ a[0] = (uint8_t)({expression}); return 0; }}
"""


@pytest.mark.parametrize("split, segment", [(False, "CODE"), (True, "WEIGHTS")])
def test_pointer_in_flash_is_refused(split, segment):
    declarations = """
const int8_t relo_weights_row[4] = {1, 2, 3, 4};
__attribute__((section(".rodata.relo_weights_table")))
const int8_t *const relo_weights_rows[2] = {relo_weights_row, relo_weights_row + 2};
"""
    with pytest.raises(BuildError, match=rf"relo_weights_rows\+0x0 refers to relo_weights_row \(R_ARM_ABS32\): "
                                         rf"absolute address in {segment}; flash is never patched"):
        build(model_using(declarations, "relo_weights_rows[a[1] & 1][a[2] & 1]"), split=split)


def test_pointer_outside_every_segment_is_refused():
    declarations = "static int32_t table[2] = {1, 2};\nint32_t *volatile relo_far = &table[0] + 0x400000;\n"
    with pytest.raises(BuildError, match=r"relo_far\+0x0 holds 0x1[0-9a-f]{7}, outside every segment"):
        build(model_using(declarations, "*relo_far"))


def test_missing_entry_symbol_is_refused():
    source = WEIGHTS_ONLY_C.replace("relo_model_init", "relo_model_start")
    with pytest.raises(BuildError, match="entry symbol relo_model_init is missing"):
        build(source)


def test_constructor_is_refused():
    declarations = "static int32_t ready;\n__attribute__((constructor)) static void setup(void) { ready = 1; }\n"
    with pytest.raises(BuildError, match=r"\.init_array: static constructors"):
        build(model_using(declarations, "ready"))


def test_plt_section_is_refused():
    source = WEIGHTS_ONLY_C.replace("return 0;\n}", "return stub(a[0]);\n}", 1).replace(
        "int32_t relo_model_init",
        '__attribute__((section(".plt"), noinline)) static int32_t stub(int32_t x) { return x + 1; }\n'
        "int32_t relo_model_init", 1)
    with pytest.raises(BuildError, match=r"section \.plt"):
        build(source)


def test_undefined_weak_symbol_is_refused():
    source = WEIGHTS_ONLY_C + """
extern void relo_hook(void) __attribute__((weak));
int32_t relo_model_reset_state(uint8_t *a) { (void)a; if (relo_hook) relo_hook(); return 0; }
"""
    with pytest.raises(BuildError, match="relo_hook .*undefined"):
        build(source)


def test_compiler_error_is_reported_with_its_message():
    with pytest.raises(BuildError, match=r"(?s)compiling model.c failed:\n.*model.c:.*error"):
        build("int32_t relo_model_run(uint8_t *a) { return a; }")  # no stdint.h: unknown types


def test_unresolved_call_is_a_link_error():
    with pytest.raises(BuildError, match=r"(?s)linking failed:\n.*undefined reference to .expf."):
        build(model_using("extern float expf(float);", "expf(a[1])"))


def test_missing_compiler_names_the_package(monkeypatch):
    monkeypatch.setattr(toolchain.shutil, "which", lambda name: None)
    with pytest.raises(BuildError, match="arm-none-eabi-gcc not found") as info:
        build(WEIGHTS_ONLY_C)
    assert "gcc-arm-none-eabi" in info.value.hint


# -- stack estimate on hand-written call graphs ---------------------------------------------------


def graph(*nodes: tuple[str, str], edges: tuple[tuple[str, str], ...] = ()) -> str:
    lines = ['graph: { title: "x.c"']
    lines += [f'node: {{ title: "{n}" label: "{n}\\nx.c:1:1\\n{frame}" }}' for n, frame in nodes]
    lines += [f'edge: {{ sourcename: "{a}" targetname: "{b}" }}' for a, b in edges]
    return "\n".join(lines + ["}"])


def test_stack_is_the_heaviest_path():
    text = graph(("run", "16 bytes (static)"), ("a", "40 bytes (static)"), ("b", "8 bytes (static)"),
                 ("c", "24 bytes (static)"), edges=(("run", "a"), ("run", "b"), ("b", "c")))
    assert worst_case_stack([text], "run") == 56


def test_stack_is_unknown_with_recursion_or_dynamic_frames():
    recursive = graph(("run", "16 bytes (static)"), ("a", "8 bytes (static)"), edges=(("run", "a"), ("a", "run")))
    dynamic = graph(("run", "16 bytes (dynamic)"))
    assert worst_case_stack([recursive], "run") == 0
    assert worst_case_stack([dynamic], "run") == 0
    bounded = graph(("run", "16 bytes (dynamic,bounded)"))
    assert worst_case_stack([bounded], "run") == 16
