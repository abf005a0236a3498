"""Operations on a connected device: identify, install a package, run inferences.

Stop-and-wait: one request, then its response (same seq, cmd | RESPONSE_BIT). A request
that gets no answer, or whose answer arrives corrupt, is sent again unchanged (same seq);
the device answers a duplicate of its last request by replaying its last response without
acting again (docs/protocol.md), so a retry never installs or runs anything twice.
"""

from __future__ import annotations

import random
import time
from typing import Callable, Protocol, TextIO

import numpy as np

from relomodel.errors import DeviceError, PackageError, RelomodelError, TransportError
from relomodel.format import package as pkgformat
from relomodel.format import spec
from relomodel.transport import frame, protocol
from relomodel.transport.protocol import ErrorContext, Packet

# numpy dtype of each wire dtype; the wire is little-endian.
NUMPY_DTYPES = {
    spec.DTYPE.FLOAT32: np.dtype("<f4"),
    spec.DTYPE.INT8: np.dtype("i1"),
    spec.DTYPE.UINT8: np.dtype("u1"),
    spec.DTYPE.INT16: np.dtype("<i2"),
    spec.DTYPE.INT32: np.dtype("<i4"),
}

DEFAULT_TIMEOUT = 2.0  # seconds for an ordinary request
SLOW_TIMEOUT = 60.0  # erasing a slot, verifying a package, running a model on the emulator
DATA_TIMEOUT = 5.0  # a data chunk may wait for a sector erase (STM32H7: up to 4 s per 128 KB)
DEFAULT_RETRIES = 3
_MAX_RESYNCS = 8  # OUT_OF_ORDER corrections accepted during one install

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


class Link(Protocol):
    """What Device needs from a port (serial_port.SerialLink is one)."""

    name: str

    def write(self, data: bytes) -> None: ...

    def read(self) -> bytes: ...

    def close(self) -> None: ...


