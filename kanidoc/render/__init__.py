"""Renderers turn an already-redacted Report into text for one audience each.

Every renderer has the signature ``(report, colour) -> str``; options that only some
renderers understand (GitLab's collapsible log sections for ``text``) are bound by
:func:`get` from a :class:`RenderOptions`, so callers keep one calling convention.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from kanidoc.model import Report
from kanidoc.record import record

Renderer = Callable[[Report, bool], str]  # (report, colour) -> text

FORMATS = ("text", "json", "junit", "markdown")


@record
class RenderOptions:
    gitlab_sections: bool = False  # text: wrap each check in a GitLab CI collapsible log section


def get(fmt: str, options: RenderOptions | None = None) -> Renderer:
    options = options or RenderOptions()
    if fmt == "json":
        from kanidoc.render.json import render as render_json

        return render_json
    if fmt == "text":
        from kanidoc.render.text import render as render_text

        if options.gitlab_sections:
            return functools.partial(render_text, gitlab_sections=True)
        return render_text
    if fmt == "junit":
        from kanidoc.render.junit import render as render_junit

        return render_junit
    if fmt == "markdown":
        from kanidoc.render.markdown import render as render_markdown

        return render_markdown
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
