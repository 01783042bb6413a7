"""The live status line: on a terminal only, on stderr only, erased before the report."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from kanidoc.cli import main
from kanidoc.model import CheckResult, Status
from kanidoc.progress import StatusLine
from tests.conftest import write_config


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_status_line_on_a_tty() -> None:
    stream = FakeTTY()
    line = StatusLine(stream, 2)
    line("auth", None)
    line("engine", None)
    line("auth", CheckResult("auth", "Auth", Status.FAIL))
    line.close()
    out = stream.getvalue()
    assert "running: auth, engine" in out
    assert "1/2 done" in out and "last: auth fail" in out
    assert out.endswith("\r\x1b[2K")  # erased at the end
    assert "\n" not in out


def test_nothing_without_a_tty() -> None:
    stream = io.StringIO()
    line = StatusLine(stream, 1)
    line("auth", None)
    line("auth", CheckResult("auth", "Auth", Status.PASS))
    line.close()
    assert stream.getvalue() == ""


def test_cli_json_stdout_stays_clean_with_a_tty_stderr(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.json", {})
    out, err = io.StringIO(), FakeTTY()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    for key in ("GITLAB_CI", "CI_REGISTRY_IMAGE"):
        monkeypatch.delenv(key, raising=False)
    code = main(["check", "--only", "auth,engine", "--format", "json", "--auth-file", str(cfg), "-d", "r.example.com/a:1"])
    assert code in (0, 1, 3)
    doc = json.loads(out.getvalue())
    assert [c["id"] for c in doc["checks"]] == ["auth", "engine"]
    assert "kanidoc: " in err.getvalue() and "2/2 done" in err.getvalue()
    assert "\x1b" not in out.getvalue()
