"""No secret ever printed: canaries planted in every input, every format grepped.

Grows with every new command and format (issue 9 extends it to the network checks).
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import b64, write_config

CANARIES = {
    "env_registry_password": "CANARY-regpw-7f3a9c",
    "env_job_token": "CANARY-jobtok-2b8e1d",
    "env_dep_proxy": "CANARY-depproxy-5c4f0a",
    "env_custom": "CANARY-custom-9d2e7b",
    "cfg_password": "CANARY-cfgpw-1a2b3c",
    "cfg_identity": "CANARY-identity-4d5e6f",
    "cfg_registrytoken": "CANARY-regtoken-7a8b9c",
    "cfg_auth_pw": "CANARY-authpw-0d1e2f",
    "cfg_bad_auth_pw": "CANARY-badauth-3a4b5c",
    "proxy_pw": "CANARY-proxypw-6d7e8f",
}


def forms(secret: str) -> list[str]:
    raw = secret.encode()
    return [secret, base64.b64encode(raw).decode().rstrip("="), urllib.parse.quote(secret, safe=""),
            base64.urlsafe_b64encode(raw).decode().rstrip("=")]


def assert_clean(*texts: str) -> None:
    for text in texts:
        for name, secret in CANARIES.items():
            for form in forms(secret):
                assert form not in text, f"canary {name} leaked as {form!r}"
        assert "CANARY" not in text


def env(tmp_path: Path) -> dict[str, str]:
    return {
        "GITLAB_CI": "true",
        "CI_REGISTRY": "registry.example.com:5050",
        "CI_REGISTRY_IMAGE": "registry.example.com:5050/g/p",
        "CI_COMMIT_SHORT_SHA": "abc1234",
        "CI_REGISTRY_USER": "gitlab-ci-token",
        "CI_REGISTRY_PASSWORD": CANARIES["env_registry_password"],
        "CI_JOB_TOKEN": CANARIES["env_job_token"],
        "CI_DEPENDENCY_PROXY_PASSWORD": CANARIES["env_dep_proxy"],
        "MY_DEPLOY_TOKEN": CANARIES["env_custom"],
        "HTTPS_PROXY": f"http://proxyuser:{CANARIES['proxy_pw']}@127.0.0.1:9",
        "https_proxy": f"http://proxyuser:{urllib.parse.quote(CANARIES['proxy_pw'])}@127.0.0.1:9",
    }


CONFIGS = {
    "healthy": lambda: {
        "registry.example.com:5050": {"auth": b64("gitlab-ci-token:" + CANARIES["cfg_auth_pw"])},
        "other.example.com": {"username": "u", "password": CANARIES["cfg_password"]},
        "idt.example.com": {"identitytoken": CANARIES["cfg_identity"]},
        "rt.example.com": {"registrytoken": CANARIES["cfg_registrytoken"]},
    },
    "bad_base64": lambda: {
        "registry.example.com:5050": {"auth": b64("u:" + CANARIES["cfg_bad_auth_pw"])[:-2] + " ="},
        "other.example.com": {"password": CANARIES["cfg_password"], "username": "u"},
    },
    "invalid_json": lambda: '{"auths":{"registry.example.com:5050":{"auth":"'
    + b64("u:" + CANARIES["cfg_auth_pw"]) + '\n", "password":"' + CANARIES["cfg_password"] + '"}}}',
    "unexpanded_and_newline": lambda: {
        "registry.example.com:5050": {"auth": b64("u:" + CANARIES["cfg_auth_pw"] + "\n")},
        "x.example.com": {"username": "u", "password": "$CI_REGISTRY_PASSWORD" + CANARIES["cfg_password"]},
    },
}


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("fmt", ["text", "json", "junit", "markdown"])
def test_no_canary_in_any_output(kanidoc, tmp_path: Path, config: str, fmt: str) -> None:
    cfg = write_config(tmp_path / "config.json", CONFIGS[config]())
    out_file = tmp_path / f"report.{fmt}"
    for argv in (
        ["check", "--debug", "--format", fmt, "--auth-file", str(cfg)],
        ["check", "--debug", "--format", fmt, "--auth-file", str(cfg), "--output", str(out_file),
         "--", "/kaniko/executor", "--destination", "other.example.com/a:1", "--destination", "rt.example.com/b",
         "--build-arg", f"NPM_TOKEN={CANARIES['env_custom']}", f"--unknown-flag={CANARIES['env_custom']}"],
    ):
        run = kanidoc(*argv, env=env(tmp_path))
        written = out_file.read_text() if out_file.exists() else ""
        assert_clean(run.out, run.err, written)
        if fmt == "json":
            json.loads(run.out or written)


def test_usage_error_message_is_redacted(kanidoc, tmp_path: Path) -> None:
    run = kanidoc("check", "--registry-certificate", CANARIES["env_custom"], env=env(tmp_path))
    assert run.code == 2
    assert_clean(run.err, run.out)


CI_FILE = """
variables:
  MY_DEPLOY_TOKEN: {token}
  http_proxy: http://proxyuser:{proxy}@127.0.0.1:9
build:
  image: {{name: "gcr.io/kaniko-project/executor:v1.8.0", entrypoint: [""]}}
  script:
    - echo "{{\\"auths\\":{{\\"registry.example.com\\":{{\\"password\\":\\"{pw}\\"}}}}}}" > /root/.docker/config.json
    - /kaniko/executor --destination registry.example.com:5050/g/p:1 --build-arg NPM_TOKEN={literal} --build-arg T=$MY_DEPLOY_TOKEN
"""


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "markdown"])
def test_no_canary_from_a_ci_file(kanidoc, tmp_path: Path, fmt: str) -> None:
    ci = tmp_path / ".gitlab-ci.yml"
    ci.write_text(CI_FILE.format(token=CANARIES["env_custom"], proxy=CANARIES["proxy_pw"], pw=CANARIES["cfg_password"],
                                 literal=CANARIES["cfg_identity"]))
    run = kanidoc("check", "--ci-file", str(ci), "--job", "build", "--only", "ci,auth,engine", "--format", fmt,
                  "--report-file", f"markdown={tmp_path / 'r.md'}", env=env(tmp_path))
    assert run.code == 1, run.out
    assert_clean(run.out, run.err, (tmp_path / "r.md").read_text())


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "markdown"])
def test_no_canary_in_facts_or_their_replay(kanidoc, tmp_path: Path, fmt: str) -> None:
    from tests.unit.test_facts import BUSYBOX, build_tree, collect, job_env

    if not Path(BUSYBOX).exists():
        pytest.skip("busybox not installed")
    tree = build_tree(tmp_path, "k8s-containerd", "unexpanded_and_newline")
    write_config(tree / "root" / ".docker" / "config.json", CONFIGS["healthy"]())  # kaniko ignores it; the script masks it
    text = collect(tree, job_env("k8s-containerd"), tmp_path / "facts.txt")
    assert_clean(text)
    run = kanidoc("check", "--facts", str(tmp_path / "facts.txt"), "--format", fmt, "--", "/kaniko/executor",
                  "--destination", "registry.example.com:5050/g/p:1", env=env(tmp_path))
    assert_clean(run.out, run.err)
