"""TCP dials as Go's net.Dialer does them: addresses in order, each with a share of the time.

net/dial.go ``dialSerial`` gives each remaining address ``partialDeadline``: the time left
divided by the addresses left, but at least 2 s (never past the overall deadline).
"""

from __future__ import annotations

import errno
import socket
import time

from kanidoc.net.dns import family
from kanidoc.record import record

_MIN_PER_ADDRESS = 2.0


@record
class DialFailure:
    address: str
    kind: str  # refused | timeout | unreachable | error
    go_error: str


def _classify(exc: OSError) -> str:
    if isinstance(exc, TimeoutError) or exc.errno in (errno.ETIMEDOUT, errno.EAGAIN):
        return "timeout"
    if exc.errno == errno.ECONNREFUSED:
        return "refused"
    if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return "unreachable"
    return "error"


_GO_WORDS = {"refused": "connect: connection refused", "timeout": "i/o timeout",
             "unreachable": "connect: network is unreachable", "error": "connect: error"}


def dial(addresses: tuple[str, ...], port: int, timeout: float) -> tuple[socket.socket | None, list[DialFailure]]:
    deadline = time.monotonic() + timeout
    failures: list[DialFailure] = []
    for index, address in enumerate(addresses):
        left = deadline - time.monotonic()
        if left <= 0:
            failures.append(DialFailure(address, "timeout", f"dial tcp {_hp(address, port)}: i/o timeout"))
            break
        share = max(left / (len(addresses) - index), min(_MIN_PER_ADDRESS, left))
        sock = socket.socket(family(address), socket.SOCK_STREAM)
        sock.settimeout(share)
        try:
            sock.connect((address, port))
        except OSError as exc:
            sock.close()
            kind = _classify(exc)
            failures.append(DialFailure(address, kind, f"dial tcp {_hp(address, port)}: {_GO_WORDS[kind]}"))
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, failures
    return None, failures


def _hp(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
