"""A hop's outcome: what a probe step found, how long it took, and Go's error text."""

from __future__ import annotations

import time
from dataclasses import field
from typing import Any

from kanidoc.record import record


@record
class Hop:
    name: str  # dns | tcp | connect | tls | http
    ok: bool
    ms: int
    detail: str  # one line for people
    kind: str = ""  # failure class: nxdomain, timeout, servfail, refused, unreachable, 407, 403, ...
    go_error: str | None = None  # how kaniko (Go) would word it
    data: dict[str, Any] = field(default_factory=dict)

    def evidence(self) -> dict[str, Any]:
        out: dict[str, Any] = {"hop": self.name, "ok": self.ok, "ms": self.ms, "detail": self.detail}
        if self.kind:
            out["kind"] = self.kind
        return out


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.monotonic()

    @property
    def ms(self) -> int:
        return int((time.monotonic() - self.start) * 1000)


class Budget:
    """A deadline shared by the hops of one probe: no step may outlive it."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + max(0.0, seconds)

    def left(self, cap: float | None = None) -> float:
        remaining = max(0.0, self.deadline - time.monotonic())
        return min(remaining, cap) if cap is not None else remaining

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.deadline
