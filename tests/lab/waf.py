"""A WAF-like reverse proxy on loopback: passes reads to the registry, refuses writes with
an HTML 403 and none of the registry's headers (what a load balancer or WAF sends)."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import ssl
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def waf(upstream_port: int, *, drop_first_delete: bool = False) -> Iterator[int]:
    """``drop_first_delete``: forward everything, but drop the first DELETE's connection
    without an answer, as a registry restarting at that moment would."""
    dropped = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection("127.0.0.1", upstream_port, context=ctx, timeout=10)
            # A reverse proxy keeps the client's Host and says how the client came in, so the
            # registry builds Location URLs that point back through the proxy.
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
            headers["X-Forwarded-Proto"] = "http"
            conn.request(self.command, self.path, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _deny(self) -> None:
            body = b"<html><head><title>Request Rejected</title></head><body>The requested URL was rejected.</body></html>"
            self.send_response(403, "Forbidden")
            self.send_header("Content-Type", "text/html")
            self.send_header("Server", "BigIP-ASM")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._forward()

        def do_HEAD(self) -> None:
            self._forward()

        def do_POST(self) -> None:
            self._forward() if drop_first_delete else self._deny()

        def do_PUT(self) -> None:
            self._deny()

        def do_PATCH(self) -> None:
            self._deny()

        def do_DELETE(self) -> None:
            if drop_first_delete and not dropped.is_set():
                dropped.set()
                self.close_connection = True
                self.connection.close()
                return
            self._forward() if drop_first_delete else self._deny()

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()
