"""Runs relo_pkgcheck (the firmware's C parser, verifier and relocator) on every fixture and
compares what it reports with the Python side: relomodel.format.package's parse of the
same file, and the relocated images make_fixtures.py computed.

usage: python check_pkgcheck.py PKGCHECK FIXTURE_DIR     (exit 1 on any disagreement)
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from relomodel.errors import PackageError
from relomodel.format import package as pypackage

# fixture -> status the C side must report (pkgcheck checks format, key, signature,
# digests and relocations; board compatibility is the installer's business)
EXPECTED_STATUS = {
    "good.rmod": "OK",
    "split.rmod": "OK",
    "large.rmod": "OK",
    "m7.rmod": "OK",
    "bigram.rmod": "OK",
    "otherkey.rmod": "UNKNOWN_KEY",
    "badreloc.rmod": "BAD_RELOCATION",
}


def compare(name: str, report: dict, raw: bytes) -> list[str]:
    problems = []
    if report["status"] != EXPECTED_STATUS[name]:
        problems.append(f"status {report['status']}, expected {EXPECTED_STATUS[name]}")
    try:
        parsed = pypackage.parse_package(raw)
    except PackageError as exc:
        # Both refusing is agreement; the field comparison below needs a parse.
        return problems if report["status"] != "OK" else problems + [f"Python refuses what C accepts: {exc}"]
    m, h = parsed.manifest, parsed.header
    for key in ("package_size", "signed_size", "manifest_offset", "manifest_size", "segtab_offset", "segment_count"):
        if report["header"][key] != h[key]:
            problems.append(f"header.{key}: C {report['header'][key]}, Python {h[key]}")
    for key, value in report["manifest"].items():
        expected = m[key].hex() if key == "source_sha256" else m[key]
        if value != expected:
            problems.append(f"manifest.{key}: C {value!r}, Python {expected!r}")
    segments = [(s.kind_name, s.offset, len(s.data), s.sha256.hex()) for s in parsed.segments]
    reported = [(s["kind"], s["offset"], s["size"], s["sha256"]) for s in report["segments"]]
    if segments != reported:
        problems.append(f"segments: C {reported}, Python {segments}")
    tensors = [(t["name"], list(t["dims"]), t["arena_offset"], t["size_bytes"], t["zero_point"]) for t in parsed.tensors]
    reported = [(t["name"], t["dims"], t["arena_offset"], t["size_bytes"], t["zero_point"])
                for t in report["inputs"] + report["outputs"]]
    if tensors != reported:
        problems.append(f"tensors: C {reported}, Python {tensors}")
    if report["key_id"] != parsed.key_id.hex():
        problems.append("key_id differs")
    return problems


def main(pkgcheck: str, fixtures: Path) -> int:
    failures = 0
    for name in EXPECTED_STATUS:
        raw = (fixtures / name).read_bytes()
        run = subprocess.run([pkgcheck, str(fixtures / name)], capture_output=True, text=True, check=False)
        report = json.loads(run.stdout)
        problems = compare(name, report, raw)
        image = fixtures / name.replace(".rmod", ".image")
        if image.exists() and report.get("ram_image_sha256") != hashlib.sha256(image.read_bytes()).hexdigest():
            problems.append("relocated RAM image differs from the Python computation")
        if (run.returncode == 0) != (EXPECTED_STATUS[name] == "OK"):
            problems.append(f"exit status {run.returncode}")
        for problem in problems:
            print(f"pkgcheck {name}: {problem}", file=sys.stderr)
        failures += bool(problems)
    print(f"pkgcheck conformance: {len(EXPECTED_STATUS) - failures} packages agree, {failures} disagree")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: check_pkgcheck.py PKGCHECK FIXTURE_DIR")
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
