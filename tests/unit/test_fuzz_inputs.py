"""Fuzzed config.json, Dockerfile and argument inputs never produce a traceback:
a one-line error with exit 2, or a report (exit 0/1/3)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kanidoc.dockerfile import parse as parse_dockerfile
from kanidoc.gosem import dockerconfig as dc
from kanidoc.kaniko_args import ArgsError
from kanidoc.kaniko_args import parse as parse_args

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
config_docs = st.one_of(
    st.text(max_size=200),
    json_values.map(json.dumps),
    st.dictionaries(
        st.sampled_from(["auths", "Auths", "credsStore", "credHelpers", "proxies", "x"]),
        st.one_of(json_values, st.dictionaries(st.text(max_size=20), st.dictionaries(
            st.sampled_from(["auth", "username", "password", "identitytoken", "registrytoken", "AUTH"]),
            st.one_of(st.text(max_size=30), st.integers(), st.none())), max_size=3)),
        max_size=4,
    ).map(json.dumps),
)


@SETTINGS
@given(config_docs)
def test_config_loading_never_raises(text: str) -> None:
    cfg = dc.load(text, "/kaniko/.docker/config.json")
    for registry in ("index.docker.io", "reg.example.com:5050", "x"):
        dc.resolve(cfg, registry, "a/b")
        dc.near_misses(cfg, dc.auth_key_for(registry))


@SETTINGS
@given(st.text(max_size=400), st.dictionaries(st.text(max_size=8), st.none() | st.text(max_size=10), max_size=3))
def test_dockerfile_never_raises(text: str, build_args: dict[str, str | None]) -> None:
    parse_dockerfile(text, build_args)


@SETTINGS
@given(st.lists(st.text(max_size=30), max_size=8))
def test_kaniko_args_raise_only_argserror(words: list[str]) -> None:
    try:
        parse_args(words, {})
    except ArgsError:
        pass


_flags = st.sampled_from(["--destination", "-d", "--dockerfile", "--context", "--build-arg", "--cache-repo",
                          "--registry-mirror", "--registry-certificate", "--no-push", "--insecure", "--force", "--"])


@SETTINGS
@given(config=config_docs, dockerfile=st.text(max_size=200),
       words=st.lists(st.one_of(_flags, st.text(max_size=25)), max_size=8))
def test_cli_never_tracebacks(kanidoc, tmp_path: Path, config: str, dockerfile: str, words: list[str]) -> None:
    (tmp_path / "config.json").write_text(config)
    (tmp_path / "Dockerfile").write_text(dockerfile)
    run = kanidoc("check", "--only", "auth", "--format", "json", "--auth-file", str(tmp_path / "config.json"),
                  "--dockerfile", str(tmp_path / "Dockerfile"), "--", "/kaniko/executor", *words)
    assert "Traceback" not in run.err
    if run.code == 2:
        assert run.err.startswith("kanidoc: error: ") and run.err.count("\n") == 1
    else:
        assert run.code in (0, 1, 3)
        doc = run.json()
        assert all(c["status"] != "error" for c in doc["checks"]), doc
