"""The hand-written docs stay true to the code: links, formats, exit codes, facts records, Dockerfile."""

from __future__ import annotations

import re
from pathlib import Path

from kanidoc import cli, facts, render
from kanidoc.docsgen import pages
from kanidoc.rules import all_rules

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_codes_index_lists_every_code() -> None:
    text = (DOCS / "codes.md").read_text()
    assert text == pages()["codes.md"]
    for rule in all_rules():
        assert f"[{rule.code}](checks/{rule.area}.md#{rule.code.lower()})" in text


def test_guide_links_resolve() -> None:
    for name in ("guide.md", "facts.md"):
        text = (DOCS / name).read_text()
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (DOCS / target).exists(), f"{name}: broken link {target}"


def test_guide_matches_the_cli() -> None:
    text = (DOCS / "guide.md").read_text()
    for fmt in render.FORMATS:
        assert f"`{fmt}`" in text, fmt
    for code in (cli.EXIT_OK, cli.EXIT_FAIL, cli.EXIT_USAGE, cli.EXIT_ERROR):
        assert f"| {code} |" in text
    check = next(a for a in cli.build_parser()._subparsers._group_actions[0].choices["check"]._actions if "--format" in a.option_strings)  # type: ignore[union-attr]
    assert list(check.choices) == list(render.FORMATS)
    for flag in ("--facts", "--ci-file", "--job", "--report-file", "collect-script"):
        assert flag in text


def test_facts_doc_covers_every_record() -> None:
    text = (DOCS / "facts.md").read_text()
    for record in ("meta", "env", "env-set", "path", "begin", "link", "exec", "cert", "secret", "done"):
        assert f"| `{record} " in text or f"| `{record}`" in text, record
    assert facts.FORMAT_HEADER in text


def test_dockerfile_is_plain_slim_and_non_root() -> None:
    text = (ROOT / "Dockerfile").read_text()
    instructions = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert not text.startswith("# syntax=") and "--mount" not in instructions and "<<" not in instructions  # no BuildKit-only syntax
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.M)
    assert re.search(r"^USER 10001", text, re.M) and "ENTRYPOINT" not in text.split("# No ENTRYPOINT")[1]
    ignore = (ROOT / ".dockerignore").read_text()
    for src in re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M):
        for path in src.split():
            assert (ROOT / path).exists() and f"!{path.rstrip('/')}" in ignore.replace("/\n", "\n"), path
