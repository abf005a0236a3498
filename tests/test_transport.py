"""Host side of the UART link: frames, packets, error messages, the serial port, Device.

Device is exercised against `ProtocolPeer`, a small device-side implementation of the
protocol (our spec, written from it) behind a real loopback TCP socket; it can drop or
damage responses to test the retry rules. The end-to-end tests against the real firmware
on QEMU live elsewhere.
"""

from __future__ import annotations

import io
import socket
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relomodel.errors import DeviceError, PackageError, RelomodelError, TransportError
from relomodel.format import spec
from relomodel.transport import frame, protocol
from relomodel.transport.device import Device, _chunk_end, tensor_bytes
from relomodel.transport.protocol import ErrorContext, Packet
from relomodel.transport.serial_port import open_port

# ---------------------------------------------------------------------------------------
# frame.py


@pytest.mark.parametrize(
    "raw, encoded",
    [
        (b"", b"\x01"),
        (b"\x00", b"\x01\x01"),
        (b"\x00\x00", b"\x01\x01\x01"),
        (b"\x11\x22\x00\x33", b"\x03\x11\x22\x02\x33"),
        (b"\x11\x22\x33\x44", b"\x05\x11\x22\x33\x44"),
        (b"\x11\x00\x00\x00", b"\x02\x11\x01\x01\x01"),
        (bytes(range(1, 255)), b"\xff" + bytes(range(1, 255))),
        (bytes(range(0, 255)), b"\x01\xff" + bytes(range(1, 255))),
        (bytes(range(1, 256)), b"\xff" + bytes(range(1, 255)) + b"\x02\xff"),
        (bytes(range(2, 256)) + b"\x00", b"\xff" + bytes(range(2, 256)) + b"\x01\x01"),
    ],
)
def test_cobs_known_vectors(raw, encoded):
    assert frame.cobs_encode(raw) == encoded
    assert frame.cobs_decode(encoded) == raw


def test_crc32_is_ieee_802_3():
    assert frame.crc32(b"123456789") == 0xCBF43926


@given(st.binary(max_size=3000))
def test_cobs_round_trip_has_no_zero(data):
    encoded = frame.cobs_encode(data)
    assert 0 not in encoded
    assert len(encoded) <= frame.max_encoded_size(len(data)) - frame.CRC_SIZE
    assert frame.cobs_decode(encoded) == data


@given(st.binary(min_size=1, max_size=600))
def test_frame_round_trip(packet):
    wire = frame.encode_frame(packet)
    assert wire.endswith(b"\x00") and 0 not in wire[:-1]
    assert frame.decode_frame(wire[:-1]) == packet


@settings(max_examples=300)
@given(st.binary(min_size=1, max_size=300), st.data())
def test_any_corrupted_byte_is_reported_not_delivered(packet, data):
    body = bytearray(frame.encode_frame(packet)[:-1])
    position = data.draw(st.integers(0, len(body) - 1))
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != body[position]))
    body[position] = replacement
    decoder = frame.FrameDecoder()
    results = decoder.feed(bytes(body) + b"\x00")
    assert results, "the corruption must be reported"
    assert all(r.packet is None and r.error for r in results)


def test_cobs_decode_rejects_block_past_end():
    with pytest.raises(frame.FrameError, match="past the end"):
        frame.cobs_decode(b"\x05\x11\x22")


def test_decode_frame_rejects_bad_crc():
    body = bytearray(frame.encode_frame(b"\x01\x02\x03\x04")[:-1])
    body[2] ^= 0x40
    with pytest.raises(frame.FrameError, match="CRC"):
        frame.decode_frame(bytes(body))


def test_decoder_resynchronises_after_garbage_and_partial_frames():
    first, second = b"\x01\x07\x00\x00hello", b"\x81\x07\x00\x00world"
    stream = b"\x13\x37\xff\x00" + frame.encode_frame(first) + frame.encode_frame(second)[:5] + b"\x00" + frame.encode_frame(second)
    results = frame.FrameDecoder().feed(stream)
    assert [r.packet for r in results if r.packet] == [first, second]
    assert len([r for r in results if r.error]) == 2  # the garbage and the cut frame


