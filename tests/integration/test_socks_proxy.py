"""Reachability and the push replay through the proxies ``probe.tunnel()`` speaks besides
plain-HTTP CONNECT: a SOCKS5 proxy (tests/lab/socks.py) and an ``https://`` proxy, TLS to the
proxy and then TLS to the registry inside the tunnel (tests/lab/tlsproxy.py). The lab
registry uses bearer token auth; skopeo (Go's net/http and crypto/tls, as kaniko) through
the same proxy is the referee.

The registry is addressed by its lab name: Go never proxies loopback IP literals or
``localhost``. The proxy resolves the name from its hosts map (as squid does from its hosts
file); nothing resolves it with the system resolver, and skopeo runs without
``--tls-verify=false`` (which would make it fall back to a direct plain-HTTP attempt and a
system DNS query). The token realm is http://127.0.0.1:...: loopback, fetched directly.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from kanidoc.gosem import proxy as goproxy
from kanidoc.net.registry_client import RegistryClient
from tests.conftest import b64
from tests.lab import pki, servers
from tests.lab.oci import make_layout
from tests.lab.socks import socks_proxy
from tests.lab.tlsproxy import tls_proxy
from tests.lab.tokenserver import TokenServer, User, token_server

pytestmark = pytest.mark.integration

PUSHER, PUSHER_PW = "pusher", "socks-pusher-pw-canary"
PROXY_USER, PROXY_PW = "proxyuser", "proxy-pw-canary-7f3a"
USERS = {PUSHER: User(PUSHER_PW, ("push", "pull", "delete"))}
HOSTS = {servers.REGISTRY_NAME: "127.0.0.1"}
needs_skopeo = pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo not installed")


@pytest.fixture(scope="module")
def tokens(lab: Path) -> Iterator[TokenServer]:
    with token_server(lab / "proxy-tunnel-tokens", USERS) as ts:
        yield ts


@pytest.fixture(scope="module")
def token_registry(lab: Path, ca: servers.CA, tokens: TokenServer) -> Iterator[servers.Registry]:
    with servers.registry(lab / "proxy-tunnel-registry", ca, token=tokens.registry_auth()) as reg:
        yield reg


@pytest.fixture(scope="module")
def proxy_cert(ca: servers.CA) -> tuple[Path, Path]:
    """The https:// proxy's certificate, from the lab CA: the CA kanidoc and skopeo are
    given for the registry, and Go verifies the proxy with that same pool."""
    return ca.leaf("https-proxy", "127.0.0.1")


def auth_file(tmp: Path, registry: str) -> Path:
    path = tmp / "config.json"
    path.write_text(json.dumps({"auths": {registry: {"auth": b64(f"{PUSHER}:{PUSHER_PW}")}}}))
    return path


def check_via(kanidoc: Any, reg: servers.Registry, ca: servers.CA, tmp: Path, repo: str, proxy_url: str,
              *extra: str) -> tuple[Any, dict[str, dict[str, Any]]]:
    name = reg.named()
    run = kanidoc("check", "--only", "reachability,auth,push", "--format", "json", "--connect-timeout", "3",
                  "--auth-file", str(auth_file(tmp, name)), "--registry-certificate", f"{name}={ca.pem}",
                  "--destination", f"{name}/{repo}:1", *extra, env={"HTTPS_PROXY": proxy_url})
    return run, {c["id"]: c for c in run.json()["checks"]}


def codes(check: dict[str, Any]) -> set[str]:
    return {f["code"] for f in check["findings"]}


def finding(check: dict[str, Any], code: str) -> dict[str, Any]:
    return next(f for f in check["findings"] if f["code"] == code)


def blob_files(reg: servers.Registry) -> set[Path]:
    blobs = reg.storage / "docker/registry/v2/blobs"
    return {p for p in blobs.rglob("*") if p.is_file()} if blobs.exists() else set()


def assert_storage_clean(reg: servers.Registry, repo: str, before: set[Path]) -> None:
    repo_dir = reg.storage / "docker/registry/v2/repositories" / repo
    sessions = [p for p in repo_dir.glob("_uploads/*/*") if p.name in ("data", "startedat")]
    assert sessions == [], f"upload sessions left behind: {sessions}"
    assert blob_files(reg) - before == set()


def skopeo(args: list[str], ca: servers.CA, tmp: Path, proxy_url: str, cert_dir_flag: str) -> subprocess.CompletedProcess[str]:
    """skopeo 1.9 (containers/image: http.ProxyFromEnvironment, Go's SOCKS dialer, TLS to an
    https:// proxy with the transport's RootCAs). HTTP_PROXY too, so no attempt is direct."""
    certs = tmp / "skopeo-certs"
    certs.mkdir(exist_ok=True)
    shutil.copy(ca.pem, certs / "ca.crt")
    cmd = ["skopeo", "--command-timeout", "20s", *args[:1], "--retry-times", "0", cert_dir_flag, str(certs), *args[1:]]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp), "HTTPS_PROXY": proxy_url, "HTTP_PROXY": proxy_url})


