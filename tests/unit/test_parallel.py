"""kanidoc.parallel: results, errors and the deadline."""

from __future__ import annotations

import threading
import time

import pytest

from kanidoc.parallel import Task, wait


def test_results_errors_and_a_task_left_behind() -> None:
    release = threading.Event()
    ok = Task(lambda x: x * 2, 21)
    bad = Task(lambda: 1 / 0)
    stuck = Task(release.wait, 30)
    start = time.monotonic()
    wait([ok, bad, stuck], timeout=0.3)
    assert 0.25 <= time.monotonic() - start < 2  # the stuck one does not hold the caller
    assert ok.done() and ok.result() == 42 and ok.exception() is None
    assert bad.done() and isinstance(bad.exception(), ZeroDivisionError)
    with pytest.raises(ZeroDivisionError):
        bad.result()
    assert not stuck.done()
    with pytest.raises(TimeoutError):
        stuck.result(timeout=0.01)
    release.set()
    assert stuck.result(timeout=5) is True
