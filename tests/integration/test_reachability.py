"""The reachability check against real servers on loopback: registry, squid, dnsmasq."""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.lab import servers

REPO = "group/app:1.0"


def reach(kanidoc: Any, dest: str, *extra: str, env: dict[str, str] | None = None, timeout: str = "2") -> tuple[Any, dict[str, Any]]:
    run = kanidoc("check", "--only", "reachability", "--format", "json", "--connect-timeout", timeout,
                  "--destination", dest, *extra, env=env)
    doc = run.json()
    return run, doc["checks"][0]


def codes(check: dict[str, Any]) -> list[str]:
    return [f["code"] for f in check["findings"]]


def finding(check: dict[str, Any], code: str) -> dict[str, Any]:
    return next(f for f in check["findings"] if f["code"] == code)


def test_direct_healthy_registry_publishes_chain(kanidoc, registry) -> None:
    run, check = reach(kanidoc, f"{registry.address}/{REPO}")
    assert run.code == 0 and check["status"] == "pass", check
    ok = finding(check, "KD-REACH-020")
    assert ok["evidence"]["docker_distribution_api_version"] == "registry/2.0"
    assert [h["hop"] for h in ok["evidence"]["hops"]] == ["dns", "tcp", "tls", "http"]
    assert all(isinstance(h["ms"], int) for h in ok["evidence"]["hops"])
    assert "direct" in finding(check, "KD-REACH-001")["message"]


def test_through_allowing_proxy(kanidoc, registry, squid_allow) -> None:
    env = {"HTTPS_PROXY": squid_allow.url()}
    run, check = reach(kanidoc, f"{registry.named()}/{REPO}", env=env)
    assert run.code == 0, check
    hops = [h["hop"] for h in finding(check, "KD-REACH-020")["evidence"]["hops"]]
    assert hops == ["dns", "tcp", "connect", "tls", "http"]
    assert "HTTPS_PROXY" in finding(check, "KD-REACH-001")["message"]
    assert f"CONNECT {servers.REGISTRY_NAME}:{registry.port}" in squid_allow.access_log()


def test_loopback_is_never_proxied(kanidoc, registry, squid_deny) -> None:
    # Go: localhost and loopback IP literals bypass the proxy, even without NO_PROXY
    run, check = reach(kanidoc, f"{registry.address}/{REPO}", env={"HTTPS_PROXY": squid_deny.url()})
    assert run.code == 0
    assert "direct" in finding(check, "KD-REACH-001")["message"]


def test_proxy_403_is_the_proxy_not_credentials(kanidoc, registry, squid_deny) -> None:
    run, check = reach(kanidoc, f"{registry.named()}/{REPO}", env={"https_proxy": squid_deny.url()})
    assert run.code == 1
    f = finding(check, "KD-REACH-015")
    assert f["evidence"]["go_error"] == "Forbidden"
    assert "NO_PROXY" in f["remediation"]["text"] and "not a registry permission problem" in f["remediation"]["text"]
    assert not any(c.startswith(("KD-AUTH", "KD-PUSH")) for c in codes(check))


def test_no_proxy_entry_makes_it_direct(kanidoc, registry, squid_deny, dnsmasq) -> None:
    env = {"HTTPS_PROXY": squid_deny.url(), "NO_PROXY": f".{servers.LAB_DOMAIN}"}
    run, check = reach(kanidoc, f"{registry.named()}/{REPO}", "--dns-server", dnsmasq.server, env=env)
    assert run.code == 0, check
    assert finding(check, "KD-REACH-001")["evidence"]["no_proxy_entry"] == f".{servers.LAB_DOMAIN}"


def test_no_proxy_with_scheme_is_flagged_and_ignored(kanidoc, registry, squid_deny) -> None:
    env = {"HTTPS_PROXY": squid_deny.url(), "NO_PROXY": f"https://{servers.REGISTRY_NAME}"}
    run, check = reach(kanidoc, f"{registry.named()}/{REPO}", env=env)
    assert {"KD-REACH-003", "KD-REACH-015"} <= set(codes(check))


@pytest.mark.parametrize(("creds", "has"), [(None, False), (("proxyuser", "wrong-pass"), True)])
def test_proxy_407(kanidoc, registry, squid_auth, creds, has) -> None:
    env = {"HTTPS_PROXY": squid_auth.url(*creds) if creds else squid_auth.url()}
    run, check = reach(kanidoc, f"{registry.named()}/{REPO}", env=env, timeout="4")
    f = finding(check, "KD-REACH-014")
    assert f["evidence"]["credentials_in_proxy_url"] is has
    assert run.code == 1
    assert "wrong-pass" not in run.out


def test_proxy_with_good_credentials(kanidoc, registry, squid_auth) -> None:
    run, check = reach(kanidoc, f"{registry.named()}/{REPO}", env={"HTTPS_PROXY": squid_auth.url("proxyuser", "proxypass")}, timeout="4")
    assert run.code == 0, check
    assert "proxypass" not in run.out


