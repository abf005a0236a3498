"""The `relomodel` command line through click's CliRunner (and main() for exit codes).

Device commands talk to tests.test_transport.ProtocolPeer over a real loopback socket;
against the real firmware on QEMU they are covered by the end-to-end tests.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket

import numpy as np
import pytest
from click.testing import CliRunner

from relomodel import cli as cli_module
from relomodel import keys
from relomodel.cli import cli, main
from relomodel.format import package as pkg
from relomodel.format import spec
from tests.conftest import REPO
from tests.test_transport import ProtocolPeer, hello_payload, make_package


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def key_file(runner, tmp_path):
    path = tmp_path / "key.pem"
    result = runner.invoke(cli, ["keygen", "-k", str(path)])
    assert result.exit_code == 0, result.output
    return path


def build_package(key_path, name="clitest") -> bytes:
    key = keys.load_private_key(key_path)
    manifest = {
        "name": name, "version": spec.encode_version("2.0.1"), "security_counter": 3,
        "target_cpu": spec.CPU.CORTEX_M7, "target_fpu": spec.FPU.FPV5_D16, "target_abi": spec.FLOAT_ABI.HARD,
        "entry_init": 0x1, "entry_run": 0x21, "entry_reset": 0, "got_offset": 0, "ram_data_size": 8,
        "ram_bss_size": 0, "arena_size": 32, "arena_align": 16, "stack_size": 64,
        "packer_version": spec.encode_version("0.1.0"), "flags": 0, "macs": 4321,
        "source_sha256": hashlib.sha256(b"source").digest(),
    }
    inputs = [pkg.tensor_desc_values("in", spec.DTYPE.INT8, (1, 4), 0.5, -1, 0, 4)]
    outputs = [pkg.tensor_desc_values("out", spec.DTYPE.INT8, (1, 2), 0.25, 2, 16, 2)]
    segments = [pkg.Segment(spec.SEGMENT.CODE, bytes(range(64))), pkg.Segment(spec.SEGMENT.DATA, bytes(8)),
                pkg.Segment(spec.SEGMENT.RELOC, b"")]
    return pkg.build_package(manifest, inputs, outputs, segments, key)


def closed_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"socket://127.0.0.1:{probe.getsockname()[1]}"


# -- keys ------------------------------------------------------------------------------


def test_keygen_prints_key_id_and_refuses_to_overwrite(runner, tmp_path):
    path = tmp_path / "new.pem"
    result = runner.invoke(cli, ["keygen", "-k", str(path)])
    key_id = keys.key_id(keys.public_bytes(keys.load_private_key(path))).hex()
    assert result.stdout == f"wrote {path} (key id {key_id})\n"
    again = runner.invoke(cli, ["keygen", "-k", str(path)])
    assert again.exit_code == 2
    assert again.stderr == f"error: {path} already exists; refusing to overwrite a key\n"


def test_getpub_emits_c_source(runner, key_file, tmp_path):
    public = keys.public_bytes(keys.load_private_key(key_file))
    result = runner.invoke(cli, ["getpub", "-k", str(key_file), "--lang", "c"])
    assert result.exit_code == 0
    assert "relo_trusted_public_key[32]" in result.stdout
    assert ",".join(f"0x{b:02x}" for b in public) in result.stdout
    out = tmp_path / "key.c"
    assert runner.invoke(cli, ["getpub", "-k", str(key_file), "-o", str(out)]).exit_code == 0
    assert out.read_text() == result.stdout


def test_getpub_with_a_non_key_file_is_one_error_line(runner, tmp_path):
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a key")
    result = runner.invoke(cli, ["getpub", "-k", str(bogus)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bogus} is not an unencrypted PEM private key")
    assert len(result.stderr.splitlines()) == 1


# -- info ------------------------------------------------------------------------------


def test_info_shows_the_manifest(runner, key_file, tmp_path):
    path = tmp_path / "m.rmod"
    path.write_bytes(build_package(key_file))
    result = runner.invoke(cli, ["info", str(path)])
    assert result.exit_code == 0, result.output
    text = result.stdout
    for expected in ("name: clitest", "version: 2.0.1", "cpu: Cortex-M7", "shape: [1, 4]", "macs: 4321",
                     "kind: CODE", "signature: not checked"):
        assert expected in text


def test_info_json_and_signature_check(runner, key_file, tmp_path):
    path = tmp_path / "m.rmod"
    path.write_bytes(build_package(key_file))
    result = runner.invoke(cli, ["info", str(path), "--json", "-k", str(key_file)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["name"] == "clitest" and data["signature_checked"] is True
    assert data["inputs"][0]["shape"] == [1, 4] and data["security_counter"] == 3
    text = runner.invoke(cli, ["info", str(path), "-k", str(key_file)]).stdout
    assert f"signature: valid for key {data['key_id']}" in text


def test_info_with_the_wrong_key_is_refused(runner, key_file, tmp_path):
    path = tmp_path / "m.rmod"
    path.write_bytes(build_package(key_file))
    other = tmp_path / "other.pem"
    runner.invoke(cli, ["keygen", "-k", str(other)])
    result = runner.invoke(cli, ["info", str(path), "-k", str(other)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "key" in result.stderr


def test_info_on_a_corrupt_file_is_one_error_line(runner, tmp_path):
    path = tmp_path / "junk.rmod"
    path.write_bytes(b"\x7fELF" + bytes(200))
    result = runner.invoke(cli, ["info", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output


# -- pack ------------------------------------------------------------------------------


def test_pack_a_non_model_is_one_error_line(runner, key_file, tmp_path):
    model = tmp_path / "model.tflite"
    model.write_bytes(b"definitely not a flatbuffer")
    result = runner.invoke(cli, ["pack", str(model), "-k", str(key_file), "-o", str(tmp_path / "o.rmod")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.output


def test_pack_bad_version_is_one_error_line(runner, key_file, tmp_path):
    model = REPO / "tests" / "fixtures" / "pointers.c"
    result = runner.invoke(cli, ["pack", str(model), "-k", str(key_file), "-o", str(tmp_path / "o.rmod"), "--version", "1.2"])
    assert result.exit_code == 2
    assert result.stderr == "error: version must be MAJOR.MINOR.PATCH, got '1.2'\n"


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")
def test_pack_prints_a_report_and_info_reads_it(runner, key_file, tmp_path):
    out = tmp_path / "pointers.rmod"
    model = REPO / "tests" / "fixtures" / "pointers.c"
    result = runner.invoke(cli, ["pack", str(model), "-k", str(key_file), "-o", str(out), "--version", "3.1.4", "--name", "ptr"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {out}: {out.stat().st_size} bytes (code ")
    assert "MACs" in result.stdout
    info = json.loads(runner.invoke(cli, ["info", str(out), "--json", "-k", str(key_file)]).stdout)
    assert (info["name"], info["version"]) == ("ptr", "3.1.4")


# -- device commands ---------------------------------------------------------------------


def test_device_commands_name_the_refused_port(runner, tmp_path):
    url = closed_url()
    x = tmp_path / "x.npy"
    np.save(x, np.zeros(4, np.int8))
    for args in (["device-info"], ["run", "-i", str(x)], ["push", str(x)]):
        result = runner.invoke(cli, [*args, "--port", url])
        assert result.exit_code == 2, result.output
        lines = result.stderr.splitlines()
        assert lines[0] == f"error: cannot connect to {url}: connection refused"
        assert lines[1].startswith("hint: is `relomodel emulate` running?")


def test_missing_device_path_is_one_error(runner, tmp_path):
    result = runner.invoke(cli, ["device-info", "--port", str(tmp_path / "ttyUSB7")])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"error: cannot open {tmp_path / 'ttyUSB7'}: no such device"


@pytest.fixture
def peer():
    device = ProtocolPeer(hello_payload())
    yield device
    device.close()


def test_device_info_without_a_model(runner, peer):
    result = runner.invoke(cli, ["device-info", "--port", peer.url])
    assert result.exit_code == 0, result.output
    assert "board:        qemu-m4" in result.stdout
    assert "cpu:          Cortex-M4, FPv4-SP-D16, hard float ABI" in result.stdout
    assert "model:        none installed" in result.stdout


def test_push_installs_and_reports(runner, peer, tmp_path):
    package = tmp_path / "tiny.rmod"
    package.write_bytes(make_package(7000, input_shape=(1, 8)))
    result = runner.invoke(cli, ["push", str(package), "--port", peer.url])
    assert result.exit_code == 0, result.output
    assert "now running: tiny 1.2.3 in slot 0 (7000 bytes in" in result.stdout
    assert peer.package == package.read_bytes()


def test_run_checks_inputs_and_prints_count(runner, tmp_path):
    peer = ProtocolPeer(hello_payload())
    peer.package = make_package(4000, input_shape=(1, 8))
    try:
        x = tmp_path / "x.npy"
        np.save(x, np.arange(8, dtype=np.int8).reshape(1, 8))
        out = tmp_path / "y.npy"
        result = runner.invoke(cli, ["run", "--port", peer.url, "-i", str(x), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert "instructions: 12345" in result.stdout
        np.testing.assert_array_equal(np.load(out), np.arange(8, dtype=np.int16).reshape(1, 8) * 2)
    finally:
        peer.close()


def test_run_with_wrong_dtype_is_one_error_line(runner, tmp_path):
    peer = ProtocolPeer(hello_payload())
    peer.package = make_package(4000, input_shape=(1, 8))
    try:
        x = tmp_path / "x.npy"
        np.save(x, np.zeros((1, 8), np.float32))
        result = runner.invoke(cli, ["run", "--port", peer.url, "-i", str(x)])
        assert result.exit_code == 2
        assert result.stderr == "error: input 0 ('x') must be int8 [1, 8], got float32 [1, 8]\n"
    finally:
        peer.close()


def test_run_with_a_non_npy_input_is_one_error_line(runner, tmp_path):
    bogus = tmp_path / "x.npy"
    bogus.write_bytes(b"hello")
    result = runner.invoke(cli, ["run", "--port", closed_url(), "-i", str(bogus)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot read {bogus} as a .npy array")


# -- main(): exit codes --------------------------------------------------------------------


def test_main_exits_130_on_ctrl_c(monkeypatch, capsys):
    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "_open_device", interrupted)
    with pytest.raises(SystemExit) as caught:
        main(["device-info", "--port", "socket://127.0.0.1:9"])
    assert caught.value.code == 130
    assert capsys.readouterr().err.strip().endswith("interrupted")


def test_main_exits_2_with_one_line_on_relomodel_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["device-info", "--port", closed_url()])
    assert caught.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: cannot connect to socket://127.0.0.1:") and err[1].startswith("hint: ")


def test_main_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["push"])
    assert caught.value.code == 2
    assert "Missing argument" in capsys.readouterr().err


def test_main_success_exits_0(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    assert "push" in capsys.readouterr().out


# -- emulate: errors before anything is launched ------------------------------------------


def test_emulate_refuses_a_flash_file_of_the_wrong_size(runner, tmp_path):
    flash = tmp_path / "flash.img"
    flash.write_bytes(bytes(10))
    result = runner.invoke(cli, ["emulate", "--flash", str(flash)])
    assert result.exit_code == 2
    assert result.stderr == f"error: flash file {flash} is 10 bytes, expected 16777216 (16 MiB)\n"


def test_firmware_build_outside_a_checkout_is_a_clear_error(tmp_path):
    from relomodel.board.firmware import ensure_built
    from relomodel.errors import RelomodelError

    with pytest.raises(RelomodelError) as caught:
        ensure_built("qemu-m4", root=tmp_path)
    assert str(caught.value).startswith("firmware sources not found")
    assert "source checkout" in caught.value.hint


def test_firmware_build_without_toolchain_names_the_apt_packages(tmp_path, monkeypatch):
    from relomodel.board.firmware import ensure_built
    from relomodel.errors import RelomodelError

    for directory in ("host_firmware", "bootloader"):
        (tmp_path / directory).mkdir()
        (tmp_path / directory / "Makefile").write_text("all:\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RelomodelError) as caught:
        ensure_built("qemu-m4", root=tmp_path)
    assert "arm-none-eabi-gcc" in str(caught.value)
    assert "gcc-arm-none-eabi libnewlib-arm-none-eabi" in caught.value.hint
