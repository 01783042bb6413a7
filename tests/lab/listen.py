"""A loopback listener whose connections each get a daemon thread: the accept loop the
lab's own servers (hostile registries, SOCKS and https:// proxies, the MITM proxy, a
silent port) share."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator


def loopback_listener(backlog: int = 32) -> socket.socket:
    """Bound to 127.0.0.1 on a free port; accept() wakes every 0.2 s to see the stop flag."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(backlog)
    srv.settimeout(0.2)
    return srv


@contextlib.contextmanager
def accepting(srv: socket.socket, handle: Callable[[socket.socket], None], *,
              stop: threading.Event | None = None, join_handlers: bool = False) -> Iterator[None]:
    """Hand every connection on ``srv`` to ``handle`` on its own daemon thread until the
    block ends; then stop (``stop`` is set for handlers that watch it), close the listener
    and, with ``join_handlers``, give each handler 2 s to finish."""
    stop = stop or threading.Event()
    handlers: list[threading.Thread] = []

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            t = threading.Thread(target=handle, args=(conn,), daemon=True)
            t.start()
            if join_handlers:
                handlers.append(t)

    acceptor = threading.Thread(target=loop, daemon=True)
    acceptor.start()
    try:
        yield
    finally:
        stop.set()
        acceptor.join(2)
        srv.close()
        for t in handlers:
            t.join(2)
