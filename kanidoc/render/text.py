"""Human text through rich: a summary table, then each finding with evidence and fix.

Colour only on a terminal and never with NO_COLOR (the CLI decides and passes ``colour``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kanidoc.model import CheckResult, Report, Severity, Status

_STATUS_STYLE = {
    Status.PASS: "green",
    Status.WARN: "yellow",
    Status.FAIL: "bold red",
    Status.SKIP: "dim",
    Status.ERROR: "magenta",
}
_ESC = "\x1b"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _control_free(text: str) -> str:
    """A section header is one line; control characters would end or corrupt it."""
    return _CONTROL.sub(" ", text)


_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _evidence(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _section_name(check_id: str) -> str:
    return "kanidoc_" + re.sub(r"[^A-Za-z0-9_.-]", "_", check_id)


def _epoch(generated_at: str) -> int:
    try:
        return int(dt.datetime.strptime(generated_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp())
    except ValueError:
        return 0


def _check_details(console: Console, c: CheckResult, always: bool) -> None:
    """The findings of one check; with ``always`` also a line for checks without any."""
    shown = [f for f in c.findings if f.severity is not Severity.INFO or c.status is Status.PASS]
    if not c.findings or (c.reason and c.status in (Status.SKIP, Status.ERROR) and not shown):
        if always:
            console.print(f"  {escape(c.reason or 'no findings')}", soft_wrap=True)
        return
    if not always:
        console.print()
        console.print(f"[bold]{escape(c.title)}[/] ({c.id}): [{_STATUS_STYLE[c.status]}]{c.status.value}[/]")
    for f in c.findings:
        style = _SEVERITY_STYLE[f.severity]
        console.print(f"  [{style}]{f.code} {f.severity.value}[/]  {escape(f.message)}", soft_wrap=True)
        for key, value in f.evidence.items():
            console.print(f"      {escape(key)}: {escape(_evidence(value))}", soft_wrap=True)
        if f.remediation and f.severity is not Severity.INFO:
            console.print(f"    [bold]fix:[/] {escape(f.remediation.text)}", soft_wrap=True)
            if f.remediation.snippet:
                for line in f.remediation.snippet.splitlines():
                    console.print(f"      {escape(line)}", soft_wrap=True)
        if f.docs and f.severity is not Severity.INFO:
            console.print(f"    [dim]docs: {escape(f.docs)}[/]", soft_wrap=True)


def render(report: Report, colour: bool = False, *, gitlab_sections: bool = False) -> str:
    """``gitlab_sections``: wrap each check in a GitLab CI collapsible log section
    (``section_start``/``section_end`` markers; failed and errored checks start expanded)."""
    out = io.StringIO()
    console = Console(
        file=out, force_terminal=colour, no_color=not colour, width=110, highlight=False, emoji=False
    )
    dests = ", ".join(report.target.get("destinations") or []) or "(no destination)"
    console.print(f"[bold]kanidoc {report.kanidoc_version}[/] · {escape(dests)}")
    table = Table(show_edge=False, pad_edge=False, expand=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("ms", justify="right")
    table.add_column("headline", overflow="fold")
    for c in report.checks:
        style = _STATUS_STYLE[c.status]
        table.add_row(c.id, f"[{style}]{c.status.value.upper()}[/]", str(c.duration_ms), escape(c.headline))
    console.print(table)
    start = _epoch(report.generated_at)
    for c in report.checks:
        if not gitlab_sections:
            _check_details(console, c, always=False)
            continue
        name = _section_name(c.id)
        collapsed = "" if c.status in (Status.FAIL, Status.ERROR) else "[collapsed=true]"
        header = f"{c.id}: {c.status.value.upper()} {' '.join(c.headline.split())}"
        out.write(f"{_ESC}[0Ksection_start:{start}:{name}{collapsed}\r{_ESC}[0K{_control_free(header)}\n")
        _check_details(console, c, always=True)
        end = start + -(-c.duration_ms // 1000)
        out.write(f"{_ESC}[0Ksection_end:{end}:{name}\r{_ESC}[0K\n")
    notes = []
    if report.target.get("unknown_kaniko_flags"):
        notes.append("kaniko would reject unknown flag(s): " + ", ".join(report.target["unknown_kaniko_flags"]))
    if report.target.get("unexpanded_variables"):
        notes.append("not set here, left unexpanded: " + ", ".join("$" + v for v in report.target["unexpanded_variables"]))
    for note in notes:
        console.print(f"[cyan]note:[/] {escape(note)}", soft_wrap=True)
    console.print()
    console.print(f"overall: [{_STATUS_STYLE[report.status]}]{report.status.value.upper()}[/]")
    return out.getvalue()
