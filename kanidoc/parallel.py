"""Calls on daemon threads, collected by a deadline.

``concurrent.futures`` would do the same, but its workers are not daemon threads (the
interpreter joins them at exit, and a ``with`` block joins them on the way out, so a probe
stuck past the deadline would hold the run) and importing it costs ~6 ms (it pulls in
logging) on every start.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Task(Generic[T]):
    """``fn(*args)`` running on its own daemon thread."""

    def __init__(self, fn: Callable[..., T], *args: Any) -> None:
        self._finished = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._run, args=(fn, args), daemon=True, name=getattr(fn, "__name__", "task")).start()

    def _run(self, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        try:
            self._value = fn(*args)
        except BaseException as exc:  # reported to whoever asks for the result
            self._error = exc
        finally:
            self._finished.set()

    def done(self) -> bool:
        return self._finished.is_set()

    def exception(self) -> BaseException | None:
        """The call's exception (None while running or when it returned)."""
        return self._error

    def result(self, timeout: float | None = None) -> T:
        """The return value; raises the call's exception, or TimeoutError if not done."""
        if not self._finished.wait(timeout):
            raise TimeoutError("the call did not finish in time")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


def wait(tasks: Iterable[Task[Any]], timeout: float) -> None:
    """Until every task is done or ``timeout`` seconds have passed, whichever is first."""
    deadline = time.monotonic() + max(0.0, timeout)
    for task in tasks:
        task._finished.wait(max(0.0, deadline - time.monotonic()))
