"""Host side of updates that cannot brick a device: golden test vectors in packages, the
HELLO fields and messages of trial/confirm and anti-rollback, the pre-transfer check, and
resuming a transfer the device kept part of. (On the device: host_firmware/tests/test_trial.c
and tests/e2e/test_safe_update_board.py.)"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from relomodel import keys, packer, reference
from relomodel.errors import DeviceError, PackageError, RelomodelError
from relomodel.format import package as pkg
from relomodel.format import spec
from relomodel.modelgen.mlp import demo_model
from relomodel.transport import protocol
from relomodel.transport.device import Device
from tests.conftest import DEV_KEY
from tests.test_transport import ProtocolPeer, hello_payload, make_package

DEV_KEY_ID = keys.key_id(keys.public_bytes(keys.load_private_key(DEV_KEY)))


def m4_package(*, version="2.0.0", counter=3, vectors=None, model_flags=0, code_size=64, vectors_raw=None) -> bytes:
    manifest = {
        "name": "safe", "version": spec.encode_version(version), "security_counter": counter,
        "target_cpu": spec.CPU.CORTEX_M4, "target_fpu": spec.FPU.FPV4_SP_D16, "target_abi": spec.FLOAT_ABI.HARD,
        "entry_init": 0x1, "entry_run": 0x21, "entry_reset": 0, "got_offset": 0, "ram_data_size": 8,
        "ram_bss_size": 0, "arena_size": 32, "arena_align": 16, "stack_size": 64,
        "packer_version": spec.encode_version("0.1.0"), "flags": model_flags, "macs": 1,
        "source_sha256": hashlib.sha256(b"safe").digest(),
    }
    inputs = [pkg.tensor_desc_values("in", spec.DTYPE.INT8, (1, 4), 0.5, -1, 0, 4)]
    outputs = [pkg.tensor_desc_values("out", spec.DTYPE.INT8, (1, 2), 0.25, 2, 16, 2)]
    segments = [pkg.Segment(spec.SEGMENT.CODE, bytes(i & 0xFF for i in range(code_size))),
                pkg.Segment(spec.SEGMENT.DATA, bytes(8)), pkg.Segment(spec.SEGMENT.RELOC, b"")]
    flags = 0
    if vectors is not None or vectors_raw is not None:
        raw = vectors_raw if vectors_raw is not None else pkg.encode_test_vectors(vectors)
        segments.append(pkg.Segment(spec.SEGMENT.TEST_VECTORS, raw))
        flags = spec.PACKAGE_FLAG_TEST_VECTORS
    return pkg.build_package(manifest, inputs, outputs, segments, keys.load_private_key(DEV_KEY), flags=flags)


VECTORS = [([b"\x01\x02\x03\x04"], [b"\x05\x06"]), ([b"\x07\x08\x09\x0a"], [b"\x0b\x0c"])]


# -- package format ---------------------------------------------------------------------


def test_test_vectors_round_trip_and_are_signed():
    data = m4_package(vectors=VECTORS, model_flags=spec.MODEL_FLAG_ALLOW_DOWNGRADE)
    parsed = pkg.parse_package(data, public_key=keys.public_bytes(keys.load_private_key(DEV_KEY)))
    assert parsed.test_vectors == VECTORS
    assert [s.kind for s in parsed.segments][-1] == spec.SEGMENT.TEST_VECTORS
    info = pkg.describe(parsed)
    assert info["test_vectors"] == 2 and "allow-downgrade" in info["flags"]
    last = len(data) - 1  # an expected output byte: covered by the segment digest
    with pytest.raises(PackageError, match="digest mismatch in the TEST_VECTORS segment"):
        pkg.parse_package(data[:last] + bytes([data[last] ^ 1]))


@pytest.mark.parametrize("body, message", [
    (spec.TEST_VECTORS_HEADER.pack(count=3, reserved=0) + bytes(12), "3 vector\\(s\\) of 6 bytes do not fill its 12"),
    (spec.TEST_VECTORS_HEADER.pack(count=0, reserved=0), "count is 0"),
    (spec.TEST_VECTORS_HEADER.pack(count=1, reserved=7) + bytes(6), "reserved"),
    (bytes(4), "shorter than its header"),
])
def test_inconsistent_test_vectors_are_refused(body, message):
    with pytest.raises(PackageError, match=message):
        pkg.decode_test_vectors(body, [4], [2])
    with pytest.raises(PackageError, match=message):  # the parser refuses such a package
        m4_package(vectors_raw=body)


def test_segment_order_follows_the_flags():
    assert pkg.segment_order(0)[-1] == spec.SEGMENT.RELOC
    both = pkg.segment_order(spec.PACKAGE_FLAG_SPLIT_WEIGHTS | spec.PACKAGE_FLAG_TEST_VECTORS)
    assert both == (spec.SEGMENT.CODE, spec.SEGMENT.WEIGHTS, spec.SEGMENT.DATA, spec.SEGMENT.RELOC,
                    spec.SEGMENT.TEST_VECTORS)


def test_pack_embeds_vectors_from_the_reference_interpreter(tmp_path):
    source = tmp_path / "demo.tflite"
    source.write_bytes(demo_model())
    out = tmp_path / "demo.rmod"
    packer.pack(source, DEV_KEY, out, version="1.0.0", allow_downgrade=True)
    parsed = pkg.parse_package(out.read_bytes())
    assert parsed.manifest["flags"] & spec.MODEL_FLAG_ALLOW_DOWNGRADE
    vectors = parsed.test_vectors
    assert len(vectors) == 2 and vectors[0][0] != vectors[1][0]
    (detail,) = reference.input_details(source.read_bytes())
    for inputs, outputs in vectors:
        x = np.frombuffer(inputs[0], detail["dtype"]).reshape(detail["shape"])
        (want,) = reference.run_reference(source.read_bytes(), [x])
        assert outputs[0] == want.tobytes()
    packer.pack(source, DEV_KEY, out, test_vectors=0)
    assert pkg.parse_package(out.read_bytes()).test_vectors == []


# -- protocol ---------------------------------------------------------------------------


def test_hello_reports_the_last_event_and_the_security_counter():
    info = protocol.parse_hello(hello_payload(last_event=spec.EVENT.SELF_TEST_FAILED, event_detail=4, security_counter=9))
    assert (info["last_event"], info["event_detail"], info["security_counter"]) == (spec.EVENT.SELF_TEST_FAILED, 4, 9)
    assert protocol.event_message(info["last_event"], info["event_detail"]) == (
        "the new model failed its self-test at test vector 4; the previous model was restored")
    assert protocol.event_message(spec.EVENT.CONFIRMED, 2).endswith("confirmed (2 test vectors)")
    assert "returned -3" in protocol.event_message(spec.EVENT.INIT_FAILED, 0xFFFFFFFD)
    assert "reset before the new model was confirmed" in protocol.event_message(spec.EVENT.TRIAL_INTERRUPTED, 0)
    assert protocol.event_message(99, 1) == "unknown event 99 (detail 1)"


def test_refusal_messages_name_versions_and_counters():
    ctx = protocol.ErrorContext(operation="install refused", package_version=spec.encode_version("1.0.0"),
                                package_security_counter=2)
    downgrade = protocol.device_error(spec.STATUS.DOWNGRADE, spec.encode_version("1.2.0"), ctx)
    assert str(downgrade).startswith("install refused: package is older than the installed model "
                                     "(package 1.0.0 < installed 1.2.0)")
    assert "--allow-downgrade" in downgrade.hint
    counter = protocol.device_error(spec.STATUS.SECURITY_COUNTER, 5, ctx)
    assert "(package counter 2, device requires at least 5)" in str(counter)
    failed = protocol.device_error(spec.STATUS.SELF_TEST_FAILED, 1, ctx)
    assert "(test vector 1; the previous model was restored)" in str(failed)


# -- install: the check before any data moves, and resume --------------------------------


def _hello(**overrides) -> bytes:
    return hello_payload(key_id=DEV_KEY_ID, **overrides)


@pytest.mark.parametrize("hello, status, words", [
    (dict(cpu=spec.CPU.CORTEX_M7), spec.STATUS.WRONG_CPU, "package needs Cortex-M4, board has Cortex-M7"),
    (dict(fpu=spec.FPU.NONE), spec.STATUS.WRONG_FPU, "board has no FPU"),
    (dict(abi=spec.FLOAT_ABI.SOFT), spec.STATUS.WRONG_ABI, "firmware uses soft"),
    (dict(slot_size=512), spec.STATUS.TOO_LARGE, "512-byte slot"),
    (dict(model_ram_size=16), spec.STATUS.NOT_ENOUGH_RAM, "16 bytes of model RAM"),
    (dict(key_id=b"\x01" * 8), spec.STATUS.UNKNOWN_KEY, "device trusts 0101010101010101"),
    (dict(security_counter=4), spec.STATUS.SECURITY_COUNTER, "device requires at least 4"),
    (dict(format_version=spec.FORMAT_VERSION + 1), spec.STATUS.UNSUPPORTED_FORMAT,
     f"firmware reads format version {spec.FORMAT_VERSION + 1}"),
])
def test_push_checks_what_hello_says_before_sending_data(hello, status, words):
    values = {"key_id": DEV_KEY_ID, **hello}
    peer = ProtocolPeer(hello_payload(**values))
    try:
        with Device.open(peer.url) as device, pytest.raises(DeviceError) as refused:
            device.install(m4_package())
        assert refused.value.status == status and words in str(refused.value)
        assert spec.CMD.INSTALL_BEGIN not in peer.executed  # refused before any data moved
    finally:
        peer.close()


def test_push_without_precheck_lets_the_device_decide():
    peer = ProtocolPeer(_hello(security_counter=4))
    try:
        with Device.open(peer.url) as device:
            device.install(m4_package(), precheck=False)  # this peer does not enforce counters
        assert spec.CMD.INSTALL_BEGIN in peer.executed
    finally:
        peer.close()


class _ResumingPeer(ProtocolPeer):
    """A device that kept the first `kept` bytes of this package from an interrupted push."""

    def __init__(self, hello: bytes, package: bytes, kept: int):
        self.kept_package, self.kept = package, kept
        self.data_offsets: list[int] = []
        super().__init__(hello)

    def _handle(self, cmd: int, payload: bytes):
        if cmd == spec.CMD.INSTALL_BEGIN:
            self.slot = bytearray(len(self.kept_package))
            self.slot[: self.kept] = self.kept_package[: self.kept]
            self.expected = self.kept
            return spec.STATUS.OK, spec.INSTALL_BEGIN_RESPONSE.pack(slot=1, next_offset=self.kept)
        if cmd == spec.CMD.INSTALL_DATA:
            self.data_offsets.append(spec.INSTALL_DATA_HEADER.unpack(payload)["offset"])
        return super()._handle(cmd, payload)


def test_push_continues_where_the_device_says():
    package = m4_package(code_size=20_000)
    peer = _ResumingPeer(_hello(), package, kept=8192)
    try:
        with Device.open(peer.url) as device:
            device.install(package)
            assert device.resumed_from == 8192
        assert peer.data_offsets[0] == 8192 and bytes(peer.slot) == package
    finally:
        peer.close()


# -- several named models ---------------------------------------------------------------


def _list_payload(default_slot: int, *entries: tuple[int, int, str, str]) -> bytes:
    """LIST response for (slot, role, name, version) entries."""
    head = spec.LIST_RESPONSE.pack(slot_count=8, default_slot=default_slot, entry_count=len(entries),
                                   entry_size=spec.LIST_ENTRY.size)
    return head + b"".join(
        spec.LIST_ENTRY.pack(slot=slot, role=role, package_size=1000 + slot, version=spec.encode_version(version),
                             security_counter=2, name=name.encode(), signed_sha256=bytes([slot]) * 32)
        for slot, role, name, version in entries)


LISTING = _list_payload(0, (0, spec.SLOT_ROLE.ACTIVE, "kws", "1.1.0"), (1, spec.SLOT_ROLE.ACTIVE, "vision", "2.0.0"),
                        (2, spec.SLOT_ROLE.BACKUP, "kws", "1.0.0"))


def test_parse_list():
    listing = protocol.parse_list(LISTING)
    assert listing["slot_count"] == 8 and listing["default_slot"] == 0
    kws, vision, old = listing["models"]
    assert (kws["name"], kws["version"], kws["role"], kws["default"]) == ("kws", "1.1.0", "active", True)
    assert (vision["slot"], vision["default"], vision["package_size"]) == (1, False, 1001)
    assert (old["role"], old["default"], old["signed_sha256"]) == ("backup", False, "02" * 32)
    with pytest.raises(protocol.ProtocolError, match="does not hold 3 entries"):
        protocol.parse_list(LISTING[:-1])


def test_model_names_are_checked_before_sending():
    assert protocol.model_name_payload("kws") == b"kws".ljust(spec.NAME_LENGTH, b"\0")
    for bad in ("", "x" * spec.NAME_LENGTH, "a\0b"):
        with pytest.raises(RelomodelError, match="must be 1 to 31 UTF-8 bytes"):
            protocol.model_name_payload(bad)


class _ModelsPeer(ProtocolPeer):
    """Answers LIST with LISTING and records what model each request selected."""

    def __init__(self):
        self.selected: list[tuple[int, bytes]] = []
        super().__init__(_hello())

    def _handle(self, cmd: int, payload: bytes):
        if cmd == spec.CMD.LIST:
            return spec.STATUS.OK, LISTING
        if cmd in (spec.CMD.ACTIVATE, spec.CMD.ROLLBACK, spec.CMD.ERASE):
            self.selected.append((cmd, payload))
            known = payload.rstrip(b"\0") in (b"kws", b"vision")
            return (spec.STATUS.OK, b"") if known else (spec.STATUS.UNKNOWN_MODEL, 0)
        if cmd == spec.CMD.RESET_STATE:
            self.selected.append((cmd, payload))
            return spec.STATUS.OK, b""
        if cmd == spec.CMD.INVOKE:
            self.selected.append((cmd, payload))
        if cmd in (spec.CMD.TENSOR_WRITE, spec.CMD.TENSOR_READ):
            self.selected.append((cmd, payload[1:2]))
        if cmd == spec.CMD.MODEL_INFO:
            self.selected.append((cmd, payload))
            self.package = make_package(4000, input_shape=(1, 8))
        return super()._handle(cmd, payload)


def test_requests_name_the_selected_model():
    peer = _ModelsPeer()
    try:
        with Device.open(peer.url) as device:
            device.select("vision")  # slot 1: selector 2
            device.run([np.zeros((1, 8), np.int8)])
            device.reset_state()
            device.select(None)
            device.invoke()
            with pytest.raises(RelomodelError, match=r"no model named 'radar' .*\(installed: kws, vision\)"):
                device.select("radar")
            device.rollback("kws")
            with pytest.raises(DeviceError, match="erase 'radar': no installed model has that name"):
                device.erase("radar")
        selector = spec.MODEL_SELECTOR.pack(model=2)
        by_cmd = {}
        for cmd, payload in peer.selected:
            by_cmd.setdefault(cmd, []).append(payload)
        assert by_cmd[spec.CMD.MODEL_INFO] == [selector]
        assert by_cmd[spec.CMD.TENSOR_WRITE] == [b"\x02"] and by_cmd[spec.CMD.TENSOR_READ] == [b"\x02"]
        assert by_cmd[spec.CMD.INVOKE] == [selector, b""]  # then the default model: empty payload
        assert by_cmd[spec.CMD.RESET_STATE] == [selector]
        assert by_cmd[spec.CMD.ROLLBACK] == [protocol.model_name_payload("kws")]
    finally:
        peer.close()


def test_cli_list_shows_every_model(tmp_path):
    from click.testing import CliRunner

    from relomodel.cli import cli

    peer = _ModelsPeer()
    try:
        result = CliRunner().invoke(cli, ["list", "--port", peer.url])
    finally:
        peer.close()
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split() == ["*", "kws", "1.1.0", "active", "0", "1000", "00" * 8]
    assert lines[3].split()[:4] == ["kws", "1.0.0", "previous", "version"]
    assert "last event: nothing to report" in result.output
