"""ELF -> LinkedImage: the bytes of each segment, the relocation table, and the PIC checks.

The checks prove the blob works wherever the device puts it: flash (CODE, WEIGHTS) is never
patched, every pointer stored in RAM is described by a relocation the loader can apply, and
no code assumes a fixed distance between flash and RAM (or between code and split weights).
Each failure is a BuildError naming the section or symbol at fault.
"""

from __future__ import annotations

import bisect
import io
import struct
from dataclasses import dataclass, field

from elftools.common.exceptions import ELFError
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile
from elftools.elf.enums import ENUM_RELOC_TYPE_ARM as RELOC
from elftools.elf.relocation import RelocationSection

from relomodel.build import linker
from relomodel.errors import BuildError
from relomodel.format import spec

CODE, WEIGHTS, RAM = "CODE", "WEIGHTS", "RAM"  # segment names; RELOC_TARGET has the same names

# Relocations resolved relative to r9 (the static base): fine wherever the RAM image goes.
_STATIC_BASE_RELATIVE = {RELOC[n] for n in ("R_ARM_GOT_BREL", "R_ARM_GOT_BREL12", "R_ARM_THM_GOT_BREL12")}
# r9-relative offsets to a symbol (not its GOT slot): only valid when the symbol is in RAM.
_GOT_OFFSET = {RELOC[n] for n in ("R_ARM_GOTOFF32", "R_ARM_GOTOFF12")}
_PC_RELATIVE = {
    RELOC[n]
    for n in RELOC
    if n.startswith(("R_ARM_ALU_PC", "R_ARM_LDR_PC", "R_ARM_LDRS_PC", "R_ARM_LDC_PC", "R_ARM_THM_JUMP"))
    or n
    in (
        "R_ARM_PC24", "R_ARM_REL32", "R_ARM_REL32_NOI", "R_ARM_THM_CALL", "R_ARM_THM_PC8", "R_ARM_THM_PC12",
        "R_ARM_BASE_PREL", "R_ARM_GOT_PREL", "R_ARM_PLT32", "R_ARM_CALL", "R_ARM_JUMP24", "R_ARM_PREL31",
        "R_ARM_MOVW_PREL_NC", "R_ARM_MOVT_PREL", "R_ARM_THM_MOVW_PREL_NC", "R_ARM_THM_MOVT_PREL",
        "R_ARM_THM_ALU_PREL_11_0",
    )
}
_ABSOLUTE = {
    RELOC[n]
    for n in (
        "R_ARM_ABS32", "R_ARM_ABS32_NOI", "R_ARM_ABS16", "R_ARM_ABS12", "R_ARM_ABS8", "R_ARM_THM_ABS5",
        "R_ARM_TARGET1", "R_ARM_MOVW_ABS_NC", "R_ARM_MOVT_ABS", "R_ARM_THM_MOVW_ABS_NC", "R_ARM_THM_MOVT_ABS",
        "R_ARM_BASE_ABS", "R_ARM_GOT_ABS", "R_ARM_PLT32_ABS",
    )
}
_HARMLESS = {RELOC["R_ARM_NONE"], RELOC["R_ARM_V4BX"]}
_RELOC_NAMES = {v: k for k, v in RELOC.items() if k.startswith("R_ARM")}

_REFUSED_SECTIONS = {
    ".plt": "a PLT (ARM-state stubs, unusable on M-profile): link with -pie, never -shared",
    ".iplt": "a PLT for ifuncs",
    ".rel.plt": "PLT relocations",
    ".init_array": "static constructors (.init_array); the loader runs no constructors",
    ".preinit_array": "static constructors (.preinit_array); the loader runs no constructors",
    ".fini_array": "static destructors (.fini_array); models are never torn down",
    ".ctors": "static constructors (.ctors); the loader runs no constructors",
    ".dtors": "static destructors (.dtors)",
    ".tdata": "thread-local data",
    ".tbss": "thread-local data",
}
_KNOWN_SECTIONS = {
    *linker.CODE_SECTIONS, linker.WEIGHTS_SECTION, *linker.RAM_SECTIONS, linker.BSS_SECTION,
    linker.DYNAMIC_RELOC_SECTION,
}