def test_decoder_handles_one_byte_at_a_time_and_skips_empty_frames():
    packets = [bytes([i]) * (i * 97 % 700 + 1) for i in range(1, 8)]
    stream = b"\x00\x00" + b"".join(frame.encode_frame(p) + b"\x00" for p in packets)
    decoder = frame.FrameDecoder()
    got = [r.packet for byte in stream for r in decoder.feed(bytes([byte]))]
    assert got == packets


def test_decoder_drops_overlong_frame_and_recovers():
    decoder = frame.FrameDecoder(max_packet_size=32)
    results = decoder.feed(b"\x01" * 500 + b"\x00" + frame.encode_frame(b"\x02\x03\x00\x00"))
    assert "longer than" in results[0].error
    assert results[1].packet == b"\x02\x03\x00\x00"


# ---------------------------------------------------------------------------------------
# protocol.py


def test_packet_layout_follows_spec():
    packet = Packet(spec.CMD.INSTALL_DATA, 0x42, payload=protocol.install_data_payload(0x1234, b"abc"))
    raw = protocol.encode_packet(packet)
    assert raw[:4] == bytes([spec.CMD.INSTALL_DATA, 0x42, 0, 0])
    assert raw[4:8] == (0x1234).to_bytes(4, "little") and raw[8:] == b"abc"
    assert protocol.parse_packet(raw) == packet


def test_tensor_io_payloads_follow_spec():
    write = protocol.tensor_write_payload(2, 16, b"\x01\x02")
    assert spec.TENSOR_IO_HEADER.unpack(write) == {"index": 2, "model": 0, "reserved": bytes(2), "offset": 16, "length": 2}
    assert write[spec.TENSOR_IO_HEADER.size :] == b"\x01\x02"
    read = protocol.tensor_read_payload(1, 4, 100)
    assert len(read) == spec.TENSOR_IO_HEADER.size
    assert spec.TENSOR_IO_HEADER.unpack(read)["length"] == 100


def test_payload_larger_than_max_is_refused():
    with pytest.raises(ValueError, match="MAX_PAYLOAD"):
        protocol.encode_packet(Packet(spec.CMD.TENSOR_WRITE, 1, payload=bytes(spec.MAX_PAYLOAD + 1)))


def test_short_packet_is_a_protocol_error():
    with pytest.raises(protocol.ProtocolError, match="shorter"):
        protocol.parse_packet(b"\x81\x00")


def hello_payload(**overrides) -> bytes:
    values = dict(
        protocol_version=spec.PROTOCOL_VERSION,
        max_payload=spec.MAX_PAYLOAD,
        firmware_version=spec.encode_version("0.3.1"),
        board=b"qemu-m4",
        cpu=spec.CPU.CORTEX_M4,
        fpu=spec.FPU.FPV4_SP_D16,
        abi=spec.FLOAT_ABI.HARD,
        slot_count=2,
        slot_size=1 << 20,
        model_ram_size=3 << 20,
        flash_sector_size=128 * 1024,
        flash_write_size=32,
        key_id=bytes.fromhex("0102030405060708"),
        active_slot=0xFF,
        counter_unit=spec.COUNTER_UNIT.INSTRUCTIONS,
        last_event=spec.EVENT.NONE,
        event_detail=0,
        security_counter=0,
        format_version=spec.FORMAT_VERSION,
    )
    values.update(overrides)
    return spec.HELLO_RESPONSE.pack(**values)


def test_parse_hello():
    info = protocol.parse_hello(hello_payload())
    assert info["board"] == "qemu-m4" and info["firmware_version"] == "0.3.1"
    assert info["cpu"] == spec.CPU.CORTEX_M4 and info["active_slot"] is None
    assert info["key_id"] == "0102030405060708" and info["flash_write_size"] == 32


def test_parse_hello_rejects_short_payload():
    with pytest.raises(protocol.ProtocolError, match="HELLO response has 10 bytes"):
        protocol.parse_hello(bytes(10))


