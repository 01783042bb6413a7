"""Facts from inside the kaniko container: the collect script and its file format.

The kaniko debug image has busybox and nothing else, so kanidoc cannot run there. Instead
``kanidoc collect-script`` prints a POSIX sh script (``kanidoc/collect.sh``) that writes a
*facts file*; ``kanidoc check --facts FILE`` rebuilds from it, in a temporary directory, the
file tree the offline checks read (container markers, cgroups, mounts, config.json with
secrets replaced by same-shape placeholders, the CA files) plus the job's environment, and
runs ``auth``, ``engine`` and ``tls`` (store) against it with ``--root`` semantics.

Format ``kanidoc-facts 1`` (docs/facts.md): UTF-8 text, one record per line, the path of a
record always last so it may contain spaces::

    kanidoc-facts 1                  first line
    # ...                            comment
    meta KEY VALUE                   collected_at, uid, executor_version, kaniko_dir_df, ...
    env NAME VALUE                   a non-secret variable (\\\\, \\n, \\r escaped)
    env-set NAME set|empty           a variable whose value was withheld
    path TYPE SIZE PATH              TYPE: file, dir, other, unreadable, absent
    begin EOL PATH                   file content follows, one "|"-prefixed line each,
    |...                             up to "end"; EOL 1: the file ends with a newline
    end
    link TARGET PATH                 a same-directory symlink (certificate directories)
    exec PATH                        an executable credential helper (existence only)
    cert SIZE SHA256 NCERTS NKEYS PATH   a trust-store file (NKEYS: private-key blocks, never copied)
    secret SHAPE... JSONPATH FILE    shape of a secret in a config.json (length, base64, colon)
    done                             last line: the script ran to the end
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kanidoc import __version__
from kanidoc.context import InputError
from kanidoc.gosem.dockerconfig import WELL_KNOWN_VARIABLES
from kanidoc.record import record
from kanidoc.redact import is_secret_variable

FORMAT_HEADER = "kanidoc-facts 1"
WITHHELD = "withheld"  # the value given to a variable whose value was not collected
MAX_FACTS_BYTES = 64 * 1024 * 1024
MAX_CONFIG_BYTES = 8 * 1024 * 1024

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy")
# Variables whose values are collected; everything else only as "set"/"empty".
VALUE_VARIABLES = (
    "DOCKER_CONFIG", "DOCKER_HOST", "DOCKER_CREDENTIAL_GCR_CONFIG", "SSL_CERT_DIR", "SSL_CERT_FILE", "HOME", "PATH",
    "USER", "container", "KANIKO_DIR", "GOOGLE_APPLICATION_CREDENTIALS", "AWS_REGION", "AWS_DEFAULT_REGION",
    "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_SDK_LOAD_CONFIG", "AZURE_CLIENT_ID", "AZURE_TENANT_ID",
    "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST", "GITLAB_CI", "CI", "CI_SERVER", "CI_SERVER_HOST",
    "CI_SERVER_PORT", "CI_SERVER_URL", "CI_SERVER_PROTOCOL", "CI_SERVER_VERSION", "CI_REGISTRY", "CI_REGISTRY_IMAGE",
    "CI_REGISTRY_USER", "CI_DEPENDENCY_PROXY_SERVER", "CI_DEPENDENCY_PROXY_USER",
    "CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX", "CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX", "CI_DEPLOY_USER",
    "CI_COMMIT_TAG", "CI_COMMIT_SHA", "CI_COMMIT_SHORT_SHA", "CI_COMMIT_REF_NAME", "CI_COMMIT_REF_SLUG",
    "CI_COMMIT_BRANCH", "CI_DEFAULT_BRANCH", "CI_PROJECT_DIR", "CI_PROJECT_PATH", "CI_PROJECT_NAME",
    "CI_PROJECT_NAMESPACE", "CI_PROJECT_ID", "CI_PIPELINE_ID", "CI_JOB_ID", "CI_JOB_NAME", "CI_JOB_IMAGE",
    "CI_JOB_STAGE", "CI_JOB_URL", "CI_RUNNER_ID", "CI_RUNNER_TAGS", "CI_RUNNER_VERSION", "CI_RUNNER_EXECUTABLE_ARCH",
    "CI_BUILDS_DIR", "CI_CONCURRENT_ID", "CI_DISPOSABLE_ENVIRONMENT", "CI_SHARED_ENVIRONMENT",
)
_SCRIPT_TEMPLATE = "collect.sh"
_SAFE_TYPES = {"file", "dir", "other", "unreadable", "absent"}


def value_variables() -> list[str]:
    """The allowlist baked into the script (never a name that looks secret)."""
    return [n for n in VALUE_VARIABLES if not is_secret_variable(n)]


def script() -> str:
    """The POSIX sh collect script, with this kanidoc's lists filled in."""
    text = resources.files("kanidoc").joinpath(_SCRIPT_TEMPLATE).read_text(encoding="utf-8")
    for placeholder, value in (
        ("@KANIDOC_VERSION@", __version__),
        ("@ALLOW@", " ".join(value_variables())),
        ("@KNOWN@", " ".join(sorted(WELL_KNOWN_VARIABLES))),
        ("@PROXIES@", " ".join(PROXY_VARIABLES)),
    ):
        text = text.replace(placeholder, value)
    return text


