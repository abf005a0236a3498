"""Packets of the UART protocol: build requests, parse responses, turn statuses into errors.

packet = PACKET_HEADER payload (spec.py). This module knows the layouts and the meaning of
every status code; it does no I/O (device.py does).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from relomodel.errors import DeviceError, RelomodelError, TransportError
from relomodel.format import spec


class ProtocolError(TransportError):
    """The device sent a well-framed packet that does not make sense as a response."""


@dataclass(frozen=True)
class Packet:
    cmd: int
    seq: int
    status: int = spec.STATUS.OK
    flags: int = 0
    payload: bytes = b""

    @property
    def is_response(self) -> bool:
        return bool(self.cmd & spec.RESPONSE_BIT)

    @property
    def request_cmd(self) -> int:
        return self.cmd & ~spec.RESPONSE_BIT & 0xFF


def encode_packet(packet: Packet) -> bytes:
    if len(packet.payload) > spec.MAX_PAYLOAD:
        raise ValueError(f"payload of {len(packet.payload)} bytes exceeds MAX_PAYLOAD {spec.MAX_PAYLOAD}")
    header = spec.PACKET_HEADER.pack(cmd=packet.cmd, seq=packet.seq, status=packet.status, flags=packet.flags)
    return header + packet.payload


def parse_packet(data: bytes) -> Packet:
    if len(data) < spec.PACKET_HEADER.size:
        raise ProtocolError(f"packet of {len(data)} bytes is shorter than its {spec.PACKET_HEADER.size}-byte header")
    header = spec.PACKET_HEADER.unpack(data)
    return Packet(header["cmd"], header["seq"], header["status"], header["flags"], bytes(data[spec.PACKET_HEADER.size :]))


def cmd_name(cmd: int) -> str:
    """'HELLO', 'HELLO response', or 'UNKNOWN_n' for tracing."""
    name = spec.CMD.name_of(cmd & ~spec.RESPONSE_BIT & 0xFF)
    return f"{name} response" if cmd & spec.RESPONSE_BIT else name


def trace_line(direction: str, packet_bytes: bytes, elapsed: float) -> str:
    """One line for --trace: time, direction, command, seq, status, length and hex."""
    try:
        packet = parse_packet(packet_bytes)
    except ProtocolError:
        return f"{elapsed:9.3f} {direction} undecodable packet len={len(packet_bytes)} {packet_bytes.hex()}"
    status = "" if packet.status == spec.STATUS.OK else f" status={spec.STATUS.name_of(packet.status)}"
    shown = packet.payload[:64].hex() + ("..." if len(packet.payload) > 64 else "")
    return (
        f"{elapsed:9.3f} {direction} {cmd_name(packet.cmd)} seq={packet.seq}{status} "
        f"len={len(packet.payload)} {shown}"
    )


# ---------------------------------------------------------------------------------------
# Request payloads


def install_data_payload(offset: int, chunk: bytes) -> bytes:
    return spec.INSTALL_DATA_HEADER.pack(offset=offset) + chunk


def tensor_write_payload(index: int, offset: int, chunk: bytes, model: int = spec.MODEL_SELECTOR_DEFAULT) -> bytes:
    # `length` is defined for reads; for writes it repeats the data length (informative).
    return spec.TENSOR_IO_HEADER.pack(index=index, model=model, offset=offset, length=len(chunk)) + chunk


def tensor_read_payload(index: int, offset: int, length: int, model: int = spec.MODEL_SELECTOR_DEFAULT) -> bytes:
    return spec.TENSOR_IO_HEADER.pack(index=index, model=model, offset=offset, length=length)


def model_selector_payload(model: int) -> bytes:
    """MODEL_INFO / INVOKE / RESET_STATE payload: empty for the default model."""
    return b"" if model == spec.MODEL_SELECTOR_DEFAULT else spec.MODEL_SELECTOR.pack(model=model)


def model_name_payload(name: str) -> bytes:
    """ACTIVATE / ROLLBACK / ERASE payload."""
    raw = name.encode("utf-8")
    if not raw or len(raw) >= spec.NAME_LENGTH or b"\0" in raw:
        raise RelomodelError(f"model name {name!r} must be 1 to {spec.NAME_LENGTH - 1} UTF-8 bytes")
    return spec.MODEL_NAME.pack(name=raw)


# ---------------------------------------------------------------------------------------
# Response payloads


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", errors="replace")


def _unpack(layout, payload: bytes, what: str, exact: bool = False) -> dict:
    if len(payload) < layout.size or (exact and len(payload) != layout.size):
        raise ProtocolError(f"{what} response has {len(payload)} bytes, expected {layout.size}")
    return layout.unpack(payload)


def parse_hello(payload: bytes) -> dict:
    raw = _unpack(spec.HELLO_RESPONSE, payload, "HELLO")
    return {
        "protocol_version": raw["protocol_version"],
        "max_payload": raw["max_payload"],
        "firmware_version": spec.decode_version(raw["firmware_version"]),
        "board": _text(raw["board"]),
        "cpu": raw["cpu"],
        "fpu": raw["fpu"],
        "abi": raw["abi"],
        "slot_count": raw["slot_count"],
        "slot_size": raw["slot_size"],
        "model_ram_size": raw["model_ram_size"],
        "flash_sector_size": raw["flash_sector_size"],
        "flash_write_size": raw["flash_write_size"],
        "key_id": raw["key_id"].hex(),
        "active_slot": None if raw["active_slot"] == 0xFF else raw["active_slot"],
        "counter_unit": raw["counter_unit"],
        "last_event": raw["last_event"],
        "event_detail": raw["event_detail"],
        "security_counter": raw["security_counter"],
        "format_version": raw["format_version"],
    }


def event_message(event: int, detail: int) -> str:
    """One line for the device's last event (HELLO last_event, event_detail)."""
    if event not in spec.EVENT.by_value:
        return f"unknown event {event} (detail {detail})"
    text = spec.EVENT.message_of(event)
    if event == spec.EVENT.SELF_TEST_FAILED:
        text = text.replace("(detail: vector)", f"at test vector {detail}")
    elif event == spec.EVENT.INIT_FAILED:
        text = text.replace("(detail: its return value)", f"(it returned {_signed(detail)})")
    elif event == spec.EVENT.CONFIRMED:
        text += f" ({detail} test vector{'s' if detail != 1 else ''})"
    return text