def tensor_desc(name: str, dtype: int, shape: tuple[int, ...], offset: int) -> bytes:
    dims = b"".join(d.to_bytes(4, "little") for d in shape).ljust(4 * spec.MAX_RANK, b"\0")
    size = int(np.prod(shape)) * spec.DTYPE_SIZE[dtype]
    return spec.TENSOR_DESC.pack(
        name=name, dtype=dtype, rank=len(shape), flags=0, dims=dims, arena_offset=offset, size_bytes=size, scale=0.5, zero_point=-3
    )


def manifest_bytes(inputs: list[bytes], outputs: list[bytes], cpu: int = spec.CPU.CORTEX_M4) -> bytes:
    manifest = spec.MANIFEST.pack(
        name="tiny",
        version=spec.encode_version("1.2.3"),
        security_counter=0,
        target_cpu=cpu,
        target_fpu=spec.FPU.FPV4_SP_D16,
        target_abi=spec.FLOAT_ABI.HARD,
        tensor_desc_size=spec.TENSOR_DESC.size,
        input_count=len(inputs),
        output_count=len(outputs),
        entry_init=1,
        entry_run=5,
        entry_reset=0,
        got_offset=0,
        ram_data_size=64,
        ram_bss_size=0,
        arena_size=256,
        arena_align=16,
        stack_size=0,
        packer_version=0,
        flags=0,
        macs=1000,
        source_sha256=bytes(32),
    )
    return manifest + b"".join(inputs) + b"".join(outputs)


def test_parse_model_info():
    descs = manifest_bytes([tensor_desc("x", spec.DTYPE.INT8, (1, 3), 0)], [tensor_desc("y", spec.DTYPE.FLOAT32, (2,), 16)])
    head = spec.MODEL_INFO_RESPONSE.pack(slot=1, package_size=4096, signed_sha256=bytes(range(32)))
    info = protocol.parse_model_info(head + descs)
    assert info["name"] == "tiny" and info["version"] == "1.2.3" and info["slot"] == 1
    assert info["inputs"][0]["shape"] == (1, 3) and info["inputs"][0]["zero_point"] == -3
    assert info["outputs"][0]["dtype"] == spec.DTYPE.FLOAT32 and info["outputs"][0]["size_bytes"] == 8


def test_parse_model_info_rejects_missing_descriptors():
    descs = manifest_bytes([tensor_desc("x", spec.DTYPE.INT8, (4,), 0)], [])
    head = spec.MODEL_INFO_RESPONSE.pack(slot=0, package_size=1, signed_sha256=bytes(32))
    with pytest.raises(protocol.ProtocolError, match="missing tensor descriptors"):
        protocol.parse_model_info(head + descs[:-10])


def test_check_response_matches_cmd_and_seq():
    request = Packet(spec.CMD.HELLO, 9)
    good = Packet(spec.CMD.HELLO | spec.RESPONSE_BIT, 9, payload=b"x")
    assert protocol.check_response(request, good) is good
    with pytest.raises(protocol.ProtocolError, match="seq 9"):
        protocol.check_response(request, Packet(spec.CMD.HELLO | spec.RESPONSE_BIT, 8))
    with pytest.raises(protocol.ProtocolError, match="MODEL_INFO response"):
        protocol.check_response(request, Packet(spec.CMD.MODEL_INFO | spec.RESPONSE_BIT, 9))


@pytest.mark.parametrize("code", [c for c in spec.STATUS.codes if c.value != spec.STATUS.OK], ids=lambda c: c.name)
def test_every_status_becomes_a_specific_device_error(code):
    request = Packet(spec.CMD.INSTALL_BEGIN, 3)
    response = Packet(request.cmd | spec.RESPONSE_BIT, 3, code.value, payload=spec.ERROR_DETAIL.pack(detail=7))
    with pytest.raises(DeviceError) as caught:
        protocol.check_response(request, response, ErrorContext(operation="install refused"))
    error = caught.value
    assert (error.status, error.name, error.detail) == (code.value, code.name, 7)
    assert str(error).startswith(f"install refused: {code.message}")
    assert "\n" not in str(error)