@dataclass
class LinkedImage:
    code: bytes  # CODE segment: .text + .rodata (+ weights unless split), linked at 0
    weights: bytes | None  # WEIGHTS segment when split, else None (weights are inside `code`)
    data: bytes  # initialised RAM image (.got + .data), relocated words hold segment offsets
    bss_size: int  # zero-filled bytes after `data`
    got_offset: int  # _GLOBAL_OFFSET_TABLE_ - RAM base: the r9 value is ram + got_offset
    entry_init: int  # code offsets, Thumb bit set
    entry_run: int
    entry_reset: int  # 0 when the model has no relo_model_reset_state
    relocations: list[int]  # spec RELOC_TARGET encoding: RAM word offset | target
    stack_size: int  # worst-case stack of relo_model_run, 0 when unknown
    sections: dict[str, int] = field(default_factory=dict)  # text, rodata, weights, got, data, bss sizes
    warnings: str = ""  # compiler and linker warnings, for reports


@dataclass(frozen=True)
class _Range:
    segment: str
    start: int
    end: int  # inclusive upper bound for pointers: one past the last byte is a valid C pointer

    def holds(self, address: int) -> bool:
        return self.start <= address <= self.end


def extract_image(elf_bytes: bytes, *, split_weights: bool, stack_size: int = 0) -> LinkedImage:
    try:
        elf = ELFFile(io.BytesIO(elf_bytes))
        return _Extractor(elf, split_weights, stack_size).run()
    except ELFError as exc:
        raise BuildError(f"the linker produced an unreadable ELF file ({exc})") from None


