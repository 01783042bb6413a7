"""Probe one endpoint hop by hop, through the proxy Go would choose.

proxy decision -> DNS (of the proxy when proxied: the proxy resolves the registry) ->
TCP -> CONNECT (HTTP proxy, https target) or SOCKS5 -> TLS -> one HTTP request.
Every step is bounded; the first failing hop ends the probe and is named.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import socket
import struct
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from kanidoc import __version__
from kanidoc.gosem import proxy as goproxy
from kanidoc.net import dns, tcp
from kanidoc.net.hops import Budget, Hop, Stopwatch
from kanidoc.net.httpwire import Response, WireError, read_response, send
from kanidoc.net.tlsprobe import TLSConn, TLSFailure, TLSInfo, handshake
from kanidoc.record import record

if TYPE_CHECKING:
    from cryptography import x509

USER_AGENT = f"kanidoc/{__version__} (diagnosing kaniko; go-containerregistry compatible)"


@record
class Endpoint:
    role: str  # "registry" | "token realm"
    url: str  # https://host[:port]/v2/
    label: str  # what the user knows it as (registry name, realm URL without query)

    @property
    def parts(self) -> urllib.parse.SplitResult:
        return urllib.parse.urlsplit(self.url)

    @property
    def scheme(self) -> str:
        return self.parts.scheme

    @property
    def host(self) -> str:
        return self.parts.hostname or ""

    @property
    def port(self) -> int:
        return self.parts.port or (443 if self.scheme == "https" else 80)

    @property
    def hostport(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def request_target(self) -> str:
        p = self.parts
        return (p.path or "/") + (f"?{p.query}" if p.query else "")


@record
class ProbeSettings:
    proxy_env: goproxy.ProxyEnv
    root: Path
    dns_server: str | None
    connect_timeout: float
    go_version: tuple[int, int, int] | None = None
    # The roots an https:// proxy is verified with on the way to an endpoint: the
    # registry's own (kaniko's transport is per registry); None: the proxy is not verified.
    proxy_roots: Callable[[Endpoint], Sequence[x509.Certificate] | None] | None = None


@record
class ProbeResult:
    endpoint: Endpoint
    decision: goproxy.ProxyDecision
    hops: tuple[Hop, ...]
    response: Response | None = None
    tls: TLSInfo | None = None
    resolved: dns.Resolution | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def failed(self) -> Hop | None:
        for hop in self.hops:
            if not hop.ok:
                return hop
        return None

    @property
    def ok(self) -> bool:
        return self.failed is None and self.response is not None


def proxy_authorization(proxy: goproxy.ProxyURL) -> str:
    """The header value Go's transport derives from the proxy URL's userinfo."""
    raw = f"{proxy.username or ''}:{proxy.password or ''}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def probe(endpoint: Endpoint, settings: ProbeSettings, budget: Budget) -> ProbeResult:
    hops: list[Hop] = []
    decision = goproxy.decide(settings.proxy_env, endpoint.url, go_version=settings.go_version)
    if decision.error:
        hops.append(Hop("proxy", False, 0, decision.error, "cgi" if "CGI" in decision.error else "proxy-error", decision.error))
        return ProbeResult(endpoint, decision, tuple(hops))
    proxy = decision.proxy
    if proxy is not None and proxy.scheme not in ("http", "https", "socks5", "socks5h"):
        go = f'proxyconnect tcp: unsupported proxy scheme "{proxy.scheme}"'
        hops.append(Hop("proxy", False, 0, f"Go's transport cannot use a {proxy.scheme}:// proxy", "unsupported-scheme", go))
        return ProbeResult(endpoint, decision, tuple(hops))
    dial_host, dial_port = (proxy.host, proxy.port) if proxy else (endpoint.host, endpoint.port)
    # DNS and TCP share the connect timeout: an unreachable endpoint costs one timeout.
    connect_budget = Budget(budget.left(settings.connect_timeout))
    watch = Stopwatch()
    resolved = dns.resolve(dial_host, root=settings.root, dns_server=settings.dns_server, timeout=connect_budget.left())
    what = "proxy" if proxy else endpoint.role
    if not resolved.ok:
        go = resolved.go_error or f"lookup {dial_host}: no such host"
        if proxy:
            go = f"proxyconnect tcp: dial tcp: {go}"
        hops.append(Hop("dns", False, watch.ms, f"cannot resolve {what} {dial_host}: {resolved.outcome}", resolved.outcome, go,
                        {"queries": [q.__dict__ for q in resolved.queries[:12]], "server": resolved.server}))
        return ProbeResult(endpoint, decision, tuple(hops), resolved=resolved)
    hops.append(Hop("dns", True, watch.ms, f"{dial_host} -> {', '.join(resolved.addresses[:4])} ({resolved.source})",
                    data={"addresses": list(resolved.addresses), "source": resolved.source,
                          "queries": [q.__dict__ for q in resolved.queries[:12]]}))
    watch = Stopwatch()
    sock, failures = tcp.dial(resolved.addresses, dial_port, connect_budget.left())
    if sock is None:
        kind = failures[-1].kind if failures else "timeout"
        go = failures[-1].go_error if failures else f"dial tcp {dial_host}:{dial_port}: i/o timeout"
        if proxy:
            go = f"proxyconnect tcp: {go}"
        hops.append(Hop("tcp", False, watch.ms, f"cannot connect to {what} {dial_host}:{dial_port}: {kind}", kind, go,
                        {"attempts": [f.__dict__ for f in failures]}))
        return ProbeResult(endpoint, decision, tuple(hops), resolved=resolved)
    hops.append(Hop("tcp", True, watch.ms, f"connected to {dial_host}:{dial_port}"))
    conn: socket.socket | TLSConn = sock
    try:
        if proxy is not None:
            roots = None
            if proxy.scheme == "https" and settings.proxy_roots is not None:
                roots = settings.proxy_roots(endpoint)  # only such a proxy has a certificate to verify
            conn, hop = tunnel(sock, proxy, endpoint, budget.left(settings.connect_timeout), roots)
            hops.append(hop)
            if not hop.ok:
                return ProbeResult(endpoint, decision, tuple(hops), resolved=resolved)
        info = None
        if endpoint.scheme == "https":
            watch = Stopwatch()
            try:
                conn, info = handshake(conn, endpoint.host, budget.left(settings.connect_timeout))
            except TLSFailure as exc:
                hops.append(Hop("tls", False, watch.ms, exc.detail, exc.kind, exc.go_error))
                return ProbeResult(endpoint, decision, tuple(hops), resolved=resolved)
            hops.append(Hop("tls", True, watch.ms, f"{info.version} {info.cipher}, {len(info.chain_der)} certificate(s) presented"))
        watch = Stopwatch()
        target = endpoint.request_target
        via_http_proxy = proxy is not None and endpoint.scheme == "http" and proxy.scheme in ("http", "https")
        if via_http_proxy:
            target = endpoint.url  # absolute-form through an HTTP proxy
        lines = [f"GET {target} HTTP/1.1", f"Host: {endpoint.parts.netloc}", f"User-Agent: {USER_AGENT}",
                 "Accept: */*", "Connection: close"]
        # only an HTTP proxy reads this header; through SOCKS it would reach the registry
        if via_http_proxy and proxy is not None and proxy.username is not None:
            lines.append(f"Proxy-Authorization: {proxy_authorization(proxy)}")
        deadline = budget.deadline if budget.left() < settings.connect_timeout * 2 else Budget(settings.connect_timeout * 2).deadline
        try:
            send(conn, ("\r\n".join(lines) + "\r\n\r\n").encode(), deadline)
            response = read_response(conn, deadline)
        except WireError as exc:
            hops.append(Hop("http", False, watch.ms, f"GET {endpoint.request_target}: {exc}", exc.kind, str(exc)))
            return ProbeResult(endpoint, decision, tuple(hops), tls=info, resolved=resolved)
        hops.append(Hop("http", True, watch.ms, f"GET {endpoint.request_target} -> {response.status} {response.reason}"))
        return ProbeResult(endpoint, decision, tuple(hops), response=response, tls=info, resolved=resolved)
    finally:
        with contextlib.suppress(OSError):
            conn.close()


def tunnel(
    sock: socket.socket, proxy: goproxy.ProxyURL, endpoint: Endpoint, timeout: float,
    roots: Sequence[x509.Certificate] | None = None,
) -> tuple[socket.socket | TLSConn, Hop]:
    """Through the proxy to ``endpoint`` on a connected socket: SOCKS5, or TLS to an
    https:// proxy and then CONNECT for an https target (plain http goes as-is).

    An https:// proxy's certificate is verified against ``roots`` (None: not verified):
    Go's transport adds TLS to the proxy with the transport's own TLSClientConfig
    (net/http transport.go dialConn, ``addTLS(ctx, cm.proxyURL.Hostname(), ...)``), so
    kaniko checks the proxy with the registry's roots and skip flags, before CONNECT."""
    watch = Stopwatch()
    conn: socket.socket | TLSConn = sock
    budget = Budget(timeout)  # TLS to the proxy, CONNECT or the SOCKS exchange: all of it
    if proxy.scheme.startswith("socks5"):
        return sock, _socks5(sock, proxy, endpoint, budget, watch)
    if proxy.scheme == "https":
        try:
            conn, info = handshake(sock, proxy.host, budget.left())
        except TLSFailure as exc:
            return sock, Hop("connect", False, watch.ms, f"TLS to the https:// proxy failed: {exc.detail}", exc.kind, f"proxyconnect tcp: {exc.go_error}")
        if roots is not None:
            from kanidoc.gosem.x509verify import verify_der

            problem = verify_der(info.chain_der, proxy.host, roots)
            if problem is not None:
                return conn, Hop("connect", False, watch.ms, f"the https:// proxy's certificate is not trusted: {problem}",
                                 "proxy-untrusted", f"proxyconnect tcp: tls: failed to verify certificate: {problem}")
    if endpoint.scheme != "https":
        return conn, Hop("connect", True, watch.ms, "plain HTTP through the proxy (no CONNECT)")
    # net/http transport.go dialConn: CONNECT with Host = target, Proxy-Authorization from
    # the proxy URL's userinfo; anything but 200 fails with the status text as the error.
    lines = [f"CONNECT {endpoint.hostport} HTTP/1.1", f"Host: {endpoint.hostport}", "User-Agent: Go-http-client/1.1"]
    if proxy.username is not None:
        lines.append(f"Proxy-Authorization: {proxy_authorization(proxy)}")
    deadline = budget.deadline
    try:
        send(conn, ("\r\n".join(lines) + "\r\n\r\n").encode(), deadline)
        response = read_response(conn, deadline, head_only=True)
    except WireError as exc:
        kind = "malformed" if exc.kind in ("malformed", "too-large", "closed") else exc.kind
        return conn, Hop("connect", False, watch.ms, f"the proxy's reply to CONNECT: {exc}", kind, f"proxyconnect tcp: {exc}")
    data = {"status": response.status, "reason": response.reason, "via": response.header("Via"), "server": response.header("Server"),
            "proxy_authenticate": response.all("Proxy-Authenticate"), "credentials_in_proxy_url": proxy.username is not None}
    if response.status == 200:
        return conn, Hop("connect", True, watch.ms, f"CONNECT {endpoint.hostport} -> 200", data=data)
    kind = "407" if response.status == 407 else "403" if response.status == 403 else "5xx" if response.status >= 500 else str(response.status)
    go = response.reason or "unknown status code"
    return conn, Hop("connect", False, watch.ms, f"CONNECT {endpoint.hostport} -> {response.status} {response.reason}", kind, go, data)