def test_wrong_cpu_names_both_cpus():
    context = ErrorContext(operation="install refused", package_cpu=spec.CPU.CORTEX_M7, hello=protocol.parse_hello(hello_payload()))
    error = protocol.device_error(spec.STATUS.WRONG_CPU, spec.CPU.CORTEX_M4, context)
    assert "package needs Cortex-M7, board has Cortex-M4" in str(error)
    assert "--target" in error.hint


def test_wrong_cpu_without_hello_uses_detail():
    error = protocol.device_error(spec.STATUS.WRONG_CPU, spec.CPU.CORTEX_M33, ErrorContext(package_cpu=spec.CPU.CORTEX_M4))
    assert "package needs Cortex-M4, board has Cortex-M33" in str(error)


def test_out_of_order_carries_expected_offset():
    error = protocol.device_error(spec.STATUS.OUT_OF_ORDER, 4096)
    assert "expects offset 4096" in str(error) and error.detail == 4096


def test_unknown_key_names_both_key_ids():
    context = ErrorContext(package_key_id="aaaaaaaaaaaaaaaa", hello=protocol.parse_hello(hello_payload()))
    error = protocol.device_error(spec.STATUS.UNKNOWN_KEY, 0, context)
    assert "aaaaaaaaaaaaaaaa" in str(error) and "0102030405060708" in str(error)


def test_unknown_status_code_still_readable():
    error = protocol.device_error(200, 0)
    assert error.name == "UNKNOWN_200" and "unknown status code 200" in str(error)


def test_trace_line_names_command_and_seq():
    raw = protocol.encode_packet(Packet(spec.CMD.INVOKE | spec.RESPONSE_BIT, 5, spec.STATUS.NO_MODEL, payload=b"\x01\x00\x00\x00"))
    line = protocol.trace_line("<-", raw, 1.5)
    assert "<- INVOKE response seq=5 status=NO_MODEL len=4 01000000" in line


# ---------------------------------------------------------------------------------------
# serial_port.py (real loopback sockets)


@pytest.fixture
def echo_server():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve():
        connection, _ = server.accept()
        with connection:
            while data := connection.recv(4096):
                connection.sendall(data[::-1])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"socket://127.0.0.1:{port}"
    server.close()
    thread.join(timeout=2)


def test_open_socket_url_and_exchange_bytes(echo_server):
    with open_port(echo_server) as link:
        link.write(b"abc")
        received = b""
        for _ in range(40):
            received += link.read()
            if len(received) >= 3:
                break
        assert received == b"cba"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_refused_connection_is_one_clear_error():
    url = f"socket://127.0.0.1:{closed_port()}"
    with pytest.raises(TransportError) as caught:
        open_port(url)
    assert str(caught.value) == f"cannot connect to {url}: connection refused"
    assert "relomodel emulate" in caught.value.hint


def test_missing_device_path_is_one_clear_error(tmp_path):
    path = str(tmp_path / "ttyACM9")
    with pytest.raises(TransportError) as caught:
        open_port(path)
    assert str(caught.value) == f"cannot open {path}: no such device"
    assert "cable" in caught.value.hint


def test_peer_closing_the_connection_is_a_transport_error():
    server = socket.create_server(("127.0.0.1", 0))
    url = f"socket://127.0.0.1:{server.getsockname()[1]}"
    link = open_port(url)
    connection, _ = server.accept()
    connection.close()
    server.close()
    with pytest.raises(TransportError, match="lost connection"):
        for _ in range(100):
            link.read()
    link.close()


# ---------------------------------------------------------------------------------------
# device.py against a protocol peer over TCP


