"""The corpus: real kaniko (and Go registry client) error lines from public trackers, each with its codes.

tests/fixtures/logs/corpus.jsonl: one JSON object per line, ``source`` (where the line was
posted), ``line`` (verbatim), ``codes`` (expected finding codes), optional ``exit`` (default 1)
and ``note``. Each line is explained as a one-line log, in-process and through the CLI.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from kanidoc.explain.explain import exit_code, explain_stream
from kanidoc.model import Severity
from kanidoc.rules import all_rules

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "logs" / "corpus.jsonl"
ITEMS: list[dict[str, Any]] = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_corpus_is_large_distinct_and_sourced() -> None:
    lines = [item["line"] for item in ITEMS]
    assert len(set(lines)) == len(lines) >= 40
    sources = {item["source"] for item in ITEMS}
    assert len(sources) >= 40
    codes = {r.code for r in all_rules()}
    for item in ITEMS:
        assert item["source"].startswith("https://"), item
        assert item["codes"] and set(item["codes"]) <= codes, item


@pytest.mark.parametrize("item", ITEMS, ids=[f"{i:02d}-{item['source'].rsplit('/', 3)[-3]}" for i, item in enumerate(ITEMS)])
def test_corpus_line(item: dict[str, Any]) -> None:
    report = explain_stream(io.BytesIO(item["line"].encode() + b"\n"), "corpus", {})
    findings = [f for c in report.checks for f in c.findings if f.code != "KD-BUILD-002"]
    assert sorted(f.code for f in findings) == sorted(item["codes"]), [f.message for f in findings]
    assert exit_code(report) == item.get("exit", 1)
    for f in findings:
        assert f.remediation is not None and f.remediation.text
        assert f.docs and f.docs.startswith("docs/checks/")
        if f.severity is Severity.ERROR:
            assert f.evidence["line"] == 1


def test_corpus_through_the_cli(kanidoc, tmp_path: Path) -> None:
    """All lines in one log: every expected code appears, the JSON validates, the exit says 'explained'."""
    log = tmp_path / "all.log"
    log.write_text("".join(item["line"] + "\n" for item in ITEMS), encoding="utf-8")
    run = kanidoc("explain", str(log), "--format", "json")
    assert run.code == 1, run.err
    found = set(run.codes())
    expected = {code for item in ITEMS for code in item["codes"] if code != "KD-BUILD-001"}
    assert expected <= found, expected - found
