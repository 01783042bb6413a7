"""The Check interface and discovery through the ``kanidoc.checks`` entry point group.

Built-in checks are registered in pyproject.toml exactly as a third-party package would
register its own, so there is one discovery path and a test proves it works for both a
normal and an editable install.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from kanidoc.entrypoints import entry_points
from kanidoc.model import CheckResult, Finding, status_of
from kanidoc.record import record

if TYPE_CHECKING:
    from kanidoc.context import Context

GROUP = "kanidoc.checks"


@runtime_checkable
class Check(Protocol):
    id: str
    title: str
    requires: tuple[str, ...]

    def run(self, ctx: Context, deps: Mapping[str, CheckResult]) -> CheckResult: ...


class SkipCheck(Exception):
    """Raised by a check that does not apply here (the reason is reported)."""


class CheckFailed(Exception):
    """Raised by a check that cannot complete (bad local input): status ``error``."""


class BaseCheck:
    """Convenience base: subclasses set id/title/requires and implement ``run``."""

    id: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str] = ""
    requires: tuple[str, ...] = ()
    runs_after_failure: ClassVar[bool] = False  # run even when a requirement failed (partial facts)

    def prepare(self, ctx: Context) -> None:
        """Optional warm-up run before the requirements finish (no findings here)."""

    def result(self, findings: list[Finding], facts: Mapping[str, object] | None = None) -> CheckResult:
        return CheckResult(
            id=self.id, title=self.title, status=status_of(findings), findings=tuple(findings), facts=dict(facts or {})
        )


@record
class LoadedCheck:
    check: Check | None
    id: str
    error: str | None = None  # the plugin could not be loaded


def discover() -> list[LoadedCheck]:
    """Every check registered in the entry point group, built-in or third-party."""
    loaded: list[LoadedCheck] = []
    seen: set[str] = set()
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        if ep.name in seen:
            continue  # an editable and a normal install side by side list it twice
        seen.add(ep.name)
        try:
            factory = ep.load()
            check = factory()
            if not isinstance(check, Check):
                raise TypeError("does not implement the Check interface")
        except Exception as exc:  # a broken third-party plugin must not take the run down
            loaded.append(LoadedCheck(None, ep.name, f"cannot load check plugin {ep.value}: {exc}"))
            continue
        loaded.append(LoadedCheck(check, check.id))
    return loaded
