"""One suite for "no secret ever printed": canaries planted in every input (environment,
config.json, proxy URLs, the tokens the token server hands out, job logs) and every
command and format run with --debug; stdout, stderr and written files are grepped for
each canary and its base64 and URL-encoded forms."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.lab import servers
from tests.lab.tokenserver import User, token_server

CANARY = {
    "registry_password": "CANARYregpw7f3a9c1",
    "job_token": "CANARYjobtok2b8e1d",
    "custom": "CANARYcustom9d2e7b",
    "cfg_password": "CANARYcfgpw1a2b3c",
    "cfg_identity": "CANARYidentity4d5e",
    "cfg_registrytoken": "CANARYregtoken7a8b",
    "auth_password": "CANARYauthpw0d1e2f",
    "proxy_password": "CANARYproxypw6d7e",
    "log_token": "CANARYlogtok3f9a1b",
}


def forms(secret: str) -> set[str]:
    raw = secret.encode()
    return {secret, base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("="),
            urllib.parse.quote(secret, safe="")}


def assert_clean(texts: list[str], extra: list[str]) -> None:
    for text in texts:
        for name, secret in CANARY.items():
            for form in forms(secret):
                assert form not in text, f"{name} leaked as {form!r}"
        for secret in extra:
            assert secret not in text, "a token issued by the token server leaked"
        assert "CANARY" not in text


@pytest.fixture(scope="module")
def canary_lab(lab: Path, ca: servers.CA) -> Any:
    users = {"gitlab-ci-token": User(CANARY["auth_password"], ("push", "pull", "delete"))}
    with token_server(lab / "secrets-tokens", users) as ts, servers.registry(lab / "secrets-registry", ca, token=ts.registry_auth()) as reg, \
            servers.squid(lab / "secrets-squid", "auth", hosts={servers.REGISTRY_NAME: "127.0.0.1"}) as sq:
        yield ts, reg, sq


def _inputs(tmp: Path, reg: servers.Registry, sq: servers.Squid) -> tuple[dict[str, str], Path, Path]:
    auth = base64.b64encode(f"gitlab-ci-token:{CANARY['auth_password']}".encode()).decode()
    cfg = tmp / "config.json"
    cfg.write_text(json.dumps({"auths": {
        reg.address: {"auth": auth},
        "other.example.com": {"username": "u", "password": CANARY["cfg_password"]},
        "idt.example.com": {"identitytoken": CANARY["cfg_identity"]},
        "rt.example.com": {"registrytoken": CANARY["cfg_registrytoken"]},
    }}))
    env = {
        "GITLAB_CI": "true", "CI_REGISTRY": reg.address, "CI_REGISTRY_IMAGE": f"{reg.address}/group/project",
        "CI_COMMIT_SHORT_SHA": "abc1234", "CI_REGISTRY_USER": "gitlab-ci-token",
        "CI_REGISTRY_PASSWORD": CANARY["registry_password"], "CI_JOB_TOKEN": CANARY["job_token"],
        "MY_DEPLOY_TOKEN": CANARY["custom"],
        "https_proxy": f"http://proxyuser:{CANARY['proxy_password']}@127.0.0.1:{sq.port}",
        "no_proxy": "127.0.0.1,localhost",
    }
    log = tmp / "job.log"
    log.write_text("\n".join([
        "\x1b[0KRunning with gitlab-runner 17.0.0",
        f"$ echo \"{{\\\"auths\\\":{{\\\"{reg.address}\\\":{{\\\"auth\\\":\\\"{auth}\\\"}}}}}}\" > /kaniko/.docker/config.json",
        f"+ curl -H 'Authorization: Bearer {CANARY['log_token']}' https://{reg.address}/v2/",
        f"error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for \"{reg.address}/group/project:1\": POST https://{reg.address}/v2/group/project/blobs/uploads/?token={CANARY['log_token']}: UNAUTHORIZED: authentication required",
        f"Get \"https://proxyuser:{CANARY['proxy_password']}@{reg.address}/v2/\": Proxy Authentication Required",
    ]) + "\n")
    return env, cfg, log


FORMATS = ["text", "json", "junit", "markdown"]


def test_every_command_and_format(kanidoc, canary_lab, ca, tmp_path) -> None:
    ts, reg, sq = canary_lab
    env, cfg, log = _inputs(tmp_path, reg, sq)
    texts: list[str] = []
    common = ["--debug", "--connect-timeout", "3", "--auth-file", str(cfg), "--registry-certificate", f"{reg.address}={ca.pem}"]
    for fmt in FORMATS:
        out = tmp_path / f"report.{fmt}"
        run = kanidoc("check", *common, "--format", fmt, "--output", str(out),
                      "--", "/kaniko/executor", "--destination", f"{reg.address}/group/project:1",
                      "--destination", f"{servers.REGISTRY_NAME}:{reg.port}/group/project:2",
                      "--build-arg", f"NPM_TOKEN={CANARY['custom']}", env=env)
        texts += [run.out, run.err, out.read_text()]
    reports = {fmt: tmp_path / f"multi.{fmt}" for fmt in FORMATS}
    run = kanidoc("check", *common, *[a for f, p in reports.items() for a in ("--report-file", f"{f}={p}")],
                  "--destination", f"{reg.address}/group/project:1", env=env)
    texts += [run.out, run.err] + [p.read_text() for p in reports.values()]
    for fmt in FORMATS:
        run = kanidoc("explain", str(log), "--format", fmt, env=env)
        texts += [run.out, run.err]
        assert run.code in (1, 3)
    run = kanidoc("list-checks", env=env)
    texts += [run.out, run.err]
    assert ts.issued, "the token server issued tokens during the run"
    assert_clean(texts, ts.issued)
    # the push replay really ran through the token server with the planted credentials
    push = next(c for c in json.loads((tmp_path / "report.json").read_text())["checks"] if c["id"] == "push")
    assert any(f["code"] == "KD-PUSH-022" for f in push["findings"]), push