def test_closed_port(kanidoc) -> None:
    run, check = reach(kanidoc, f"127.0.0.1:{servers.closed_port()}/{REPO}")
    assert "KD-REACH-011" in codes(check) and run.code == 1
    assert "connection refused" in finding(check, "KD-REACH-011")["evidence"]["go_error"]


def test_silent_port_times_out_in_tls(kanidoc) -> None:
    with servers.silent_port() as port:
        start = time.monotonic()
        run, check = reach(kanidoc, f"127.0.0.1:{port}/{REPO}", timeout="1")
        assert time.monotonic() - start < 4
    f = finding(check, "KD-REACH-018")
    assert f["evidence"]["go_error"] == "net/http: TLS handshake timeout"


def test_tcp_timeout_named(kanidoc) -> None:
    with servers.blackhole_port() as port:
        run, check = reach(kanidoc, f"127.0.0.1:{port}/{REPO}", timeout="1")
    assert "KD-REACH-012" in codes(check)


def test_dns_nxdomain(kanidoc, dnsmasq) -> None:
    run, check = reach(kanidoc, f"nx.{servers.LAB_DOMAIN}:5000/{REPO}", "--dns-server", dnsmasq.server)
    f = finding(check, "KD-REACH-007")
    assert "no such host" in f["evidence"]["go_error"] and run.code == 1


def test_dns_servfail(kanidoc) -> None:
    with servers.fake_dns("servfail") as dns:
        run, check = reach(kanidoc, f"reg.{servers.LAB_DOMAIN}:5000/{REPO}", "--dns-server", dns.server)
    assert "server misbehaving" in finding(check, "KD-REACH-009")["evidence"]["go_error"]


def test_dns_timeout_within_connect_timeout(kanidoc) -> None:
    with servers.fake_dns("silent") as dns:
        start = time.monotonic()
        run, check = reach(kanidoc, f"reg.{servers.LAB_DOMAIN}:5000/{REPO}", "--dns-server", dns.server, timeout="1")
        elapsed = time.monotonic() - start
    assert "KD-REACH-008" in codes(check)
    assert elapsed < 2.0


def test_plain_http_registry(kanidoc, plain_registry, dnsmasq) -> None:
    # 127.0.0.1 is "http-capable" for go-containerregistry: it falls back to http
    run, check = reach(kanidoc, f"{plain_registry.address}/{REPO}")
    assert run.code == 0, check
    assert "http" in finding(check, "KD-REACH-020")["evidence"]["scheme"]
    # a DNS name is not: Go says "server gave HTTP response to HTTPS client"
    run, check = reach(kanidoc, f"{plain_registry.named()}/{REPO}", "--dns-server", dnsmasq.server)
    f = finding(check, "KD-REACH-019")
    assert f["evidence"]["go_error"] == "http: server gave HTTP response to HTTPS client"
    assert "--insecure-registry" in f["remediation"]["text"]
    # ...unless kaniko is told --insecure-registry
    run, check = reach(kanidoc, f"{plain_registry.named()}/{REPO}", "--dns-server", dnsmasq.server, "--",
                       "/kaniko/executor", "--insecure-registry", plain_registry.named())
    assert run.code == 0, check


class _LoginRedirect(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", "https://sso.lab.test/login?next=/v2/&token=abc")
        self.send_header("Content-Type", "text/html")
        body = b"<html><title>Corporate Login</title></html>"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def login_server() -> Iterator[int]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LoginRedirect)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv.server_address[1]
    srv.shutdown()


def test_something_else_answers(kanidoc, login_server) -> None:
    run, check = reach(kanidoc, f"127.0.0.1:{login_server}/{REPO}")
    f = finding(check, "KD-REACH-021")
    assert f["evidence"]["status"] == 302 and f["evidence"]["location"] == "https://sso.lab.test/login"
    assert f["evidence"]["html_title"] == "Corporate Login"
    assert run.code == 1


def test_all_unreachable_costs_one_timeout(kanidoc, tmp_path) -> None:
    with servers.blackhole_port() as p1, servers.fake_dns("silent") as dns:
        dockerfile = tmp_path / "Dockerfile"
        dockerfile.write_text(f"FROM 127.0.0.1:{p1}/a/b:1\nFROM reg-a.{servers.LAB_DOMAIN}/x/y\nFROM reg-b.{servers.LAB_DOMAIN}/x/y\n")
        start = time.monotonic()
        run, check = reach(kanidoc, f"127.0.0.1:{p1}/c/d:1", "--dockerfile", str(dockerfile), "--dns-server", dns.server, timeout="1")
        elapsed = time.monotonic() - start
    assert elapsed < 1 + 1, elapsed
    failed = [f for f in check["findings"] if f["severity"] == "error"]
    assert {f["evidence"]["registry"] for f in failed} == {f"127.0.0.1:{p1}", f"reg-a.{servers.LAB_DOMAIN}", f"reg-b.{servers.LAB_DOMAIN}"}


