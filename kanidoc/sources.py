"""Where a ``check`` run takes its view of the job from: this machine, a facts file, a CI file.

* default: this machine's environment and file tree (``--root`` re-bases the files);
* ``--facts FILE``: the environment and files collected inside the kaniko container by the
  collect script; the tree is rebuilt in a temporary directory and used as ``--root``, and
  only the offline checks run unless ``--only`` says otherwise;
* ``--ci-file F [--job NAME]``: the job's executor line is used as if pasted after ``--``,
  its variables join the environment, its image is the kaniko version source.

Explicit flags always win: words after ``--``, ``--kaniko-version``, ``--only``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kanidoc.context import InputError

if TYPE_CHECKING:  # PyYAML only when --ci-file is given
    from kanidoc.gitlab_ci import CiJob

OFFLINE_CHECKS = ("auth", "engine", "tls")


@dataclass
class Inputs:
    env: dict[str, str]
    root: str
    kaniko_words: list[str]
    kaniko_version: str | None
    ci_job: CiJob | None = None
    extra: dict[str, str] = field(default_factory=dict)
    default_only: list[str] = field(default_factory=list)  # used when --only is not given


@contextlib.contextmanager
def inputs(
    environ: Mapping[str, str],
    kaniko_words: Sequence[str],
    *,
    root: str = "/",
    kaniko_version: str | None = None,
    facts_file: str | None = None,
    ci_file: str | None = None,
    job: str | None = None,
) -> Iterator[Inputs]:
    if job and not ci_file:
        raise InputError("--job needs --ci-file")
    if facts_file and root != "/":
        raise InputError("--facts and --root both name the job's file tree; give one")
    with contextlib.ExitStack() as stack:
        result = Inputs(dict(environ), root, list(kaniko_words), kaniko_version)
        if facts_file:
            from kanidoc import facts

            loaded = stack.enter_context(facts.opened(facts_file))
            result.env = loaded.env
            result.root = str(loaded.root)
            result.extra.update(loaded.extra())
            result.kaniko_version = result.kaniko_version or loaded.facts.executor_version
            result.default_only = list(OFFLINE_CHECKS)
        if ci_file:
            from kanidoc import gitlab_ci

            ci_job = gitlab_ci.load(ci_file, job, result.env)
            result.ci_job = ci_job
            result.env = gitlab_ci.job_env(ci_job, result.env, base_is_job=bool(facts_file))
            if not result.kaniko_words and ci_job.executor_words:
                result.kaniko_words = list(ci_job.executor_words)
            if ci_job.image and not result.kaniko_version:
                result.kaniko_version = ci_job.image
            if result.default_only:
                result.default_only.append("ci")
        yield result
