"""An HTTP client for replaying kaniko's registry requests, configured the way kaniko's
transport is: the proxy Go picked, Go's resolver, kaniko's trust store checked the way
crypto/x509 checks it (or not at all with --skip-tls-verify*), one total deadline per
request and a bounded body.

It is the reachability probe's own stack (net/dns, net/tcp, probe.tunnel, net/httpwire)
with verification on, not a second HTTP library: both see the same DNS answers, the same
proxy behaviour and the same wire, and no library's own rules (an HTTP client reading
HTTPS_PROXY itself, a system resolver) can creep in. A connection is kept open for the
next request to the same server when the answer was read to its exact end (Go's transport keeps connections alive too); a POST always gets a fresh one,
and a GET or DELETE that finds its reused connection closed is sent once more on a new
one, as net/http retries an idempotent request on a connection the server dropped.

The server's chain is verified by kanidoc's model of Go's ``Certificate.Verify``
(gosem/x509verify), the same code the tls check reports with, before any credential is
sent: OpenSSL's verifier differs from Go's (it would take a Common Name, build other
paths), and handing it kaniko's 140-odd roots costs ~45 ms per context
(``X509_STORE_add_cert`` is linear per certificate).
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kanidoc import __version__
from kanidoc.gosem.proxy import ProxyURL
from kanidoc.net import dns, tcp
from kanidoc.net.dns import is_ip
from kanidoc.net.httpwire import Response, WireError, body_kind, read_response, send
from kanidoc.net.probe import Endpoint, proxy_authorization, tunnel
from kanidoc.net.tlsprobe import TLSConn, go_like_context, presented_chain, start_tls
from kanidoc.record import record

if TYPE_CHECKING:
    from cryptography import x509

MAX_BODY = 64 * 1024
_IDEMPOTENT = frozenset({"GET", "HEAD", "DELETE"})  # may go out on a kept-alive connection
USER_AGENT = f"kanidoc/{__version__} (replaying go-containerregistry)"


@record
class Reply:
    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes
    url: str
    www_authenticate: tuple[str, ...] = ()
    error: str | None = None  # transport error (no reply)

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8", "replace"))
        except ValueError:
            return None

    @property
    def registry_errors(self) -> list[dict[str, Any]]:
        doc = self.json
        if isinstance(doc, dict) and isinstance(doc.get("errors"), list):
            return [e for e in doc["errors"] if isinstance(e, dict)]
        return []

    @property
    def from_registry(self) -> bool:
        """A registry's answer carries the distribution header or a JSON ``errors`` body
        (research/registry-protocol.md 1.6); a proxy, load balancer or WAF's does not."""
        return "docker-distribution-api-version" in self.headers or bool(self.registry_errors)

    @property
    def body_kind(self) -> str:
        return body_kind(self.body, self.headers.get("content-type"))

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "body": self.body_kind,
                               "content_type": self.headers.get("content-type"), "server": self.headers.get("server"),
                               "docker_distribution_api_version": self.headers.get("docker-distribution-api-version")}
        codes = [str(e.get("code")) for e in self.registry_errors]
        if codes:
            out["registry_error_codes"] = codes
            out["registry_messages"] = [str(e.get("message", ""))[:200] for e in self.registry_errors]
        return {k: v for k, v in out.items() if v is not None}


class _Failed(Exception):
    """A transport failure, worded as Go's transport would word it."""


