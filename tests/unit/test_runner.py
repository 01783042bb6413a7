"""The runner: concurrency, deadlines, crashes become errors, dependency skips."""

from __future__ import annotations

import time
from collections.abc import Mapping

from kanidoc import context
from kanidoc.model import CheckResult, Status
from kanidoc.plugin import BaseCheck, CheckFailed, LoadedCheck, SkipCheck
from kanidoc.runner import run, select


def ctx(timeout: float = 5.0, debug: bool = False) -> context.Context:
    return context.build(context.Options(timeout=timeout, debug=debug), {})


class Sleepy(BaseCheck):
    title = "sleepy"

    def __init__(self, cid: str, seconds: float, requires: tuple[str, ...] = ()) -> None:
        self.id = cid  # type: ignore[misc]
        self.seconds = seconds
        self.requires = requires

    def run(self, ctx: context.Context, deps: Mapping[str, CheckResult]) -> CheckResult:
        time.sleep(self.seconds)
        return self.result([], {"deps": sorted(deps)})


class Raises(BaseCheck):
    id = "boom"
    title = "boom"

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def run(self, ctx: context.Context, deps: Mapping[str, CheckResult]) -> CheckResult:
        raise self.exc


def loaded(*checks: BaseCheck) -> list[LoadedCheck]:
    return [LoadedCheck(c, c.id) for c in checks]  # type: ignore[arg-type]


def test_checks_run_concurrently() -> None:
    start = time.monotonic()
    results = run(loaded(Sleepy("a", 0.4), Sleepy("b", 0.4), Sleepy("c", 0.4)), ctx())
    assert time.monotonic() - start < 1.0
    assert [r.status for r in results] == [Status.PASS] * 3


def test_deadline_turns_stuck_check_into_error() -> None:
    start = time.monotonic()
    results = run(loaded(Sleepy("stuck", 30), Sleepy("fine", 0)), ctx(timeout=0.5))
    assert time.monotonic() - start < 1.5
    assert results[0].status is Status.ERROR and "deadline" in (results[0].reason or "")
    assert results[1].status is Status.PASS


def test_crash_is_one_line_error_others_still_report() -> None:
    results = run(loaded(Raises(RuntimeError("bad\nthing")), Sleepy("ok", 0)), ctx())
    assert results[0].status is Status.ERROR
    assert results[0].reason == "check crashed: RuntimeError: bad thing"
    assert results[1].status is Status.PASS


def test_crash_traceback_only_with_debug() -> None:
    results = run(loaded(Raises(RuntimeError("x"))), ctx(debug=True))
    assert "Traceback" in (results[0].reason or "")


def test_skip_and_checkfailed() -> None:
    assert run(loaded(Raises(SkipCheck("not here"))), ctx())[0].status is Status.SKIP
    r = run(loaded(Raises(CheckFailed("bad input"))), ctx())[0]
    assert r.status is Status.ERROR and r.reason == "bad input"


def test_dependency_failed_means_skip_with_reason() -> None:
    results = run(loaded(Raises(CheckFailed("x")), Sleepy("after", 0, ("boom",))), ctx())
    assert results[1].status is Status.SKIP
    assert results[1].reason == "requires 'boom', which ended with error"


def test_dependency_passed_is_passed_in() -> None:
    results = run(loaded(Sleepy("first", 0.1), Sleepy("second", 0, ("first",))), ctx())
    assert results[1].facts["deps"] == ["first"]


def test_select() -> None:
    checks = loaded(Sleepy("a", 0), Sleepy("b", 0))
    assert [c.id for c in select(checks, ["a"], [])] == ["a"]
    assert [c.id for c in select(checks, [], ["a"])] == ["b"]
    try:
        select(checks, ["zzz"], [])
    except ValueError as exc:
        assert "zzz" in str(exc)
    else:
        raise AssertionError("unknown id accepted")
