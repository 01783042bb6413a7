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
