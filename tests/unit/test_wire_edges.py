"""Edges of kanidoc's own HTTP/TLS/SOCKS client code, against small servers on loopback
(review findings: 1xx answers, bare-LF heads, header injection, SOCKS address types and
credentials, deadlines that a dripping proxy must not stretch)."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import trustme

from kanidoc.gosem import proxy as goproxy
from kanidoc.gosem.proxy import ProxyURL
from kanidoc.net.hops import Budget
from kanidoc.net.probe import Endpoint, ProbeSettings, _socks_address, probe
from kanidoc.net.registry_client import RegistryClient


@contextmanager
def serve_once(handler: Callable[[socket.socket], None]) -> Iterator[int]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def run() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return  # closed without a connection (the client failed before connecting)
        try:
            handler(conn)
        except OSError:
            pass
        finally:
            conn.close()

    threading.Thread(target=run, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def _read_head(conn: socket.socket) -> bytes:
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf


def _answer(reply: bytes, seen: list[bytes]) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        seen.append(_read_head(conn))
        conn.sendall(reply)
        time.sleep(0.2)
    return handler


def _get(port: int, headers: dict[str, str] | None = None) -> object:
    return RegistryClient(None, None, 1.0, 1.0).request("GET", f"http://127.0.0.1:{port}/v2/", headers=headers)


def test_1xx_answers_are_skipped_like_net_http() -> None:
    seen: list[bytes] = []
    reply = (b"HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n"
             b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="http://127.0.0.1/token"\r\nContent-Length: 0\r\n\r\n')
    with serve_once(_answer(reply, seen)) as port:
        r = _get(port)
    assert r.status == 401 and r.www_authenticate == ('Bearer realm="http://127.0.0.1/token"',)  # type: ignore[attr-defined]


def test_a_head_with_bare_line_feeds_is_read_like_textproto() -> None:
    seen: list[bytes] = []
    with serve_once(_answer(b'HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Basic realm="r"\nContent-Length: 0\n\n', seen)) as port:
        r = _get(port)
    assert r.status == 401 and r.headers["www-authenticate"] == 'Basic realm="r"'  # type: ignore[attr-defined]


def test_a_header_value_with_a_newline_fails_the_request_before_connecting() -> None:
    seen: list[bytes] = []
    with serve_once(_answer(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", seen)) as port:
        r = _get(port, {"Authorization": "Bearer secret-token\n"})
    assert r.error == 'net/http: invalid header field value for "Authorization"'  # type: ignore[attr-defined]
    assert seen == [] and "secret-token" not in r.error  # type: ignore[attr-defined]


def test_socks_addresses_are_marshalled_like_x_net_socks() -> None:
    assert _socks_address("127.0.0.1") == b"\x01\x7f\x00\x00\x01"
    assert _socks_address("[::1]") == b"\x04" + b"\x00" * 15 + b"\x01"
    assert _socks_address("registry.example") == b"\x03\x10registry.example"
    assert _socks_address("a" * 300) is None
    assert _socks_address("a" * 64 + ".example") is not None  # no IDNA label rules (Go has none here)


def test_socks_proxy_credentials_never_reach_the_registry() -> None:
    # Go's transport sends Proxy-Authorization only to an HTTP proxy; a SOCKS proxy gets its
    # credentials in the SOCKS exchange, and the tunnelled request carries none.
    seen: list[bytes] = []

    def socks_then_registry(conn: socket.socket) -> None:
        conn.recv(16)
        conn.sendall(b"\x05\x02")
        conn.recv(600)
        conn.sendall(b"\x01\x00")
        conn.recv(600)
        conn.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x13\x88")
        seen.append(_read_head(conn))
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    with serve_once(socks_then_registry) as port:
        env = goproxy.ProxyEnv.from_environ({"HTTP_PROXY": f"socks5://alice:s3cret-pw@127.0.0.1:{port}"})
        res = probe(Endpoint("registry", "http://registry.example:5000/v2/", "registry.example:5000"),
                    ProbeSettings(env, Path("/"), None, 2.0), Budget(5))
    assert res.ok and seen and b"proxy-authorization" not in seen[0].lower()


def test_a_dripping_socks_proxy_is_cut_off_at_the_deadline() -> None:
    def drip(conn: socket.socket) -> None:
        conn.recv(16)
        conn.sendall(b"\x05\x00")
        conn.recv(512)
        for byte in b"\x05\x00\x00\x03\xff" + b"a" * 255 + b"\x00\x50":
            conn.sendall(bytes([byte]))
            time.sleep(0.3)

    with serve_once(drip) as port:
        start = time.monotonic()
        r = RegistryClient(ProxyURL("socks5", "127.0.0.1", port), None, 1.0, 1.0).request("GET", "http://registry.invalid/v2/")
    assert time.monotonic() - start < 3 and r.error and "i/o timeout" in r.error  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def proxy_tls(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


def test_tls_inside_a_dripping_https_proxy_is_cut_off_at_the_deadline(proxy_tls: ssl.SSLContext) -> None:
    def drip(raw: socket.socket) -> None:
        conn = proxy_tls.wrap_socket(raw, server_side=True)
        _read_head(conn)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        conn.settimeout(0.01)
        for byte in b"\x16\x03\x03\x40\x00" + b"\x00" * 40:
            try:
                conn.recv(65536)
            except OSError:
                pass
            conn.sendall(bytes([byte]))
            time.sleep(0.3)

    with serve_once(drip) as port:
        start = time.monotonic()
        r = RegistryClient(ProxyURL("https", "127.0.0.1", port), None, 1.0, 1.0).request("GET", "https://registry.invalid/v2/")
    assert time.monotonic() - start < 3 and r.error  # type: ignore[attr-defined]


def test_the_console_script_reports_a_failed_write_in_one_line(tmp_path: Path) -> None:
    # entry() flushes before os._exit: a full disk is one line on stderr and exit 3, not a traceback
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        out = subprocess.run([sys.executable, "-m", "kanidoc", "list-checks"], stdout=full, stderr=subprocess.PIPE,
                             text=True, env=env, timeout=60)
    assert out.returncode == 3 and out.stderr == "kanidoc: error: writing the output failed: No space left on device\n"


@contextmanager
def keepalive_server(close_after_first: bool = False) -> Iterator[tuple[int, list[str]]]:
    """Answers every request with 200 and a Content-Length body, keeping connections open;
    records 'conn N: METHOD' per request."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    log: list[str] = []

    def handle(conn: socket.socket, n: int) -> None:
        buf = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    buf += chunk
                head, _, buf = buf.partition(b"\r\n\r\n")
                log.append(f"conn {n}: {head.split(b' ', 1)[0].decode()}")
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                if close_after_first:
                    return

    def accept() -> None:
        n = 0
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            n += 1
            threading.Thread(target=handle, args=(conn, n), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1], log
    finally:
        listener.close()


def test_connections_are_kept_alive_but_never_for_a_post() -> None:
    with keepalive_server() as (port, log), RegistryClient(None, None, 1.0, 1.0) as client:
        url = f"http://127.0.0.1:{port}/v2/"
        replies = [client.request(m, url) for m in ("GET", "DELETE", "POST", "DELETE")]
        time.sleep(0.1)
    assert [r.status for r in replies] == [200, 200, 200, 200]
    # GET and DELETE share a connection; the POST opens its own, and the DELETE after it reuses that one
    assert log == ["conn 1: GET", "conn 1: DELETE", "conn 2: POST", "conn 2: DELETE"]


def test_an_idle_connection_the_server_closed_is_replaced_for_an_idempotent_request() -> None:
    with keepalive_server(close_after_first=True) as (port, log), RegistryClient(None, None, 1.0, 1.0) as client:
        url = f"http://127.0.0.1:{port}/v2/"
        first = client.request("GET", url)
        time.sleep(0.1)  # the server has closed it by now
        second = client.request("DELETE", url)
    assert (first.status, second.status, second.error) == (200, 200, None)
    assert log == ["conn 1: GET", "conn 2: DELETE"]