class Device:
    def __init__(
        self,
        link: Link,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        data_timeout: float = DATA_TIMEOUT,
        slow_timeout: float = SLOW_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        trace: TextIO | None = None,
    ):
        self.link = link
        self.timeout = timeout
        self.data_timeout = data_timeout
        self.slow_timeout = slow_timeout
        self.retries = retries
        self._trace_to = trace
        self._decoder = frame.FrameDecoder()
        # A random first seq makes it unlikely that a new session's first request looks
        # like a duplicate of the previous session's last one.
        self._seq = random.randrange(256)
        self._started = time.monotonic()
        self._hello: dict | None = None
        self._model_info: dict | None = None
        self.resumed_from = 0  # package offset the last install() continued from (0: from the start)
        self._selector = spec.MODEL_SELECTOR_DEFAULT  # which installed model requests use (select())
        # A lone delimiter ends any partial frame the device holds from an earlier session.
        self.link.write(frame.DELIMITER)

    @classmethod
    def open(cls, port: str, *, baud: int = 115200, trace: TextIO | None = None, **options) -> Device:
        from relomodel.transport.serial_port import open_port

        return cls(open_port(port, baud), trace=trace, **options)

    def close(self) -> None:
        self.link.close()

    def __enter__(self) -> Device:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- requests -------------------------------------------------------------------

    def request(
        self,
        cmd: int,
        payload: bytes = b"",
        *,
        timeout: float | None = None,
        retries: int | None = None,
        context: ErrorContext | None = None,
    ) -> Packet:
        """Send one request and return its OK response; retry on silence or corruption."""
        timeout = timeout or self.timeout
        attempts = 1 + (self.retries if retries is None else retries)
        context = context or ErrorContext(operation=protocol.cmd_name(cmd))
        packet = self._new_packet(cmd, payload)
        corrupt = 0
        for _attempt in range(attempts):
            packet_bytes = protocol.encode_packet(packet)
            self._trace("->", packet_bytes)
            self.link.write(frame.encode_frame(packet_bytes))
            response, bad_frames = self._await(packet, timeout)
            corrupt += bad_frames
            if response is None or response.status in (spec.STATUS.BAD_CRC, spec.STATUS.BAD_FRAME):
                continue  # resend unchanged: the device replays its answer if it had acted
            if response.status == spec.STATUS.BUSY:
                # A BUSY answer is the device's cached answer to this seq: ask anew, later.
                time.sleep(0.1)
                packet = self._new_packet(cmd, payload)
                continue
            return protocol.check_response(packet, response, context)
        raise self._no_answer(packet, timeout, attempts, corrupt)

    def _new_packet(self, cmd: int, payload: bytes) -> Packet:
        self._seq = (self._seq + 1) & 0xFF
        return Packet(cmd, self._seq, payload=payload)

    def _await(self, request: Packet, timeout: float) -> tuple[Packet | None, int]:
        """The response to `request`, or None after a timeout or a corrupt frame."""
        deadline = time.monotonic() + timeout
        bad_frames = 0
        while time.monotonic() < deadline:
            for received in self._decoder.feed(self.link.read()):
                if received.error:
                    self._trace_bad(received)
                    bad_frames += 1
                    # Most likely our response, damaged: ask again now rather than time out.
                    return None, bad_frames
                self._trace("<-", received.packet)
                response = self._parse(received.packet)
                if response is None:
                    bad_frames += 1
                    return None, bad_frames
                if response.status in (spec.STATUS.BAD_CRC, spec.STATUS.BAD_FRAME):
                    # The device could not read our frame, so it may not know its seq.
                    return response, bad_frames
                if response.seq == request.seq and response.cmd == request.cmd | spec.RESPONSE_BIT:
                    return response, bad_frames
                # Anything else is a late answer to an earlier attempt: drop it.
        return None, bad_frames

    def _parse(self, packet_bytes: bytes) -> Packet | None:
        try:
            return protocol.parse_packet(packet_bytes)
        except protocol.ProtocolError:
            return None

    def _no_answer(self, packet: Packet, timeout: float, attempts: int, corrupt: int) -> TransportError:
        what = f"{protocol.cmd_name(packet.cmd)} (seq {packet.seq})"
        if corrupt:
            return TransportError(
                f"no valid answer from {self.link.name} to {what}: {corrupt} corrupt frame(s) in {attempts} attempts",
                hint="check the baud rate and the cable; --trace shows every frame",
            )
        return TransportError(
            f"no answer from {self.link.name} to {what} after {attempts} attempts of {timeout:g} s",
            hint="is the relomodel firmware running on the board? reset it; for the emulator, is `relomodel emulate` still running?",
        )

    # -- tracing --------------------------------------------------------------------

    def _trace(self, direction: str, packet_bytes: bytes) -> None:
        if self._trace_to is not None:
            line = protocol.trace_line(direction, packet_bytes, time.monotonic() - self._started)
            print(line, file=self._trace_to, flush=True)

    def _trace_bad(self, received: frame.Received) -> None:
        if self._trace_to is not None:
            elapsed = time.monotonic() - self._started
            print(f"{elapsed:9.3f} <- bad frame: {received.error} raw={received.raw[:64].hex()}", file=self._trace_to, flush=True)

    # -- information ----------------------------------------------------------------

    def hello(self) -> dict:
        response = self.request(spec.CMD.HELLO)
        info = protocol.parse_hello(response.payload)
        if info["protocol_version"] != spec.PROTOCOL_VERSION:
            raise protocol.ProtocolError(
                f"{self.link.name} speaks protocol version {info['protocol_version']}, "
                f"this relomodel speaks {spec.PROTOCOL_VERSION}",
                hint="use a relomodel release that matches the firmware",
            )
        if info["max_payload"] < spec.TENSOR_IO_HEADER.size + 4:
            raise protocol.ProtocolError(f"device max_payload {info['max_payload']} is too small to transfer anything")
        # We never send more than our own receive limit either.
        info["max_payload"] = min(info["max_payload"], spec.MAX_PAYLOAD)
        self._hello = info
        return info

    def _session_hello(self) -> dict:
        return self._hello if self._hello is not None else self.hello()

    def model_info(self) -> dict:
        """The selected model (the default one unless select() chose another)."""
        self._model_info = self._describe(self._selector)
        return self._model_info

    def _describe(self, selector: int) -> dict:
        response = self.request(spec.CMD.MODEL_INFO, protocol.model_selector_payload(selector))
        return protocol.parse_model_info(response.payload)

    # -- several named models ----------------------------------------------------------

    def list_models(self) -> dict:
        """LIST: slot count, default slot, and every slot in use (name, version, role, ...)."""
        return protocol.parse_list(self.request(spec.CMD.LIST).payload)

    def select(self, name: str | None) -> None:
        """Make later requests (model_info, run, ...) use the installed model `name`; None:
        the device's default model."""
        self._model_info = None
        if name is None:
            self._selector = spec.MODEL_SELECTOR_DEFAULT
            return
        models = self.list_models()["models"]
        for model in models:
            if model["name"] == name and model["role"] == "active":
                self._selector = model["slot"] + 1
                return
        names = sorted({m["name"] for m in models if m["role"] == "active"})
        raise RelomodelError(
            f"no model named {name!r} on {self.link.name} (installed: {', '.join(names) or 'none'})",
            hint="relomodel list --port PORT shows the installed models",
        )

    def activate(self, name: str) -> None:
        """Make `name` the device's default model."""
        self._manage(spec.CMD.ACTIVATE, name, "activate")

    def rollback(self, name: str) -> None:
        """Go back to the previous version of `name` (the current one becomes its backup)."""
        self._manage(spec.CMD.ROLLBACK, name, "rollback")

    def erase(self, name: str) -> None:
        """Remove `name` and its previous version."""
        self._manage(spec.CMD.ERASE, name, "erase")

    def _manage(self, cmd: int, name: str, verb: str) -> None:
        self._model_info = None
        self.request(cmd, protocol.model_name_payload(name), context=ErrorContext(operation=f"{verb} {name!r}"))

    def _current_model(self) -> dict:
        return self._model_info if self._model_info is not None else self.model_info()

    # -- install --------------------------------------------------------------------

    def install(self, package: bytes, progress: Progress | None = None, *, precheck: bool = True) -> dict:
        """Transfer, verify, self-test and activate `package`; returns model_info() of the new model.

        With `precheck`, what HELLO says about the device is checked first, so a package that
        cannot fit or run is refused (with the device's own message) before any data moves;
        the device checks again either way. If the device kept part of an interrupted
        transfer of this very package, it continues from there (`resumed_from`)."""
        head_size, context = _install_plan(package)
        hello = self._session_hello()
        context.hello = hello
        if head_size > hello["max_payload"]:
            raise PackageError(
                f"package head ({head_size} bytes) is larger than the device's packet limit ({hello['max_payload']})"
            )
        self._model_info = None
        context.operation = "install refused"
        if precheck:
            refusal = _precheck(package, hello, context)
            if refusal is not None:
                raise refusal
        begin = protocol.parse_install_begin(
            self.request(spec.CMD.INSTALL_BEGIN, package[:head_size], timeout=self.slow_timeout, context=context).payload
        )
        self.resumed_from = begin["next_offset"] if begin["next_offset"] > head_size else 0
        try:
            context.operation = "install failed"
            self._send_data(package, begin["next_offset"], hello, context, progress)
            context.operation = "install rejected"
            self.request(spec.CMD.INSTALL_END, timeout=self.slow_timeout, context=context)
        except (DeviceError, KeyboardInterrupt):
            self._abort_quietly()
            raise
        return self._describe(begin["slot"] + 1)  # the new model, default or not

    def _send_data(self, package: bytes, offset: int, hello: dict, context: ErrorContext, progress) -> None:
        size = len(package)
        max_data = hello["max_payload"] - spec.INSTALL_DATA_HEADER.size
        write_size = hello["flash_write_size"]
        resyncs = 0
        offset = _checked_offset(offset, size)
        if progress:
            progress(offset, size)
        while offset < size:
            end = _chunk_end(offset, size, max_data, write_size)
            payload = protocol.install_data_payload(offset, package[offset:end])
            try:
                self.request(spec.CMD.INSTALL_DATA, payload, timeout=self.data_timeout, context=context)
            except DeviceError as exc:
                if exc.status != spec.STATUS.OUT_OF_ORDER or resyncs >= _MAX_RESYNCS:
                    raise
                resyncs += 1
                offset = _checked_offset(exc.detail, size)
                continue
            offset = end
            if progress:
                progress(offset, size)

    def _abort_quietly(self) -> None:
        """Tell the device to forget a failed install; the original error is what matters."""
        try:
            self.request(spec.CMD.INSTALL_ABORT, retries=0)
        except RelomodelError:
            pass

    # -- running --------------------------------------------------------------------

    def write_input(self, index: int, data: bytes) -> None:
        chunk_size = self._session_hello()["max_payload"] - spec.TENSOR_IO_HEADER.size
        context = ErrorContext(operation=f"writing input {index}")
        for offset in range(0, len(data), chunk_size):
            payload = protocol.tensor_write_payload(index, offset, data[offset : offset + chunk_size], self._selector)
            self.request(spec.CMD.TENSOR_WRITE, payload, context=context)

    def read_output(self, index: int) -> bytes:
        outputs = self._current_model()["outputs"]
        if not 0 <= index < len(outputs):
            raise RelomodelError(f"output {index} does not exist: the model has {len(outputs)} output(s)")
        size = outputs[index]["size_bytes"]
        chunk_size = self._session_hello()["max_payload"]
        context = ErrorContext(operation=f"reading output {index}")
        data = bytearray()
        while len(data) < size:
            length = min(chunk_size, size - len(data))
            payload = protocol.tensor_read_payload(index, len(data), length, self._selector)
            response = self.request(spec.CMD.TENSOR_READ, payload, context=context)
            if len(response.payload) != length:
                raise protocol.ProtocolError(
                    f"TENSOR_READ of output {index} returned {len(response.payload)} bytes, asked for {length}"
                )
            data += response.payload
        return bytes(data)

    def invoke(self) -> tuple[int, int, int]:
        """One inference: (model_status, counter unit, instructions or cycles)."""
        response = self.request(spec.CMD.INVOKE, protocol.model_selector_payload(self._selector),
                                timeout=self.slow_timeout, context=ErrorContext(operation="inference"))
        result = protocol.parse_invoke(response.payload)
        return result["model_status"], result["counter_unit"], result["count"]

    def reset_state(self) -> None:
        self.request(spec.CMD.RESET_STATE, protocol.model_selector_payload(self._selector),
                     context=ErrorContext(operation="reset state"))

    def run(self, inputs: list[np.ndarray]) -> tuple[list[np.ndarray], int]:
        """Write every input, invoke once, read every output. Returns (outputs, count)."""
        model = self._current_model()
        descs = model["inputs"]
        if len(inputs) != len(descs):
            raise RelomodelError(f"model {model['name']!r} takes {len(descs)} input(s), {len(inputs)} given")
        for index, (array, desc) in enumerate(zip(inputs, descs)):
            self.write_input(index, tensor_bytes(array, desc, index))
        status, _unit, count = self.invoke()
        if status != 0:
            raise protocol.device_error(spec.STATUS.MODEL_FAILED, status & 0xFFFFFFFF, ErrorContext(operation="inference"))
        outputs = [
            np.frombuffer(self.read_output(i), dtype=NUMPY_DTYPES[desc["dtype"]]).reshape(desc["shape"])
            for i, desc in enumerate(model["outputs"])
        ]
        return outputs, count