def skopeo_push(ref: str, ca: servers.CA, tmp: Path, proxy_url: str) -> subprocess.CompletedProcess[str]:
    layout = make_layout(tmp / "oci")
    return skopeo(["copy", "--dest-creds", f"{PUSHER}:{PUSHER_PW}", f"oci:{layout}:latest", f"docker://{ref}"],
                  ca, tmp, proxy_url, "--dest-cert-dir")


def skopeo_inspect(ref: str, ca: servers.CA, tmp: Path, proxy_url: str) -> subprocess.CompletedProcess[str]:
    return skopeo(["inspect", f"docker://{ref}"], ca, tmp, proxy_url, "--cert-dir")


def assert_through_proxy(checks: dict[str, dict[str, Any]], reg: servers.Registry, scheme: str, port: int,
                         connect_detail: str, *, userinfo: bool = False) -> None:
    """Reachability passed via the proxy (userinfo, if any, masked) and the replay pushed."""
    reach = checks["reachability"]
    shown = rf"{scheme}://(?P<userinfo>[^@\s/]+@)?127\.0\.0\.1:{port}"
    decision = finding(reach, "KD-REACH-001")
    m = re.search(rf"via proxy {shown} \(HTTPS_PROXY\)", decision["message"])
    assert m is not None, decision
    assert bool(m.group("userinfo")) is userinfo and PROXY_USER not in decision["message"]
    assert reach["status"] == "pass", reach
    ok = finding(reach, "KD-REACH-020")
    assert [h["hop"] for h in ok["evidence"]["hops"]] == ["dns", "tcp", "connect", "tls", "http"]
    assert re.fullmatch(shown, ok["evidence"]["proxy"]), ok["evidence"]["proxy"]
    connect = next(h for h in ok["evidence"]["hops"] if h["hop"] == "connect")
    assert connect["detail"] == f"{connect_detail} {reg.named()} -> " + ("ok" if scheme.startswith("socks") else "200"), connect
    push = checks["push"]
    assert push["status"] == "pass", push
    assert {"KD-PUSH-022", "KD-PUSH-018"} <= codes(push), push  # allowed; upload opened and cancelled


def assert_not_replayed(push: dict[str, Any]) -> None:
    """The push check does not replay past a failed reachability hop (an info finding), and
    blames neither credentials nor permissions."""
    ping = finding(push, "KD-PUSH-003")
    assert ping["severity"] == "info" and "not replayed" in ping["message"], ping
    assert not codes(push) & {"KD-PUSH-004", "KD-PUSH-005", "KD-PUSH-006", "KD-PUSH-018", "KD-PUSH-022"}


# --- SOCKS5 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["socks5", "socks5h"])
def test_reachability_and_push_replay_through_socks5(kanidoc, token_registry, tokens, ca, tmp_path, scheme) -> None:
    repo = f"lab/socks-{uuid.uuid4().hex[:6]}"
    before = blob_files(token_registry)
    asked = len(tokens.requests)
    with socks_proxy(hosts=HOSTS) as sx:
        run, checks = check_via(kanidoc, token_registry, ca, tmp_path, repo, sx.url(scheme=scheme))
    assert run.code == 0, run.out
    assert_through_proxy(checks, token_registry, scheme, sx.port, "SOCKS5 CONNECT")
    # the probe and every replay request went through the proxy, by name (ATYP 3)...
    assert set(sx.targets) == {token_registry.named()}, sx.targets
    # the probe's GET /v2/, and the replay's POST upload and DELETEs (kept alive, as Go's transport does)
    assert len(sx.targets) >= 2
    assert all(g == b"\x00" for g in sx.greetings)  # no credentials offered when the URL has none
    assert len(tokens.requests) > asked  # ...and the loopback realm was asked directly
    assert_storage_clean(token_registry, repo, before)


