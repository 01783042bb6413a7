"""A minimal, bounded HTTP/1.1 exchange over an already-open socket.

Used for the CONNECT request and the ``GET /v2/`` probe, where kanidoc needs the raw
socket (the presented chain, the proxy's own reply) and strict limits: the head is capped
at 64 KiB, the body at 16 KiB, and every read shares one deadline.
"""

from __future__ import annotations

import ssl
import time
from dataclasses import field, replace
from typing import Protocol

from kanidoc.record import record

MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024


def body_kind(body: bytes, content_type: str | None) -> str:
    """What a (capped) body looks like: empty, html, json or text. Enough to tell a
    registry's JSON error from a proxy's or WAF's HTML page without echoing it."""
    body = body.lstrip()
    ctype = (content_type or "").lower()
    if not body:
        return "empty"
    if body[:1] == b"<" or "html" in ctype:
        return "html"
    return "json" if body[:1] in (b"{", b"[") else "text"


class Conn(Protocol):
    """What an exchange needs of a connection: a socket, an SSLSocket, or TLS inside a
    proxy's TLS (tlsprobe.TLSInTLS)."""

    def recv(self, bufsize: int, /) -> bytes: ...

    def sendall(self, data: bytes, /) -> None: ...

    def settimeout(self, value: float | None, /) -> None: ...


class WireError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # timeout | closed | malformed | too-large


@record
class Response:
    version: str
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    body_truncated: bool = False
    raw_status_line: str = field(default="", repr=False)
    # the connection is left exactly at the end of this answer and the server keeps it open
    reusable: bool = False

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    def all(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]


def _recv(sock: Conn, deadline: float, n: int = 4096) -> bytes:
    left = deadline - time.monotonic()
    if left <= 0:
        raise WireError("timeout", "i/o timeout")
    sock.settimeout(left)
    try:
        return sock.recv(n)
    except TimeoutError:
        raise WireError("timeout", "i/o timeout") from None
    except ssl.SSLError as exc:
        raise WireError("closed", f"tls: {exc.reason or exc}") from None
    except OSError as exc:
        raise WireError("closed", f"read: {exc.strerror or exc}") from None


def send(sock: Conn, data: bytes, deadline: float) -> None:
    sock.settimeout(max(0.01, deadline - time.monotonic()))
    try:
        sock.sendall(data)
    except TimeoutError:
        raise WireError("timeout", "i/o timeout") from None
    except OSError as exc:
        raise WireError("closed", f"write: {exc.strerror or exc}") from None


def _split_head(buf: bytes) -> tuple[list[str], bytes] | None:
    """The head's lines and what follows it, once the empty line that ends it is in
    ``buf``. Lines end in LF with an optional CR before it, as Go's textproto reads them."""
    lines: list[str] = []
    pos = 0
    while True:
        nl = buf.find(b"\n", pos)
        if nl < 0:
            return None
        line = buf[pos:nl].removesuffix(b"\r")
        pos = nl + 1
        if not line and lines:
            return lines, buf[pos:]
        lines.append(line.decode("latin-1"))


def _read_head(sock: Conn, buf: bytes, deadline: float) -> tuple[Response, bytes]:
    while (split := _split_head(buf)) is None:
        if len(buf) > MAX_HEAD:
            raise WireError("too-large", f"response head larger than {MAX_HEAD} bytes")
        chunk = _recv(sock, deadline)
        if not chunk:
            if not buf:
                raise WireError("closed", "EOF")
            raise WireError("malformed", "malformed HTTP response: connection closed inside the header")
        buf += chunk
    lines, rest = split
    status_line = lines[0]
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit() or len(parts[1]) != 3:
        # Go: "malformed HTTP response %q" / "malformed HTTP status code %q"
        raise WireError("malformed", f"malformed HTTP response {status_line[:80]!r}")
    headers = []
    for line in lines[1:]:
        if ":" in line:
            key, _, value = line.partition(":")
            headers.append((key.strip(), value.strip()))
    return Response(parts[0], int(parts[1]), parts[2] if len(parts) > 2 else "", tuple(headers), raw_status_line=status_line), rest


def read_response(
    sock: Conn, deadline: float, *, head_only: bool = False, method: str = "GET",
    max_body: int = MAX_BODY,
) -> Response:
    resp, rest = _read_head(sock, b"", deadline)
    # net/http persistConn.readResponse: 1xx answers (103 Early Hints, 100 Continue) are
    # skipped and the real answer read after them; only 101 is final.
    while 100 <= resp.status < 200 and resp.status != 101 and not head_only:
        resp, rest = _read_head(sock, rest, deadline)
    keep = resp.version == "HTTP/1.1" and "close" not in (resp.header("Connection") or "").lower()
    if head_only or method == "HEAD" or resp.status in (204, 304) or 100 <= resp.status < 200:
        return replace(resp, reusable=keep and not rest and not head_only)
    body, truncated, exact = _read_body(sock, resp, rest, deadline, max_body)
    return Response(resp.version, resp.status, resp.reason, resp.headers, body, truncated, resp.raw_status_line,
                    reusable=keep and exact)


def _read_body(sock: Conn, resp: Response, rest: bytes, deadline: float,
               max_body: int) -> tuple[bytes, bool, bool]:
    """(body up to max_body, truncated, exact): exact when a Content-Length body was read to
    its last byte and nothing after it (only then can the connection carry another request)."""
    length = resp.header("Content-Length")
    chunked = "chunked" in (resp.header("Transfer-Encoding") or "").lower()
    want = max_body
    if length is not None and length.isdigit():
        want = min(int(length), max_body)
    body = rest
    try:
        while len(body) < want + (4096 if chunked else 0) and time.monotonic() < deadline:
            if length is not None and length.isdigit() and len(body) >= int(length):
                break
            if chunked and body.endswith(b"0\r\n\r\n"):
                break
            chunk = _recv(sock, deadline)
            if not chunk:
                break
            body += chunk
    except WireError:
        pass  # a partial body is enough to say what answered
    exact = not chunked and length is not None and length.isdigit() and len(body) == int(length) <= max_body
    if chunked:
        body = _dechunk(body)
    truncated = len(body) > want or (length is not None and length.isdigit() and int(length) > len(body))
    return body[:max_body], truncated, exact


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, sep, data = data.partition(b"\r\n")
        if not sep:
            break
        try:
            size = int(size_line.split(b";", 1)[0], 16)
        except ValueError:
            break
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return out