# -- helpers (pure) ---------------------------------------------------------------------


def _install_plan(package: bytes) -> tuple[int, ErrorContext]:
    """Size of the signed head to send first, and what the package says about itself."""
    if len(package) < spec.PACKAGE_HEADER.size:
        raise PackageError(f"not a relomodel package: {len(package)} bytes is shorter than a package header")
    header = spec.PACKAGE_HEADER.unpack(package)
    if header["magic"] != spec.PACKAGE_MAGIC:
        raise PackageError("not a relomodel package (bad magic)")
    if header["package_size"] != len(package):
        raise PackageError(f"package is truncated or padded: header says {header['package_size']} bytes, file has {len(package)}")
    head_size = header["signature_offset"] + header["signature_size"]
    if not spec.PACKAGE_HEADER.size <= head_size <= len(package):
        raise PackageError(f"package signature block ends at {head_size}, outside the package")
    context = ErrorContext(package_size=len(package))
    manifest_at = header["manifest_offset"]
    if manifest_at + spec.MANIFEST.size <= head_size:
        manifest = spec.MANIFEST.unpack(package, manifest_at)
        context.package_cpu = manifest["target_cpu"]
        context.package_fpu = manifest["target_fpu"]
        context.package_abi = manifest["target_abi"]
        context.package_version = manifest["version"]
        context.package_security_counter = manifest["security_counter"]
    table_at, entry_size = header["segtab_offset"], header["segment_entry_size"]
    for index in range(header["segment_count"]):
        at = table_at + index * entry_size
        if entry_size >= spec.SEGMENT_ENTRY.size and at + spec.SEGMENT_ENTRY.size <= head_size:
            context.package_segment_kinds.append(spec.SEGMENT_ENTRY.unpack(package, at)["kind"])
    if header["signature_size"] >= spec.KEY_ID_LENGTH:
        context.package_key_id = package[header["signature_offset"] : header["signature_offset"] + spec.KEY_ID_LENGTH].hex()
    return head_size, context