def parse_list(payload: bytes) -> dict:
    """LIST response: the slot count, the default model's slot, and every slot in use."""
    head = _unpack(spec.LIST_RESPONSE, payload, "LIST")
    size, count = head["entry_size"], head["entry_count"]
    if size < spec.LIST_ENTRY.size or len(payload) < spec.LIST_RESPONSE.size + count * size:
        raise ProtocolError(f"LIST response of {len(payload)} bytes does not hold {count} entries of {size} bytes")
    models = []
    for index in range(count):
        e = spec.LIST_ENTRY.unpack(payload, spec.LIST_RESPONSE.size + index * size)
        models.append({
            "slot": e["slot"],
            "role": spec.SLOT_ROLE.name_of(e["role"]).lower(),
            "name": _text(e["name"]),
            "version": spec.decode_version(e["version"]),
            "security_counter": e["security_counter"],
            "package_size": e["package_size"],
            "signed_sha256": e["signed_sha256"].hex(),
            "default": e["slot"] == head["default_slot"] and e["role"] == spec.SLOT_ROLE.ACTIVE,
        })
    default = None if head["default_slot"] == 0xFF else head["default_slot"]
    return {"slot_count": head["slot_count"], "default_slot": default, "models": models}


def parse_install_begin(payload: bytes) -> dict:
    raw = _unpack(spec.INSTALL_BEGIN_RESPONSE, payload, "INSTALL_BEGIN")
    return {"slot": raw["slot"], "next_offset": raw["next_offset"]}


def parse_invoke(payload: bytes) -> dict:
    raw = _unpack(spec.INVOKE_RESPONSE, payload, "INVOKE")
    return {"model_status": raw["model_status"], "counter_unit": raw["counter_unit"], "count": raw["count"]}


def parse_tensor_desc(data: bytes, offset: int) -> dict:
    raw = spec.TENSOR_DESC.unpack(data, offset)
    if raw["rank"] > spec.MAX_RANK:
        raise ProtocolError(f"tensor descriptor has rank {raw['rank']} > MAX_RANK {spec.MAX_RANK}")
    dims = [int.from_bytes(raw["dims"][4 * i : 4 * i + 4], "little") for i in range(raw["rank"])]
    return {
        "name": _text(raw["name"]),
        "dtype": raw["dtype"],
        "shape": tuple(dims),
        "arena_offset": raw["arena_offset"],
        "size_bytes": raw["size_bytes"],
        "scale": raw["scale"],
        "zero_point": raw["zero_point"],
    }


