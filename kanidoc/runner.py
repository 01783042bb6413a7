"""Run checks concurrently under one deadline; a crash becomes ``error``, never a traceback."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from kanidoc.context import Context
from kanidoc.model import CheckResult, Status
from kanidoc.plugin import Check, CheckFailed, LoadedCheck, SkipCheck

# A dependency that ended like this lets its dependents run.
_USABLE = {Status.PASS, Status.WARN}

Progress = Callable[[str, CheckResult | None], None]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _run_one(check: Check, ctx: Context, deps: Mapping[str, CheckResult]) -> CheckResult:
    start = time.monotonic()
    try:
        result = check.run(ctx, deps)
    except SkipCheck as exc:
        result = CheckResult(check.id, check.title, Status.SKIP, reason=_one_line(str(exc)))
    except CheckFailed as exc:
        result = CheckResult(check.id, check.title, Status.ERROR, reason=_one_line(str(exc)))
    except Exception as exc:
        reason = f"check crashed: {type(exc).__name__}: {_one_line(str(exc))}"
        if ctx.debug:
            import traceback  # only for --debug (start-up cost)

            reason += "\n" + traceback.format_exc()
        result = CheckResult(check.id, check.title, Status.ERROR, reason=reason)
    return replace(result, duration_ms=int((time.monotonic() - start) * 1000))


def run(
    checks: Sequence[LoadedCheck],
    ctx: Context,
    progress: Progress | None = None,
) -> list[CheckResult]:
    """Run every check; results come back in the order of ``checks``."""
    results: dict[str, CheckResult] = {}
    done: dict[str, threading.Event] = {c.id: threading.Event() for c in checks}
    lock = threading.Lock()
    by_id = {c.id: c for c in checks}

    def finish(check_id: str, result: CheckResult) -> None:
        with lock:
            results.setdefault(check_id, result)
        done[check_id].set()
        if progress:
            progress(check_id, result)

    def worker(loaded: LoadedCheck) -> None:
        check = loaded.check
        assert check is not None
        # Work that needs no other check's result (loading the trust store, importing an
        # HTTP client) starts at once instead of after the dependencies.
        prepare = getattr(check, "prepare", None)
        if prepare is not None:
            try:
                prepare(ctx)
            except Exception:
                pass
        deps: dict[str, CheckResult] = {}
        for dep in check.requires:
            if dep not in done:
                # Not selected (--only/--skip) or not installed: the check runs without it.
                continue
            done[dep].wait(max(0.0, ctx.remaining()))
            with lock:
                dep_result = results.get(dep)
            if dep_result is None:
                finish(check.id, CheckResult(check.id, check.title, Status.SKIP, reason=f"'{dep}' did not finish"))
                return
            # A check that can work with partial facts (e.g. tls verifies the chains that were
            # reached) opts in with ``runs_after_failure``; others are skipped.
            tolerant = getattr(check, "runs_after_failure", False) and dep_result.status is not Status.SKIP
            if dep_result.status not in _USABLE and not tolerant:
                reason = f"requires '{dep}', which ended with {dep_result.status.value}"
                finish(check.id, CheckResult(check.id, check.title, Status.SKIP, reason=reason))
                return
            deps[dep] = dep_result
        if progress:
            progress(check.id, None)
        finish(check.id, _run_one(check, ctx, deps))

    threads = []
    for loaded in checks:
        if loaded.check is None:
            finish(loaded.id, CheckResult(loaded.id, loaded.id, Status.ERROR, reason=loaded.error))
            continue
        # Daemon threads: a check stuck past the deadline must not keep the process alive.
        t = threading.Thread(target=worker, args=(loaded,), name=f"check-{loaded.id}", daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join(max(0.0, ctx.remaining()))
    ordered: list[CheckResult] = []
    for loaded in checks:
        with lock:
            result = results.get(loaded.id)
        if result is None:
            check = by_id[loaded.id].check
            title = check.title if check else loaded.id
            result = CheckResult(
                loaded.id, title, Status.ERROR, reason=f"did not finish within the {ctx.timeout:g} s deadline",
                duration_ms=int(ctx.timeout * 1000),
            )
        ordered.append(result)
    return ordered


def select(checks: Sequence[LoadedCheck], only: Sequence[str], skip: Sequence[str]) -> list[LoadedCheck]:
    known = {c.id for c in checks}
    unknown = [i for i in [*only, *skip] if i not in known]
    if unknown:
        raise ValueError(f"unknown check id(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    chosen = [c for c in checks if (not only or c.id in only) and c.id not in skip]
    return chosen
