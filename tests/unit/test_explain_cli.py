"""`kanidoc explain` end to end: the GitLab raw log fixture, facts, exit codes, stdin, bad input."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "logs"
RAW = FIXTURES / "gitlab-raw-push-401.log"


def test_gitlab_raw_log_as_is(kanidoc) -> None:
    raw = RAW.read_bytes()
    assert b"\x1b[" in raw and b"section_start:" in raw and b"Z 01E+ " in raw  # the fixture is what GitLab stores
    run = kanidoc("explain", str(RAW), "--format", "json")
    assert run.code == 1
    doc = run.json()
    assert run.codes() == ["KD-PUSH-008"]
    push = doc["checks"][0]
    assert push["id"] == "push" and push["status"] == "fail"
    f = push["findings"][0]
    ev = f["evidence"]
    assert ev["line"] == 17 and ev["url_kind"] == "blob-upload" and ev["operation"] == "push-check"
    assert ev["method"] == "POST" and ev["host"] == "registry.example.com:5050" and ev["registry_code"] == "UNAUTHORIZED"
    assert ev["decide_with"] == "kanidoc check --only auth,reachability,push --destination registry.example.com:5050/group/app:v1.0.0"
    assert set(ev["alternatives"]) >= {"KD-PUSH-021"}
    assert "\x1b" not in run.out and "section_" not in run.out
    target = doc["target"]
    assert target["destinations"] == ["registry.example.com:5050/group/app:v1.0.0"]
    assert target["registries"] == ["registry.example.com:5050"]
    assert target["kaniko_version"] == "v1.8.0"
    assert target["kaniko_image"] == "gcr.io/kaniko-project/executor:v1.8.0-debug"
    assert target["gitlab_ci"] == {"runner_version": "16.5.0", "executor": "docker"}
    assert target["proxy_involved"] is False
    assert target["log"]["name"] == RAW.name and target["log"]["lines"] == 24


def test_text_format_names_code_fix_and_command(kanidoc) -> None:
    run = kanidoc("explain", str(RAW))
    assert run.code == 1
    assert "KD-PUSH-008" in run.out and "fix:" in run.out and "kanidoc check --only auth,reachability,push" in run.out


def test_stdin_and_output_file(kanidoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = b"error building image: Get \"https://registry:5005/v2/\": x509: certificate signed by unknown authority\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(line)))
    out = tmp_path / "report.json"
    run = kanidoc("explain", "-", "--format", "json", "--output", str(out))
    assert run.code == 1 and run.out == ""
    assert '"KD-TLS-001"' in out.read_text()


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "job.log"
    path.write_text(text)
    return str(path)


def test_no_kaniko_error_exits_0_with_an_info_finding(kanidoc, tmp_path: Path) -> None:
    log = ("INFO[0000] Retrieving image manifest alpine:3.19\nINFO[0003] Pushing image to reg.example.com/g/p:1\n"
           "INFO[0005] Pushed reg.example.com/g/p@sha256:" + "a" * 64 + "\nJob succeeded\n")
    run = kanidoc("explain", write(tmp_path, log), "--format", "json")
    assert run.code == 0
    doc = run.json()
    assert run.codes() == ["KD-BUILD-002"] and doc["status"] == "pass"
    assert doc["target"]["destinations"] == ["reg.example.com/g/p:1", "reg.example.com/g/p"]


def test_unknown_failure_exits_3_and_shows_the_lines(kanidoc, tmp_path: Path) -> None:
    log = ("INFO[0001] Building stage 'alpine' [idx: '0', base-idx: '-1']\n"
           "error building image: error building stage: failed to optimize instructions: wobbly frobnicator\n"
           "ERROR: Job failed: exit code 1\n")
    run = kanidoc("explain", write(tmp_path, log), "--format", "json")
    assert run.code == 3
    doc = run.json()
    check = doc["checks"][0]
    assert check["id"] == "explain" and check["status"] == "error" and "could not decide" in check["reason"]
    f = check["findings"][0]
    assert f["code"] == "KD-BUILD-001"
    assert f["evidence"]["failure_lines"] == [{"line": 2, "text": "error building image: error building stage: failed to optimize instructions: wobbly frobnicator"}]


def test_job_failed_without_kaniko_error_lines_is_undecided(kanidoc, tmp_path: Path) -> None:
    log = "$ cp -rf /build/reports public\n/busybox/sh: eval: line 144: cp: not found\nERROR: Job failed: exit code 127\n"
    run = kanidoc("explain", write(tmp_path, log), "--format", "json")
    assert run.code == 3
    assert run.json()["checks"][0]["findings"][0]["evidence"]["failure_lines"][0]["line"] == 2


def test_warnings_only_exit_0(kanidoc, tmp_path: Path) -> None:
    log = ("WARN[0000] kaniko is being run outside of a container. This can have dangerous effects on your system\n"
           "INFO[0010] Pushing image to reg.example.com/g/p:1\n")
    run = kanidoc("explain", write(tmp_path, log), "--format", "json")
    assert run.code == 0
    assert set(run.codes()) == {"KD-ENGINE-002", "KD-BUILD-002"}


def test_repeated_errors_are_one_finding_with_a_count(kanidoc, tmp_path: Path) -> None:
    line = 'WARN[0001] Retrying operation after 1s due to Get "https://gcr.io/v2/": dial tcp 142.250.157.82:443: i/o timeout\n'
    final = 'error building image: Get "https://gcr.io/v2/": dial tcp 142.250.157.82:443: i/o timeout\n'
    run = kanidoc("explain", write(tmp_path, line * 3 + final), "--format", "json")
    assert run.code == 1
    (f,) = [f for c in run.json()["checks"] for f in c["findings"]]
    assert f["code"] == "KD-REACH-012" and f["severity"] == "error"
    assert f["evidence"]["occurrences"] == 4 and f["evidence"]["line"] == 1 and f["evidence"]["last_line"] == 4


def test_engine_refusal_names_the_version_and_the_engine_check(kanidoc, tmp_path: Path) -> None:
    log = ("Using docker image sha256:abc for gcr.io/kaniko-project/executor:v1.8.0-debug with digest x ...\n"
           "kaniko should only be run inside of a container, run with the --force flag if you are sure you want to continue\n")
    run = kanidoc("explain", write(tmp_path, log), "--format", "json")
    (f,) = [f for c in run.json()["checks"] for f in c["findings"]]
    assert f["code"] == "KD-ENGINE-001" and "v1.8.0" in f["message"]
    assert f["evidence"]["decide_with"] == "kanidoc check --only engine --kaniko-version gcr.io/kaniko-project/executor:v1.8.0-debug"
    assert "v1.9.0" in f["remediation"]["text"] and "20.10" in f["remediation"]["text"]


def test_proxy_involvement_is_reported(kanidoc, tmp_path: Path) -> None:
    log = ('$ export HTTPS_PROXY=http://proxy.corp.example:3128\nerror checking push permissions -- make sure you entered '
           'the correct tag name, and that you are authenticated correctly, and try again: checking push permission for '
           '"reg.example.com/g/p:1": creating push check transport for reg.example.com failed: Get "https://reg.example.com/v2/": Forbidden\n')
    run = kanidoc("explain", write(tmp_path, log), "--format", "json")
    doc = run.json()
    assert run.codes() == ["KD-REACH-015"]
    assert doc["target"]["proxy_involved"] is True and doc["target"]["proxy_variables"] == ["HTTPS_PROXY"]
    assert "not a registry permission problem" in doc["checks"][0]["findings"][0]["remediation"]["text"]


@pytest.mark.parametrize("target", ["missing.log", "."])
def test_unreadable_log_is_one_line_exit_2(kanidoc, tmp_path: Path, target: str) -> None:
    path = tmp_path / target
    run = kanidoc("explain", str(path))
    assert run.code == 2
    assert run.err.startswith("kanidoc: error: cannot read") and run.err.count("\n") == 1
    assert "Traceback" not in run.err
