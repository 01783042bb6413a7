"""JUnit XML for GitLab's test report widget (``artifacts:reports:junit``) and Jenkins.

One ``testcase`` per check. A failed check carries one ``failure`` whose ``type`` is the
code of its first error finding and whose ``message`` is that finding's code and message;
the element's text lists every finding with evidence, remediation and docs link (GitLab
shows it as the failure's trace). ``skip`` becomes ``skipped``, ``error`` becomes
``error`` (both with the reason); warnings and info findings of passing checks go to
``system-out``. Validated in the tests against a JUnit schema with the semantics of
Ant/Jenkins ``junit-10.xsd`` (tests/fixtures/junit/junit-10.xsd).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from kanidoc.model import CheckResult, Finding, Report, Severity, Status

# XML 1.0 forbids most control characters even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _x(text: object) -> str:
    return _NOT_XML.sub("?", str(text))


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}"


def finding_text(f: Finding) -> str:
    """One finding as plain text: code, severity, message, evidence, fix, snippet, docs."""
    lines = [f"{f.code} ({f.severity.value}): {f.message}"]
    for key, value in f.evidence.items():
        shown = value if isinstance(value, str) else json.dumps(value, default=str)
        lines.append(f"    {key}: {shown}")
    if f.remediation:
        lines.append(f"  fix: {f.remediation.text}")
        if f.remediation.snippet:
            lines += ["  snippet:"] + [f"    {line}" for line in f.remediation.snippet.splitlines()]
    if f.docs:
        lines.append(f"  docs: {f.docs}")
    return "\n".join(lines)


def _ordered(c: CheckResult) -> list[Finding]:
    return sorted(c.findings, key=lambda f: _SEVERITY_ORDER[f.severity])


def _testcase(parent: ET.Element, c: CheckResult, suite: str) -> None:
    case = ET.SubElement(parent, "testcase", {
        "name": _x(f"{c.id}: {c.title}"), "classname": _x(f"{suite}.{c.id}"), "time": _seconds(c.duration_ms)})
    body = "\n\n".join(finding_text(f) for f in _ordered(c))
    if c.status is Status.FAIL:
        first = next((f for f in _ordered(c) if f.severity is Severity.ERROR), None)
        code = first.code if first else "fail"
        message = f"{first.code}: {first.message}" if first else c.headline
        el = ET.SubElement(case, "failure", {"type": _x(code), "message": _x(message)})
        el.text = _x(body)
    elif c.status is Status.ERROR:
        el = ET.SubElement(case, "error", {"type": "error", "message": _x(c.reason or c.headline)})
        el.text = _x("\n\n".join(x for x in (c.reason or "", body) if x))
    elif c.status is Status.SKIP:
        ET.SubElement(case, "skipped", {"message": _x(c.reason or "skipped")})
    if c.status in (Status.PASS, Status.WARN) and body:
        out = ET.SubElement(case, "system-out")
        out.text = _x(body)


def render(report: Report, colour: bool = False) -> str:
    checks = report.checks
    failures = sum(c.status is Status.FAIL for c in checks)
    errors = sum(c.status is Status.ERROR for c in checks)
    skipped = sum(c.status is Status.SKIP for c in checks)
    total_ms = sum(c.duration_ms for c in checks)
    counts = {"tests": str(len(checks)), "failures": str(failures), "errors": str(errors), "skipped": str(skipped),
              "time": _seconds(total_ms)}
    root = ET.Element("testsuites", {"name": "kanidoc", **counts})
    dests = ", ".join(report.target.get("destinations") or [])
    suite_name = "kanidoc" + (f": {dests}" if dests else "")
    suite = ET.SubElement(root, "testsuite", {"name": _x(suite_name), **counts, "timestamp": report.generated_at.rstrip("Z")})
    props = ET.SubElement(suite, "properties")
    for name, value in (("kanidoc_version", report.kanidoc_version), ("generated_at", report.generated_at),
                        ("status", report.status.value), ("destinations", dests)):
        ET.SubElement(props, "property", {"name": name, "value": _x(value)})
    for c in checks:
        _testcase(suite, c, "kanidoc")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
