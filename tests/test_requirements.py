"""The hashed lock files that `make` installs agree with the pins in requirements*.txt.

A pin changed in a requirements file without `make lock` would otherwise be silently ignored.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)", re.MULTILINE)


def _pins(text: str) -> dict[str, str]:
    return {re.sub(r"[-_.]+", "-", name.split("[")[0]).lower(): version for name, version in PIN.findall(text)}


@pytest.mark.parametrize("name", ["requirements", "requirements-dev", "requirements-load"])
def test_requirements_lock_has_every_pin_at_its_version(name):
    wanted = _pins((ROOT / f"{name}.txt").read_text())
    locked = _pins((ROOT / f"{name}.lock").read_text())
    assert wanted  # the file names what we use
    assert {pkg: locked.get(pkg) for pkg in wanted} == wanted


@pytest.mark.parametrize("name", ["requirements", "requirements-dev", "requirements-load"])
def test_requirements_lock_hashes_every_package(name):
    text = (ROOT / f"{name}.lock").read_text()
    entries = re.split(r"\n(?=\S)", text.strip())
    packages = [entry for entry in entries if PIN.match(entry)]
    assert packages
    assert [entry.split()[0] for entry in packages if "--hash=sha256:" not in entry] == []
