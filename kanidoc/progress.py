"""A live status line on stderr while checks run (only on a terminal).

Fed by the runner's ``progress`` callback (called from the check threads: ``None`` when a
check starts, its result when it ends). Never writes to stdout, so ``--format json`` stays
a clean document; on a non-TTY stderr (CI logs, pipes) it writes nothing at all.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

from kanidoc.model import CheckResult

_CLEAR = "\r\x1b[2K"


class StatusLine:
    def __init__(self, stream: TextIO, total: int, *, enabled: bool | None = None) -> None:
        self._stream = stream
        self._total = total
        self._enabled = bool(getattr(stream, "isatty", lambda: False)()) if enabled is None else enabled
        self._lock = threading.Lock()
        self._running: dict[str, float] = {}
        self._done: list[str] = []
        self._dirty = False

    @property
    def enabled(self) -> bool:
        return self._enabled

    def __call__(self, check_id: str, result: CheckResult | None) -> None:
        if not self._enabled:
            return
        with self._lock:
            if result is None:
                self._running[check_id] = time.monotonic()
            else:
                self._running.pop(check_id, None)
                self._done.append(f"{check_id} {result.status.value}")
            self._draw()

    def _draw(self) -> None:
        running = ", ".join(self._running) or "-"
        last = self._done[-1] if self._done else ""
        line = f"kanidoc: {len(self._done)}/{self._total} done · running: {running}"
        if last:
            line += f" · last: {last}"
        try:
            self._stream.write(_CLEAR + line[:200])
            self._stream.flush()
        except (OSError, ValueError):
            self._enabled = False
            return
        self._dirty = True

    def close(self) -> None:
        """Erase the line, so the report starts on a clean line."""
        with self._lock:
            if self._enabled and self._dirty:
                try:
                    self._stream.write(_CLEAR)
                    self._stream.flush()
                except (OSError, ValueError):
                    pass
            self._enabled = False