def parse_model_info(payload: bytes) -> dict:
    """MODEL_INFO response: slot info, then the manifest and tensor descriptors from flash."""
    head = _unpack(spec.MODEL_INFO_RESPONSE, payload, "MODEL_INFO")
    manifest_at = spec.MODEL_INFO_RESPONSE.size
    if len(payload) < manifest_at + spec.MANIFEST.size:
        raise ProtocolError(f"MODEL_INFO response of {len(payload)} bytes has no complete manifest")
    manifest = spec.MANIFEST.unpack(payload, manifest_at)
    desc_size = manifest["tensor_desc_size"]
    count = manifest["input_count"] + manifest["output_count"]
    if desc_size < spec.TENSOR_DESC.size or count > spec.MAX_TENSORS:
        raise ProtocolError(f"MODEL_INFO manifest is inconsistent (desc size {desc_size}, {count} tensors)")
    first_desc = manifest_at + spec.MANIFEST.size
    if len(payload) < first_desc + count * desc_size:
        raise ProtocolError(f"MODEL_INFO response of {len(payload)} bytes is missing tensor descriptors")
    tensors = [parse_tensor_desc(payload, first_desc + i * desc_size) for i in range(count)]
    return {
        "slot": head["slot"],
        "package_size": head["package_size"],
        "signed_sha256": head["signed_sha256"].hex(),
        "name": _text(manifest["name"]),
        "version": spec.decode_version(manifest["version"]),
        "security_counter": manifest["security_counter"],
        "target_cpu": manifest["target_cpu"],
        "target_fpu": manifest["target_fpu"],
        "target_abi": manifest["target_abi"],
        "arena_size": manifest["arena_size"],
        "ram_data_size": manifest["ram_data_size"],
        "ram_bss_size": manifest["ram_bss_size"],
        "macs": manifest["macs"],
        "source_sha256": manifest["source_sha256"].hex(),  # of the .tflite it was built from
        "flags": manifest["flags"],
        "stateful": bool(manifest["flags"] & spec.MODEL_FLAG_STATEFUL),
        "inputs": tensors[: manifest["input_count"]],
        "outputs": tensors[manifest["input_count"] :],
    }


# ---------------------------------------------------------------------------------------
# Status -> error


@dataclass
class ErrorContext:
    """What the host knows when a request fails, to make the message specific."""

    operation: str = ""
    package_cpu: int | None = None
    package_fpu: int | None = None
    package_abi: int | None = None
    package_size: int | None = None
    package_version: int | None = None
    package_security_counter: int | None = None
    package_key_id: str | None = None
    package_segment_kinds: list[int] = field(default_factory=list)
    hello: dict = field(default_factory=dict)


def _board_says(hello: dict, key: str, enum) -> str:
    return enum.message_of(hello[key]) if key in hello else "unknown"