@needs_skopeo
def test_skopeo_pushes_through_the_same_socks5_proxy(kanidoc, token_registry, ca, tmp_path) -> None:
    repo = f"lab/socks-ref-{uuid.uuid4().hex[:6]}"
    with socks_proxy(hosts=HOSTS) as sx:
        run, checks = check_via(kanidoc, token_registry, ca, tmp_path, repo, sx.url())
        by_kanidoc = len(sx.targets)
        out = skopeo_push(f"{token_registry.named()}/{repo}:1", ca, tmp_path, sx.url())
    assert run.code == 0 and checks["push"]["status"] == "pass", run.out
    assert out.returncode == 0, out.stdout + out.stderr
    assert sx.targets[by_kanidoc:] and set(sx.targets[by_kanidoc:]) == {token_registry.named()}, sx.targets


def test_socks5_with_credentials(kanidoc, token_registry, ca, tmp_path) -> None:
    repo = f"lab/socks-auth-{uuid.uuid4().hex[:6]}"
    before = blob_files(token_registry)
    reports = {fmt: tmp_path / f"report.{fmt}" for fmt in ("text", "markdown", "junit")}
    with socks_proxy(users={PROXY_USER: PROXY_PW}, hosts=HOSTS) as sx:
        run, checks = check_via(kanidoc, token_registry, ca, tmp_path, repo, sx.url(PROXY_USER, PROXY_PW),
                                *[a for fmt, p in reports.items() for a in ("--report-file", f"{fmt}={p}")])
    assert run.code == 0, run.out
    assert_through_proxy(checks, token_registry, "socks5", sx.port, "SOCKS5 CONNECT", userinfo=True)
    assert set(sx.targets) == {token_registry.named()} and len(sx.targets) >= 2
    assert sx.users_seen == [PROXY_USER] * len(sx.targets)  # RFC 1929 on every connection
    assert all(b"\x02" in g for g in sx.greetings)
    assert_storage_clean(token_registry, repo, before)
    outputs = {"stdout": run.out, "stderr": run.err, **{fmt: p.read_text() for fmt, p in reports.items()}}
    for where, text in outputs.items():
        assert PROXY_PW not in text, where
        assert PUSHER_PW not in text, where


@pytest.mark.parametrize("case", ["wrong-password", "no-credentials"])
def test_socks5_auth_failure_is_the_proxy_not_the_registry(kanidoc, token_registry, ca, tmp_path, case) -> None:
    repo = f"lab/socks-badauth-{uuid.uuid4().hex[:6]}"
    with socks_proxy(users={PROXY_USER: "the-right-one"}, hosts=HOSTS) as sx:
        url = sx.url(PROXY_USER, PROXY_PW) if case == "wrong-password" else sx.url()
        run, checks = check_via(kanidoc, token_registry, ca, tmp_path, repo, url)
    assert run.code == 1
    f = finding(checks["reachability"], "KD-REACH-014")  # proxy wants (other) credentials
    assert [h["hop"] for h in f["evidence"]["hops"]] == ["dns", "tcp", "connect"]
    assert sx.targets == []  # refused before any CONNECT
    assert sx.users_seen == ([PROXY_USER] if case == "wrong-password" else [])
    assert PROXY_PW not in run.out + run.err
    assert_not_replayed(checks["push"])


def test_socks5_deny_names_the_proxy_hop(kanidoc, token_registry, ca, tmp_path) -> None:
    repo = f"lab/socks-deny-{uuid.uuid4().hex[:6]}"
    before = blob_files(token_registry)
    with socks_proxy("deny", hosts=HOSTS) as sx:
        run, checks = check_via(kanidoc, token_registry, ca, tmp_path, repo, sx.url())
    assert run.code == 1
    f = finding(checks["reachability"], "KD-REACH-015")  # the proxy refuses this destination
    assert f["evidence"]["proxy"] == f"socks5://127.0.0.1:{sx.port}"
    hops = f["evidence"]["hops"]
    assert [h["hop"] for h in hops] == ["dns", "tcp", "connect"] and hops[-1]["ok"] is False
    assert "SOCKS CONNECT refused (reply code 2: connection not allowed by ruleset)" in hops[-1]["detail"]
    assert "NO_PROXY" in f["remediation"]["text"]
    assert sx.targets == [token_registry.named()]  # asked once, by name; nothing else was tried
    assert_not_replayed(checks["push"])
    assert_storage_clean(token_registry, repo, before)


# How Go (x/net/internal/socks via net/http, no "proxyconnect" wrapper) words SOCKS failures;
# {proxy} is the proxy's address, {target} the host:port asked for.
GO_SOCKS_ERRORS = {
    "deny": "socks connect tcp {proxy}->{target}: unknown error connection not allowed by ruleset",
    "wrong-password": "socks connect tcp {proxy}->{target}: username/password authentication failed",
    "no-acceptable-method": "socks connect tcp {proxy}->{target}: no acceptable authentication methods",
}


