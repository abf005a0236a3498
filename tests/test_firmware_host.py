"""The firmware core's own C tests, built for the host with sanitizers, plus the Python<->C
package conformance check (relo_pkgcheck vs relomodel.format.package on the same bytes)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None, reason="needs a host C compiler")
def test_firmware_core_c_suite_passes_under_sanitizers():
    result = subprocess.run(["make", "-C", str(REPO / "host_firmware" / "tests")], capture_output=True, text=True)
    output = result.stdout + result.stderr
    summary = re.findall(r"^(\d+) passed, (\d+) failed", output, re.MULTILINE)
    assert result.returncode == 0, output[-4000:]
    assert summary, output[-4000:]
    passed, failed = (int(x) for x in summary[-1])
    assert failed == 0 and passed >= 40, output[-4000:]
    assert "pkgcheck" in output, "the Python<->C conformance check did not run"
