"""The grep prefilter only chooses which blocks to read: verdicts equal the pure-Python scan."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

from kanidoc.explain import parser
from kanidoc.explain.explain import explain_stream
from kanidoc.render.json import report_dict

LINES = [
    "INFO[0001] Retrieving image manifest alpine:3.20",
    "\x1b[0;m$ /kaniko/executor --context . --destination registry.example.com:5050/g/p:1",
    'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "registry.example.com:5050/g/p:1": POST https://registry.example.com:5050/v2/g/p/blobs/uploads/: UNAUTHORIZED: authentication required',
    'error building image: getting stage builder for stage 0: Get "https://registry.example.com/v2/": x509: certificate signed by unknown authority',
    "Step 3/9 : RUN make",
    "x" * (parser.MAX_LINE + 500) + " x509: certificate has expired",  # a line cut at MAX_LINE
]


def _report(stream: io.BufferedIOBase, name: str) -> dict[str, object]:
    doc = report_dict(explain_stream(stream, name, {}))  # type: ignore[arg-type]
    doc.pop("generated_at")
    return doc


def test_file_and_stream_agree(tmp_path: Path) -> None:
    rnd = random.Random(7)
    body = "\n".join(rnd.choice(LINES[:2] + LINES[4:5]) for _ in range(60_000))
    text = body + "\n" + LINES[2] + "\n" + body + "\n" + LINES[3] + "\n" + LINES[5] + "\n" + body + "\n"
    path = tmp_path / "job.log"
    path.write_text(text)
    assert parser.grep_offsets(str(path), [b"x509"]) is not None  # grep is used for files
    with open(path, "rb") as fh:
        from_file = _report(fh, "job.log")
    from_stream = _report(io.BytesIO(text.encode()), "job.log")
    assert json.dumps(from_file, sort_keys=True) == json.dumps(from_stream, sort_keys=True)
    codes = {f["code"] for c in from_file["checks"] for f in c["findings"]}  # type: ignore[index, union-attr]
    assert {"KD-PUSH-008", "KD-TLS-001"} <= codes


def test_file_and_stream_agree_on_block_edges(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Small blocks and lines cut short, so that lines longer than a whole block, cut lines
    # right at a block's end and a last line without a newline all occur: the file path
    # (blocks kept by place and read again where grep matched) must equal the stream path.
    monkeypatch.setattr(parser, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(parser, "MAX_LINE", 700)
    for seed in range(12):
        rnd = random.Random(seed)
        lines = []
        for _ in range(400):
            kind = rnd.random()
            if kind < 0.03:
                lines.append("y" * rnd.randint(700, 9000) + " x509: certificate signed by unknown authority")
            elif kind < 0.06:
                lines.append(rnd.choice(LINES[2:4]))
            else:
                lines.append(rnd.choice(LINES[:2] + LINES[4:5]) + " " + "z" * rnd.randint(0, 300))
        text = "\n".join(lines) + ("\n" if seed % 2 else "")
        path = tmp_path / f"job{seed}.log"
        path.write_text(text)
        with open(path, "rb") as fh:
            from_file = _report(fh, "job.log")
        from_stream = _report(io.BytesIO(text.encode()), "job.log")
        assert json.dumps(from_file, sort_keys=True) == json.dumps(from_stream, sort_keys=True), seed
