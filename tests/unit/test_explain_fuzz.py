"""Arbitrary bytes never crash explain: a report and exit 0, 1 or 3, never a traceback."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kanidoc.explain.explain import exit_code, explain_stream
from kanidoc.explain.signatures import SIGNATURES

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# bytes, plus fragments of real signatures, decorations and separators, so the fuzzer reaches the matchers
FRAGMENTS = [s.example.encode() for s in SIGNATURES] + [
    b"\x1b[31;1m", b"\x1b[0K", b"section_start:1:x\r\x1b[0K", b"\r", b"\n", b"\r\n", b"2025-03-04T10:15:00.1Z 01E+ ",
    b"2025-03-04T10:15:00.1Z 00O ", b'time="x" level=error msg="', b'{"level":"fatal","msg":', b"ERRO[0000] ", b": ",
    b'Get "https://', b"[map[Action:push", b"\xff\xfe", b"\x00", b"ERROR: Job failed: exit code 1", b"Job succeeded",
]
logs = st.lists(st.one_of(st.binary(max_size=200), st.sampled_from(FRAGMENTS)), max_size=30).map(b"".join)


@SETTINGS
@given(logs)
def test_explain_never_raises(data: bytes) -> None:
    report = explain_stream(io.BytesIO(data), "fuzz", {})
    assert exit_code(report) in (0, 1, 3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(logs)
def test_cli_never_prints_a_traceback(kanidoc, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.log"
    path.write_bytes(data)
    run = kanidoc("explain", str(path), "--format", "json")
    assert run.code in (0, 1, 3)
    assert "Traceback" not in run.err
    run.json()