def _socks_case(case: str) -> tuple[str, dict[str, str] | None, tuple[str, str] | None]:
    return {"deny": ("deny", None, None),
            "wrong-password": ("allow", {PROXY_USER: "the-right-one"}, (PROXY_USER, PROXY_PW)),
            "no-acceptable-method": ("allow", {PROXY_USER: "the-right-one"}, None)}[case]


@needs_skopeo
@pytest.mark.parametrize("case", sorted(GO_SOCKS_ERRORS))
def test_go_wording_of_socks_failures_referee(token_registry, ca, tmp_path, case) -> None:
    """The wording below is Go's: skopeo says exactly that through the lab SOCKS proxy."""
    mode, users, cred = _socks_case(case)
    with socks_proxy(mode, users=users, hosts=HOSTS) as sx:
        out = skopeo_inspect(f"{token_registry.named()}/lab/none:1", ca, tmp_path, sx.url(*cred) if cred else sx.url())
    expected = GO_SOCKS_ERRORS[case].format(proxy=f"127.0.0.1:{sx.port}", target=token_registry.named())
    assert out.returncode != 0 and expected in out.stderr, out.stderr


@pytest.mark.parametrize("case", sorted(GO_SOCKS_ERRORS))
def test_socks_go_error_is_gos_wording(kanidoc, token_registry, ca, tmp_path, case) -> None:
    mode, users, cred = _socks_case(case)
    with socks_proxy(mode, users=users, hosts=HOSTS) as sx:
        run, checks = check_via(kanidoc, token_registry, ca, tmp_path, "lab/wording", sx.url(*cred) if cred else sx.url())
    failed = [f for f in checks["reachability"]["findings"] if f["severity"] == "error"]
    assert len(failed) == 1 and failed[0]["evidence"]["failed_hop"] == "connect", failed
    expected = GO_SOCKS_ERRORS[case].format(proxy=f"127.0.0.1:{sx.port}", target=token_registry.named())
    assert failed[0]["evidence"]["go_error"] == expected


# --- https:// proxy: TLS to the proxy, CONNECT inside it, TLS to the registry inside that ---

TLS_IN_TLS = ("kanidoc bug: TLS in TLS. probe.tunnel() returns the ssl.SSLSocket of the https:// proxy session; "
              "tlsprobe.handshake() (reachability) and RegistryClient._tls() (push replay) then call "
              "SSLContext.wrap_socket() on that SSLSocket, which takes over its file descriptor and detaches it: the "
              "registry's ClientHello goes out in clear on the proxy's TLS connection (the proxy: BAD_RECORD_TYPE) and "
              "the hop fails as 'TLS handshake failed: UNEXPECTED_MESSAGE' (KD-REACH-018, blaming the registry's TLS). "
              "Needs SSLContext.wrap_bio() with MemoryBIOs pumped over the outer SSLSocket.")


@needs_skopeo
def test_skopeo_pushes_through_the_https_proxy(token_registry, ca, proxy_cert, tmp_path) -> None:
    """The lab's https:// proxy works for Go: TLS to it, CONNECT, TLS to the registry inside."""
    repo = f"lab/https-proxy-ref-{uuid.uuid4().hex[:6]}"
    with tls_proxy(proxy_cert, hosts=HOSTS) as px:
        out = skopeo_push(f"{token_registry.named()}/{repo}:1", ca, tmp_path, px.url())
    assert out.returncode == 0, out.stdout + out.stderr
    assert px.targets and set(px.targets) == {token_registry.named()}
    assert px.handshakes == len(px.targets) and px.tunnel_errors == [] and px.tls_errors == []



def test_reachability_and_push_replay_through_https_proxy(kanidoc, token_registry, ca, proxy_cert, tmp_path) -> None:
    repo = f"lab/https-proxy-{uuid.uuid4().hex[:6]}"
    before = blob_files(token_registry)
    with tls_proxy(proxy_cert, hosts=HOSTS) as px:
        run, checks = check_via(kanidoc, token_registry, ca, tmp_path, repo, px.url())
    # what works today: TLS to the proxy and CONNECT inside it
    assert px.handshakes >= 1 and px.tls_errors == []
    assert px.targets and set(px.targets) == {token_registry.named()}
    hops = next(f["evidence"]["hops"] for f in checks["reachability"]["findings"]
                if f["evidence"].get("registry") == token_registry.named() and "hops" in f["evidence"])
    assert hops[2] == {**hops[2], "hop": "connect", "ok": True, "detail": f"CONNECT {token_registry.named()} -> 200"}
    # what does not: TLS to the registry inside the tunnel
    assert px.tunnel_errors == []
    assert run.code == 0, run.out
    assert_through_proxy(checks, token_registry, "https", px.port, "CONNECT")
    assert len(px.targets) >= 2  # the replay went through the proxy too
    assert_storage_clean(token_registry, repo, before)