# x/net/internal/socks Reply.String (vendored in net/http as socks_bundle.go)
_SOCKS_REPLIES = {1: "general SOCKS server failure", 2: "connection not allowed by ruleset", 3: "network unreachable",
                  4: "host unreachable", 5: "connection refused", 6: "TTL expired", 7: "command not supported",
                  8: "address type not supported"}
_SOCKS_KINDS = {2: "403"}


def _socks5(sock: socket.socket, proxy: goproxy.ProxyURL, endpoint: Endpoint, budget: Budget, watch: Stopwatch) -> Hop:
    """RFC 1928 CONNECT with the target's *name* (Go's socks dialer sends the hostname).

    Go wraps every failure as ``net.OpError{Op: "socks connect", Net: "tcp", Source: proxy
    address, Addr: target}``: "socks connect tcp 127.0.0.1:1080->registry:443: <reason>",
    with no "proxyconnect" in front (transport.go hands the conn to the socks dialer)."""
    try:
        peer = sock.getpeername()
        proxy_addr = f"[{peer[0]}]:{peer[1]}" if ":" in peer[0] else f"{peer[0]}:{peer[1]}"
    except OSError:
        proxy_addr = f"{proxy.host}:{proxy.port}"

    def fail(detail: str, kind: str, reason: str) -> Hop:
        return Hop("connect", False, watch.ms, detail, kind, f"socks connect tcp {proxy_addr}->{endpoint.hostport}: {reason}")

    def recv_exact(n: int) -> bytes:
        return _recv_exact(sock, n, budget)

    sock.settimeout(max(0.01, budget.left()))
    try:
        methods = b"\x00\x02" if proxy.username is not None else b"\x00"
        sock.sendall(b"\x05" + bytes([len(methods)]) + methods)
        reply = recv_exact(2)
        if reply[0] != 5:
            return fail("the SOCKS proxy sent a malformed greeting", "malformed", f"unexpected protocol version {reply[0]}")
        if reply[1] == 0xFF:
            return fail("the SOCKS proxy accepts none of the offered auth methods", "407", "no acceptable authentication methods")
        if proxy.username is None:
            pass  # no Authenticate hook without credentials in the URL: Go goes on with any method
        elif reply[1] == 2:
            user = (proxy.username or "").encode()[:255]
            pw = (proxy.password or "").encode()[:255]
            sock.sendall(b"\x01" + bytes([len(user)]) + user + bytes([len(pw)]) + pw)
            auth = recv_exact(2)
            if auth[0] != 1 or auth[1] != 0:
                return fail("the SOCKS proxy rejected the user name/password", "407", "username/password authentication failed")
        elif reply[1] != 0:
            return fail(f"the SOCKS proxy chose auth method {reply[1]}, which was not offered", "malformed",
                        f"unsupported authentication method {reply[1]}")
        address = _socks_address(endpoint.host)
        if address is None:
            return fail("the registry's name is too long for SOCKS", "malformed", f"FQDN too long: {endpoint.host[:64]}")
        sock.sendall(b"\x05\x01\x00" + address + struct.pack(">H", endpoint.port))
        head = recv_exact(4)
        if head[0] != 5:
            return fail("malformed SOCKS reply", "malformed", f"unexpected protocol version {head[0]}")
        if head[1] != 0:
            words = _SOCKS_REPLIES.get(head[1], f"unknown code: {head[1]}")
            return fail(f"SOCKS CONNECT refused (reply code {head[1]}: {words})", _SOCKS_KINDS.get(head[1], "5xx"),
                        f"unknown error {words}")
        rest = {1: 4, 4: 16}.get(head[3])
        if rest is None:
            rest = recv_exact(1)[0]
        recv_exact(rest + 2)
    except TimeoutError:
        return fail("the SOCKS proxy did not answer in time", "timeout", "i/o timeout")
    except EOFError:
        return fail("the SOCKS proxy closed the connection", "closed", "EOF")
    except OSError as exc:
        return fail(f"SOCKS handshake failed: {exc}", "malformed", exc.strerror or str(exc))
    return Hop("connect", True, watch.ms, f"SOCKS5 CONNECT {endpoint.hostport} -> ok")


def _socks_address(host: str) -> bytes | None:
    """x/net/internal/socks ``MarshalAddr``: an IP literal as address type 1 or 4 with its
    bytes, any other name as type 3 (a length byte, at most 255 bytes, no IDNA step)."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        name = host.encode("utf-8", "surrogateescape")
        return b"\x03" + bytes([len(name)]) + name if len(name) <= 255 else None
    return (b"\x01" if ip.version == 4 else b"\x04") + ip.packed


def _recv_exact(sock: socket.socket, n: int, budget: Budget) -> bytes:
    """io.ReadFull, as Go's socks client reads each part of a reply, within what is left
    of the budget (a proxy dripping its reply is cut off in time)."""
    data = b""
    while len(data) < n:
        if budget.expired:
            raise TimeoutError
        sock.settimeout(max(0.01, budget.left()))
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data
