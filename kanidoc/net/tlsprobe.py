"""TLS handshake that records what the server presented, without judging trust.

Trust is the ``tls`` check's job; this hop only says whether a handshake completes the
way Go's crypto/tls client would attempt it (TLS >= 1.2 as Go >= 1.18 clients default to,
SNI only for names, not IP literals) and hands over the presented chain.
"""

from __future__ import annotations

import socket
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import field
from typing import Any, TypeVar

from kanidoc.net.dns import is_ip
from kanidoc.record import record

T = TypeVar("T")


@record
class TLSInfo:
    version: str
    cipher: str
    alpn: str | None
    sni: str | None
    chain_der: tuple[bytes, ...] = field(repr=False)


class TLSFailure(Exception):
    def __init__(self, kind: str, detail: str, go_error: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.go_error = go_error


def presented_chain(sock: ssl.SSLSocket | TLSInTLS) -> tuple[bytes, ...]:
    """The certificates the server sent, leaf first.

    Python 3.13 made ``get_unverified_chain`` public; 3.11/3.12 have it on the private
    ``_sslobj``. Without either, only the leaf is available.
    """
    getter = getattr(sock, "get_unverified_chain", None)
    sslobj = getattr(sock, "_sslobj", None)
    if getter is None and sslobj is not None:
        getter = getattr(sslobj, "get_unverified_chain", None)
    if getter is not None:
        certs = getter() or []
        out = []
        for cert in certs:
            der = cert if isinstance(cert, bytes) else cert.public_bytes(ssl._ssl.ENCODING_DER)  # type: ignore[attr-defined]
            out.append(bytes(der))
        if out:
            return tuple(out)
    leaf = sock.getpeercert(binary_form=True)
    return (leaf,) if leaf else ()


# crypto/tls defaultCipherSuites for TLS 1.2 (Go >= 1.22: no RSA key exchange, no 3DES, no
# DHE at all): ECDHE with AES-GCM, ChaCha20-Poly1305 and AES-CBC-SHA. TLS 1.3 suites are
# fixed in both Go and OpenSSL.
GO_TLS12_CIPHERS = ":".join([
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA",
])


def go_like_context(verify: bool) -> ssl.SSLContext:
    """An OpenSSL client context that offers what Go's crypto/tls offers."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context.hostname_checks_common_name = False  # Go >= 1.15 ignores the Common Name
        # Go treats every certificate in the pool as a trust anchor, intermediates too
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # Go >= 1.18 client default
    context.set_ciphers(GO_TLS12_CIPHERS)
    return context


def _client_context() -> ssl.SSLContext:
    context = go_like_context(verify=False)
    context.set_alpn_protocols(["http/1.1"])  # we speak HTTP/1.1 on this socket
    return context


class TLSInTLS:
    """A TLS session carried inside another: the registry's TLS through the CONNECT tunnel of
    an ``https://`` proxy, which Go's transport sets up without a second thought.

    ``SSLContext.wrap_socket`` cannot do this: given an ``SSLSocket`` it takes over the file
    descriptor and the inner ClientHello leaves in clear text on the proxy's TLS session.
    So the inner session is an ``SSLObject`` over memory BIOs, pumped through the outer
    socket; it offers the socket methods the HTTP exchange uses."""

    def __init__(self, outer: ssl.SSLSocket, context: ssl.SSLContext, server_hostname: str | None) -> None:
        self._outer = outer
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._tls = context.wrap_bio(self._incoming, self._outgoing, server_hostname=server_hostname)
        # until settimeout() is called, the outer socket's timeout bounds the handshake
        timeout = outer.gettimeout()
        self._deadline: float | None = None if timeout is None else time.monotonic() + timeout

    def _arm(self) -> None:
        """Give the next outer read or write what is left of the timeout: one inner call
        can take many outer reads, and a socket timeout is per call."""
        if self._deadline is None:
            self._outer.settimeout(None)
            return
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        self._outer.settimeout(left)

    def _pump(self, step: Callable[[], T]) -> T:
        while True:
            try:
                result = step()
            except ssl.SSLWantReadError:
                self._flush()
                self._arm()
                data = self._outer.recv(16384)
                if not data:
                    self._incoming.write_eof()
                else:
                    self._incoming.write(data)
                continue
            self._flush()
            return result

    def _flush(self) -> None:
        data = self._outgoing.read()
        if data:
            self._arm()
            self._outer.sendall(data)

    def do_handshake(self) -> None:
        self._pump(self._tls.do_handshake)

    def recv(self, bufsize: int, /) -> bytes:
        try:
            return self._pump(lambda: self._tls.read(bufsize))
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
            return b""  # close_notify or the tunnel closed: end of stream, as a socket says it

    def sendall(self, data: bytes, /) -> None:
        view = memoryview(data)
        while view:
            written = self._pump(lambda chunk=view: self._tls.write(chunk))  # type: ignore[misc]
            view = view[written:]

    def settimeout(self, value: float | None, /) -> None:
        """Like a socket's, but for each call on this object as a whole."""
        self._deadline = None if value is None else time.monotonic() + value

    def close(self) -> None:
        self._outer.close()

    def version(self) -> str | None:
        return self._tls.version()

    def cipher(self) -> tuple[str, str, int] | None:
        return self._tls.cipher()

    def selected_alpn_protocol(self) -> str | None:
        return self._tls.selected_alpn_protocol()

    def getpeercert(self, binary_form: bool = False) -> Any:
        return self._tls.getpeercert(binary_form)

    def get_unverified_chain(self) -> list[Any]:
        inner = getattr(self._tls, "get_unverified_chain", None) or self._tls._sslobj.get_unverified_chain  # type: ignore[attr-defined]
        return list(inner() or [])


TLSConn = ssl.SSLSocket | TLSInTLS


def start_tls(conn: socket.socket | TLSConn, context: ssl.SSLContext, server_hostname: str | None) -> TLSConn:
    """The client handshake on ``conn``, inside the proxy's TLS when ``conn`` already is
    one. Raises what ``do_handshake`` raises (ssl.SSLError, TimeoutError, OSError)."""
    if isinstance(conn, ssl.SSLSocket):
        inner = TLSInTLS(conn, context, server_hostname)
        inner.do_handshake()
        return inner
    if isinstance(conn, TLSInTLS):
        raise ssl.SSLError("TLS three levels deep is not supported")
    tls = context.wrap_socket(conn, server_hostname=server_hostname, do_handshake_on_connect=False)
    tls.do_handshake()
    return tls


def handshake(sock: socket.socket | TLSConn, host: str, timeout: float) -> tuple[TLSConn, TLSInfo]:
    sni = None if is_ip(host) else host
    sock.settimeout(timeout)
    try:
        tls = start_tls(sock, _client_context(), sni)
    except TimeoutError:
        raise TLSFailure("timeout", f"TLS handshake did not finish within {timeout:g} s", "net/http: TLS handshake timeout") from None
    except ssl.SSLError as exc:
        reason = (exc.reason or "").upper()
        if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST") or "WRONG_VERSION" in str(exc).upper():
            raise TLSFailure("plain-http", "the server answered the TLS hello with something that is not TLS (plain HTTP?)",
                             "http: server gave HTTP response to HTTPS client") from None
        if "UNSUPPORTED_PROTOCOL" in reason or "PROTOCOL_VERSION" in reason:
            raise TLSFailure("protocol-version", "the server offers no TLS version >= 1.2", "tls: protocol version not supported") from None
        if reason.startswith("TLSV1_ALERT_") or reason.startswith("SSLV3_ALERT_"):
            alert = reason.split("ALERT_", 1)[1].lower().replace("_", " ")
            raise TLSFailure("alert", f"the server sent TLS alert '{alert}'", f"remote error: tls: {alert}") from None
        if "EOF" in str(exc).upper() or "UNEXPECTED_EOF" in reason:
            raise TLSFailure("eof", "the server closed the connection during the handshake", "EOF") from None
        raise TLSFailure("error", f"TLS handshake failed: {exc.reason or exc}", f"tls: {exc.reason or exc}") from None
    except ConnectionResetError:
        raise TLSFailure("reset", "the connection was reset during the TLS handshake", "read: connection reset by peer") from None
    except OSError as exc:
        raise TLSFailure("error", f"TLS handshake failed: {exc.strerror or exc}", f"tls: {exc.strerror or exc}") from None
    cipher = tls.cipher()
    info = TLSInfo(
        version=tls.version() or "",
        cipher=cipher[0] if cipher else "",
        alpn=tls.selected_alpn_protocol(),
        sni=sni,
        chain_der=presented_chain(tls),
    )
    return tls, info


PY_HAS_PUBLIC_CHAIN = sys.version_info >= (3, 13)