class ProtocolPeer:
    """Device side of the protocol, per docs/protocol.md, with an in-memory "slot".

    `drop` / `damage`: sets of (cmd, occurrence) whose response is withheld / corrupted,
    to exercise the host's retries; duplicates are answered from the cache.
    """

    def __init__(self, hello: bytes, drop=(), damage=(), busy=(), max_payload=spec.MAX_PAYLOAD):
        self.hello = hello
        self.drop, self.damage, self.busy = set(drop), set(damage), set(busy)
        self.max_payload = max_payload
        self.executed: list[int] = []  # cmds actually executed (duplicates excluded)
        self.seen: dict[int, int] = {}
        self.slot = bytearray()
        self.expected = 0
        self.package: bytes | None = None
        self.inputs: dict[int, bytearray] = {}
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"socket://127.0.0.1:{self.server.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        connection, _ = self.server.accept()
        decoder = frame.FrameDecoder()
        last: tuple[int, int, bytes] | None = None
        with connection:
            while data := connection.recv(4096):
                for received in decoder.feed(data):
                    if received.packet is None:
                        continue
                    request = protocol.parse_packet(received.packet)
                    occurrence = self.seen.get(request.cmd, 0)
                    if last and (request.cmd, request.seq) == last[:2]:
                        response = last[2]
                    elif (request.cmd, occurrence) in self.busy:
                        busy = Packet(request.cmd | spec.RESPONSE_BIT, request.seq, spec.STATUS.BUSY, payload=bytes(4))
                        response = protocol.encode_packet(busy)
                        last = (request.cmd, request.seq, response)
                    else:
                        response = protocol.encode_packet(self._execute(request))
                        last = (request.cmd, request.seq, response)
                    self.seen[request.cmd] = occurrence + 1
                    wire = frame.encode_frame(response)
                    if (request.cmd, occurrence) in self.drop:
                        continue
                    if (request.cmd, occurrence) in self.damage:
                        wire = wire[:3] + bytes([wire[3] ^ 0x5A or 1]) + wire[4:]
                    connection.sendall(wire)

    def _execute(self, request: Packet) -> Packet:
        self.executed.append(request.cmd)
        status, payload = self._handle(request.cmd, request.payload)
        if status != spec.STATUS.OK:
            payload = spec.ERROR_DETAIL.pack(detail=payload)
        return Packet(request.cmd | spec.RESPONSE_BIT, request.seq, status, payload=payload)

    def _handle(self, cmd: int, payload: bytes):
        S = spec.STATUS
        if cmd == spec.CMD.HELLO:
            return S.OK, self.hello
        if cmd == spec.CMD.INSTALL_BEGIN:
            header = spec.PACKAGE_HEADER.unpack(payload)
            manifest = spec.MANIFEST.unpack(payload, header["manifest_offset"])
            if manifest["target_cpu"] != spec.CPU.CORTEX_M4:
                return S.WRONG_CPU, spec.CPU.CORTEX_M4
            self.slot = bytearray(header["package_size"])
            self.slot[: len(payload)] = payload
            self.expected = len(payload)
            return S.OK, spec.INSTALL_BEGIN_RESPONSE.pack(slot=0, next_offset=self.expected)
        if cmd == spec.CMD.INSTALL_DATA:
            offset = spec.INSTALL_DATA_HEADER.unpack(payload)["offset"]
            data = payload[spec.INSTALL_DATA_HEADER.size :]
            if offset != self.expected:
                return S.OUT_OF_ORDER, self.expected
            self.slot[offset : offset + len(data)] = data
            self.expected += len(data)
            return S.OK, b""
        if cmd == spec.CMD.INSTALL_END:
            if self.expected != len(self.slot):
                return S.INCOMPLETE, self.expected
            self.package = bytes(self.slot)
            return S.OK, b""
        if cmd == spec.CMD.INSTALL_ABORT:
            return S.OK, b""
        if cmd == spec.CMD.MODEL_INFO:
            if self.package is None:
                return S.NO_MODEL, 0
            header = spec.PACKAGE_HEADER.unpack(self.package)
            head = spec.MODEL_INFO_RESPONSE.pack(slot=0, package_size=len(self.package), signed_sha256=bytes(32))
            start = header["manifest_offset"]
            return S.OK, head + self.package[start : start + header["manifest_size"]]
        if cmd == spec.CMD.TENSOR_WRITE:
            io_header = spec.TENSOR_IO_HEADER.unpack(payload)
            buffer = self.inputs.setdefault(io_header["index"], bytearray())
            data = payload[spec.TENSOR_IO_HEADER.size :]
            buffer[io_header["offset"] : io_header["offset"] + len(data)] = data
            return S.OK, b""
        if cmd == spec.CMD.INVOKE:
            return S.OK, spec.INVOKE_RESPONSE.pack(model_status=0, counter_unit=spec.COUNTER_UNIT.INSTRUCTIONS, count=12345)
        if cmd == spec.CMD.TENSOR_READ:
            io_header = spec.TENSOR_IO_HEADER.unpack(payload)
            # The "model" doubles input 0 (int8) into output 0 (int16), so reads are checkable.
            doubled = (np.frombuffer(bytes(self.inputs[0]), np.int8).astype("<i2") * 2).tobytes()
            return S.OK, doubled[io_header["offset"] : io_header["offset"] + io_header["length"]]
        return S.UNKNOWN_COMMAND, cmd

    def close(self) -> None:
        self.server.close()


