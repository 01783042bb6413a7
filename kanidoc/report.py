"""Assemble the Report from the Context and the check results (always redacted)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kanidoc import __version__
from kanidoc.context import Context
from kanidoc.model import CheckResult, JSONValue, Report


def target_of(ctx: Context) -> dict[str, JSONValue]:
    target: dict[str, JSONValue] = {
        "destinations": [d.ref for d in ctx.destinations],
        "destination_sources": sorted({d.source for d in ctx.destinations}),
    }
    if ctx.dockerfile:
        target["dockerfile"] = str(ctx.dockerfile)
    if ctx.build_context:
        target["context"] = str(ctx.build_context)
    if ctx.kaniko.present:
        target["kaniko_command_line"] = True
        if ctx.kaniko.unknown:
            target["unknown_kaniko_flags"] = list(ctx.kaniko.unknown)
        if ctx.kaniko.unexpanded:
            target["unexpanded_variables"] = list(ctx.kaniko.unexpanded)
        if ctx.kaniko.all("cache-repo") or ctx.kaniko.get("cache-repo"):
            target["cache_repo"] = ctx.kaniko.get("cache-repo")
        if ctx.kaniko.all("registry-mirror"):
            target["registry_mirrors"] = list(ctx.kaniko.all("registry-mirror"))
    if ctx.kaniko_version:
        target["kaniko_version"] = ctx.kaniko_version
    facts = {k.removeprefix("facts."): v for k, v in ctx.extra.items() if k.startswith("facts.")}
    if facts:
        target["facts"] = facts
    if ctx.ci_job is not None:
        target["ci_job"] = ctx.ci_job.summary()
    if ctx.in_gitlab_ci:
        target["gitlab_ci"] = {k: ctx.env[k] for k in ("CI_JOB_ID", "CI_PROJECT_PATH", "CI_REGISTRY") if k in ctx.env}
    return target


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build(ctx: Context, results: Sequence[CheckResult]) -> Report:
    public = tuple(
        CheckResult(r.id, r.title, r.status, r.findings, r.reason, r.duration_ms) for r in results
    )  # facts are for other checks, not for the report
    report = Report(__version__, now_utc(), target_of(ctx), public)
    return ctx.redactor.redact_obj(report)
