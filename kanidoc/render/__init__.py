"""Renderers turn an already-redacted Report into text for one audience each."""

from __future__ import annotations

from collections.abc import Callable

from kanidoc.model import Report

Renderer = Callable[[Report, bool], str]  # (report, colour) -> text

FORMATS = ("text", "json")


def get(fmt: str) -> Renderer:
    if fmt == "json":
        from kanidoc.render.json import render as render_json

        return render_json
    if fmt == "text":
        from kanidoc.render.text import render as render_text

        return render_text
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
