"""Both a normal and an editable install find the built-in checks through entry points.

Each install goes into a fresh venv from this source tree; the probe runs with the venv's
interpreter in an unrelated directory so the source tree is not importable by accident.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import kanidoc, kanidoc.plugin as p;"
    "print(kanidoc.__file__);"
    "print(','.join(sorted(c.id for c in p.discover() if c.check is not None)));"
    "import kanidoc.facts as f; assert f.script().startswith('#!/bin/sh')"  # package data: collect.sh
)


def _expected_ids() -> set[str]:
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(data["project"]["entry-points"]["kanidoc.checks"])


@pytest.mark.parametrize("editable", [False, True], ids=["normal", "editable"])
def test_install_discovers_builtin_checks(tmp_path: Path, editable: bool) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "*.egg-info", "__pycache__", "build"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    # Dependencies (cryptography, rich, ...) come from the test environment: a plain path entry,
    # appended after the venv's own site-packages, so kanidoc itself resolves to the install.
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "zz_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    cmd = [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps"]
    cmd += ["-e", str(src)] if editable else [str(src)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    probe = subprocess.run([str(py), "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True)
    location, ids = probe.stdout.splitlines()
    if editable:
        assert location.startswith(str(src)), location
    else:
        assert str(venv) in location, location
    assert set(ids.split(",")) == _expected_ids()
