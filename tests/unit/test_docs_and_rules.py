"""Docs are generated from the rules: a stale page fails here. Rules are well-formed."""

from __future__ import annotations

from pathlib import Path

from kanidoc.docsgen import pages
from kanidoc.rules import all_rules

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_generated_pages_are_current() -> None:
    for name, text in pages().items():
        path = DOCS / name
        assert path.exists(), f"{path} missing: run python -m kanidoc.docsgen"
        assert path.read_text() == text, f"{path} is stale: run python -m kanidoc.docsgen"


def test_codes_unique_and_documented() -> None:
    rules = all_rules()
    codes = [r.code for r in rules]
    assert len(codes) == len(set(codes))
    for r in rules:
        assert r.cause and r.fix and r.example, r.code
        page = (DOCS / "checks" / f"{r.area}.md").read_text()
        assert f"## {r.code}" in page


def test_explain_page_lists_every_signature() -> None:
    from kanidoc.docsgen import explain_page
    from kanidoc.explain.signatures import SIGNATURES

    text = (DOCS / "explain.md").read_text()
    assert text == explain_page(), "docs/explain.md is stale: run python -m kanidoc.docsgen"
    codes = {r.code for r in all_rules()}
    for sig in SIGNATURES:
        assert sig.code in codes, sig.name
        assert f"## {sig.name}" in text and sig.example in text and sig.source in text
