"""Markdown for pasting into a ticket or merge request (GitLab/GitHub flavoured).

A summary table, then one collapsible ``<details>`` section per check that has findings
(failed and errored checks open), each finding with its evidence, remediation, snippet
and docs link. Text from the report is escaped so it cannot break the layout: table
cells escape ``|``, HTML in ``<summary>`` is entity-escaped, code fences grow longer than
any backtick run inside them.
"""

from __future__ import annotations

import html
import json
import re

from kanidoc.model import CheckResult, Finding, Report, Severity, Status

_ICON = {Status.PASS: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.SKIP: "⏭️", Status.ERROR: "💥"}
_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: object) -> str:
    return _CONTROL.sub("", str(text))


def _inline(text: str) -> str:
    """Plain text inside a Markdown paragraph or list item: one line, specials escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(_clean(text).split()))


def _cell(text: str) -> str:
    return _inline(text)


def _code(text: str, table: bool = False) -> str:
    """Inline code span that survives backticks in the text (and ``|`` in a table cell,
    which GFM splits on even inside code spans unless escaped)."""
    text = " ".join(_clean(text).split())
    if table:
        text = text.replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _block(text: str, lang: str = "") -> list[str]:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{lang}", *_clean(text.replace("\t", "    ")).splitlines(), fence]


def _value(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _finding(f: Finding) -> list[str]:
    lines = [f"#### {f.code} · {f.severity.value}", "", _inline(f.message), ""]
    if f.evidence:
        lines += ["| evidence | value |", "|---|---|"]
        lines += [f"| {_cell(k)} | {_code(_value(v), table=True)} |" for k, v in f.evidence.items()]
        lines.append("")
    if f.remediation:
        lines += [f"**Fix:** {_inline(f.remediation.text)}", ""]
        if f.remediation.snippet:
            lines += [*_block(f.remediation.snippet, "yaml"), ""]
    if f.docs:
        lines += [f"Docs: [{_inline(f.code)}]({f.docs.replace(' ', '%20').replace(')', '%29')})", ""]
    return lines


def _check(c: CheckResult) -> list[str]:
    opened = " open" if c.status in (Status.FAIL, Status.ERROR) else ""
    summary = html.escape(_clean(f"{c.id}: {c.status.value.upper()} — {' '.join(c.headline.split())}"))
    lines = [f"<details{opened}>", f"<summary><b>{summary}</b></summary>", ""]
    if c.reason:
        lines += [f"_{_inline(c.reason)}_", ""]
    for f in sorted(c.findings, key=lambda f: _SEVERITY_ORDER[f.severity]):
        lines += _finding(f)
    lines += ["</details>", ""]
    return lines


def render(report: Report, colour: bool = False) -> str:
    dests = ", ".join(report.target.get("destinations") or []) or "(no destination)"
    lines = [
        f"### kanidoc report: {_ICON[report.status]} {report.status.value.upper()}",
        "",
        f"Destination: {_code(dests)} · kanidoc {_inline(report.kanidoc_version)} · {_inline(report.generated_at)}",
        "",
        "| check | status | ms | headline |",
        "|---|---|---:|---|",
    ]
    for c in report.checks:
        lines.append(f"| {_cell(c.id)} | {_ICON[c.status]} {c.status.value} | {c.duration_ms} | {_cell(c.headline)} |")
    lines.append("")
    for c in report.checks:
        if c.findings or c.status in (Status.FAIL, Status.ERROR):
            lines += _check(c)
    notes = []
    if report.target.get("unknown_kaniko_flags"):
        notes.append("kaniko would reject unknown flag(s): " + ", ".join(report.target["unknown_kaniko_flags"]))
    if report.target.get("unexpanded_variables"):
        notes.append("not set here, left unexpanded: " + ", ".join("$" + v for v in report.target["unexpanded_variables"]))
    lines += [f"> {_inline(n)}" for n in notes]
    return "\n".join(lines).rstrip("\n") + "\n"
