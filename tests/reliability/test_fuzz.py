"""Short libFuzzer runs (seconds per target) of the device-side package parser + relocator
and of the UART receive path (frame decoder, protocol, command handlers), with ASan + UBSan.
Seed corpora are made here from real packages and real frames. The long run is
`make -C host_firmware/fuzz run SECONDS=...` (docs/reliability.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from relomodel.format import spec
from relomodel.transport import frame, protocol
from relomodel.transport.protocol import Packet
from tests.conftest import REPO
from tests.reliability.conftest import head_size

FUZZ_DIR = Path(os.environ.get("RELO_FUZZ_DIR", REPO / "host_firmware" / "fuzz"))
SECONDS = int(os.environ.get("RELO_FUZZ_SECONDS", "8"))


def _libfuzzer_available() -> bool:
    if shutil.which("clang") is None:
        return False
    probe = subprocess.run(
        ["clang", "-fsanitize=fuzzer", "-x", "c", "-", "-o", os.devnull],
        input=b"int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }",
        capture_output=True,
    )
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(
    not _libfuzzer_available(), reason="needs clang with libFuzzer (make tools: clang libclang-rt-14-dev)"
)


@pytest.fixture(scope="module")
def fuzzers() -> Path:
    python = REPO / ".venv" / "bin" / "python"
    subprocess.run(["make", "-s", "-C", str(FUZZ_DIR), f"RELO_PYTHON={python}"], check=True, stdout=subprocess.DEVNULL)
    return FUZZ_DIR / "build"


def session_frames(package: bytes) -> list[bytes]:
    """The frames of a real session: hello, info, a whole install, a run."""
    payloads = [(spec.CMD.HELLO, b""), (spec.CMD.MODEL_INFO, b"")]
    head = head_size(package)
    payloads.append((spec.CMD.INSTALL_BEGIN, package[:head]))
    for offset in range(head, len(package), 1024):
        payloads.append((spec.CMD.INSTALL_DATA, protocol.install_data_payload(offset, package[offset : offset + 1024])))
    payloads += [
        (spec.CMD.INSTALL_END, b""),
        (spec.CMD.TENSOR_WRITE, protocol.tensor_write_payload(0, 0, bytes(16))),
        (spec.CMD.INVOKE, b""),
        (spec.CMD.TENSOR_READ, protocol.tensor_read_payload(0, 0, 4)),
        (spec.CMD.RESET_STATE, b""),
        (spec.CMD.INSTALL_ABORT, b""),
    ]
    return [frame.encode_frame(protocol.encode_packet(Packet(cmd, seq, payload=p))) for seq, (cmd, p) in enumerate(payloads)]


def run_fuzzer(binary: Path, corpus: Path, tmp_path: Path) -> str:
    result = subprocess.run(
        [str(binary), f"-max_total_time={SECONDS}", "-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1",
         f"-artifact_prefix={tmp_path}/", str(corpus)],
        capture_output=True, text=True, timeout=SECONDS + 120,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"{binary.name} failed (crash, sanitizer report, timeout or out of memory):\n{log[-4000:]}"
    assert "Done" in log and "stat::number_of_executed_units" in log, log[-2000:]
    return log


def executed(log: str) -> int:
    line = next(l for l in log.splitlines() if l.startswith("stat::number_of_executed_units"))
    return int(line.split(":")[-1])


def test_fuzz_package_parser_and_relocator(fuzzers, old_and_new, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for index, package in enumerate(old_and_new):
        (corpus / f"package{index}").write_bytes(package)
    log = run_fuzzer(fuzzers / "fuzz_package", corpus, tmp_path)
    print(f"\nfuzz_package: {executed(log)} inputs in {SECONDS} s, no crash")


def test_fuzz_uart_receive_path(fuzzers, old_and_new, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    frames = session_frames(old_and_new[1])
    (corpus / "session").write_bytes(b"".join(frames))
    for index, one in enumerate(frames):
        (corpus / f"frame{index}").write_bytes(one)
    log = run_fuzzer(fuzzers / "fuzz_link", corpus, tmp_path)
    print(f"\nfuzz_link: {executed(log)} inputs in {SECONDS} s, no crash")
