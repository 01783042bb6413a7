"""Finding codes: one documented rule per code (as ruff does), the single source of truth.

Checks and ``kanidoc explain`` create findings only through a Rule, so the docs pages,
the JSON ``docs`` links and the remediation text cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from kanidoc.model import Finding, JSONValue, Remediation, Severity
from kanidoc.record import record

_CODE = re.compile(r"^KD-(AUTH|REACH|TLS|PUSH|ENGINE|BUILD|CI)-\d{3}$")


@record
class Rule:
    code: str
    severity: Severity
    title: str
    cause: str  # why this happens, for the docs page
    fix: str  # the default remediation text
    example: str  # an example message, shown in the docs

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise ValueError(f"bad finding code {self.code!r}")

    @property
    def area(self) -> str:
        return self.code.split("-")[1].lower()

    @property
    def docs(self) -> str:
        return f"docs/checks/{self.area}.md#{self.code.lower()}"

    def finding(
        self,
        message: str,
        evidence: Mapping[str, JSONValue] | None = None,
        *,
        fix: str | None = None,
        snippet: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            message=message,
            evidence=dict(evidence or {}),
            remediation=Remediation(text=fix or self.fix, snippet=snippet),
            docs=self.docs,
        )


class RuleBook:
    """The rules of one area, addressable by code."""

    def __init__(self, *rules: Rule) -> None:
        self._rules = {r.code: r for r in rules}
        if len(self._rules) != len(rules):
            raise ValueError("duplicate finding code")

    def __getitem__(self, code: str) -> Rule:
        return self._rules[code]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())


def all_rules() -> list[Rule]:
    """Every rule of every area: each module in this package exposes ``RULES``."""
    return [rule for module in _area_modules() for rule in module.RULES]


def intros() -> dict[str, str]:
    """Each area's docs introduction (``INTRO`` in its rules module)."""
    out = {}
    for module in _area_modules():
        book: RuleBook = module.RULES
        first = next(iter(book), None)
        if first is not None:
            out[first.area] = getattr(module, "INTRO", "")
    return out


def _area_modules() -> list[Any]:
    import importlib
    import pkgutil

    names = sorted(m.name for m in pkgutil.iter_modules(__path__))  # imported lazily: start-up stays cheap
    return [importlib.import_module(f"{__name__}.{name}") for name in names]