class FactsError(InputError):
    """A facts file kanidoc cannot read: one line, exit code 2."""


@record
class PathFact:
    type: str
    size: int


@record
class CertFact:
    path: str
    size: int
    sha256: str
    certificates: int
    private_keys: int


@dataclass
class Facts:
    meta: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    withheld: list[str] = field(default_factory=list)
    paths: dict[str, PathFact] = field(default_factory=dict)
    contents: dict[str, tuple[str, bool]] = field(default_factory=dict)  # path -> (text, ends with newline)
    links: dict[str, str] = field(default_factory=dict)
    executables: list[str] = field(default_factory=list)
    certs: list[CertFact] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    complete: bool = False

    @property
    def executor_version(self) -> str | None:
        return self.meta.get("executor_version") or None

    def summary(self) -> dict[str, str]:
        """What the report's ``target.facts`` shows (strings only: Context.extra)."""
        out = {k: v for k, v in self.meta.items() if k != "root"}
        out["complete"] = "yes" if self.complete else "no: the script did not run to the end"
        out["withheld_variables"] = ", ".join(sorted(self.withheld))
        out["ca_files"] = ", ".join(f"{c.path} ({c.certificates} certificates, sha256 {c.sha256[:16]})" for c in self.certs)
        if self.secrets:
            out["secret_shapes"] = "; ".join(self.secrets)
        return out


