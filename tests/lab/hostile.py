"""Hostile and broken servers on loopback: what a diagnostics tool meets when things are broken.

Each mode is a tiny raw-socket server (so the wire is exactly what the test wants):
huge-body, drip, redirect-loop, redirect-away (to a witness that records credentials),
bad-challenge, token-garbage, token-huge, tls-alert, tls-long-chain, connect-then-close
(a proxy that dies after CONNECT), flaky-delete (first DELETE connection dropped, as a
registry restart would).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.lab import pki
from tests.lab.listen import accepting, loopback_listener


@dataclass
class Hostile:
    port: int
    seen: list[bytes] = field(default_factory=list)  # request heads received

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


def _read_head(conn: socket.socket, limit: int = 65536) -> bytes:
    data = b""
    conn.settimeout(5)
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _send(conn: socket.socket, status: str, headers: dict[str, str], body: bytes = b"") -> None:
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    conn.sendall(head.encode() + body)


@contextlib.contextmanager
def serve(handler: Callable[[socket.socket, Hostile], None], tls: ssl.SSLContext | None = None) -> Iterator[Hostile]:
    srv = loopback_listener()
    state = Hostile(srv.getsockname()[1])

    def one(conn: socket.socket) -> None:
        try:
            if tls is not None:
                conn = tls.wrap_socket(conn, server_side=True)
            handler(conn, state)
        except (OSError, ssl.SSLError, ValueError, IndexError):
            pass  # a TLS hello on a plain port, a client hanging up: not the test's concern
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    with accepting(srv, one):
        yield state


def huge_body(conn: socket.socket, state: Hostile) -> None:
    state.seen.append(_read_head(conn))
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n")
    chunk = b"{" * 65536
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        conn.sendall(chunk)  # until the client hangs up


def drip(conn: socket.socket, state: Hostile) -> None:
    state.seen.append(_read_head(conn))
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 120:
        conn.sendall(bytes([byte]))
        time.sleep(1)


def redirect_loop(conn: socket.socket, state: Hostile) -> None:
    head = _read_head(conn)
    state.seen.append(head)
    path = head.split(b" ", 2)[1].decode("latin-1") if b" " in head else "/"
    _send(conn, "302 Found", {"Location": path})


def bad_challenge(conn: socket.socket, state: Hostile) -> None:
    state.seen.append(_read_head(conn))
    _send(conn, "401 Unauthorized", {"WWW-Authenticate": 'Bearer realm="http://127.0.0.1:1/t" ,,, ="=" service', "Docker-Distribution-API-Version": "registry/2.0"},
          b'{"errors":[{"code":"UNAUTHORIZED"}]}')


def token_flow(token_body: Callable[[], bytes], redirect_to: str | None = None) -> Callable[[socket.socket, Hostile], None]:
    """A registry whose realm is itself: /token answers with ``token_body()`` (or redirects)."""

    def handler(conn: socket.socket, state: Hostile) -> None:
        head = _read_head(conn)
        state.seen.append(head)
        path = head.split(b" ", 2)[1] if b" " in head else b"/"
        if path.startswith(b"/token"):
            if redirect_to:
                _send(conn, "302 Found", {"Location": redirect_to})
                return
            body = token_body()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
            for i in range(0, len(body), 1 << 20):
                conn.sendall(body[i : i + (1 << 20)])
            return
        _send(conn, "401 Unauthorized", {"WWW-Authenticate": f'Bearer realm="http://127.0.0.1:{state.port}/token",service="hostile"',
                                         "Docker-Distribution-API-Version": "registry/2.0"}, b'{"errors":[{"code":"UNAUTHORIZED"}]}')

    return handler


def witness(conn: socket.socket, state: Hostile) -> None:
    state.seen.append(_read_head(conn))
    _send(conn, "200 OK", {"Content-Type": "application/json"}, b'{"token":"x"}')


def connect_then_close(conn: socket.socket, state: Hostile) -> None:
    state.seen.append(_read_head(conn))
    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    conn.close()  # the proxy "dies" right after the tunnel opened


def tls_context(tmp: Path, *, long_chain: int = 0, alert: bool = False) -> ssl.SSLContext:
    root = pki.ca("Hostile Root")
    chain = []
    issuer = root
    for i in range(long_chain):
        issuer = pki.ca(f"Hostile Intermediate {i}", issuer)
        chain.append(issuer)
    leaf = pki.leaf(issuer, ["localhost", "127.0.0.1"])
    crt, key = pki.write_chain(tmp, f"hostile-{long_chain}-{alert}", leaf, list(reversed(chain)))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    if alert:
        # TLS 1.2 with a required client certificate: the handshake ends in an alert
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cadata=root.pem.decode())
    return ctx


def plain_registry_ok(conn: socket.socket, state: Hostile) -> None:
    state.seen.append(_read_head(conn))
    _send(conn, "200 OK", {"Docker-Distribution-API-Version": "registry/2.0", "Content-Type": "application/json"}, b"{}")


def fake_registry(upload_status: str, upload_headers: dict[str, str], upload_body: bytes) -> Callable[[socket.socket, Hostile], None]:
    """A registry without auth whose upload POST answers as given (429, 404 NAME_UNKNOWN, ...)."""

    def handler(conn: socket.socket, state: Hostile) -> None:
        head = _read_head(conn)
        state.seen.append(head)
        dist = {"Docker-Distribution-API-Version": "registry/2.0", "Content-Type": "application/json"}
        if head.startswith(b"POST "):
            _send(conn, upload_status, {**dist, **upload_headers}, upload_body)
        else:
            _send(conn, "200 OK", dist, b"{}")

    return handler
