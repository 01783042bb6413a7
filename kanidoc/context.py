"""The Context: everything a check may read, built once per run and frozen.

Checks never read ``os.environ`` or the command line themselves; they read this. That
keeps them testable and lets a support engineer reproduce a job's view on a laptop.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from kanidoc import kaniko_args
from kanidoc.kaniko_args import KanikoArgs
from kanidoc.memo import Memo
from kanidoc.record import record
from kanidoc.redact import Redactor

if TYPE_CHECKING:
    from kanidoc.gitlab_ci import CiJob

# The kaniko image sets DOCKER_CONFIG=/kaniko/.docker/ (deploy/Dockerfile), so that is the
# directory kaniko reads unless the job overrides it.
KANIKO_DOCKER_CONFIG = "/kaniko/.docker/"
KANIKO_SSL_CERT_DIR = "/kaniko/ssl/certs"
DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 5.0


class InputError(ValueError):
    """Bad local input: reported as one line, exit code 2."""


@record
class Destination:
    ref: str
    source: str  # "--destination", "kaniko --destination", "$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG", ...


@record
class Context:
    env: Mapping[str, str]
    kaniko: KanikoArgs
    destinations: tuple[Destination, ...]
    dockerfile: Path | None
    build_context: Path | None
    auth_file: Path | None  # --auth-file: the config.json to use instead of kaniko's
    ca_bundle: Path | None
    registry_certificates: tuple[tuple[str, str], ...]
    skip_tls_verify: bool
    insecure: bool
    kaniko_version: str | None
    docker_version: str | None
    timeout: float
    connect_timeout: float
    started: float
    redactor: Redactor
    debug: bool = False
    dns_server: str | None = None
    root: Path = Path("/")
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)  # per-run cache (trust store)
    extra: Mapping[str, str] = field(default_factory=dict)  # "facts.*": the facts file's summary
    ci_job: CiJob | None = None  # --ci-file/--job: the resolved GitLab job definition

    @property
    def deadline(self) -> float:
        return self.started + self.timeout

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def host_path(self, path: str | Path) -> Path:
        """A path on the machine being diagnosed (``--root`` re-bases it for fixtures/facts)."""
        p = Path(path)
        if str(self.root) == "/":
            return p
        return self.root / str(p).lstrip("/")

    @property
    def in_gitlab_ci(self) -> bool:
        return self.env.get("GITLAB_CI") == "true"

    @property
    def docker_config_dir(self) -> str:
        """Where kaniko's keychain reads config.json from (DOCKER_CONFIG, kaniko's default)."""
        return self.env.get("DOCKER_CONFIG") or KANIKO_DOCKER_CONFIG


@record
class Options:
    """The kanidoc flags that feed the Context (the CLI fills this in)."""

    destinations: Sequence[str] = ()
    dockerfile: str | None = None
    build_context: str | None = None
    auth_file: str | None = None
    ca_bundle: str | None = None
    registry_certificates: Sequence[str] = ()
    skip_tls_verify: bool = False
    insecure: bool = False
    kaniko_version: str | None = None
    docker_version: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    kaniko_words: Sequence[str] = ()
    debug: bool = False
    dns_server: str | None = None
    root: str = "/"
    ci_job: CiJob | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


def _pairs(values: Sequence[str], flag: str) -> tuple[tuple[str, str], ...]:
    out = []
    for value in values:
        host, sep, path = value.partition("=")
        if not sep or not host or not path:
            raise InputError(f"{flag} takes HOST=PATH, got {value!r}")
        out.append((host, path))
    return tuple(out)


def _gitlab_default_destination(env: Mapping[str, str]) -> Destination | None:
    image = env.get("CI_REGISTRY_IMAGE")
    if not image:
        return None
    # The seed doc tags with $CI_COMMIT_TAG; untagged pipelines usually use the short SHA.
    if env.get("CI_COMMIT_TAG"):
        return Destination(f"{image}:{env['CI_COMMIT_TAG']}", "$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG")
    if env.get("CI_COMMIT_SHORT_SHA"):
        return Destination(f"{image}:{env['CI_COMMIT_SHORT_SHA']}", "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA")
    return Destination(image, "$CI_REGISTRY_IMAGE")


def build(options: Options, env: Mapping[str, str]) -> Context:
    """Build the frozen Context; explicit kanidoc flags win over the kaniko command line."""
    env = dict(env)
    try:
        kaniko = kaniko_args.parse(options.kaniko_words, env)
    except kaniko_args.ArgsError as exc:
        raise InputError(f"kaniko command line: {exc}") from None

    if options.timeout <= 0 or options.connect_timeout <= 0:
        raise InputError("timeouts must be positive")
    destinations: list[Destination] = [Destination(d, "--destination") for d in options.destinations]
    if not destinations:
        destinations = [Destination(d, "kaniko --destination") for d in kaniko.all("destination")]
    if not destinations and env.get("GITLAB_CI") == "true" and not kaniko.flag("no-push"):
        default = _gitlab_default_destination(env)
        if default:
            destinations = [default]

    dockerfile = options.dockerfile or kaniko.get("dockerfile")
    build_context = options.build_context or kaniko.get("context")
    if build_context and "://" in build_context:
        build_context = None  # a remote context (git://, s3://, gs://): nothing to read locally
    if dockerfile and build_context and not Path(dockerfile).is_absolute():
        # kaniko resolves a relative --dockerfile against the context directory.
        candidate = Path(build_context) / dockerfile
        if candidate.exists() or not Path(dockerfile).exists():
            dockerfile = str(candidate)
    if not dockerfile and build_context:
        dockerfile = str(Path(build_context) / "Dockerfile")

    certs = _pairs(options.registry_certificates, "--registry-certificate") + kaniko.pairs("registry-certificate")
    redactor = Redactor()
    redactor.add_from_environment(env)
    return Context(
        env=env,
        kaniko=kaniko,
        destinations=tuple(destinations),
        dockerfile=Path(dockerfile) if dockerfile else None,
        build_context=Path(build_context) if build_context else None,
        auth_file=Path(options.auth_file) if options.auth_file else None,
        ca_bundle=Path(options.ca_bundle) if options.ca_bundle else None,
        registry_certificates=certs,
        skip_tls_verify=options.skip_tls_verify or kaniko.flag("skip-tls-verify"),
        insecure=options.insecure or kaniko.flag("insecure"),
        kaniko_version=options.kaniko_version,
        docker_version=options.docker_version,
        timeout=options.timeout,
        connect_timeout=min(options.connect_timeout, options.timeout),
        started=time.monotonic(),
        redactor=redactor,
        debug=options.debug,
        dns_server=options.dns_server,
        root=Path(options.root),
        extra=dict(options.extra),
        ci_job=options.ci_job,
    )