def _unescape(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append({"n": "\n", "r": "\r", "\\": "\\"}.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _norm(path: str) -> str:
    if not path.startswith("/"):
        raise FactsError(f"facts file: not an absolute path: {path!r}")
    if any(part == ".." for part in path.split("/")):
        raise FactsError(f"facts file: path escapes the tree: {path!r}")
    norm = posixpath.normpath(path)
    if norm.startswith("//"):
        norm = "/" + norm.lstrip("/")
    return norm


def parse(text: str, name: str = "facts") -> Facts:
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # the newline that ends the last record
    if not lines or lines[0].strip() != FORMAT_HEADER:
        raise FactsError(f"{name}: not a kanidoc facts file (first line must be {FORMAT_HEADER!r}); "
                         "write one with the script from `kanidoc collect-script`")
    facts = Facts()
    i = 1
    while i < len(lines):
        line = lines[i].rstrip("\r") if not lines[i].startswith("|") else lines[i]
        i += 1
        if not line or line.startswith("#"):
            continue
        kind, _, rest = line.partition(" ")
        try:
            if kind == "meta":
                key, _, value = rest.partition(" ")
                facts.meta[key] = _unescape(value)
            elif kind == "env":
                key, _, value = rest.partition(" ")
                facts.env[key] = _unescape(value)
            elif kind == "env-set":
                key, _, state = rest.partition(" ")
                facts.env[key] = WITHHELD if state.strip() != "empty" else ""
                facts.withheld.append(key)
            elif kind == "path":
                ptype, size, path = rest.split(" ", 2)
                if ptype not in _SAFE_TYPES:
                    raise ValueError(ptype)
                facts.paths[_norm(path)] = PathFact(ptype, int(size or 0))
            elif kind == "begin":
                eol, path = rest.split(" ", 1)
                body: list[str] = []
                while i < len(lines) and lines[i] != "end":
                    if not lines[i].startswith("|"):
                        raise FactsError(f"{name} line {i + 1}: content line without '|' (truncated block?)")
                    body.append(lines[i][1:])
                    i += 1
                if i >= len(lines):
                    raise FactsError(f"{name}: block for {path} is not closed with 'end' (truncated file?)")
                i += 1
                facts.contents[_norm(path)] = ("\n".join(body), eol == "1")
            elif kind == "link":
                target, path = rest.split(" ", 1)
                if "/" in target or target in ("", ".", ".."):
                    raise ValueError(target)
                facts.links[_norm(path)] = target
            elif kind == "exec":
                facts.executables.append(_norm(rest))
            elif kind == "cert":
                size, digest, ncerts, nkeys, path = rest.split(" ", 4)
                facts.certs.append(CertFact(_norm(path), int(size or 0), digest, int(ncerts or 0), int(nkeys or 0)))
            elif kind == "secret":
                facts.secrets.append(rest)
            elif kind == "done":
                facts.complete = True
            # unknown record kinds come from newer scripts: ignored
        except FactsError:
            raise
        except ValueError:
            raise FactsError(f"{name} line {i}: malformed {kind!r} record") from None
    return facts


def _inside(root: Path, path: str) -> Path:
    target = root / path.lstrip("/")
    real_root = os.path.realpath(root)
    parent = os.path.realpath(target.parent)
    if parent != real_root and not parent.startswith(real_root + os.sep):
        raise FactsError(f"facts file: path escapes the tree: {path!r}")
    return target


def _mkdirs(root: Path, path: str) -> None:
    current = root
    for part in [p for p in path.split("/") if p]:
        current = current / part
        if current.is_symlink() or (current.exists() and not current.is_dir()):
            raise FactsError(f"facts file: {path!r} is both a file and a directory")
        current.mkdir(exist_ok=True)


def materialize(facts: Facts, root: Path) -> None:
    """Write the tree the facts describe below ``root`` (files 0644, dirs 0755, no symlink
    leaving its directory; nothing executable except credential-helper stubs)."""
    for path, fact in sorted(facts.paths.items()):
        if fact.type == "dir":
            _mkdirs(root, path)
    for path, fact in sorted(facts.paths.items()):
        if fact.type in ("file", "other", "unreadable") and path not in facts.contents:
            _mkdirs(root, posixpath.dirname(path))
            target = _inside(root, path)
            if target.is_dir():
                continue
            with open(target, "wb") as fh:
                if fact.type == "file" and fact.size > MAX_CONFIG_BYTES:
                    fh.truncate(fact.size)  # sparse: size-based verdicts (too large) agree
            if fact.type == "unreadable":
                os.chmod(target, 0)
    for path, (text, eol) in facts.contents.items():
        _mkdirs(root, posixpath.dirname(path))
        target = _inside(root, path)
        target.write_bytes((text + ("\n" if eol else "")).encode("utf-8", "surrogateescape"))
    for path, link_target in facts.links.items():
        _mkdirs(root, posixpath.dirname(path))
        target = _inside(root, path)
        if not target.exists() and not target.is_symlink():
            os.symlink(link_target, target)
    for path in facts.executables:
        _mkdirs(root, posixpath.dirname(path))
        target = _inside(root, path)
        if not target.exists():
            target.write_text("#!/bin/sh\n# stub written by kanidoc from a facts file: never run\nexit 1\n")
            os.chmod(target, 0o755)


@record
class Loaded:
    facts: Facts
    root: Path
    source: str

    @property
    def env(self) -> dict[str, str]:
        return dict(self.facts.env)

    def extra(self) -> dict[str, str]:
        return {f"facts.{k}": v for k, v in {"file": self.source, **self.facts.summary()}.items()}


def read(path: str) -> Facts:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FACTS_BYTES + 1)
    except OSError as exc:
        raise FactsError(f"cannot read facts file {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FACTS_BYTES:
        raise FactsError(f"facts file {path} is larger than {MAX_FACTS_BYTES} bytes")
    return parse(raw.decode("utf-8", "surrogateescape"), path)


@contextlib.contextmanager
def opened(path: str) -> Iterator[Loaded]:
    """Parse the facts file and rebuild its tree in a temporary directory (removed after)."""
    facts = read(path)
    tmp = Path(tempfile.mkdtemp(prefix="kanidoc-facts-"))
    try:
        materialize(facts, tmp)
        yield Loaded(facts, tmp, path)
    finally:
        for dirpath, _dirs, files in os.walk(tmp):
            for f in files:
                full = os.path.join(dirpath, f)
                if not os.path.islink(full):
                    with contextlib.suppress(OSError):
                        os.chmod(full, 0o600)  # "unreadable" files were written with mode 0
        shutil.rmtree(tmp, ignore_errors=True)
