"""A job log can carry secrets: none of them, in any spelling, comes back in text or JSON."""

from __future__ import annotations

import base64
import urllib.parse
from pathlib import Path

import pytest

CANARIES = {
    "auth_pw": "CANARY-authpw-1a2b3c",
    "basic_pw": "CANARY-basicpw-4d5e6f",
    "bearer": "CANARY-bearer-7a8b9c0d1e2f",
    "access_token": "CANARY-at-9f8e7d",
    "query_token": "CANARY-qtok-6c5b4a",
    "url_pw": "CANARY-urlpw-3f2e1d",
    "env_assign": "CANARY-envassign-0a9b8c",
    "login_pw": "CANARY-loginpw-7d6e5f",
    "json_password": "CANARY-jsonpw-4a3b2c",
    "job_token_env": "CANARY-jobtoken-1f0e9d",
    "signature": "CANARY-sig-8c7b6a",
}
JWT = ("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
       + base64.urlsafe_b64encode(b'{"sub":"CANARY-jwt-sub","access":[{"type":"repository"}]}').decode().rstrip("=")
       + ".c2lnbmF0dXJlLUNBTkFSWS1qd3Qtc2ln")


def forms(secret: str) -> list[str]:
    raw = secret.encode()
    return [secret, base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("="),
            urllib.parse.quote(secret, safe=""), base64.b64encode(b"gitlab-ci-token:" + raw).decode().rstrip("=")]


def log_text() -> str:
    c = CANARIES
    auth = base64.b64encode(f"gitlab-ci-token:{c['auth_pw']}".encode()).decode()
    basic = base64.b64encode(f"robot:{c['basic_pw']}".encode()).decode()
    return "\n".join([
        "Running with gitlab-runner 16.5.0 (853330f9)",
        f"+ export CI_REGISTRY_PASSWORD={c['env_assign']}",
        f"+ docker login -u robot -p {c['login_pw']} registry.example.com",
        # set -x echo of the config.json line, right before an error (kept as context)
        f"+ echo '{{\"auths\":{{\"registry.example.com:5050\":{{\"auth\":\"{auth}\"}},\"other\":{{\"password\":\"{c['json_password']}\"}}}}}}'",
        f"error building image: GET https://registry.example.com:5050/jwt/auth?scope=repository%3Ag%2Fp%3Apull&service=container_registry&access_token={c['access_token']}: UNAUTHORIZED: HTTP Basic: Access denied",
        f"DEBU[0001] request headers: Authorization: Basic {basic}",
        f"error pushing image: failed to push to destination registry.example.com/g/p:1: Authorization: Bearer {c['bearer']} rejected (weird proxy)",
        f"error building image: Get \"https://robot:{c['url_pw']}@proxy.example.com:3128/v2/?token={c['query_token']}\": dial tcp 10.0.0.9:3128: i/o timeout",
        f"error building image: GET https://storage.example.com/blobs/x?Expires=1552368644&Signature={c['signature']}&OSSAccessKeyId=LTAIfYaNrksx0ktL: dial tcp 100.97.228.42:443: i/o timeout",
        f"fatal: the token {JWT} was refused",
        f"error frobnicating: password is {c['auth_pw']} and job token {c['job_token_env']}",
        f"Error: weird failure with {urllib.parse.quote(c['auth_pw'], safe='')}",
        "ERROR: Job failed: exit code 1",
    ]) + "\n"


def assert_clean(text: str) -> None:
    for name, secret in CANARIES.items():
        for form in forms(secret):
            assert form not in text, f"{name} leaked as {form!r}"
    assert "CANARY" not in text
    assert JWT not in text and JWT.split(".")[1] not in text
    assert "LTAIfYaNrksx0ktL" not in text


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_secret_from_the_log_is_echoed(kanidoc, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "job.log"
    path.write_text(log_text())
    run = kanidoc("explain", str(path), "--format", fmt, env={"CI_JOB_TOKEN": CANARIES["job_token_env"]})
    assert run.code in (1, 3)
    assert "[REDACTED]" in run.out  # the lines were kept, with the secrets masked
    assert_clean(run.out + run.err)
    if fmt == "json":
        run.json()


def test_the_lines_that_carried_secrets_are_really_shown(kanidoc, tmp_path: Path) -> None:
    """Not vacuous: the report does show the lines (context, evidence, failure lines)."""
    path = tmp_path / "job.log"
    path.write_text(log_text())
    out = kanidoc("explain", str(path), "--format", "json").out
    assert "auths" in out and "access_token=[REDACTED]" in out and "Signature=[REDACTED]" in out
    assert "proxy.example.com" in out
