"""A small SOCKS5 proxy (RFC 1928) on loopback, with optional username/password (RFC 1929).

Go's net/http speaks SOCKS5 for ``socks5://`` (and, from 1.22/1.23, ``socks5h://``) proxy
URLs and sends the target's *name* (ATYP 3), so the proxy resolves it: here from ``hosts``
only, as squid does from its hosts file. Only 127.0.0.0/8 is ever dialled; any other
target is answered with reply code 2 (not allowed by ruleset) without a packet leaving.

Modes: ``allow`` relays; ``deny`` answers every CONNECT with reply code 2 (a firewall rule
set). Every CONNECT target asked for is recorded in ``targets`` (``host:port`` as sent),
user names offered in ``users_seen`` (never passwords).
"""

from __future__ import annotations

import contextlib
import ipaddress
import select
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.lab.listen import accepting, loopback_listener

# RFC 1928 reply codes
SUCCEEDED = 0
GENERAL_FAILURE = 1
NOT_ALLOWED = 2
HOST_UNREACHABLE = 4
CONNECTION_REFUSED = 5
COMMAND_NOT_SUPPORTED = 7
ATYP_NOT_SUPPORTED = 8


@dataclass
class Socks:
    port: int
    mode: str
    auth: bool
    targets: list[str] = field(default_factory=list)  # CONNECT targets asked for, in order
    users_seen: list[str] = field(default_factory=list)  # RFC 1929 user names offered
    greetings: list[bytes] = field(default_factory=list)  # auth methods each client offered

    def url(self, user: str | None = None, password: str | None = None, scheme: str = "socks5") -> str:
        cred = f"{user}:{password}@" if user is not None else ""
        return f"{scheme}://{cred}127.0.0.1:{self.port}"


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client went away mid-handshake")
        data += chunk
    return data


def _reply(conn: socket.socket, code: int, bound: tuple[str, int] = ("0.0.0.0", 0)) -> None:
    conn.sendall(b"\x05" + bytes([code]) + b"\x00\x01" + socket.inet_aton(bound[0]) + struct.pack(">H", bound[1]))


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        return False


def _relay(a: socket.socket, b: socket.socket, stop: threading.Event) -> None:
    """Both directions in one thread until either side closes."""
    a.setblocking(True)
    b.setblocking(True)
    peers = {a: b, b: a}
    open_ = {a, b}
    while open_ and not stop.is_set():
        readable, _, _ = select.select(list(open_), [], [], 0.2)
        for src in readable:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            dst = peers[src]
            if not data:
                open_.discard(src)
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)
                continue
            try:
                dst.sendall(data)
            except OSError:
                return


def _handle(conn: socket.socket, state: Socks, users: dict[str, str] | None, hosts: dict[str, str],
            stop: threading.Event) -> None:
    upstream: socket.socket | None = None
    try:
        conn.settimeout(5)
        ver, nmethods = _recv_exact(conn, 2)
        if ver != 5:
            return
        methods = _recv_exact(conn, nmethods)
        state.greetings.append(methods)
        if users is not None:
            if 2 not in methods:
                conn.sendall(b"\x05\xff")  # no acceptable methods
                return
            conn.sendall(b"\x05\x02")
            sub_ver, ulen = _recv_exact(conn, 2)
            user = _recv_exact(conn, ulen).decode("utf-8", "replace")
            plen = _recv_exact(conn, 1)[0]
            password = _recv_exact(conn, plen).decode("utf-8", "replace")
            state.users_seen.append(user)
            if sub_ver != 1 or users.get(user) != password:
                conn.sendall(b"\x01\x01")
                return
            conn.sendall(b"\x01\x00")
        else:
            if 0 not in methods:
                conn.sendall(b"\x05\xff")
                return
            conn.sendall(b"\x05\x00")
        ver, cmd, _rsv, atyp = _recv_exact(conn, 4)
        if atyp == 1:
            host = socket.inet_ntoa(_recv_exact(conn, 4))
        elif atyp == 3:
            host = _recv_exact(conn, _recv_exact(conn, 1)[0]).decode("idna")
        elif atyp == 4:
            host = f"[{socket.inet_ntop(socket.AF_INET6, _recv_exact(conn, 16))}]"
        else:
            _reply(conn, ATYP_NOT_SUPPORTED)
            return
        (port,) = struct.unpack(">H", _recv_exact(conn, 2))
        state.targets.append(f"{host}:{port}")
        if cmd != 1:
            _reply(conn, COMMAND_NOT_SUPPORTED)
            return
        if state.mode == "deny":
            _reply(conn, NOT_ALLOWED)
            return
        address = hosts.get(host, host)
        if not _loopback(address):
            # never dial anything but 127.0.0.0/8: unknown names and other addresses are refused
            _reply(conn, HOST_UNREACHABLE if atyp == 3 and address == host else NOT_ALLOWED)
            return
        try:
            upstream = socket.create_connection((address, port), timeout=5)
        except ConnectionRefusedError:
            _reply(conn, CONNECTION_REFUSED)
            return
        except OSError:
            _reply(conn, HOST_UNREACHABLE)
            return
        _reply(conn, SUCCEEDED, upstream.getsockname()[:2])
        _relay(conn, upstream, stop)
    except (OSError, ValueError, UnicodeError):
        pass
    finally:
        for s in (upstream, conn):
            if s is not None:
                with contextlib.suppress(OSError):
                    s.close()


@contextlib.contextmanager
def socks_proxy(mode: str = "allow", *, users: dict[str, str] | None = None,
                hosts: dict[str, str] | None = None) -> Iterator[Socks]:
    """mode: allow | deny. ``users``: require RFC 1929 username/password (method 2)."""
    if mode not in ("allow", "deny"):
        raise ValueError(mode)
    srv = loopback_listener()
    state = Socks(srv.getsockname()[1], mode, users is not None)
    stop = threading.Event()
    with accepting(srv, lambda conn: _handle(conn, state, users, hosts or {}, stop), stop=stop, join_handlers=True):
        yield state