def make_package(size: int, cpu: int = spec.CPU.CORTEX_M4, input_shape=(2, 600)) -> bytes:
    """A package-shaped byte string: real header, manifest and signature block placement."""
    descs = manifest_bytes([tensor_desc("x", spec.DTYPE.INT8, input_shape, 0)], [tensor_desc("y", spec.DTYPE.INT16, input_shape, 0)], cpu)
    manifest_offset = spec.PACKAGE_HEADER.size
    signature_offset = manifest_offset + len(descs)
    header = spec.PACKAGE_HEADER.pack(
        magic=spec.PACKAGE_MAGIC,
        format_version=spec.FORMAT_VERSION,
        header_size=spec.PACKAGE_HEADER.size,
        package_size=size,
        signed_size=signature_offset,
        manifest_offset=manifest_offset,
        manifest_size=len(descs),
        segtab_offset=signature_offset,
        segment_count=0,
        segment_entry_size=spec.SEGMENT_ENTRY.size,
        signature_offset=signature_offset,
        signature_size=spec.SIGNATURE_BLOCK.size,
        signature_alg=spec.SIG_ALG.ED25519,
        flags=0,
    )
    signature = spec.SIGNATURE_BLOCK.pack(key_id=b"\xaa" * 8, signature=bytes(64))
    head = header + descs + signature
    body = bytes((i * 7 + 3) & 0xFF for i in range(size - len(head)))
    return head + body


@pytest.fixture
def peer_factory():
    peers = []

    def make(**options):
        peer = ProtocolPeer(hello_payload(**options.pop("hello", {})), **options)
        peers.append(peer)
        return peer

    yield make
    for peer in peers:
        peer.close()


def test_install_then_run_round_trip(peer_factory):
    peer = peer_factory()
    package = make_package(9000)
    progress = []
    with Device.open(peer.url) as device:
        assert device.hello()["board"] == "qemu-m4"
        model = device.install(package, progress=lambda done, total: progress.append((done, total)))
        assert model["name"] == "tiny" and model["version"] == "1.2.3"
        x = (np.arange(1200, dtype=np.int8) - 60).reshape(2, 600)
        outputs, count = device.run([x])
    assert peer.package == package
    assert progress[-1] == (9000, 9000) and all(a[0] < b[0] for a, b in zip(progress, progress[1:]))
    assert count == 12345
    np.testing.assert_array_equal(outputs[0], x.astype(np.int16) * 2)
    assert outputs[0].shape == (2, 600) and outputs[0].dtype == np.int16


def test_data_chunks_end_on_flash_write_units(peer_factory):
    assert _chunk_end(1872, 100000, 2044, 32) == 3904  # 1872 + 2044 = 3916, rounded to 32
    assert _chunk_end(3904, 4000, 2044, 32) == 4000  # the last chunk takes the rest
    assert _chunk_end(0, 100000, 20, 32) == 20  # smaller than a unit: no rounding


