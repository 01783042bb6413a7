"""The push check against the real registry (bearer token auth with our token server, and
htpasswd Basic auth), a WAF in front, a read-only registry; skopeo pushes for real as the
referee, and the registry's storage is checked after every kanidoc run."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import b64
from tests.lab import servers
from tests.lab.oci import make_layout
from tests.lab.tokenserver import TokenServer, User, token_server
from tests.lab.waf import waf

USERS = {
    "pusher": User("pusher-pw-canary", ("push", "pull", "delete")),
    "reader": User("reader-pw-canary", ("pull",)),
    "forbidden": User("forbidden-pw-canary", ("pull",), token_status=403),
}


@pytest.fixture(scope="session")
def tokens(lab: Path) -> Iterator[TokenServer]:
    with token_server(lab / "tokens", USERS) as ts:
        yield ts


@pytest.fixture(scope="session")
def token_registry(lab: Path, ca: servers.CA, tokens: TokenServer) -> Iterator[servers.Registry]:
    with servers.registry(lab / "token-registry", ca, token=tokens.registry_auth()) as reg:
        yield reg


@pytest.fixture(scope="session")
def deny_registry(lab: Path, ca: servers.CA) -> Iterator[servers.Registry]:
    with token_server(lab / "tokens-deny", USERS, mode="deny-all") as ts, \
            servers.registry(lab / "deny-registry", ca, token=ts.registry_auth()) as reg:
        yield reg


@pytest.fixture(scope="session")
def opaque_registry(lab: Path, ca: servers.CA) -> Iterator[servers.Registry]:
    # an opaque (non-JWT) token: the registry cannot verify it either, so uploads get 401
    with token_server(lab / "tokens-opaque", USERS, opaque=True) as ts, \
            servers.registry(lab / "opaque-registry", ca, token=ts.registry_auth()) as reg:
        yield reg


@pytest.fixture(scope="session")
def basic_registry(lab: Path, ca: servers.CA) -> Iterator[servers.Registry]:
    pw = servers.htpasswd_file(lab / "registry-htpasswd", {"pusher": "pusher-pw-canary"})
    with servers.registry(lab / "basic-registry", ca, htpasswd=pw) as reg:
        yield reg


@pytest.fixture(scope="session")
def readonly_registry(lab: Path, ca: servers.CA) -> Iterator[servers.Registry]:
    with servers.registry(lab / "readonly-registry", ca, readonly=True) as reg:
        yield reg


def config_for(tmp: Path, registry: str, user: str | None, password: str | None = None) -> Path:
    path = tmp / "config.json"
    auths = {} if user is None else {registry: {"auth": b64(f"{user}:{password if password is not None else USERS[user].password}")}}
    path.write_text(json.dumps({"auths": auths}))
    return path


def push(kanidoc: Any, reg_addr: str, repo: str, cfg: Path, ca: servers.CA, *extra: str,
         reg: servers.Registry | None = None) -> tuple[Any, dict[str, Any]]:
    before = _blob_files(reg) if reg is not None else set()
    run = kanidoc("check", "--only", "reachability,auth,push", "--format", "json", "--connect-timeout", "3",
                  "--auth-file", str(cfg), "--registry-certificate", f"{reg_addr}={ca.pem}",
                  "--destination", f"{reg_addr}/{repo}:1", *extra)
    if reg is not None:
        assert_storage_clean(reg, repo, before)
    return run, next(c for c in run.json()["checks"] if c["id"] == "push")


def codes(check: dict[str, Any]) -> set[str]:
    return {f["code"] for f in check["findings"]}


def finding(check: dict[str, Any], code: str) -> dict[str, Any]:
    return next(f for f in check["findings"] if f["code"] == code)


def _blob_files(reg: servers.Registry) -> set[Path]:
    blobs = reg.storage / "docker/registry/v2/blobs"
    return {p for p in blobs.rglob("*") if p.is_file()} if blobs.exists() else set()


def assert_storage_clean(reg: servers.Registry, repo: str, blobs_before: set[Path] | None = None) -> None:
    """No upload session (its ``data`` and ``startedat`` files) and no new blob.

    distribution 2.8 re-writes the SHA-256 hash state of a cancelled upload while closing
    the request (``_uploads/<id>/hashstates/sha256/0``, no data, no start time): that is
    the registry's own residue after a successful DELETE, left by every client's cancel.
    Blobs are compared with a snapshot because the skopeo referee really pushes.
    """
    repo_dir = reg.storage / "docker/registry/v2/repositories" / repo
    sessions = [p for p in repo_dir.glob("_uploads/*/*") if p.name in ("data", "startedat")]
    assert sessions == [], f"upload sessions left behind: {sessions}"
    new_blobs = _blob_files(reg) - (blobs_before or set())
    assert not new_blobs, f"blobs left behind: {sorted(new_blobs)}"


def skopeo_push(reg_addr: str, repo: str, user: str | None, password: str | None, ca: servers.CA, tmp: Path) -> tuple[bool, str]:
    layout = make_layout(tmp / "oci")
    certs = tmp / "skopeo-certs"
    certs.mkdir(exist_ok=True)
    shutil.copy(ca.pem, certs / "ca.crt")
    cmd = ["skopeo", "--command-timeout", "20s", "copy", "--retry-times", "0", "--dest-cert-dir", str(certs)]
    if user is not None:
        cmd += ["--dest-creds", f"{user}:{password}"]
    else:
        cmd += ["--dest-no-creds"]
    cmd += [f"oci:{layout}:latest", f"docker://{reg_addr}/{repo}:1"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp)})
    return out.returncode == 0, out.stdout + out.stderr


# (user, password override, expected code, kaniko would pass)
TOKEN_CASES = {
    "pusher": ("pusher", None, "KD-PUSH-022", True),
    "reader": ("reader", None, "KD-PUSH-006", False),
    "wrong-password": ("pusher", "not-the-password", "KD-PUSH-004", False),
    "forbidden": ("forbidden", None, "KD-PUSH-005", False),
    "anonymous": (None, None, "KD-PUSH-006", False),
}


@pytest.mark.parametrize("case", sorted(TOKEN_CASES))
def test_bearer_registry_stages_and_skopeo_agrees(kanidoc, token_registry, ca, tmp_path, case) -> None:
    user, password, code, allowed = TOKEN_CASES[case]
    repo = f"lab/{case}-{uuid.uuid4().hex[:6]}"
    pw = password if password is not None else (USERS[user].password if user else None)
    cfg = config_for(tmp_path, token_registry.address, user, pw)
    run, check = push(kanidoc, token_registry.address, repo, cfg, ca, reg=token_registry)
    assert code in codes(check), check
    assert (check["status"] == "pass") is allowed
    if allowed:
        assert "KD-PUSH-018" in codes(check)
    for secret in ("pusher-pw-canary", "reader-pw-canary", "forbidden-pw-canary", "not-the-password"):
        assert secret not in run.out
    if shutil.which("skopeo"):
        ok, text = skopeo_push(token_registry.address, repo, user, pw, ca, tmp_path)
        assert ok is allowed, text


def test_token_claims_decoded_without_secrets(kanidoc, token_registry, tokens, ca, tmp_path) -> None:
    repo = f"lab/claims-{uuid.uuid4().hex[:6]}"
    run, check = push(kanidoc, token_registry.address, repo, config_for(tmp_path, token_registry.address, "reader"), ca, reg=token_registry)
    f = finding(check, "KD-PUSH-006")
    assert f["evidence"]["granted_actions"] == ["pull"]
    assert f["evidence"]["token_claims"]["access"][0]["name"] == repo
    assert f["evidence"]["registry_confirms"]["status"] == 401
    for token in tokens.issued:
        assert token not in run.out and token.split(".")[2] not in run.out


def test_token_service_403_for_everyone(kanidoc, deny_registry, ca, tmp_path) -> None:
    repo = "lab/denied"
    run, check = push(kanidoc, deny_registry.address, repo, config_for(tmp_path, deny_registry.address, "pusher"), ca, reg=deny_registry)
    assert "KD-PUSH-005" in codes(check) and run.code == 1


def test_opaque_token_is_reported_not_misread(kanidoc, opaque_registry, ca, tmp_path) -> None:
    repo = "lab/opaque"
    run, check = push(kanidoc, opaque_registry.address, repo, config_for(tmp_path, opaque_registry.address, "pusher"), ca, reg=opaque_registry)
    assert "KD-PUSH-007" in codes(check)
    assert check["status"] == "fail"  # the registry cannot verify it: 401 on the upload


@pytest.mark.parametrize(("user", "password", "code", "allowed"), [
    ("pusher", "pusher-pw-canary", "KD-PUSH-022", True),
    ("pusher", "wrong", "KD-PUSH-004", False),
    (None, None, "KD-PUSH-021", False),
])
def test_basic_registry(kanidoc, basic_registry, ca, tmp_path, user, password, code, allowed) -> None:
    repo = f"lab/basic-{uuid.uuid4().hex[:6]}"
    cfg = config_for(tmp_path, basic_registry.address, user, password)
    run, check = push(kanidoc, basic_registry.address, repo, cfg, ca, reg=basic_registry)
    assert code in codes(check), check
    if shutil.which("skopeo"):
        ok, text = skopeo_push(basic_registry.address, repo, user, password, ca, tmp_path)
        assert ok is allowed, text


def test_read_only_registry_405(kanidoc, readonly_registry, ca, tmp_path) -> None:
    run, check = push(kanidoc, readonly_registry.address, "lab/ro", config_for(tmp_path, readonly_registry.address, None), ca, reg=readonly_registry)
    assert "KD-PUSH-012" in codes(check)


def test_waf_403_is_not_a_permission_problem(kanidoc, token_registry, ca, tmp_path) -> None:
    repo = f"lab/waf-{uuid.uuid4().hex[:6]}"
    before = _blob_files(token_registry)
    with waf(token_registry.port) as port:
        addr = f"127.0.0.1:{port}"
        cfg = config_for(tmp_path, addr, "pusher")
        run = kanidoc("check", "--only", "reachability,auth,push", "--format", "json", "--connect-timeout", "3",
                      "--auth-file", str(cfg), "--destination", f"{addr}/{repo}:1")
    check = next(c for c in run.json()["checks"] if c["id"] == "push")
    f = finding(check, "KD-PUSH-014")
    assert "not the registry" in f["message"] and "BigIP-ASM" in f["message"]
    assert not codes(check) & {"KD-PUSH-004", "KD-PUSH-005", "KD-PUSH-006", "KD-PUSH-008", "KD-PUSH-009"}
    assert_storage_clean(token_registry, repo, before)


def test_no_push_and_skip_flag(kanidoc, token_registry, ca, tmp_path) -> None:
    cfg = config_for(tmp_path, token_registry.address, "pusher")
    _run, check = push(kanidoc, token_registry.address, "lab/np", cfg, ca, "--", "/kaniko/executor", "--no-push", reg=token_registry)
    assert codes(check) == {"KD-PUSH-015"}
    _run, check = push(kanidoc, token_registry.address, "lab/sk", cfg, ca, "--", "/kaniko/executor", "--skip-push-permission-check", reg=token_registry)
    assert {"KD-PUSH-015", "KD-PUSH-022"} <= codes(check)


def test_pull_permission_for_base_images(kanidoc, token_registry, ca, tmp_path) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text(f"FROM {token_registry.address}/lab/base-missing:1\n")
    cfg = config_for(tmp_path, token_registry.address, "reader")
    run, check = push(kanidoc, token_registry.address, "lab/pull", cfg, ca, "--dockerfile", str(df), reg=token_registry)
    assert "KD-PUSH-024" in codes(check)  # the reader may pull; the tag does not exist


def test_gitlab_path_rules(kanidoc, token_registry, ca, tmp_path) -> None:
    env = {"CI_REGISTRY": token_registry.address, "CI_REGISTRY_IMAGE": f"{token_registry.address}/group/project"}
    cfg = config_for(tmp_path, token_registry.address, "pusher")
    before = _blob_files(token_registry)
    run = kanidoc("check", "--only", "reachability,auth,push", "--format", "json", "--auth-file", str(cfg),
                  "--registry-certificate", f"{token_registry.address}={ca.pem}",
                  "--destination", f"{token_registry.address}/other/project:1", env=env)
    check = next(c for c in run.json()["checks"] if c["id"] == "push")
    assert "KD-PUSH-023" in codes(check)
    assert_storage_clean(token_registry, "other/project", before)


def test_reachability_probes_the_token_realm(kanidoc, token_registry, tokens, ca) -> None:
    run = kanidoc("check", "--only", "reachability", "--format", "json", "--destination", f"{token_registry.address}/lab/r:1")
    check = run.json()["checks"][0]
    realm = [f for f in check["findings"] if f["message"].startswith(f"token realm {tokens.realm}")]
    assert realm and realm[0]["code"] == "KD-REACH-001"
    ok = next(f for f in check["findings"] if f["code"] == "KD-REACH-020")
    assert ok["evidence"]["challenge"]["realm"] == tokens.realm
    assert run.code == 0


def test_token_request_takes_its_own_proxy_decision(kanidoc, token_registry, tokens, ca, squid_allow, tmp_path) -> None:
    # registry via HTTPS_PROXY by name; the realm is http://127.0.0.1/...: loopback, never
    # proxied by Go, so the Basic credentials must not travel through the proxy
    name = token_registry.named()
    cfg = config_for(tmp_path, name, "pusher")
    before = squid_allow.access_log()
    run = kanidoc("check", "--only", "reachability,auth,push", "--format", "json", "--connect-timeout", "3", "--auth-file", str(cfg),
                  "--registry-certificate", f"{name}={ca.pem}", "--destination", f"{name}/lab/viaproxy:1",
                  env={"HTTPS_PROXY": squid_allow.url(), "HTTP_PROXY": squid_allow.url()})
    check = next(c for c in run.json()["checks"] if c["id"] == "push")
    assert "KD-PUSH-022" in codes(check), check
    new = squid_allow.access_log()[len(before):]
    assert f"CONNECT {name}" in new and "/token" not in new


def test_token_requests_are_built_as_ggcr_builds_them(kanidoc, token_registry, tokens, ca, tmp_path) -> None:
    # The DELETE that cancels the upload needs the delete scope on distribution: ggcr's
    # bearer transport adds the challenge's scope to the ones it asked for and asks again
    # with all of them (bt.scopes), the service always set and the keys sorted.
    repo = f"lab/scopes-{uuid.uuid4().hex[:6]}"
    before = len(tokens.requests)
    run, check = push(kanidoc, token_registry.address, repo, config_for(tmp_path, token_registry.address, "pusher"), ca,
                      reg=token_registry)
    assert "KD-PUSH-018" in codes(check), check
    mine = [q for q in tokens.requests[before:] if repo.replace("/", "%2F") in q]
    service = "service=kanidoc-lab-registry"
    first = f"scope=repository%3A{repo.replace('/', '%2F')}%3Apush%2Cpull"
    delete = f"scope=repository%3A{repo.replace('/', '%2F')}%3Adelete"
    assert mine == [f"{first}&{service}", f"{first}&{delete}&{service}"], mine