def _specific(status: int, detail: int, ctx: ErrorContext) -> tuple[str, str | None]:
    """Extra text (appended in parentheses) and a hint for one status code."""
    hello = ctx.hello
    S = spec.STATUS
    if status == S.WRONG_CPU:
        needs = spec.CPU.message_of(ctx.package_cpu) if ctx.package_cpu is not None else "another CPU"
        has = _board_says(hello, "cpu", spec.CPU) if hello else spec.CPU.message_of(detail)
        return f"package needs {needs}, board has {has}", "pack it again with --target matching the board"
    if status == S.WRONG_FPU:
        needs = spec.FPU.message_of(ctx.package_fpu) if ctx.package_fpu is not None else "an FPU"
        has = _board_says(hello, "fpu", spec.FPU) if hello else spec.FPU.message_of(detail)
        return f"package needs {needs}, board has {has}", "pack it again with --target matching the board"
    if status == S.WRONG_ABI:
        needs = spec.FLOAT_ABI.message_of(ctx.package_abi) if ctx.package_abi is not None else "another ABI"
        has = _board_says(hello, "abi", spec.FLOAT_ABI) if hello else spec.FLOAT_ABI.message_of(detail)
        return f"package uses the {needs} float ABI, firmware uses {has}", None
    if status == S.UNSUPPORTED_FORMAT:
        return f"firmware reads format version {detail}, package is version {spec.FORMAT_VERSION}", (
            "update the firmware or use a relomodel release matching it"
        )
    if status == S.TOO_LARGE:
        size = f"{ctx.package_size} bytes" if ctx.package_size is not None else "the package"
        slot = hello.get("slot_size", detail)
        return f"{size} do not fit in a {slot}-byte slot", "try --split-weights or a smaller model"
    if status == S.NOT_ENOUGH_RAM:
        return f"the firmware has {hello.get('model_ram_size', detail)} bytes of model RAM", None
    if status == S.UNKNOWN_KEY:
        package = ctx.package_key_id or "unknown"
        device = hello.get("key_id", "unknown")
        return f"package key id {package}, device trusts {device}", (
            "sign with the key the firmware was built with (relomodel getpub shows a key's id)"
        )
    if status == S.DOWNGRADE:
        package = spec.decode_version(ctx.package_version) if ctx.package_version is not None else "the package"
        return f"package {package} < installed {spec.decode_version(detail)}", (
            "pack it with a higher --version, or with --allow-downgrade to allow going back"
        )
    if status == S.SECURITY_COUNTER:
        package = ctx.package_security_counter if ctx.package_security_counter is not None else "lower"
        return f"package counter {package}, device requires at least {detail}", (
            "pack it again with --security-counter at least the device's; the counter never goes back"
        )
    if status == S.SELF_TEST_FAILED:
        return f"test vector {detail}; the previous model was restored", (
            "the compiled model disagrees with the reference: report it with the package"
        )
    if status == S.UNKNOWN_MODEL:
        return None, "relomodel list --port PORT shows the installed models"
    if status == S.NO_BACKUP:
        return None, "a model has a previous version once a newer one was installed over it"
    if status == S.NO_FREE_SLOT:
        return f"all {detail} slots hold active models", "remove one with: relomodel erase NAME --port PORT"
    if status == S.OUT_OF_ORDER:
        return f"device expects offset {detail}", None
    if status == S.OUT_OF_BOUNDS:
        return f"at offset {detail}", None
    if status == S.INCOMPLETE:
        return f"device has {detail} bytes", "push the package again"
    if status == S.FLASH_ERROR:
        return f"at flash offset 0x{detail:x}", "the flash may be worn or locked; retry, then check the board"
    if status == S.DIGEST_MISMATCH:
        kinds = ctx.package_segment_kinds
        which = f"{spec.SEGMENT.message_of(kinds[detail])} segment" if detail < len(kinds) else "segment"
        return f"{which}, #{detail}", "push again; if it repeats, re-pack the model"
    if status == S.BAD_RELOCATION:
        return f"relocation entry {detail}", None
    if status in (S.LOAD_FAILED, S.MODEL_FAILED):
        return f"model returned {_signed(detail)}", None
    if status == S.NO_MODEL:
        return None, "install one with: relomodel push MODEL.rmod --port PORT"
    if status == S.BAD_TENSOR:
        return f"tensor {detail}", None
    if status == S.UNKNOWN_COMMAND:
        return f"command 0x{detail:02x}" if detail else None, "the firmware may be older than this relomodel"
    if status == S.BAD_LENGTH:
        return f"expected {detail} bytes" if detail else None, None
    if status == S.NO_INSTALL:
        return None, "the device may have restarted; push again"
    if status == S.BAD_SIGNATURE:
        return None, "the package was modified after signing, or signed with another key"
    return (f"detail {detail}" if detail else None), None


def _signed(value: int) -> int:
    return value - (1 << 32) if value & 0x80000000 else value


def device_error(status: int, detail: int = 0, context: ErrorContext | None = None) -> DeviceError:
    """A DeviceError whose message names the operation, the problem and the specifics."""
    ctx = context or ErrorContext()
    name = spec.STATUS.name_of(status)
    base = spec.STATUS.message_of(status)
    extra, hint = _specific(status, detail, ctx)
    message = f"{ctx.operation}: {base}" if ctx.operation else base
    if extra:
        message += f" ({extra})"
    error = DeviceError(status, name, message, detail)
    error.hint = hint
    return error


def check_response(request: Packet, response: Packet, context: ErrorContext | None = None) -> Packet:
    """Raise ProtocolError if `response` does not answer `request`, DeviceError if it is not OK."""
    expected = request.cmd | spec.RESPONSE_BIT
    if response.cmd != expected or response.seq != request.seq:
        raise ProtocolError(
            f"expected {cmd_name(expected)} seq {request.seq}, got {cmd_name(response.cmd)} seq {response.seq}"
        )
    if response.status != spec.STATUS.OK:
        detail = 0
        if len(response.payload) >= spec.ERROR_DETAIL.size:
            detail = spec.ERROR_DETAIL.unpack(response.payload)["detail"]
        raise device_error(response.status, detail, context)
    return response