class _Extractor:
    def __init__(self, elf: ELFFile, split_weights: bool, stack_size: int):
        self.elf = elf
        self.split = split_weights
        self.stack_size = stack_size
        self.sections = {s.name: s for s in elf.iter_sections()}
        self.symtab = elf.get_section_by_name(".symtab")
        if self.symtab is None:
            raise BuildError("the linked ELF has no symbol table")
        self._index_symbols()

    # -- symbols ---------------------------------------------------------------------------

    def _index_symbols(self) -> None:
        named = [s for s in self.symtab.iter_symbols() if s.name and s["st_info"]["type"] in ("STT_FUNC", "STT_OBJECT")]
        named.sort(key=lambda s: (s["st_value"] & ~1, s.name))
        self._by_address = [(s["st_value"] & ~1, s["st_size"], s.name) for s in named]
        self._starts = [a for a, _, _ in self._by_address]

    def _where(self, address: int) -> str:
        """The symbol (or section) containing `address`, for error messages."""
        i = bisect.bisect_right(self._starts, address) - 1
        if i >= 0:
            start, size, name = self._by_address[i]
            if start <= address < start + max(size, 1):
                return f"{name}+0x{address - start:x}"
        for section in self.elf.iter_sections():
            if section["sh_flags"] & SH_FLAGS.SHF_ALLOC and section["sh_addr"] <= address < section["sh_addr"] + section["sh_size"]:
                return f"{section.name}+0x{address - section['sh_addr']:x}"
        return f"0x{address:08x}"

    def _symbol(self, name: str):
        found = self.symtab.get_symbol_by_name(name) or []
        defined = [s for s in found if s["st_shndx"] != "SHN_UNDEF"]
        return defined[0] if defined else None

    # -- layout ----------------------------------------------------------------------------

    def _size(self, name: str) -> int:
        section = self.sections.get(name)
        return section["sh_size"] if section is not None else 0

    def _check_sections(self) -> None:
        for section in self.elf.iter_sections():
            if section["sh_type"] == "SHT_RELA":
                raise BuildError(f"section {section.name}: RELA relocations are not supported")
            if not section["sh_flags"] & SH_FLAGS.SHF_ALLOC:
                continue
            name = section.name
            refused = next((why for base, why in _REFUSED_SECTIONS.items() if name == base or name.startswith(base + ".")),
                           None)
            if refused is not None:
                raise BuildError(f"the model contains section {name}: {refused}")
            if name not in _KNOWN_SECTIONS and section["sh_size"]:
                raise BuildError(f"the model contains unexpected section {name} ({section['sh_size']} bytes); "
                                 "only .text, .rodata, weights, .got, .data and .bss can be placed")
            limit = linker.RAM_ALIGN if section["sh_addr"] >= linker.RAM_BASE else spec.SEGMENT_ALIGN
            if section["sh_addralign"] > limit:
                raise BuildError(f"section {name} needs {section['sh_addralign']}-byte alignment; "
                                 f"at most {limit} is guaranteed there")

    def _bytes_of(self, names: tuple[str, ...], base: int) -> bytes:
        """Concatenate PROGBITS sections into one image starting at link address `base`."""
        present = [self.sections[n] for n in names if n in self.sections and self.sections[n]["sh_size"]]
        end = max((s["sh_addr"] + s["sh_size"] for s in present), default=base)
        image = bytearray(end - base)
        for section in present:
            if section["sh_type"] == "SHT_NOBITS":
                continue
            start = section["sh_addr"] - base
            image[start:start + section["sh_size"]] = section.data()
        return bytes(image)

    def _layout(self) -> None:
        code_names = linker.CODE_SECTIONS if self.split else (*linker.CODE_SECTIONS, linker.WEIGHTS_SECTION)
        self.code = self._bytes_of(code_names, linker.CODE_BASE)
        self.weights = self._bytes_of((linker.WEIGHTS_SECTION,), linker.WEIGHTS_BASE) if self.split else None
        self.data = bytearray(self._bytes_of(linker.RAM_SECTIONS, linker.RAM_BASE))
        bss = self.sections.get(linker.BSS_SECTION)
        data_end = linker.RAM_BASE + len(self.data)
        ram_end = max(data_end, bss["sh_addr"] + bss["sh_size"] if bss is not None and bss["sh_size"] else 0)
        self.bss_size = ram_end - data_end
        self.ranges = [_Range(CODE, linker.CODE_BASE, linker.CODE_BASE + len(self.code))]
        if self.split:
            self.ranges.append(_Range(WEIGHTS, linker.WEIGHTS_BASE, linker.WEIGHTS_BASE + len(self.weights)))
        self.ranges.append(_Range(RAM, linker.RAM_BASE, ram_end))

    def _segment_of(self, address: int, *, pointer: bool) -> str | None:
        for r in self.ranges:
            if r.start <= address < r.end or (pointer and r.holds(address)):
                return r.segment
        return None

    # -- entries ---------------------------------------------------------------------------

    def _entry(self, name: str, required: bool) -> int:
        symbol = self._symbol(name)
        if symbol is None:
            if required:
                raise BuildError(f"entry symbol {name} is missing: the model must define it (see docs/ARCHITECTURE.md)")
            return 0
        value = symbol["st_value"]
        if symbol["st_info"]["type"] != "STT_FUNC" or not value & 1:
            raise BuildError(f"entry symbol {name} is not a Thumb function")
        if self._segment_of(value & ~1, pointer=False) != CODE:
            raise BuildError(f"entry symbol {name} is not in the code segment")
        return value

    # -- relocation checks -----------------------------------------------------------------

    def _target_segment(self, symbol) -> str | None:
        shndx = symbol["st_shndx"]
        if shndx == "SHN_UNDEF":
            return "UNDEFINED"
        if shndx == "SHN_ABS":  # linker-made symbols such as _GLOBAL_OFFSET_TABLE_ are absolute
            return self._segment_of(symbol["st_value"], pointer=True)
        section = self.elf.get_section(shndx)
        return self._segment_of(section["sh_addr"], pointer=True)

    def _symbol_name(self, symbol) -> str:
        if symbol.name:
            return symbol.name
        if isinstance(symbol["st_shndx"], int):  # a section symbol: name the section
            return self.elf.get_section(symbol["st_shndx"]).name
        return "an unnamed symbol"

    def _check_static_relocations(self) -> None:
        """-q kept the relocations the linker resolved; prove none bakes in a segment distance."""
        for section in self.elf.iter_sections():
            if not isinstance(section, RelocationSection) or section["sh_flags"] & SH_FLAGS.SHF_ALLOC:
                continue
            patched = self.elf.get_section(section["sh_info"])
            if not patched["sh_flags"] & SH_FLAGS.SHF_ALLOC:
                continue  # debug information (libgcc has some) is never loaded
            site_segment = self._segment_of(patched["sh_addr"], pointer=False)
            if site_segment is None:
                continue
            symbols = self.elf.get_section(section["sh_link"])
            for rel in section.iter_relocations():
                self._check_static(rel, symbols.get_symbol(rel["r_info_sym"]), site_segment)

    def _check_static(self, rel, symbol, site_segment: str) -> None:
        kind = rel["r_info_type"]
        if kind in _HARMLESS or kind in _STATIC_BASE_RELATIVE:
            return
        type_name = _RELOC_NAMES.get(kind, f"type {kind}")
        target = self._target_segment(symbol)
        where = self._where(rel["r_offset"])
        what = f"{where} refers to {self._symbol_name(symbol)} ({type_name})"
        if target == "UNDEFINED":
            raise BuildError(f"{what}: the symbol is undefined")
        if kind in _PC_RELATIVE:
            if target is not None and target != site_segment:
                raise BuildError(f"{what}: PC-relative access from {site_segment} to {target} assumes a fixed "
                                 "distance between them; compile with -mno-pic-data-is-text-relative (not plain -fPIC)")
            return
        if kind in _GOT_OFFSET:
            if target != RAM:
                raise BuildError(f"{what}: a GOT-relative offset to {target} assumes a fixed flash/RAM distance")
            return
        if kind in _ABSOLUTE:
            if site_segment != RAM and symbol["st_shndx"] != "SHN_ABS":
                raise BuildError(f"{what}: absolute address in {site_segment}; flash is never patched")
            return
        raise BuildError(f"{what}: relocation type not allowed in a relocatable model")

    def _relocations(self) -> list[int]:
        entries = []
        for section in self.elf.iter_sections():
            if not isinstance(section, RelocationSection) or not section["sh_flags"] & SH_FLAGS.SHF_ALLOC:
                continue
            symbols = self.elf.get_section(section["sh_link"]) if section["sh_link"] else None
            for rel in section.iter_relocations():
                entries.append(self._encode_dynamic(rel, symbols))
        return sorted(entries)

    def _encode_dynamic(self, rel, symbols) -> int:
        address, kind = rel["r_offset"], rel["r_info_type"]
        where = self._where(address)
        if kind != RELOC["R_ARM_RELATIVE"]:
            name = symbols.get_symbol(rel["r_info_sym"]).name if symbols is not None and rel["r_info_sym"] else "?"
            raise BuildError(f"dynamic relocation {_RELOC_NAMES.get(kind, kind)} against {name or '?'} at {where}: "
                             "only R_ARM_RELATIVE can be applied by the loader")
        segment = self._segment_of(address, pointer=False)
        offset = address - linker.RAM_BASE
        if segment != RAM:
            raise BuildError(f"relocation at {where} patches {segment or 'memory outside every segment'}; "
                             "flash is never patched")
        if offset % 4 or offset + 4 > len(self.data):
            raise BuildError(f"relocation at {where} is unaligned or outside the initialised RAM image")
        (value,) = struct.unpack_from("<I", self.data, offset)
        target = self._segment_of(value, pointer=True)
        if target is None:
            raise BuildError(f"relocated word at {where} holds 0x{value:08x}, outside every segment")
        base = next(r.start for r in self.ranges if r.segment == target)
        struct.pack_into("<I", self.data, offset, value - base)
        return offset | getattr(spec.RELOC_TARGET, target)

    # -- result ----------------------------------------------------------------------------

    def run(self) -> LinkedImage:
        self._check_sections()
        self._layout()
        entry_init = self._entry(linker.ENTRY_INIT, required=True)
        entry_run = self._entry(linker.ENTRY_RUN, required=True)
        entry_reset = self._entry(linker.ENTRY_RESET, required=False)
        self._check_static_relocations()
        relocations = self._relocations()
        got = self._symbol("_GLOBAL_OFFSET_TABLE_")
        got_offset = got["st_value"] - linker.RAM_BASE if got is not None else 0
        if not 0 <= got_offset <= len(self.data):
            raise BuildError("_GLOBAL_OFFSET_TABLE_ is not inside the RAM image")
        return LinkedImage(
            code=self.code,
            weights=self.weights,
            data=bytes(self.data),
            bss_size=self.bss_size,
            got_offset=got_offset,
            entry_init=entry_init,
            entry_run=entry_run,
            entry_reset=entry_reset,
            relocations=relocations,
            stack_size=self.stack_size,
            sections={
                "text": self._size(".text"),
                "rodata": self._size(".rodata"),
                "weights": self._size(linker.WEIGHTS_SECTION),
                "got": self._size(".got"),
                "data": self._size(".data"),
                "bss": self._size(linker.BSS_SECTION),
            },
        )
