"""A small TLS-intercepting forward proxy (loopback only), like a corporate inspection box.

It answers CONNECT with 200, terminates TLS with a certificate for the requested host
issued by its own CA, opens its own TLS connection to the real server and relays bytes.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.lab import pki
from tests.lab.listen import accepting, loopback_listener


@dataclass
class Mitm:
    port: int
    ca: pki.Issued

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _pipe(a: socket.socket | ssl.SSLSocket, b: socket.socket | ssl.SSLSocket) -> None:
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            b.shutdown(socket.SHUT_WR)


def _handle(client: socket.socket, ca: pki.Issued, hosts: dict[str, str], workdir: Path) -> None:
    try:
        client.settimeout(10)
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
        if len(line) < 2 or line[0] != "CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        host, _, port = line[1].rpartition(":")
        upstream_raw = socket.create_connection((hosts.get(host, host), int(port)), timeout=5)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        leaf = pki.leaf(ca, [host])
        crt, key = pki.write_chain(workdir, f"mitm-{host}-{threading.get_ident()}", leaf, [ca])
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(crt, key)
        tls_client = server_ctx.wrap_socket(client, server_side=True)
        up_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        up_ctx.check_hostname = False
        up_ctx.verify_mode = ssl.CERT_NONE
        upstream = up_ctx.wrap_socket(upstream_raw, server_hostname=host)
        t = threading.Thread(target=_pipe, args=(upstream, tls_client), daemon=True)
        t.start()
        _pipe(tls_client, upstream)
        t.join(10)
    except (OSError, ValueError):
        pass
    finally:
        with contextlib.suppress(OSError):
            client.close()


@contextlib.contextmanager
def mitm_proxy(ca_name: str = "Acme Edge Inspection CA", hosts: dict[str, str] | None = None) -> Iterator[Mitm]:
    ca = pki.ca(ca_name, org="Acme Corp")
    workdir = Path(tempfile.mkdtemp(prefix="kanidoc-mitm-"))
    srv = loopback_listener(16)
    with accepting(srv, lambda conn: _handle(conn, ca, hosts or {}, workdir)):
        yield Mitm(srv.getsockname()[1], ca)