def test_lost_and_damaged_responses_are_retried_without_executing_twice(peer_factory):
    drop = {(spec.CMD.INSTALL_DATA, 1), (spec.CMD.INVOKE, 0)}
    damage = {(spec.CMD.INSTALL_DATA, 3), (spec.CMD.HELLO, 0)}
    peer = peer_factory(drop=drop, damage=damage)
    package = make_package(9000)
    with Device.open(peer.url, timeout=0.3, data_timeout=0.3, slow_timeout=0.3) as device:
        device.install(package)
        device.run([np.zeros((2, 600), np.int8)])
    assert peer.package == package
    assert peer.executed.count(spec.CMD.INVOKE) == 1
    assert peer.executed.count(spec.CMD.INSTALL_DATA) == peer.seen[spec.CMD.INSTALL_DATA] - 2


def test_busy_is_asked_again_with_a_new_seq(peer_factory):
    peer = peer_factory(busy={(spec.CMD.HELLO, 0)})
    log = io.StringIO()
    with Device.open(peer.url, trace=log) as device:
        assert device.hello()["board"] == "qemu-m4"
    seqs = [line.split("seq=")[1].split()[0] for line in log.getvalue().splitlines() if "-> HELLO" in line]
    assert len(seqs) == 2 and seqs[0] != seqs[1]
    assert peer.executed.count(spec.CMD.HELLO) == 1


def test_silent_device_times_out_with_clear_error(peer_factory):
    peer = peer_factory(drop={(spec.CMD.HELLO, i) for i in range(10)})
    with Device.open(peer.url, timeout=0.1, retries=2) as device:
        with pytest.raises(TransportError) as caught:
            device.hello()
    assert "no answer from" in str(caught.value) and "HELLO" in str(caught.value) and "3 attempts" in str(caught.value)
    assert peer.executed.count(spec.CMD.HELLO) == 1  # the resends were recognised as duplicates


def test_wrong_cpu_refusal_names_both_cpus(peer_factory):
    peer = peer_factory()
    with Device.open(peer.url) as device:
        with pytest.raises(DeviceError) as caught:
            device.install(make_package(5000, cpu=spec.CPU.CORTEX_M7))
    assert caught.value.name == "WRONG_CPU"
    assert str(caught.value) == (
        "install refused: package was built for a different CPU (package needs Cortex-M7, board has Cortex-M4)"
    )


def test_protocol_version_mismatch_is_refused(peer_factory):
    peer = peer_factory(hello={"protocol_version": 9})
    with Device.open(peer.url) as device:
        with pytest.raises(protocol.ProtocolError, match="speaks protocol version 9"):
            device.hello()


def test_no_model_is_a_device_error_with_hint(peer_factory):
    peer = peer_factory()
    with Device.open(peer.url) as device:
        with pytest.raises(DeviceError) as caught:
            device.model_info()
    assert caught.value.name == "NO_MODEL" and "relomodel push" in caught.value.hint


def test_trace_logs_every_frame(peer_factory):
    peer = peer_factory()
    log = io.StringIO()
    with Device.open(peer.url, trace=log) as device:
        device.hello()
    lines = log.getvalue().splitlines()
    assert "-> HELLO seq=" in lines[0] and "<- HELLO response seq=" in lines[1]


def test_truncated_package_is_refused_before_sending():
    package = make_package(3000)
    with pytest.raises(PackageError, match="header says 3000 bytes, file has 2999"):
        from relomodel.transport.device import _install_plan

        _install_plan(package[:-1])


def test_tensor_bytes_checks_dtype_and_shape():
    desc = protocol.parse_tensor_desc(tensor_desc("in", spec.DTYPE.INT8, (1, 4), 0), 0)
    assert tensor_bytes(np.array([[1, -2, 3, 4]], np.int8), desc, 0) == b"\x01\xfe\x03\x04"
    with pytest.raises(RelomodelError, match=r"input 0 \('in'\) must be int8 \[1, 4\], got float32 \[1, 4\]"):
        tensor_bytes(np.zeros((1, 4), np.float32), desc, 0)
    with pytest.raises(RelomodelError, match=r"must have shape \[1, 4\], got \[4\]"):
        tensor_bytes(np.zeros(4, np.int8), desc, 0)

