"""--ci-file/--job: GitLab YAML features, the job's executor line, and the `ci` check's findings."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kanidoc import gitlab_ci
from kanidoc.gitlab_ci import CiFileError

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "ci" / "project"
CI_FILE = str(PROJECT / ".gitlab-ci.yml")
ENV = {"CI_REGISTRY": "registry.example.com:5050", "CI_REGISTRY_IMAGE": "registry.example.com:5050/g/p",
       "CI_COMMIT_SHORT_SHA": "abc1234", "CI_COMMIT_TAG": "v1.0.0", "CI_PROJECT_DIR": "/builds/g/p",
       "CI_REGISTRY_USER": "gitlab-ci-token", "CI_REGISTRY_PASSWORD": "glcbt-not-a-real-token"}


def ci_codes(run: Any) -> list[str]:
    doc = run.json()
    return [f["code"] for c in doc["checks"] if c["id"] == "ci" for f in c["findings"]]


def test_job_resolution_features() -> None:
    job = gitlab_ci.load(CI_FILE, "build", ENV)
    assert job.image == "gcr.io/kaniko-project/executor:v1.8.0"  # extends .kaniko-old -> .kaniko-base (include)
    assert job.entrypoint is None
    assert job.tags == ("docker", "proxy")  # from the glob include, later in the extends list
    assert job.variables["KANIKO_EXTRA"] == "x"
    assert job.variables["IMAGE"] == "registry.example.com:5050/g/p/app"  # variable expanded with CI_*
    assert [line.text for line in job.script][:3] == [
        "mkdir -p /kaniko/.docker", job.script[1].text, "echo start"]  # anchor, then !reference
    assert job.executor_line is not None and job.executor_line.section == "script"
    assert job.executor_words[:3] == ("/kaniko/executor", "--context", "${CI_PROJECT_DIR}")
    assert "--destination" in job.executor_words
    assert any("group/ci-templates" in p for p in job.problems)
    assert set(job.other_kaniko_jobs) == {"build-good", "build-recipes"}


def test_default_image_and_literal_block() -> None:
    assert gitlab_ci.load(CI_FILE, "test", ENV).image == "alpine:3.20"
    job = gitlab_ci.load(CI_FILE, "build-recipes", ENV)
    assert job.executor_words == ("/kaniko/executor", "--context", ".", "--destination", "$CI_REGISTRY_IMAGE:latest")


def test_ci_check_flags_the_seed_doc_details(kanidoc) -> None:
    run = kanidoc("check", "--ci-file", CI_FILE, "--job", "build", "--only", "ci,engine", "--format", "json", env=ENV)
    doc = run.json()
    codes = ci_codes(run)
    for code in ("KD-CI-001", "KD-CI-003", "KD-CI-004", "KD-CI-005", "KD-CI-006", "KD-CI-009", "KD-CI-012", "KD-CI-013"):
        assert code in codes, (code, codes)
    assert doc["target"]["destinations"] == ["registry.example.com:5050/g/p/app:abc1234"]  # fed as if after --
    assert doc["target"]["ci_job"]["job"] == "build"
    engine = next(c for c in doc["checks"] if c["id"] == "engine")
    assert engine["findings"][0]["evidence"]["kaniko_version"] == "v1.8.0"  # the image is the version source
    assert run.code == 1


def test_seed_doc_job_is_clean(kanidoc) -> None:
    run = kanidoc("check", "--ci-file", CI_FILE, "--job", "build-good", "--only", "ci", "--format", "json", env=ENV)
    severities = {f["code"]: f["severity"] for c in run.json()["checks"] for f in c["findings"]}
    assert [c for c, s in severities.items() if s == "error"] == []
    assert "KD-CI-005" not in severities and "KD-CI-006" not in severities and "KD-CI-009" not in severities


def test_recipe_mistakes(kanidoc) -> None:
    run = kanidoc("check", "--ci-file", CI_FILE, "--job", "build-recipes", "--only", "ci", "--format", "json", env=ENV)
    codes = ci_codes(run)
    assert {"KD-CI-007", "KD-CI-008", "KD-CI-010", "KD-CI-005"} <= set(codes)
    assert "KD-CI-001" not in codes and "KD-CI-003" not in codes  # :debug with entrypoint [""]


def test_no_executor_line_and_skip_without_ci_file(kanidoc) -> None:
    assert "KD-CI-011" in ci_codes(kanidoc("check", "--ci-file", CI_FILE, "--job", "test", "--only", "ci", "--format", "json", env=ENV))
    run = kanidoc("check", "--only", "ci", "--format", "json")
    assert run.json()["checks"][0]["status"] == "skip"


def test_words_after_dashdash_win(kanidoc) -> None:
    run = kanidoc("check", "--ci-file", CI_FILE, "--job", "build", "--only", "ci", "--format", "json", "--",
                  "/kaniko/executor", "--destination", "other.example.com/x:1", env=ENV)
    assert run.json()["target"]["destinations"] == ["other.example.com/x:1"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--ci-file", CI_FILE], "several jobs run /kaniko/executor"),
        (["--ci-file", CI_FILE, "--job", "nope"], "no job 'nope'"),
        (["--job", "build"], "--job needs --ci-file"),
        (["--ci-file", "/nonexistent/.gitlab-ci.yml"], "cannot read"),
    ],
)
def test_usage_errors(kanidoc, argv: list[str], message: str) -> None:
    run = kanidoc("check", *argv, env=ENV)
    assert run.code == 2 and message in run.err and run.err.count("\n") == 1


def write(tmp_path: Path, text: str, name: str = ".gitlab-ci.yml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def test_invalid_yaml_is_one_line_exit_2(kanidoc, tmp_path: Path) -> None:
    path = write(tmp_path, "build:\n  script: [unclosed\n")
    run = kanidoc("check", "--ci-file", path, "--job", "build")
    assert run.code == 2 and "not valid YAML" in run.err and "line" in run.err and run.err.count("\n") == 1
    path = write(tmp_path, "- just\n- a list\n")
    assert kanidoc("check", "--ci-file", path, "--job", "build").code == 2


def test_unresolvable_parts_become_findings(kanidoc, tmp_path: Path) -> None:
    path = write(tmp_path, """
        include:
          - remote: https://example.com/x.yml
          - template: Jobs/Build.gitlab-ci.yml
          - component: gitlab.com/group/comp@1.0
          - local: missing.yml
          - local: loop.yml
        .a:
          extends: .b
        .b:
          extends: .a
        build:
          extends: [.a, .undefined]
          image: {name: "gcr.io/kaniko-project/executor:v1.23.2-debug", entrypoint: [""]}
          variables:
            TOKEN: !vault secret/path
          script:
            - !reference [.nowhere, script]
            - /kaniko/executor --destination registry.example.com/x:1
        """)
    write(tmp_path, "include: [{local: .gitlab-ci.yml}]\n.loop: {script: [x]}\n", "loop.yml")
    job = gitlab_ci.load(path, "build", {})
    text = "\n".join(job.problems)
    for expected in ("remote", "template", "component", "missing.yml", "cycle", ".undefined", "!vault", ".nowhere"):
        assert expected in text, (expected, text)
    run = kanidoc("check", "--ci-file", path, "--job", "build", "--only", "ci", "--format", "json")
    assert ci_codes(run).count("KD-CI-012") == len(job.problems)


def test_spec_header_and_inherit(tmp_path: Path) -> None:
    path = write(tmp_path, """
        spec:
          inputs:
            tag: {default: latest}
        ---
        default:
          image: alpine
          before_script: [echo default]
        variables:
          GLOBAL: g
          http_proxy: http://p:3128
        build:
          inherit:
            default: false
            variables: [GLOBAL]
          image: gcr.io/kaniko-project/executor:$[[ inputs.tag ]]-debug
          script: [/kaniko/executor --destination r.example.com/x:1]
        """)
    job = gitlab_ci.load(path, None, {})
    assert job.name == "build" and job.variables == {"GLOBAL": "g"}
    assert [line.section for line in job.script] == ["script"]
    assert any("spec" in p for p in job.problems)


_keys = st.sampled_from(["build", ".base", "extends", "include", "script", "image", "variables", "default",
                         "local", "entrypoint", "name", "before_script", "inherit", "!reference"])
_scalars = st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none(),
                     st.just("/kaniko/executor --destination r.example.com/x:1"), st.just(".base"))
_docs = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(_keys, inner, max_size=5)), max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.dictionaries(_keys, _docs, max_size=6))
def test_arbitrary_yaml_never_crashes(tmp_path: Path, doc: dict[str, Any]) -> None:
    text = yaml.safe_dump(doc).replace("'!reference'", "!reference")
    path = tmp_path / "fuzz.yml"
    path.write_text(text)
    try:
        job = gitlab_ci.load(str(path), "build" if "build" in doc else None, {})
    except CiFileError:
        return
    assert job.name


def test_facts_and_ci_file_together(kanidoc, tmp_path: Path) -> None:
    from tests.unit.test_facts import BUSYBOX, build_tree, collect, job_env

    if not Path(BUSYBOX).exists():
        pytest.skip("busybox not installed")
    tree = build_tree(tmp_path, "docker-cgroupv2-private", "healthy", version="v1.23.2")
    collect(tree, job_env("docker-cgroupv2-private"), tmp_path / "facts.txt")
    run = kanidoc("check", "--facts", str(tmp_path / "facts.txt"), "--ci-file", CI_FILE, "--job", "build",
                  "--format", "json", env={"CI_REGISTRY_IMAGE": "laptop.example.com/ignored"})
    doc = run.json()
    assert [c["id"] for c in doc["checks"]] == ["auth", "ci", "engine", "tls"]  # offline checks + ci
    # the job's real environment (facts) wins over the laptop's and expands the file's variables
    assert doc["target"]["destinations"] == ["registry.example.com:5050/g/p/app:abc1234"]
    engine = next(c for c in doc["checks"] if c["id"] == "engine")
    assert engine["findings"][0]["evidence"]["kaniko_version"] == "v1.23.2"  # the executor's own answer beats the image tag
