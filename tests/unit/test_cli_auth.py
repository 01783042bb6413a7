"""End to end through the CLI: the auth check on broken and healthy configs (offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import b64, write_config

DEST = "registry.example.com:5050/group/app:1.0"


def check(kanidoc, tmp_path: Path, config: Path | None, *extra: str, env=None):  # type: ignore[no-untyped-def]
    args = ["check", "--only", "auth", "--format", "json"]
    if config is not None:
        args += ["--auth-file", str(config)]
    return kanidoc(*args, *extra, env=env)


def test_healthy_config_passes(kanidoc, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.json", {"registry.example.com:5050": {"auth": b64("u:secretpw")}})
    run = check(kanidoc, tmp_path, cfg, "--destination", DEST)
    doc = run.json()
    assert run.code == 0, run.out
    assert doc["status"] == "pass"
    assert run.codes() == ["KD-AUTH-011"]
    finding = doc["checks"][0]["findings"][0]
    assert finding["evidence"]["config_key"] == "registry.example.com:5050"
    assert finding["evidence"]["credential"] == "basic"


@pytest.mark.parametrize(
    ("config_text", "code"),
    [
        ('{"auths":{"registry.example.com:5050":{"auth":"' + b64("u:p" * 30)[:40] + "\n" + b64("u:p" * 30)[40:] + '"}}}', "KD-AUTH-001"),
        ('{"auths":{"registry.example.com:5050":{"auth":"dXNlcjpwYXNz IA=="}}}', "KD-AUTH-004"),
        ('{"auths":{"registry.example.com:5050":{"auth":"' + b64("justatoken") + '"}}}', "KD-AUTH-005"),
        ('{"auths":{"registry.example.com:5050":{"auth":"' + b64("gitlab-ci-token:") + '"}}}', "KD-AUTH-006"),
        ('{"auths":{"registry.example.com:5050":{"username":"u","password":"$CI_REGISTRY_PASSWORD"}}}', "KD-AUTH-007"),
        ('{"auths":{"registry.example.com:5050":{"auth":"' + b64("u:pass\n") + '"}}}', "KD-AUTH-008"),
        ('{"auths":{},"credsStore":"desktop"}', "KD-AUTH-009"),
        ('{"auths":{"registry.example.com":{"auth":"' + b64("u:p") + '"}}}', "KD-AUTH-010"),
        ('{"auths":[]}', "KD-AUTH-014"),
    ],
)
def test_broken_configs_fail_with_their_code(kanidoc, tmp_path: Path, config_text: str, code: str) -> None:
    cfg = write_config(tmp_path / "c.json", config_text)
    run = check(kanidoc, tmp_path, cfg, "--destination", DEST)
    assert run.code == 1, run.out
    assert code in run.codes()
    assert run.json()["status"] == "fail"


def test_invalid_json_position_and_go_message(kanidoc, tmp_path: Path) -> None:
    # the GitLab recipe without `tr -d '\n'`: base64 wraps, a raw newline lands in the string
    token = b64("gitlab-ci-token:" + "x" * 80)
    wrapped = token[:76] + "\n" + token[76:]
    cfg = write_config(tmp_path / "c.json", '{"auths":{"registry.example.com:5050":{"auth":"' + wrapped + '"}}}\n')
    finding = check(kanidoc, tmp_path, cfg, "--destination", DEST).json()["checks"][0]["findings"][0]
    assert finding["code"] == "KD-AUTH-001"
    assert finding["evidence"]["go_error"] == "invalid character '\\n' in string literal"
    assert (finding["evidence"]["line"], finding["evidence"]["column"]) == (1, 47 + 76 + 1)
    assert "tr -d '\\n'" in finding["remediation"]["snippet"]
    assert token[:20] not in str(finding)


def test_docker_hub_alias(kanidoc, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.json", {"docker.io": {"auth": b64("u:p")}})
    run = check(kanidoc, tmp_path, cfg, "--destination", "myuser/app:1")
    assert "KD-AUTH-012" in run.codes() and run.code == 1


def test_wrong_location_and_missing_config(kanidoc, tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_config(home / ".docker" / "config.json", {"registry.example.com:5050": {"auth": b64("u:p")}})
    run = check(kanidoc, tmp_path, None, "--destination", DEST,
                env={"HOME": str(home), "DOCKER_CONFIG": str(tmp_path / "kaniko" / ".docker")})
    assert run.code == 1
    assert {"KD-AUTH-002", "KD-AUTH-003"} <= set(run.codes())


def test_docker_config_is_a_file(kanidoc, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "config.json", {"registry.example.com:5050": {"auth": b64("u:p")}})
    run = check(kanidoc, tmp_path, None, "--destination", DEST, env={"DOCKER_CONFIG": str(cfg)})
    assert "KD-AUTH-023" in run.codes() and run.code == 1


def test_gitlab_default_destination_and_builtin_helper(kanidoc, tmp_path: Path) -> None:
    env = {"GITLAB_CI": "true", "CI_REGISTRY": "registry.gitlab.example.com", "CI_REGISTRY_IMAGE": "registry.gitlab.example.com/g/p",
           "CI_COMMIT_SHORT_SHA": "abc123", "CI_REGISTRY_USER": "gitlab-ci-token", "CI_REGISTRY_PASSWORD": "glcbt-canary-000"}
    run = check(kanidoc, tmp_path, None, env=env)
    doc = run.json()
    assert doc["target"]["destinations"] == ["registry.gitlab.example.com/g/p:abc123"]
    assert "KD-AUTH-020" in run.codes()
    # kaniko < v1.9.0 has no GitLab fallback: anonymous push
    run = check(kanidoc, tmp_path, None, "--kaniko-version", "v1.8.1", env=env)
    assert "KD-AUTH-020" not in run.codes() and run.code == 1


def test_from_lines_and_kaniko_line(kanidoc, tmp_path: Path) -> None:
    ctxdir = tmp_path / "src"
    ctxdir.mkdir()
    (ctxdir / "Dockerfile").write_text("ARG BASE\nFROM ${BASE}\nFROM quay.io/org/img:1\n")
    cfg = write_config(tmp_path / "c.json", {"registry.example.com:5050": {"auth": b64("u:p")}})
    run = check(kanidoc, tmp_path, cfg, "--", "/kaniko/executor", "--context", str(ctxdir),
                "--destination", DEST, "--build-arg", "BASE=registry.example.com:5050/base:1", "--frob")
    doc = run.json()
    evidence = [f["evidence"] for f in doc["checks"][0]["findings"]]
    assert {"registry": "registry.example.com:5050", "purpose": "pull"}.items() <= evidence[1].items()
    assert any(e.get("registry") == "quay.io" and e.get("purpose") == "pull" for e in evidence)
    assert doc["target"]["unknown_kaniko_flags"] == ["--frob"]
    assert run.code == 0


def test_upper_case_destination(kanidoc, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.json", {})
    run = check(kanidoc, tmp_path, cfg, "--destination", "registry.example.com/Group/App:1")
    assert "KD-AUTH-015" in run.codes() and run.code == 1


def test_text_output_and_no_colour_when_not_a_tty(kanidoc, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.json", {"registry.example.com": {"auth": b64("u:p")}})
    run = kanidoc("check", "--only", "auth", "--auth-file", str(cfg), "--destination", DEST)
    assert run.code == 1
    assert "KD-AUTH-010" in run.out and "\x1b[" not in run.out


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--only", "nope"],
        ["check", "--timeout", "-1"],
        ["check", "--format", "xml"],
        ["frobnicate"],
        ["check", "--registry-certificate", "nohostpath"],
        ["check", "--", "/kaniko/executor", "--destination"],
        ["check", "--", '/kaniko/executor --destination "unbalanced'],
    ],
)
def test_usage_errors_are_one_line_exit_2(kanidoc, argv: list[str]) -> None:
    run = kanidoc(*argv)
    assert run.code == 2
    assert run.err.startswith("kanidoc: error: ") and run.err.count("\n") == 1
    assert "Traceback" not in run.err


def test_list_checks(kanidoc) -> None:
    run = kanidoc("list-checks")
    assert run.code == 0 and run.out.startswith("auth")


def test_email_only_entry_blocks_the_gitlab_fallback(kanidoc, tmp_path: Path) -> None:
    env = {"CI_REGISTRY": "registry.example.com:5050", "CI_REGISTRY_USER": "gitlab-ci-token", "CI_REGISTRY_PASSWORD": "pw-canary-1234"}
    cfg = write_config(tmp_path / "c.json", {"registry.example.com:5050": {"email": "dev@example.com"}})
    run = check(kanidoc, tmp_path, cfg, "--destination", DEST, env=env)
    assert "KD-AUTH-006" in run.codes() and "KD-AUTH-020" not in run.codes()
    assert run.code == 1


def test_real_password_with_dollar_passes(kanidoc, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.json", {"registry.example.com:5050": {"auth": b64("u:Tr0ub4dor$Horse9")}})
    run = check(kanidoc, tmp_path, cfg, "--destination", DEST)
    assert run.code == 0 and "KD-AUTH-007" not in run.codes()


def test_no_push_destinations_are_not_contacted(kanidoc, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.json", {})
    run = check(kanidoc, tmp_path, cfg, "--", "/kaniko/executor", "--no-push", "--destination", "myimage:ci",
                "--tar-path", "/tmp/image.tar")
    assert run.json()["checks"][0]["status"] == "pass"
    assert "KD-AUTH-016" in run.codes() and run.code == 0


def test_registry_auth_file_fallback(kanidoc, tmp_path: Path) -> None:
    # no docker config at all: ggcr (kaniko >= v1.23.2) reads $REGISTRY_AUTH_FILE
    podman = write_config(tmp_path / "auth.json", {"registry.example.com:5050": {"auth": b64("u:p")}})
    env = {"REGISTRY_AUTH_FILE": str(podman), "DOCKER_CONFIG": str(tmp_path / "none")}
    run = kanidoc("check", "--only", "auth", "--format", "json", "--destination", DEST, env=env)
    assert run.code == 0 and "KD-AUTH-011" in run.codes()
    run = kanidoc("check", "--only", "auth", "--format", "json", "--destination", DEST, "--kaniko-version", "v1.23.0", env=env)
    assert run.code == 1  # older kaniko: anonymous


def test_push_alone_is_skipped_not_passed(kanidoc, tmp_path: Path) -> None:
    run = kanidoc("check", "--only", "push", "--format", "json", "--destination", DEST)
    push = run.json()["checks"][0]
    assert push["status"] == "skip" and "add them to --only" in push["reason"]
