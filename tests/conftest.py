"""Shared test helpers: run the CLI in-process with a controlled environment, validate JSON."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kanidoc.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "schema" / "report-v1.json").read_text())


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        doc = json.loads(self.out)
        jsonschema.validate(doc, SCHEMA)  # every JSON the tests produce is schema-checked
        return doc

    def codes(self) -> list[str]:
        return [f["code"] for c in self.json()["checks"] for f in c["findings"]]


def validate_report(doc: Mapping[str, Any]) -> None:
    jsonschema.validate(doc, SCHEMA)


@pytest.fixture
def kanidoc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., Run]]:
    """Run ``kanidoc`` in-process with exactly ``env`` (plus PATH) as the environment."""

    def run(*argv: str, env: Mapping[str, str] | None = None) -> Run:
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path / "home"),
                "DOCKER_CONFIG": str(tmp_path / "no-such-docker-config")}
        base.update(env or {})
        for key in list(os.environ):
            monkeypatch.delenv(key, raising=False)
        for key, value in base.items():
            monkeypatch.setenv(key, value)
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(argv))
        return Run(code, out.getvalue(), err.getvalue())

    yield run


def b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def write_config(path: Path, auths: Mapping[str, Any] | str, **extra: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(auths, str):
        path.write_text(auths)
    else:
        path.write_text(json.dumps({"auths": dict(auths), **extra}))
    return path