def test_proxy_build_args_hint(kanidoc, registry) -> None:
    env = {"https_proxy": "http://127.0.0.1:9", "no_proxy": "127.0.0.1"}
    run, check = reach(kanidoc, f"{registry.address}/{REPO}", "--", "/kaniko/executor", "--build-arg", "https_proxy=$https_proxy", env=env)
    f = finding(check, "KD-REACH-006")
    assert f["evidence"]["set"] == ["no_proxy", "https_proxy"] or "no_proxy" in f["message"]
    assert "--build-arg no_proxy=$no_proxy" in f["remediation"]["snippet"]


# --- the Go referee: skopeo uses Go's proxy selection and transport, as kaniko does --------

def skopeo_reaches(ref: str, env: dict[str, str]) -> bool:
    """True when skopeo (Go) got an answer from the registry (a manifest error counts).

    With --tls-verify=false skopeo falls back to plain http:// when https fails; the same
    proxy is set for http, so that fallback goes to the (denying) proxy too and never asks
    the system resolver for a lab name."""
    mirrored = {k.replace("HTTPS", "HTTP").replace("https", "http"): v for k, v in env.items() if "proxy" in k.lower()}
    out = subprocess.run(
        ["skopeo", "--command-timeout", "8s", "inspect", "--tls-verify=false", "--retry-times", "0", f"docker://{ref}"],
        capture_output=True, text=True, timeout=20, env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **mirrored, **env},
    )
    text = out.stdout + out.stderr
    return out.returncode == 0 or "manifest unknown" in text or "MANIFEST_UNKNOWN" in text or "NAME_UNKNOWN" in text


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo not installed")
@pytest.mark.parametrize("case", ["direct", "allow", "deny", "auth-none", "auth-good", "lowercase-only"])
def test_agrees_with_skopeo(kanidoc, registry, squid_allow, squid_deny, squid_auth, case) -> None:
    name = f"{registry.named('localhost')}" if case == "direct" else registry.named()
    env = {
        "direct": {"HTTPS_PROXY": squid_deny.url()},  # localhost: never proxied
        "allow": {"HTTPS_PROXY": squid_allow.url()},
        "deny": {"HTTPS_PROXY": squid_deny.url()},
        "auth-none": {"HTTPS_PROXY": squid_auth.url()},
        "auth-good": {"HTTPS_PROXY": squid_auth.url("proxyuser", "proxypass")},
        "lowercase-only": {"https_proxy": squid_deny.url(), "HTTPS_PROXY": ""},
    }[case]
    run, _check = reach(kanidoc, f"{name}/lab/none:latest", env=env, timeout="4")
    expected = {"direct": True, "allow": True, "deny": False, "auth-none": False, "auth-good": True, "lowercase-only": False}[case]
    assert skopeo_reaches(f"{name}/lab/none:latest", env) is expected  # the referee itself behaves as Go should
    assert (run.code == 0) is expected, (case, run.out)


def test_proxy_cannot_reach_the_registry_5xx(kanidoc, lab) -> None:
    # the proxy resolves the name (its hosts file) but nothing listens there: squid says 503
    closed = servers.closed_port()
    with servers.squid(lab / "squid-5xx", "allow", hosts={"dead.lab.test": "127.0.0.1"}) as sq:
        run, check = reach(kanidoc, f"dead.lab.test:{closed}/{REPO}", env={"HTTPS_PROXY": sq.url()}, timeout="4")
    f = finding(check, "KD-REACH-016")
    assert f["evidence"]["status"] >= 500 and run.code == 1


def test_docker_hub_behind_a_mirror_is_only_a_fallback(kanidoc, registry, tmp_path) -> None:
    # DNS answers SERVFAIL (on loopback): Docker Hub is unreachable, the mirror works
    df = tmp_path / "Dockerfile"
    df.write_text("FROM alpine:3.20\n")
    with servers.fake_dns("servfail") as dns:
        run, check = reach(kanidoc, f"{registry.address}/{REPO}", "--dockerfile", str(df), "--dns-server", dns.server,
                           "--", "/kaniko/executor", "--registry-mirror", registry.address)
        f = finding(check, "KD-REACH-009")
        assert f["severity"] == "warning" and f["evidence"]["fallback_only"] is True
        assert run.code == 0
        # with --skip-default-registry-fallback kaniko never contacts Docker Hub
        run, check = reach(kanidoc, f"{registry.address}/{REPO}", "--dockerfile", str(df), "--dns-server", dns.server,
                           "--", "/kaniko/executor", "--registry-mirror", registry.address, "--skip-default-registry-fallback")
        assert "index.docker.io" not in json.dumps(check)