def test_replay_client_through_https_proxy(token_registry, ca, proxy_cert) -> None:
    """The push replay's client on its own (reachability fails first in a full check, so
    the push check never replays): GET /v2/ through the https:// proxy must reach the registry."""
    name = token_registry.named()
    decision = goproxy.decide(goproxy.ProxyEnv.from_environ({}), f"https://{name}/v2/")
    assert decision.proxy is None  # sanity: empty environment
    roots = [x509.load_pem_x509_certificate(Path(ca.pem).read_bytes())]
    with tls_proxy(proxy_cert, hosts=HOSTS) as px:
        env = goproxy.ProxyEnv.from_environ({"HTTPS_PROXY": px.url()})
        proxy = goproxy.decide(env, f"https://{name}/v2/").proxy
        assert proxy is not None and proxy.scheme == "https"
        with RegistryClient(proxy, roots, connect_timeout=3, read_timeout=3) as client:
            reply = client.request("GET", f"https://{name}/v2/")
    assert px.targets == [name]  # CONNECT went through
    assert reply.error is None, reply.error
    assert reply.status == 401 and reply.from_registry


def test_https_proxy_deny_names_the_proxy_hop(kanidoc, token_registry, ca, proxy_cert, tmp_path) -> None:
    with tls_proxy(proxy_cert, "deny", hosts=HOSTS) as px:
        run, checks = check_via(kanidoc, token_registry, ca, tmp_path, "lab/https-deny", px.url())
    assert run.code == 1
    f = finding(checks["reachability"], "KD-REACH-015")
    assert f["evidence"]["proxy"] == f"https://127.0.0.1:{px.port}"
    assert [h["hop"] for h in f["evidence"]["hops"]] == ["dns", "tcp", "connect"]
    assert f["evidence"]["go_error"] == "Forbidden"
    assert px.targets == [token_registry.named()] and px.handshakes == 1
    assert_not_replayed(checks["push"])


def test_https_proxy_407_keeps_the_password_out(kanidoc, token_registry, ca, proxy_cert, tmp_path) -> None:
    with tls_proxy(proxy_cert, users={PROXY_USER: "the-right-one"}, hosts=HOSTS) as px:
        run, checks = check_via(kanidoc, token_registry, ca, tmp_path, "lab/https-407", px.url(PROXY_USER, PROXY_PW))
    assert run.code == 1
    f = finding(checks["reachability"], "KD-REACH-014")
    assert f["evidence"]["credentials_in_proxy_url"] is True
    assert px.users_seen == [PROXY_USER]  # Proxy-Authorization travelled inside the proxy's TLS
    assert PROXY_PW not in run.out + run.err


@pytest.fixture(scope="module")
def untrusted_proxy_cert(lab: Path) -> tuple[Path, Path]:
    """A proxy certificate from a CA neither kanidoc nor skopeo is given."""
    other = pki.ca("Untrusted Proxy CA")
    return pki.write_chain(lab / "untrusted-proxy", "proxy", pki.leaf(other, ["127.0.0.1"]), [other])


@needs_skopeo
def test_go_refuses_an_untrusted_https_proxy_referee(token_registry, ca, untrusted_proxy_cert, tmp_path) -> None:
    """Go verifies the https:// proxy's certificate with the transport's RootCAs (kaniko: the
    system pool plus --registry-certificate) and fails before CONNECT."""
    with tls_proxy(untrusted_proxy_cert, hosts=HOSTS) as px:
        out = skopeo_inspect(f"{token_registry.named()}/lab/none:1", ca, tmp_path, px.url())
    assert out.returncode != 0
    assert "proxyconnect tcp: x509: certificate signed by unknown authority" in out.stderr, out.stderr
    assert px.targets == []


def test_untrusted_https_proxy_certificate_fails_at_the_proxy(kanidoc, token_registry, ca, untrusted_proxy_cert, tmp_path) -> None:
    with tls_proxy(untrusted_proxy_cert, hosts=HOSTS) as px:
        run, checks = check_via(kanidoc, token_registry, ca, tmp_path, "lab/https-untrusted", px.url())
    assert run.code == 1
    failed = [f for f in checks["reachability"]["findings"] if f["severity"] == "error"]
    assert len(failed) == 1 and failed[0]["evidence"]["failed_hop"] == "connect", failed
    assert "x509: certificate signed by unknown authority" in failed[0]["evidence"]["go_error"]
    assert px.targets == []  # no CONNECT to a proxy that could not be verified