def _precheck(package: bytes, hello: dict, context: ErrorContext) -> RelomodelError | None:
    """The device's refusal, predicted from HELLO, or None when nothing rules the package out.

    Only certain refusals: RAM is compared as a lower bound (the device also pays for
    alignment), and the version, which needs the installed model's manifest, is left to it."""
    try:
        parsed = pkgformat.parse_package(package)
    except PackageError:
        return None  # the device names the problem in its own terms (and must refuse it itself)
    m = parsed.manifest
    S = spec.STATUS
    ram = m["ram_data_size"] + m["ram_bss_size"] + m["arena_size"]
    reads = hello.get("format_version", 0)  # 0: firmware too old to say
    checks = [
        (reads != 0 and parsed.header["format_version"] != reads, S.UNSUPPORTED_FORMAT, reads),
        (m["target_cpu"] != hello["cpu"], S.WRONG_CPU, hello["cpu"]),
        (not _fpu_runs_on(m["target_fpu"], hello["fpu"]), S.WRONG_FPU, hello["fpu"]),
        (not _abi_matches(m["target_abi"], hello["abi"]), S.WRONG_ABI, hello["abi"]),
        (len(package) > hello["slot_size"], S.TOO_LARGE, hello["slot_size"]),
        (ram > hello["model_ram_size"], S.NOT_ENOUGH_RAM, hello["model_ram_size"]),
        (parsed.key_id.hex() != hello["key_id"], S.UNKNOWN_KEY, 0),
        (m["security_counter"] < hello.get("security_counter", 0), S.SECURITY_COUNTER, hello.get("security_counter", 0)),
    ]
    for refused, status, detail in checks:
        if refused:
            return protocol.device_error(status, detail, context)
    return None


