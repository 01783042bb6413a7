"""The GitLab CI template: structure, and its kanidoc command run here on a local scenario."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from kanidoc import gitlab_ci
from tests.conftest import b64, write_config

DOCS = Path(__file__).resolve().parents[2] / "docs"
TEMPLATE = DOCS / "ci" / "kanidoc.gitlab-ci.yml"
XSD = xmlschema.XMLSchema(str(Path(__file__).resolve().parents[1] / "fixtures" / "junit" / "junit-10.xsd"))


def raw() -> dict[str, Any]:
    return gitlab_ci._load_with_includes(TEMPLATE, [])


def report_files(script: list[str], fmt: str) -> list[str]:
    return [m for line in script for m in re.findall(rf"--report-file {fmt}=(\S+)", line)]


def test_template_parses_and_has_the_jobs() -> None:
    doc = raw()
    assert {".kanidoc", "kanidoc", ".kanidoc-kubernetes", ".kanidoc-fleet"} <= set(doc)
    for name in ("KANIDOC_KANIKO_ARGS", "KANIDOC_PIP_SPEC", "KANIDOC_IMAGE", "KANIDOC_OPTIONS"):
        assert name in doc["variables"]
    assert doc["variables"]["KANIDOC_IMAGE"].startswith("python:3")


@pytest.mark.parametrize("job", ["kanidoc", ".kanidoc-kubernetes", ".kanidoc-fleet"])
def test_job_structure(job: str) -> None:
    problems: list[str] = []
    resolved = gitlab_ci._resolve_extends(raw(), job, problems)
    assert problems == []
    assert resolved["when"] in ("on_failure", "manual")
    assert resolved["stage"] == ".post" and resolved["allow_failure"] is True
    assert resolved["image"]["entrypoint"] == [""] and "$KANIDOC_IMAGE" in resolved["image"]["name"]
    script = [str(s) for s in resolved["script"]]
    assert any("pip install" in s and "$KANIDOC_PIP_SPEC" in s for s in script)
    checks = [s for s in script if "kanidoc check" in s]
    assert checks and all("$KANIDOC_KANIKO_ARGS" in s and "-- /kaniko/executor" in s for s in checks)
    artifacts = resolved["artifacts"]
    assert artifacts["when"] == "always"
    # the JUnit report GitLab reads is exactly what the script writes, and the JSON is kept
    assert sorted(artifacts["reports"]["junit"]) == sorted(report_files(script, "junit"))
    assert report_files(script, "json") == ["kanidoc-report.json"]
    assert set(report_files(script, "json") + report_files(script, "markdown")) <= set(artifacts["paths"])
    assert script[-1] == "exit $rc"


def test_variants() -> None:
    doc = raw()
    k8s = gitlab_ci._resolve_extends(doc, ".kanidoc-kubernetes", [])
    assert k8s["needs"] == [{"job": "build", "artifacts": True}]
    assert any("--facts" in s for s in k8s["script"])
    fleet = gitlab_ci._resolve_extends(doc, ".kanidoc-fleet", [])
    matrix = fleet["parallel"]["matrix"]
    assert fleet["tags"] == ["$KANIDOC_RUNNER_TAG"] and "KANIDOC_RUNNER_TAG" in matrix[0]


def test_include_with_override_resolves(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "kanidoc.gitlab-ci.yml").write_text(TEMPLATE.read_text())
    (tmp_path / ".gitlab-ci.yml").write_text(
        "include:\n  - local: ci/kanidoc.gitlab-ci.yml\n"
        "build:\n  tags: [docker-eu]\n  image: {name: 'gcr.io/kaniko-project/executor:v1.23.2-debug', entrypoint: ['']}\n"
        "  script: [/kaniko/executor --destination r.example.com/x:1]\n"
        "kanidoc:\n  tags: !reference [build, tags]\n  variables:\n    KANIDOC_KANIKO_ARGS: --destination r.example.com/x:1\n")
    job = gitlab_ci.load(str(tmp_path / ".gitlab-ci.yml"), "kanidoc", {})
    assert job.tags == ("docker-eu",) and job.problems == []
    assert job.variables["KANIDOC_KANIKO_ARGS"] == "--destination r.example.com/x:1"


def _shell_words(line: str, variables: dict[str, str]) -> list[str]:
    """The template's `kanidoc check` line as the job's shell would split it (unquoted $VARS split)."""
    words: list[str] = []
    for word in shlex.split(line):
        expanded = gitlab_ci.expand(word, variables)
        words += expanded.split() if word.startswith("$") else [expanded]
    return words


def test_template_command_yields_a_junit_gitlab_accepts(kanidoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The local stand-in for the lab: the template's own command line, offline checks only."""
    cfg = write_config(tmp_path / "config.json", {"registry.example.com": {"auth": b64("u:p")}})  # port missing
    resolved = gitlab_ci._resolve_extends(raw(), "kanidoc", [])
    line = next(s for s in resolved["script"] if s.startswith("rc=0; kanidoc check"))
    command = line.split("; ", 1)[1].split(" || ")[0]
    variables = {"KANIDOC_OPTIONS": f"--only auth,engine --auth-file {cfg} --kaniko-version v1.23.2",
                 "KANIDOC_KANIKO_ARGS": "--context . --destination registry.example.com:5050/g/app:1"}
    argv = _shell_words(command, variables)
    assert argv[0] == "kanidoc"
    monkeypatch.chdir(tmp_path)
    run = kanidoc(*argv[1:], env={"GITLAB_CI": "true"})
    assert run.code == 1
    assert "section_start:" in run.out  # the job log: one collapsible section per check
    junit = tmp_path / "kanidoc-junit.xml"
    XSD.validate(str(junit))
    assert "KD-AUTH-010" in junit.read_text()
    assert os.path.getsize(tmp_path / "kanidoc-report.json") > 0 and (tmp_path / "kanidoc-report.md").exists()
