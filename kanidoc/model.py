"""The report contract (schema ``kanidoc/report/v1``): statuses, findings, results.

These dataclasses are what users and bots depend on; change them only by adding.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from kanidoc.record import record

SCHEMA_ID = "kanidoc/report/v1"

JSONValue = Any  # evidence values: str, int, float, bool, None, lists and dicts of those


class Status(enum.StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# Report status is the worst check status: fail > error > warn > pass (DESIGN.md).
# skip never makes a report worse than pass.
_STATUS_RANK = {Status.PASS: 0, Status.SKIP: 0, Status.WARN: 1, Status.ERROR: 2, Status.FAIL: 3}


def worst(statuses: list[Status]) -> Status:
    result = Status.PASS
    for status in statuses:
        if status is not Status.SKIP and _STATUS_RANK[status] > _STATUS_RANK[result]:
            result = status
    return result


def status_of(findings: list[Finding] | tuple[Finding, ...]) -> Status:
    """A check's status from its findings: any error fails it, any warning warns."""
    severities = {f.severity for f in findings}
    if Severity.ERROR in severities:
        return Status.FAIL
    if Severity.WARNING in severities:
        return Status.WARN
    return Status.PASS


@record
class Remediation:
    text: str
    snippet: str | None = None


@record
class Finding:
    code: str
    severity: Severity
    message: str
    evidence: Mapping[str, JSONValue] = field(default_factory=dict)
    remediation: Remediation | None = None
    docs: str | None = None


@record
class CheckResult:
    """What one check concluded.

    ``facts`` are published for later checks (the reachability check publishes the proxy
    decision and the presented chain); they are not part of the JSON contract.
    """

    id: str
    title: str
    status: Status
    findings: tuple[Finding, ...] = ()
    reason: str | None = None
    duration_ms: int = 0
    facts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def headline(self) -> str:
        if self.reason:
            return self.reason
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
            for finding in self.findings:
                if finding.severity is severity:
                    return finding.message
        return "ok"


@record
class Report:
    kanidoc_version: str
    generated_at: str
    target: Mapping[str, JSONValue]
    checks: tuple[CheckResult, ...]

    @property
    def status(self) -> Status:
        return worst([c.status for c in self.checks])
