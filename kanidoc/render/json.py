"""JSON renderer: exactly schema ``kanidoc/report/v1`` (docs/schema/report-v1.json)."""

from __future__ import annotations

import json
from typing import Any

from kanidoc.model import SCHEMA_ID, CheckResult, Finding, Report


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity.value,
        "message": f.message,
        "evidence": dict(f.evidence),
        "remediation": None
        if f.remediation is None
        else {"text": f.remediation.text, "snippet": f.remediation.snippet},
        "docs": f.docs,
    }


def check_dict(c: CheckResult) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "status": c.status.value,
        "duration_ms": c.duration_ms,
        "reason": c.reason,
        "findings": [finding_dict(f) for f in c.findings],
    }


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "schema": SCHEMA_ID,
        "kanidoc_version": report.kanidoc_version,
        "generated_at": report.generated_at,
        "target": dict(report.target),
        "status": report.status.value,
        "checks": [check_dict(c) for c in report.checks],
    }


def render(report: Report, colour: bool = False) -> str:
    return json.dumps(report_dict(report), indent=2, default=str) + "\n"