@dataclass
class RegistryClient:
    proxy: ProxyURL | None
    roots: Sequence[x509.Certificate] | None  # kaniko's pool for this registry; None: not verified
    connect_timeout: float
    read_timeout: float
    root: Path = Path("/")  # whose /etc/hosts and resolv.conf Go would read
    dns_server: str | None = None
    _verdicts: dict[tuple[bytes, ...], str | None] = field(default_factory=dict, init=False, repr=False)
    _idle: dict[tuple[str, str], socket.socket | TLSConn] = field(default_factory=dict, init=False, repr=False)

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        for conn in self._idle.values():
            with contextlib.suppress(OSError):
                conn.close()
        self._idle.clear()

    def request(self, method: str, url: str, headers: Mapping[str, str] | None = None,
                data: Mapping[str, str] | None = None) -> Reply:
        """One request under a *total* deadline (connect + read timeout), whatever the
        server does: every read is bounded by what is left of it, so a server dripping its
        headers a byte at a time is abandoned in time, and bodies stop at MAX_BODY."""
        total = self.connect_timeout + self.read_timeout
        deadline = time.monotonic() + total
        parts = urllib.parse.urlsplit(url)
        body = urllib.parse.urlencode(dict(data)).encode() if data is not None else b""
        slot = (parts.scheme, parts.netloc)
        conn: socket.socket | TLSConn | None = None
        keep = False
        try:
            head = self._head(method, parts, headers or {}, body, data is not None)
            conn = self._idle.pop(slot, None) if method in _IDEMPOTENT else None
            reused = conn is not None
            if conn is None:
                conn = self._connect(parts, deadline)
            try:
                resp = _exchange(conn, head + body, deadline, method)
            except WireError as exc:
                if not reused or exc.kind != "closed":
                    raise
                with contextlib.suppress(OSError):
                    conn.close()
                conn = self._connect(parts, deadline)  # the server closed the idle connection
                resp = _exchange(conn, head + body, deadline, method)
            keep = resp.reusable
        except _Failed as exc:
            return Reply(0, "", {}, b"", url, error=str(exc))
        except WireError as exc:
            if exc.kind == "timeout":
                return Reply(0, "", {}, b"", url, error=f"no complete answer within {total:g} s")
            return Reply(0, "", {}, b"", url, error=str(exc))
        finally:
            if conn is not None and keep:
                self._idle[slot] = conn
            elif conn is not None:
                with contextlib.suppress(OSError):
                    conn.close()
        lowered: dict[str, str] = {}
        for key, value in resp.headers:
            k = key.lower()
            lowered[k] = f"{lowered[k]}, {value}" if k in lowered else value
        return Reply(resp.status, resp.reason, lowered, resp.body, url, tuple(resp.all("www-authenticate")))

    def _head(self, method: str, parts: urllib.parse.SplitResult, headers: Mapping[str, str], body: bytes,
              form: bool) -> bytes:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        proxy = self.proxy
        plain_via_proxy = proxy is not None and parts.scheme == "http" and proxy.scheme in ("http", "https")
        if plain_via_proxy:
            target = urllib.parse.urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path or "/", parts.query, ""))
        lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc.rpartition('@')[2]}", f"User-Agent: {USER_AGENT}"]
        if body or method in ("POST", "PUT", "PATCH"):
            # Go's transfer writer sends Content-Length: 0 for an empty POST (ggcr's upload
            # POST has no body), none for an empty DELETE.
            lines.append(f"Content-Length: {len(body)}")
        if form:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if plain_via_proxy and proxy is not None and proxy.username is not None:
            lines.append(f"Proxy-Authorization: {proxy_authorization(proxy)}")
        for key, value in headers.items():
            if "\r" in value or "\n" in value or "\r" in key or "\n" in key:
                # net/http refuses the request (never the value in the error: it is a credential)
                raise _Failed(f'net/http: invalid header field value for "{key}"')
            lines.append(f"{key}: {value}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")

    def _connect(self, parts: urllib.parse.SplitResult, deadline: float) -> socket.socket | TLSConn:
        scheme = parts.scheme
        if scheme not in ("http", "https"):
            raise _Failed(f'unsupported protocol scheme "{scheme}"')
        host = parts.hostname or ""
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise _Failed(f"invalid port: {exc}") from None
        proxy = self.proxy
        dial_host, dial_port = (proxy.host, proxy.port) if proxy is not None else (host, port)
        connect_by = min(deadline, time.monotonic() + self.connect_timeout)
        resolved = dns.resolve(dial_host, root=self.root, dns_server=self.dns_server, timeout=_left(connect_by))
        if not resolved.ok:
            go = resolved.go_error or f"lookup {dial_host}: no such host"
            raise _Failed(f"proxyconnect tcp: dial tcp: {go}" if proxy is not None else go)
        sock, failures = tcp.dial(resolved.addresses, dial_port, _left(connect_by))
        if sock is None:
            go = failures[-1].go_error if failures else f"dial tcp {dial_host}:{dial_port}: i/o timeout"
            raise _Failed(f"proxyconnect tcp: {go}" if proxy is not None else go)
        conn: socket.socket | TLSConn = sock
        try:
            if proxy is not None:
                endpoint = Endpoint("registry", urllib.parse.urlunsplit((scheme, parts.netloc, "/", "", "")), host)
                # the proxy's TLS is checked with the same roots and skip flags (kaniko's transport)
                conn, hop = tunnel(sock, proxy, endpoint, _left(connect_by), self.roots)
                if not hop.ok:
                    raise _Failed(hop.go_error or hop.detail)
            if scheme == "https":
                conn = self._tls(conn, host, connect_by)
        except BaseException:
            with contextlib.suppress(OSError):
                conn.close()
            raise
        return conn

    def _tls(self, conn: socket.socket | TLSConn, host: str, by: float) -> TLSConn:
        conn.settimeout(_left(by))
        try:
            tls = start_tls(conn, go_like_context(verify=False), None if is_ip(host) else host)
        except TimeoutError:
            raise _Failed("net/http: TLS handshake timeout") from None
        except ssl.SSLError as exc:
            raise _Failed(f"tls: {exc.reason or exc}") from None
        except OSError as exc:
            raise _Failed(f"tls: {exc.strerror or exc}") from None
        if self.roots is not None:
            problem = self._verdict(presented_chain(tls), host)
            if problem is not None:
                with contextlib.suppress(OSError):
                    tls.close()
                raise _Failed(f"tls: failed to verify certificate: {problem}")
        return tls

    def _verdict(self, chain: tuple[bytes, ...], host: str) -> str | None:
        """Go's verdict on the presented chain (None: trusted), once per chain and host."""
        key = (host.encode(), *chain)
        if key not in self._verdicts:
            from kanidoc.gosem.x509verify import verify_der

            assert self.roots is not None
            self._verdicts[key] = verify_der(chain, host, self.roots)
        return self._verdicts[key]


def _exchange(conn: socket.socket | TLSConn, request: bytes, deadline: float, method: str) -> Response:
    send(conn, request, deadline)
    return read_response(conn, deadline, method=method, max_body=MAX_BODY)


def _left(by: float) -> float:
    return max(0.01, by - time.monotonic())