def _fpu_runs_on(package_fpu: int, board_fpu: int) -> bool:
    """As the firmware's compat.c: code for a smaller FPU of the same family runs on a larger one."""
    return package_fpu in (spec.FPU.NONE, board_fpu) or (
        package_fpu == spec.FPU.FPV5_SP_D16 and board_fpu == spec.FPU.FPV5_D16)


def _abi_matches(package_abi: int, board_abi: int) -> bool:
    """soft and softfp share the calling convention; hard does not."""
    return package_abi == board_abi or spec.FLOAT_ABI.HARD not in (package_abi, board_abi)


def _checked_offset(offset: int, size: int) -> int:
    if not 0 <= offset <= size:
        raise protocol.ProtocolError(f"device asked for package offset {offset}, outside the {size}-byte package")
    return offset


def _chunk_end(offset: int, size: int, max_data: int, write_size: int) -> int:
    """End of the next chunk: as large as allowed, ending on a flash write unit when possible."""
    end = min(size, offset + max_data)
    if end < size and write_size > 0:
        aligned = end - end % write_size
        if aligned > offset:
            end = aligned
    return end


def tensor_bytes(array, desc: dict, index: int) -> bytes:
    """Check `array` against a tensor descriptor and return its little-endian bytes."""
    array = np.asarray(array)
    want = NUMPY_DTYPES.get(desc["dtype"])
    label = f"input {index} ({desc['name']!r})" if desc["name"] else f"input {index}"
    if want is None:
        raise protocol.ProtocolError(f"{label} has unknown dtype code {desc['dtype']}")
    shape = tuple(desc["shape"])
    if array.dtype.kind != want.kind or array.dtype.itemsize != want.itemsize:
        raise RelomodelError(f"{label} must be {want.name} {list(shape)}, got {array.dtype.name} {list(array.shape)}")
    if array.shape != shape:
        raise RelomodelError(f"{label} must have shape {list(shape)}, got {list(array.shape)}")
    data = array.astype(want, copy=False).tobytes()
    if len(data) != desc["size_bytes"]:
        raise protocol.ProtocolError(f"{label}: device expects {desc['size_bytes']} bytes, the shape gives {len(data)}")
    return data

