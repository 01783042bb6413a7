"""JUnit (schema-valid, GitLab's reading), Markdown (ticket-safe) and GitLab log sections."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from kanidoc import render
from kanidoc.model import CheckResult, Finding, Remediation, Report, Severity, Status
from kanidoc.rules import auth as RA
from tests.conftest import b64, write_config

XSD = xmlschema.XMLSchema(str(Path(__file__).resolve().parents[1] / "fixtures" / "junit" / "junit-10.xsd"))


def sample() -> Report:
    nasty = 'a | b <script>alert(1)</script> ``` `x` \x1b[31m & "q" \x00end'
    return Report(
        "0.1.0", "2026-11-26T21:30:00Z", {"destinations": ["registry.example.com:5050/g/app:1"]},
        (
            CheckResult("auth", "Registry credentials", Status.FAIL, (
                RA.NO_MATCH.finding("push registry.example.com:5050: no key", {"registry": "registry.example.com:5050",
                                    "near_misses": [{"config_key": "registry.example.com"}]}, snippet="- echo ```x``` > f"),
                Finding("KD-AUTH-011", Severity.INFO, "pull quay.io anonymous"),
            ), duration_ms=12),
            CheckResult("engine", "Container detection", Status.WARN, (
                Finding("KD-ENGINE-005", Severity.WARNING, nasty, {"weird": nasty},
                        Remediation("pin it " + nasty, "image:\n  name: x"), "docs/checks/engine.md#kd-engine-005"),
            ), duration_ms=1500),
            CheckResult("tls", "TLS", Status.SKIP, reason="'reachability' did not pass"),
            CheckResult("push", "Push", Status.ERROR, reason="check crashed: RuntimeError: boom", duration_ms=3),
            CheckResult("reachability", "Reach", Status.PASS, (Finding("KD-REACH-001", Severity.INFO, "ok"),), duration_ms=40),
        ),
    )


def test_junit_is_schema_valid_and_maps_statuses() -> None:
    text = render.get("junit")(sample(), False)
    XSD.validate(text)
    root = ET.fromstring(text)
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("5", "1", "1", "1")
    cases = {c.get("classname"): c for c in suite.iter("testcase")}
    assert list(cases) == ["kanidoc.auth", "kanidoc.engine", "kanidoc.tls", "kanidoc.push", "kanidoc.reachability"]
    failure = cases["kanidoc.auth"].find("failure")
    assert failure is not None and failure.get("type") == "KD-AUTH-010"
    assert failure.get("message", "").startswith("KD-AUTH-010: push registry.example.com:5050")
    assert "fix: " in (failure.text or "") and "docs: docs/checks/auth.md#kd-auth-010" in (failure.text or "")
    assert cases["kanidoc.tls"].find("skipped") is not None
    error = cases["kanidoc.push"].find("error")
    assert error is not None and "boom" in (error.get("message") or "")
    assert cases["kanidoc.engine"].find("system-out") is not None  # warnings of a passing testcase
    assert cases["kanidoc.engine"].get("time") == "1.500"
    assert "\x1b" not in text and "\x00" not in text


def test_markdown_is_ticket_safe() -> None:
    text = render.get("markdown")(sample(), False)
    assert text.startswith("### kanidoc report:")
    assert "<details open>" in text  # failed auth and errored push are open
    assert text.count("<details>") >= 1  # the warning section is collapsed
    outside_code = re.sub(r"(`+).*?\1", "", text)
    assert "<script>" not in outside_code  # raw HTML from evidence never reaches the ticket
    assert "\x1b" not in text and "\x00" not in text
    # every table row keeps its column count despite '|' in the text
    for line in text.splitlines():
        if line.startswith("| ") and "evidence" not in line and not line.startswith("|---"):
            assert len(re.findall(r"(?<!\\)\|", line)) in (3, 5), line  # escaped pipes do not split
    # the snippet with ``` inside stays inside a longer fence
    assert "````yaml\n- echo ```x``` > f\n````" in text
    assert "[KD-AUTH-010](docs/checks/auth.md#kd-auth-010)" in text
    assert "<summary><b>tls: SKIP" not in text  # skipped check without findings: only in the table


def test_gitlab_sections_wrap_each_check() -> None:
    rep = sample()
    plain = render.get("text")(rep, False)
    assert "section_start" not in plain
    text = render.get("text", render.RenderOptions(gitlab_sections=True))(rep, False)
    starts = re.findall(r"\x1b\[0Ksection_start:(\d+):(kanidoc_[a-z]+)(\[collapsed=true\])?\r\x1b\[0K([^\n]*)\n", text)
    ends = re.findall(r"\x1b\[0Ksection_end:(\d+):(kanidoc_[a-z]+)\r\x1b\[0K\n", text)
    assert [s[1] for s in starts] == [e[1] for e in ends] == [f"kanidoc_{c.id}" for c in rep.checks]
    collapsed = {s[1]: bool(s[2]) for s in starts}
    assert collapsed == {"kanidoc_auth": False, "kanidoc_engine": True, "kanidoc_tls": True, "kanidoc_push": False,
                         "kanidoc_reachability": True}
    assert starts[0][3].startswith("auth: FAIL")
    start_ts = {s[1]: int(s[0]) for s in starts}
    end_ts = {e[1]: int(e[0]) for e in ends}
    assert end_ts["kanidoc_engine"] - start_ts["kanidoc_engine"] == 2  # 1500 ms, rounded up
    assert start_ts["kanidoc_auth"] == 1795728600  # 2026-11-26T21:30:00Z


def test_formats_through_the_cli(kanidoc, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.json", {"registry.example.com": {"auth": b64("u:p")}})
    junit, md, js = tmp_path / "r.xml", tmp_path / "r.md", tmp_path / "r.json"
    run = kanidoc("check", "--only", "auth", "--auth-file", str(cfg), "--format", "junit", "-d", "registry.example.com:5050/g/a:1",
                  "--report-file", f"markdown={md}", "--report-file", f"json={js}", "--output", str(junit))
    assert run.code == 1 and run.out == ""
    XSD.validate(str(junit))
    assert "KD-AUTH-010" in md.read_text() and '"schema": "kanidoc/report/v1"' in js.read_text()
    run = kanidoc("check", "--only", "auth", "--auth-file", str(cfg), "--format", "markdown", "-d", "registry.example.com:5050/g/a:1")
    assert run.out.startswith("### kanidoc report:")


def test_gitlab_sections_only_in_gitlab_ci_text(kanidoc, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.json", {})
    args = ("check", "--only", "auth", "--auth-file", str(cfg), "-d", "registry.example.com/g/a:1")
    assert "section_start:" in kanidoc(*args, env={"GITLAB_CI": "true"}).out
    assert "section_start:" not in kanidoc(*args).out
    run = kanidoc(*args, "--format", "json", env={"GITLAB_CI": "true"})
    run.json()


@pytest.mark.parametrize("bad", ["xml=f", "junit", "junit="])
def test_report_file_usage_errors(kanidoc, bad: str) -> None:
    run = kanidoc("check", "--report-file", bad)
    assert run.code == 2 and run.err.startswith("kanidoc: error:")
