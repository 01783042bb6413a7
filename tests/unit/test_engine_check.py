"""The ``engine`` check through the CLI: host fixtures (``--root``) crossed with kaniko versions.

Expected verdicts come from the kaniko source at each tag (see kanidoc/gosem/container.py
and ../shared/research/kaniko-internals.md), written out by hand per fixture:

* amicontained (<= v1.3.0): cgroup name, /proc/vz without /proc/bc, $container *equal* to
  one of 8 names (no podman), /run/systemd/container equal to one of them.
* bpfd (v1.4.0-v1.6.0, v1.8.0): cgroup name, openvz, gvisor, PID 1 cmdline, WSL,
  $container / /run/systemd/container *containing* a runtime name.
* v1.7.0 and v1.8.1: bpfd + /run/.containerenv, /.dockerenv.
* v1.9.0+ (and the forks): + the service-account directory, overlay root on line 1 of /proc/mounts.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kanidoc.checks import engine as engine_check

from kanidoc.model import Severity
from tests.conftest import Run

HOSTS = Path(__file__).resolve().parent.parent / "fixtures" / "hosts"

V130, V160, V170, V180, V181, V190, V1232 = "v1.3.0", "v1.6.0", "v1.7.0", "v1.8.0", "v1.8.1", "v1.9.0", "v1.23.2"
OSS = "ghcr.io/osscontainertools/kaniko:v1.25.5-debug"
VERSIONS = (V130, V160, V170, V180, V181, V190, V1232, OSS)

# fixture -> versions whose detector refuses there (everything else accepts)
REFUSES: dict[str, set[str]] = {
    "docker-cgroupv1": set(),  # "docker" in every cgroup path
    "docker-cgroupv2-host-ns": set(),  # 0::/system.slice/docker-<id>.scope
    "docker-cgroupv2-private": {V130, V160, V180},  # 0::/ + /.dockerenv: the v1.8.0 regression
    "k8s-containerd": {V130, V160, V170, V180, V181},  # 0::/ + service account + overlay root only
    "nspawn": set(),  # /run/systemd/container = systemd-nspawn (exact and substring)
    "openvz": set(),  # /proc/vz without /proc/bc
    "plain-host": set(VERSIONS),  # nothing at all
    "podman": {V130},  # container=podman: amicontained knows no podman
    "podman-noenv": {V130, V160, V180},  # only /run/.containerenv
}

Kanidoc = Callable[..., Run]


def env_of(fixture: str) -> dict[str, str]:
    env: dict[str, str] = json.loads((HOSTS / fixture / "env.json").read_text())
    return env


def engine(kanidoc: Kanidoc, root: str | Path, *extra: str, env: dict[str, str] | None = None) -> tuple[Run, dict[str, Any]]:
    run = kanidoc("check", "--only", "engine", "--format", "json", "--root", str(root), *extra, env=env)
    doc = run.json()  # schema-validated
    assert [c["id"] for c in doc["checks"]] == ["engine"]
    return run, doc["checks"][0]


def by_code(check: dict[str, Any], code: str) -> dict[str, Any]:
    found = [f for f in check["findings"] if f["code"] == code]
    assert len(found) == 1, [f["code"] for f in check["findings"]]
    return found[0]


def codes(check: dict[str, Any]) -> list[str]:
    return [f["code"] for f in check["findings"]]


def test_matrix_covers_every_fixture() -> None:
    assert set(REFUSES) == {p.name for p in HOSTS.iterdir() if p.is_dir()}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("fixture", sorted(REFUSES))
def test_fixture_version_matrix(kanidoc: Kanidoc, fixture: str, version: str) -> None:
    run, check = engine(kanidoc, HOSTS / fixture, "--kaniko-version", version, env=env_of(fixture))
    refuses = version in REFUSES[fixture]
    if refuses:
        assert run.code == 1 and check["status"] == "fail"
        verdict = by_code(check, "KD-ENGINE-001")
        assert verdict["severity"] == "error"
        assert "finds no container and refuses" in verdict["message"]
        assert verdict["evidence"]["kaniko_error"].startswith("kaniko should only be run inside of a container")
        assert verdict["remediation"]["text"]
    else:
        assert run.code == 0 and check["status"] == "pass"
        verdict = by_code(check, "KD-ENGINE-004")
        assert "accepts this as a container" in verdict["message"]
    ev = verdict["evidence"]
    assert ev["in_container"] is (not refuses)
    assert ev["version_source"] == "--kaniko-version"
    # the report names the file contents that decided
    assert ev["decided_by"] and all({"path", "value", "meaning"} <= set(e) for e in ev["decided_by"])
    assert ev["cgroup"]["self_cgroup"]
    assert ev["go_source"]
    assert "KD-ENGINE-006" in codes(check)  # which project the version belongs to


def test_v180_regression_docker_cgroupv2_private(kanidoc: Kanidoc) -> None:
    root = HOSTS / "docker-cgroupv2-private"
    run, check = engine(kanidoc, root, "--kaniko-version", "gcr.io/kaniko-project/executor:v1.8.0-debug")
    assert run.code == 1
    f = by_code(check, "KD-ENGINE-001")
    # one sentence with the deciding contents
    assert '/proc/self/cgroup is "0::/"' in f["message"]
    assert "$container is unset" in f["message"]
    assert "/.dockerenv" in f["message"] and "not v1.8.0" in f["message"]
    ev = f["evidence"]
    assert ev["version_range"] == "upstream v1.8.0"
    assert ev["version_text"] == "gcr.io/kaniko-project/executor:v1.8.0-debug"
    assert ev["cgroup"]["private_cgroupns"] == "yes"
    assert {"path": "/proc/self/cgroup", "value": "0::/"}.items() <= ev["decided_by"][0].items()
    # remediation: the seed doc's upgrade, verified to work here; container=docker as fallback
    assert "gcr.io/kaniko-project/executor:v1.23.2-debug" in f["remediation"]["text"]
    assert "ghcr.io/osscontainertools/kaniko" in f["remediation"]["text"]
    assert "--force" in f["remediation"]["text"]
    assert "container=docker" in f["remediation"]["text"]
    snippet = f["remediation"]["snippet"]
    assert "name: gcr.io/kaniko-project/executor:v1.23.2-debug" in snippet
    assert 'entrypoint: [""]' in snippet
    assert "#   container: docker" in snippet  # commented: upgrading is the fix
    assert ev["remedies_checked"] == {"v1.23.2_accepts_this_host": True, "container=docker_accepted": True}
    # its neighbours accept the same host because of /.dockerenv
    for ok in ("gcr.io/kaniko-project/executor:v1.7.0-debug", "gcr.io/kaniko-project/executor:v1.8.1-debug"):
        run, check = engine(kanidoc, root, "--kaniko-version", ok)
        assert run.code == 0
        assert "/.dockerenv exists" in by_code(check, "KD-ENGINE-004")["message"]


@pytest.mark.parametrize("version", [V130, V160, V180])
def test_container_variable_makes_every_refusing_version_accept(kanidoc: Kanidoc, version: str) -> None:
    root = HOSTS / "docker-cgroupv2-private"
    run, check = engine(kanidoc, root, "--kaniko-version", version, env={"container": "docker"})
    assert run.code == 0
    f = by_code(check, "KD-ENGINE-004")
    assert "$container" in f["message"]
    assert f["evidence"]["cgroup"]["$container"] == "docker"


def test_container_oci_does_not_count(kanidoc: Kanidoc) -> None:
    run, check = engine(kanidoc, HOSTS / "docker-cgroupv2-private", "--kaniko-version", V180, env={"container": "oci"})
    assert run.code == 1
    assert "$container" in by_code(check, "KD-ENGINE-001")["message"]


def test_amicontained_needs_exact_container_value(kanidoc: Kanidoc) -> None:
    # podman sets container=podman; amicontained (<= v1.3.0) only knows 8 names, podman not among them
    run, check = engine(kanidoc, HOSTS / "podman", "--kaniko-version", V130, env=env_of("podman"))
    assert run.code == 1
    f = by_code(check, "KD-ENGINE-001")
    assert "amicontained" in f["message"]
    assert f["evidence"]["remedies_checked"]["container=docker_accepted"] is True
    assert "kaniko v1.3.0 reads $container" in f["remediation"]["text"]


def test_k8s_upgrade_is_the_fix(kanidoc: Kanidoc) -> None:
    _, check = engine(kanidoc, HOSTS / "k8s-containerd", "--kaniko-version", V181, env=env_of("k8s-containerd"))
    f = by_code(check, "KD-ENGINE-001")
    assert "serviceaccount" in f["message"] and "honoured from v1.9.0" in f["message"]
    assert f["evidence"]["remedies_checked"]["v1.23.2_accepts_this_host"] is True


def test_pid1_cmdline_values_are_not_reported(kanidoc: Kanidoc) -> None:
    # PID 1 is the executor with its flags: values (destinations, build args) stay out of the report
    _, check = engine(kanidoc, HOSTS / "k8s-containerd", "--kaniko-version", V180, env=env_of("k8s-containerd"))
    text = json.dumps(check)
    assert "registry.example.com/team/app" not in text
    assert "dir:///workspace" not in text
    cmdline = next(e for e in by_code(check, "KD-ENGINE-001")["evidence"]["decided_by"] if e["path"] == "/proc/1/cmdline")
    assert cmdline["value"] == "/kaniko/executor --context=… --destination=…"


def test_force_turns_the_refusal_into_a_warning(kanidoc: Kanidoc) -> None:
    root = HOSTS / "docker-cgroupv2-private"
    run, check = engine(kanidoc, root, "--kaniko-version", V180, "--", "/kaniko/executor", "--force", "--no-push")
    assert run.code == 0 and check["status"] == "warn"
    f = by_code(check, "KD-ENGINE-002")
    assert f["severity"] == "warning"
    assert "kaniko is being run outside of a container" in f["message"]  # lower case up to v1.8.1
    assert "destructive" in f["message"]  # names the risk
    assert f["evidence"]["force"] is True
    assert "KD-ENGINE-001" not in codes(check)
    strict = kanidoc("check", "--only", "engine", "--format", "json", "--strict", "--root", str(root),
                     "--kaniko-version", V180, "--", "/kaniko/executor", "--force", "--no-push")
    assert strict.code == 1
    # from v1.9.0 kaniko spells it with a capital K
    _, check = engine(kanidoc, HOSTS / "plain-host", "--kaniko-version", V190, "--", "/kaniko/executor", "--force", "--no-push")
    assert "Kaniko is being run outside" in by_code(check, "KD-ENGINE-002")["evidence"]["kaniko_logs"]


def test_force_not_needed_is_noted(kanidoc: Kanidoc) -> None:
    _, check = engine(kanidoc, HOSTS / "docker-cgroupv1", "--kaniko-version", V180, "--", "/kaniko/executor", "--force", "--no-push")
    assert "not needed" in by_code(check, "KD-ENGINE-004")["evidence"]["force_note"]


def test_unknown_version_per_range_table(kanidoc: Kanidoc) -> None:
    run, check = engine(kanidoc, HOSTS / "docker-cgroupv2-private")
    assert run.code == 0 and check["status"] == "warn"
    f = by_code(check, "KD-ENGINE-003")
    assert f["severity"] == "warning"
    table = f["evidence"]["ranges"]
    assert len(table) == 9
    assert all(set(row) == {"range", "verdict", "sentence"} for row in table)
    refusing = [row["range"] for row in table if row["verdict"] == "refuses"]
    assert refusing == ["upstream <= v1.3.0", "upstream v1.4.0-v1.6.0", "upstream v1.8.0"]
    assert f["evidence"]["refusing_ranges"] == refusing
    for name in refusing:
        assert name in f["message"]
    assert "KD-ENGINE-006" not in codes(check)


def test_unknown_version_all_accept_is_info(kanidoc: Kanidoc) -> None:
    run, check = engine(kanidoc, HOSTS / "docker-cgroupv1")
    assert run.code == 0 and check["status"] == "pass"
    f = by_code(check, "KD-ENGINE-003")
    assert f["severity"] == "info"
    assert {row["verdict"] for row in f["evidence"]["ranges"]} == {"accepts"}


def test_unknown_version_with_force_says_so(kanidoc: Kanidoc) -> None:
    _, check = engine(kanidoc, HOSTS / "podman-noenv", "--", "/kaniko/executor", "--force", "--no-push")
    assert "--force is set" in by_code(check, "KD-ENGINE-003")["message"]


def test_plain_host_is_clearly_not_the_kaniko_container(kanidoc: Kanidoc) -> None:
    run, check = engine(kanidoc, HOSTS / "plain-host", "--kaniko-version", V1232)
    assert run.code == 1
    f = by_code(check, "KD-ENGINE-001")
    assert "clearly not the kaniko job container" in f["evidence"]["host"]
    assert "--root" in f["evidence"]["host"]
    # no faking a container on a real machine
    assert "Do not set container=docker or --force" in f["remediation"]["text"]
    assert f["remediation"]["snippet"] is None
    _, check = engine(kanidoc, HOSTS / "plain-host")
    f = by_code(check, "KD-ENGINE-003")
    assert "every kaniko version would refuse" in f["message"]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("gcr.io/kaniko-project/executor:debug", "debug"),
        ("gcr.io/kaniko-project/executor:latest", "latest"),
        ("gcr.io/kaniko-project/executor", ""),
        ("ghcr.io/osscontainertools/kaniko:debug", "debug"),
        ("debug", "debug"),
    ],
)
def test_floating_tags_warn(kanidoc: Kanidoc, text: str, tag: str) -> None:
    _, check = engine(kanidoc, HOSTS / "docker-cgroupv1", "--kaniko-version", text)
    f = by_code(check, "KD-ENGINE-005")
    assert f["severity"] == "warning" and check["status"] == "warn"
    assert f["evidence"]["tag"] == tag
    assert "v1.23.2-debug" in f["remediation"]["snippet"]
    assert "KD-ENGINE-003" in codes(check)  # a floating tag gives no version
    tried = by_code(check, "KD-ENGINE-003")["evidence"]["version_candidates"]
    assert tried[0]["result"] == "a floating tag, no version"


@pytest.mark.parametrize(
    "text",
    [
        "gcr.io/kaniko-project/executor:v1.23.2-debug",
        "gcr.io/kaniko-project/executor:debug@sha256:" + "a" * 64,
        "v1.23.2",
    ],
)
def test_pinned_versions_do_not_warn(kanidoc: Kanidoc, text: str) -> None:
    _, check = engine(kanidoc, HOSTS / "docker-cgroupv1", "--kaniko-version", text)
    assert "KD-ENGINE-005" not in codes(check)


def test_forks_and_archived_upstream(kanidoc: Kanidoc) -> None:
    _, check = engine(kanidoc, HOSTS / "docker-cgroupv2-private", "--kaniko-version", OSS)
    f = by_code(check, "KD-ENGINE-006")
    assert "osscontainertools" in f["message"]
    assert by_code(check, "KD-ENGINE-004")["evidence"]["version_range"] == "osscontainertools v1.25.5+"
    _, check = engine(kanidoc, HOSTS / "docker-cgroupv2-private", "--kaniko-version", "v1.24.0")
    f = by_code(check, "KD-ENGINE-006")
    assert "archived" in f["message"] and "June 2025" in f["evidence"]["note"]
    _, check = engine(kanidoc, HOSTS / "docker-cgroupv2-private", "--kaniko-version", "v1.26.0")
    assert "not an upstream release" in by_code(check, "KD-ENGINE-011")["message"]


def test_fork_with_floating_tag_names_the_fork(kanidoc: Kanidoc) -> None:
    _, check = engine(kanidoc, HOSTS / "k8s-containerd", "--kaniko-version", "ghcr.io/osscontainertools/kaniko:debug",
                      env=env_of("k8s-containerd"))
    f = by_code(check, "KD-ENGINE-003")
    assert f["evidence"]["fork"] == "osscontainertools"
    assert "osscontainertools fork, whose own releases all accept it" in f["message"]


# -- where the version comes from ---------------------------------------------------------


def tree(tmp_path: Path, fixture: str) -> Path:
    root = tmp_path / "root"
    shutil.copytree(HOSTS / fixture, root, symlinks=True)
    return root


def fake_executor(root: Path, body: str, mode: int = 0o755) -> Path:
    exe = root / "kaniko" / "executor"
    exe.parent.mkdir(parents=True, exist_ok=True)
    exe.write_text("#!/bin/sh\n" + body + "\n")
    exe.chmod(mode)
    return exe


def test_version_from_executor_binary(kanidoc: Kanidoc, tmp_path: Path) -> None:
    root = tree(tmp_path, "docker-cgroupv2-private")
    fake_executor(root, 'test "$1" = version || exit 3\necho "Kaniko version :  v1.8.0"')
    run, check = engine(kanidoc, root)
    assert run.code == 1
    ev = by_code(check, "KD-ENGINE-001")["evidence"]
    assert ev["version_source"] == "/kaniko/executor version"
    assert ev["kaniko_version"] == "v1.8.0"
    assert "which has /kaniko" in ev["host"]


def test_flag_wins_over_executor(kanidoc: Kanidoc, tmp_path: Path) -> None:
    root = tree(tmp_path, "docker-cgroupv2-private")
    marker = tmp_path / "ran"
    fake_executor(root, f'touch {marker}\necho "Kaniko version :  v1.8.0"')
    run, _ = engine(kanidoc, root, "--kaniko-version", V1232)
    assert run.code == 0
    assert not marker.exists()


def test_hanging_executor_is_killed(kanidoc: Kanidoc, tmp_path: Path) -> None:
    root = tree(tmp_path, "docker-cgroupv2-private")
    fake_executor(root, "exec sleep 30")
    start = time.monotonic()
    _, check = engine(kanidoc, root, "--connect-timeout", "0.5")
    assert time.monotonic() - start < 5
    f = by_code(check, "KD-ENGINE-003")
    assert f["evidence"]["version_candidates"][0]["result"].startswith("killed after")


def test_unset_executor_version_and_non_executable(kanidoc: Kanidoc, tmp_path: Path) -> None:
    root = tree(tmp_path, "docker-cgroupv2-private")
    fake_executor(root, 'echo "Kaniko version :  unset"')
    _, check = engine(kanidoc, root)
    tried = by_code(check, "KD-ENGINE-003")["evidence"]["version_candidates"]
    assert tried == [{"source": "/kaniko/executor version", "text": "Kaniko version :  unset", "result": "no X.Y.Z version in it"}]
    fake_executor(root, 'echo "Kaniko version :  v1.8.0"', mode=0o644)
    _, check = engine(kanidoc, root)
    assert by_code(check, "KD-ENGINE-003")["evidence"]["version_candidates"] == []


def test_version_from_ci_job_image(kanidoc: Kanidoc) -> None:
    env = {"CI_JOB_IMAGE": "gcr.io/kaniko-project/executor:v1.8.0-debug", "GITLAB_CI": "true"}
    run, check = engine(kanidoc, HOSTS / "docker-cgroupv2-private", env=env)
    assert run.code == 1
    assert by_code(check, "KD-ENGINE-001")["evidence"]["version_source"] == "$CI_JOB_IMAGE"
    run, check = engine(kanidoc, HOSTS / "docker-cgroupv2-private", env={"CI_JOB_IMAGE": "gcr.io/kaniko-project/executor:debug"})
    assert by_code(check, "KD-ENGINE-005")["evidence"]["source"] == "$CI_JOB_IMAGE"
    _, check = engine(kanidoc, HOSTS / "docker-cgroupv2-private", env={"CI_JOB_IMAGE": "alpine:3.20"})
    assert by_code(check, "KD-ENGINE-003")["evidence"]["version_candidates"] == []


# -- Docker Engine without a socket ----------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "phrase"),
    [("24.0.7", "private cgroup namespace by default (this host is cgroup v2)"), ("19.03.5", "< 20.10")],
)
def test_docker_version_flag(kanidoc: Kanidoc, version: str, phrase: str) -> None:
    _, check = engine(kanidoc, HOSTS / "docker-cgroupv2-private", "--kaniko-version", V181, "--docker-version", version)
    f = by_code(check, "KD-ENGINE-007")
    assert f["severity"] == "info" and phrase in f["message"]
    assert f["evidence"] == {"version": version, "source": "--docker-version"}
    assert by_code(check, "KD-ENGINE-004")["evidence"]["docker_engine"]["version"] == version


@pytest.mark.parametrize("docker_host", ["tcp://docker:2375", "tcp://10.0.0.5:2376", "ssh://user@build-host"])
def test_docker_host_never_queried_unless_local(kanidoc: Kanidoc, docker_host: str) -> None:
    _, check = engine(kanidoc, HOSTS / "docker-cgroupv2-private", "--kaniko-version", V181, env={"DOCKER_HOST": docker_host})
    engine_ev = by_code(check, "KD-ENGINE-004")["evidence"]["docker_engine"]
    assert engine_ev["version"] == "unknown"
    assert "not queried" in engine_ev["notes"][0]
    assert "KD-ENGINE-007" not in codes(check)
    assert "user@" not in json.dumps(check)


# -- host facts ------------------------------------------------------------------------------


def test_not_root_on_the_live_host(kanidoc: Kanidoc, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    _, check = engine(kanidoc, "/", "--kaniko-version", V1232)
    f = by_code(check, "KD-ENGINE-008")
    assert f["evidence"] == {"euid": 1000}
    assert "not root" in f["message"]
    # without /kaniko this is not the kaniko container, so it is only a note
    expected = "warning" if Path("/kaniko").is_dir() else "info"
    assert f["severity"] == expected


def test_root_facts_skipped_under_a_root_dir(kanidoc: Kanidoc) -> None:
    _, check = engine(kanidoc, HOSTS / "docker-cgroupv1", "--kaniko-version", V1232)
    assert "KD-ENGINE-008" not in codes(check)
    assert "KD-ENGINE-009" not in codes(check)  # no /kaniko in the fixture


def test_kaniko_dir_facts_under_a_root_dir(kanidoc: Kanidoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path, "docker-cgroupv1")
    (root / "kaniko").mkdir()
    _, check = engine(kanidoc, root, "--kaniko-version", V1232)
    assert by_code(check, "KD-ENGINE-009")["evidence"]["writable"] is True
    space = by_code(check, "KD-ENGINE-010")
    assert space["severity"] == "info" and space["evidence"]["free_bytes"] > 0
    # little space: measured on a copy, so only a note under --root
    monkeypatch.setattr(engine_check, "MIN_FREE_BYTES", 1 << 62)
    _, check = engine(kanidoc, root, "--kaniko-version", V1232)
    space = by_code(check, "KD-ENGINE-010")
    assert "under" in space["message"] and space["severity"] == "info"
    assert "copy under --root" in space["evidence"]["note"]
    # --kaniko-dir moves the snapshot directory
    (root / "scratch").mkdir()
    _, check = engine(kanidoc, root, "--kaniko-version", V1232, "--", "/kaniko/executor", "--kaniko-dir", "/scratch", "--no-push")
    assert by_code(check, "KD-ENGINE-010")["evidence"]["kaniko_dir"] == "/scratch"


def test_not_writable_kaniko_dir(kanidoc: Kanidoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path, "docker-cgroupv1")
    (root / "kaniko").mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p).endswith("/kaniko") else real_access(p, mode, **kw))
    _, check = engine(kanidoc, root, "--kaniko-version", V1232)
    f = by_code(check, "KD-ENGINE-009")
    assert f["evidence"]["writable"] is False and "not writable" in f["message"]


def test_low_space_on_the_live_host_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_check, "MIN_FREE_BYTES", 1 << 62)
    f = engine_check.EngineCheck()._space_finding(tmp_path, "/kaniko", {"kaniko_dir": "/kaniko"}, Severity.WARNING)
    assert f.code == "KD-ENGINE-010" and f.severity is Severity.WARNING
    assert "free, under" in f.message


# -- this machine ----------------------------------------------------------------------------


def test_real_host_gives_a_coherent_verdict(kanidoc: Kanidoc) -> None:
    env = {k: v for k, v in os.environ.items() if k in ("container", "DOCKER_HOST")}
    run, check = engine(kanidoc, "/", env=env)
    assert check["status"] in ("pass", "warn", "fail"), check
    assert run.code == (1 if check["status"] == "fail" else 0)
    verdict = by_code(check, "KD-ENGINE-003")
    assert verdict["evidence"]["ranges"] and verdict["evidence"]["cgroup"]
    assert verdict["evidence"]["host"].startswith("verdict for this host")
    run, check = engine(kanidoc, "/", "--kaniko-version", V1232, env=env)
    verdict = next(f for f in check["findings"] if f["code"] in ("KD-ENGINE-001", "KD-ENGINE-004"))
    assert verdict["evidence"]["decided_by"]
    assert (check["status"] == "fail") == (verdict["code"] == "KD-ENGINE-001")


def test_text_output_and_listing(kanidoc: Kanidoc) -> None:
    run = kanidoc("check", "--only", "engine", "--root", str(HOSTS / "docker-cgroupv2-private"), "--kaniko-version", V180)
    assert run.code == 1 and "KD-ENGINE-001" in run.out and "v1.23.2-debug" in run.out
    listing = kanidoc("list-checks")
    assert "Container detection (kaniko vs. this host)" in listing.out


# -- pure helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gcr.io/kaniko-project/executor:v1.8.1-debug", ("gcr.io/kaniko-project/executor", "v1.8.1-debug", None, False)),
        ("gcr.io/kaniko-project/executor:debug", ("gcr.io/kaniko-project/executor", "debug", None, True)),
        ("localhost:5000/kaniko", ("localhost:5000/kaniko", None, None, True)),
        ("ghcr.io/osscontainertools/kaniko@sha256:abc", ("ghcr.io/osscontainertools/kaniko", None, "sha256:abc", False)),
        ("v1.8.0", None),
        ("Kaniko version :  v1.8.0", None),
    ],
)
def test_image_ref(text: str, expected: tuple[str, str | None, str | None, bool] | None) -> None:
    ref = engine_check.image_ref(text)
    if expected is None:
        assert ref is None
    else:
        assert ref is not None
        assert (ref.repository, ref.tag, ref.digest, ref.floating) == expected


def test_safe_cmdline() -> None:
    assert engine_check.safe_cmdline("/kaniko/executor --build-arg TOKEN=abc --dockerfile=Dockerfile", "docker") == (
        "/kaniko/executor --build-arg … --dockerfile=…"
    )
    assert engine_check.safe_cmdline("/sbin/docker-init -- /bin/sh -c secret", "docker") == "/sbin/docker-init -- … -c …"
