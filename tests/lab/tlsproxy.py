"""An ``https://`` forward proxy on loopback: the client speaks TLS *to the proxy*, then
CONNECT inside that TLS session, then (for an https registry) TLS to the registry inside
the tunnel: TLS in TLS, as Go's net/http does for ``HTTPS_PROXY=https://proxy:port``.

Unlike tests/lab/mitm.py (plain-HTTP CONNECT, then intercepts the registry's TLS), this
proxy never looks inside the tunnel: it splices bytes between its TLS session with the
client and a plain TCP connection to the target. Targets are resolved from ``hosts`` only
and must be in 127.0.0.0/8; anything else is answered 403 without a packet leaving.

Modes: ``allow`` or ``deny`` (403 to every CONNECT); ``users``: Basic Proxy-Authorization
required (407 otherwise). ``targets`` records every CONNECT target asked for,
``users_seen`` the user names presented (never passwords), ``handshakes`` the TLS sessions
completed with the proxy, ``tls_errors`` the failed ones.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import ipaddress
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.lab.listen import accepting, loopback_listener


@dataclass
class TLSProxy:
    port: int
    mode: str
    targets: list[str] = field(default_factory=list)
    users_seen: list[str] = field(default_factory=list)
    handshakes: int = 0
    tls_errors: list[str] = field(default_factory=list)
    tunnel_errors: list[str] = field(default_factory=list)  # the client's TLS session broke inside a tunnel

    def url(self, user: str | None = None, password: str | None = None) -> str:
        cred = f"{user}:{password}@" if user is not None else ""
        return f"https://{cred}127.0.0.1:{self.port}"


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        return False


def _send(conn: ssl.SSLSocket, status: str, extra: str = "") -> None:
    conn.sendall(f"HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n".encode())


def _splice(tls: ssl.SSLSocket, raw: socket.socket, stop: threading.Event, errors: list[str]) -> None:
    """Both directions in *one* thread (an SSL object must not be read and written from two
    threads at once); decrypted bytes OpenSSL already holds (``pending``) are drained before
    waiting on the socket. Either side's EOF ends the tunnel (every lab client sends
    ``Connection: close`` and never half-closes)."""
    while not stop.is_set():
        if tls.pending():
            readable = [tls]
        else:
            readable, _, _ = select.select([tls, raw], [], [], 0.2)
        for src in readable:
            dst = raw if src is tls else tls
            try:
                data = src.recv(65536)
            except ssl.SSLWantReadError:
                continue
            except ssl.SSLError as exc:  # e.g. a TLS record that is not inside the session
                errors.append(f"{'client' if src is tls else 'target'} side: {exc.reason or exc}")
                return
            except OSError:
                return
            if not data:
                return
            try:
                dst.sendall(data)
            except OSError:
                return


def _handle(raw_client: socket.socket, context: ssl.SSLContext, state: TLSProxy, users: dict[str, str] | None,
            hosts: dict[str, str], stop: threading.Event, lock: threading.Lock) -> None:
    upstream: socket.socket | None = None
    conn: socket.socket | ssl.SSLSocket = raw_client
    try:
        raw_client.settimeout(5)
        try:
            conn = context.wrap_socket(raw_client, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            with lock:
                state.tls_errors.append(str(exc))
            return
        with lock:
            state.handshakes += 1
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                return
            head += chunk
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        request = lines[0].split()
        if len(request) < 2 or request[0] != "CONNECT":
            _send(conn, "405 Method Not Allowed")
            return
        target = request[1]
        with lock:
            state.targets.append(target)
        if users is not None:
            auth = next((v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
                         if k.strip().lower() == "proxy-authorization"), "")
            user, password = "", None
            if auth.lower().startswith("basic "):
                with contextlib.suppress(binascii.Error, UnicodeError):
                    user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if auth:
                with lock:
                    state.users_seen.append(user)
            if users.get(user) != password or password is None:
                _send(conn, "407 Proxy Authentication Required", 'Proxy-Authenticate: Basic realm="lab-tls-proxy"\r\n')
                return
        if state.mode == "deny":
            _send(conn, "403 Forbidden")
            return
        host, _, port = target.rpartition(":")
        address = hosts.get(host.strip("[]"), host.strip("[]"))
        if not _loopback(address) or not port.isdigit():
            _send(conn, "403 Forbidden")  # never dial anything but 127.0.0.0/8
            return
        try:
            upstream = socket.create_connection((address, int(port)), timeout=5)
        except OSError:
            _send(conn, "503 Service Unavailable")
            return
        # anything the client pipelined after the CONNECT head goes to the target first
        rest = head.split(b"\r\n\r\n", 1)[1]
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if rest:
            upstream.sendall(rest)
        assert isinstance(conn, ssl.SSLSocket)
        _splice(conn, upstream, stop, state.tunnel_errors)
    except (OSError, ValueError):
        pass
    finally:
        for s in (upstream, conn):
            if s is not None:
                with contextlib.suppress(OSError):
                    s.close()


@contextlib.contextmanager
def tls_proxy(cert: tuple[Path, Path], mode: str = "allow", *, users: dict[str, str] | None = None,
              hosts: dict[str, str] | None = None) -> Iterator[TLSProxy]:
    """``cert``: (chain, key) the proxy presents (issue it for 127.0.0.1 from the lab CA)."""
    if mode not in ("allow", "deny"):
        raise ValueError(mode)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert)
    srv = loopback_listener()
    state = TLSProxy(srv.getsockname()[1], mode)
    stop = threading.Event()
    lock = threading.Lock()
    with accepting(srv, lambda conn: _handle(conn, context, state, users, hosts or {}, stop, lock), stop=stop,
                   join_handlers=True):
        yield state
