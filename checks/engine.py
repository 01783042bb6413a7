"""The ``engine`` check: will this kaniko version's container detection pass on this host?

kaniko refuses to build ("kaniko should only be run inside of a container") when the
detector its version carries finds no container (``cmd/executor/cmd/root.go``
``checkContained``). ``kanidoc.gosem.container`` replays every detector over a file tree;
this check decides which version runs, reads the tree (the live host, or ``--root``),
and adds what is worth one line each: the Docker Engine version (``--docker-version`` or
a read-only ``GET /version`` on the Engine API socket), root, a writable kaniko
directory and its free space.

Offline except for the local Engine API socket (a Unix socket, or a loopback TCP
address in ``DOCKER_HOST``), with a strict timeout and a bounded answer.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kanidoc.context import Context
from kanidoc.gosem.container import (
    FORK_CHAINGUARD,
    FORK_OSS,
    P_PID1_CMDLINE,
    REFUSAL_MESSAGE,
    DetectorVerdict,
    Evidence,
    HostView,
    KanikoVersion,
    cgroup_facts,
    detect,
    detect_all,
    force_warning,
    kaniko_is_archived_note,
    parse_kaniko_version,
    range_for,
)
from kanidoc.model import CheckResult, Finding, Severity
from kanidoc.plugin import BaseCheck
from kanidoc.record import record
from kanidoc.rules import engine as R

# The seed doc's upgrade target; the fork is the maintained successor of the archived upstream.
UPGRADE_VERSION = KanikoVersion(1, 23, 2)
UPGRADE_IMAGE = "gcr.io/kaniko-project/executor:v1.23.2-debug"
FORK_IMAGE = "ghcr.io/osscontainertools/kaniko"
LAST_UPSTREAM = (1, 24, 0)  # GoogleContainerTools/kaniko's last release before archival

DEFAULT_KANIKO_DIR = "/kaniko"
EXECUTOR = "/kaniko/executor"
DOCKER_SOCKET = "/var/run/docker.sock"
MIN_FREE_BYTES = 1 << 30  # below 1 GiB most builds run out of snapshot space
MAX_EXECUTOR_OUTPUT = 4096
MAX_ENGINE_ANSWER = 64 * 1024
# Tags kaniko's publishers move on every release (upstream and the osscontainertools fork).
FLOATING_TAGS = frozenset({"debug", "latest", "slim", "warmer"})
_UNIX_PATH_MAX = 107  # sun_path is 108 bytes with the terminating NUL


# ---------------------------------------------------------------------------
# kaniko version
# ---------------------------------------------------------------------------


@record
class ImageRef:
    text: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def floating(self) -> bool:
        """A tag that names no version (or no tag: implicit ``latest``), not pinned by digest."""
        if self.digest is not None:
            return False
        return self.tag is None or parse_kaniko_version(self.tag) is None


def image_ref(text: str) -> ImageRef | None:
    """``registry/repo[:tag][@digest]`` (no validation beyond the shape), or None."""
    text = text.strip()
    if not text or any(ch.isspace() for ch in text) or ("/" not in text and ":" not in text):
        return None
    name, _, digest = text.partition("@")
    colon, slash = name.rfind(":"), name.rfind("/")
    if colon > slash:
        repository, tag = name[:colon], name[colon + 1 :]
    else:
        repository, tag = name, None
    if not repository:
        return None
    return ImageRef(text, repository, tag or None, digest or None)


@dataclass
class VersionInfo:
    version: KanikoVersion | None = None
    source: str | None = None
    text: str | None = None
    images: list[tuple[str, ImageRef]] = field(default_factory=list)  # (source, ref) seen on the way
    tried: list[dict[str, str]] = field(default_factory=list)

    @property
    def fork(self) -> str | None:
        if self.version is not None and self.version.fork:
            return self.version.fork
        for _, ref in self.images:
            # parse_kaniko_version names the fork from the repository; any version does for that
            found = parse_kaniko_version(f"{ref.repository}:v0.0.0")
            if found is not None and found.fork:
                return found.fork
        return None


def run_bounded(argv: list[str], timeout: float, limit: int = MAX_EXECUTOR_OUTPUT) -> tuple[int | None, str]:
    """Run ``argv`` with no stdin, a minimal environment, a deadline and a bounded stdout.

    Returns (exit code or None when it had to be killed, stdout text).
    """
    import selectors  # only when an executor is run (start-up cost of every check run)
    import subprocess

    deadline = time.monotonic() + timeout
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin"}, close_fds=True,
    )
    assert proc.stdout is not None
    out = bytearray()
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while len(out) <= limit:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if not sel.select(left):
                    continue
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                out += chunk
        try:
            code: int | None = proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            code = None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
            code = None
        proc.stdout.close()
    return code, out[:limit].decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# Docker Engine API: GET /version, nothing else
# ---------------------------------------------------------------------------


class EngineError(Exception):
    pass


@record
class EngineEndpoint:
    family: int
    address: str | tuple[str, int]
    shown: str  # for the report: unix:///var/run/docker.sock, tcp://127.0.0.1:2375


def _complete(raw: bytes) -> bool:
    """True once the headers and a Content-Length body have arrived."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return len(body) >= int(value.strip())
            except ValueError:
                return False
    return False


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    while True:
        size_line, sep, rest = body.partition(b"\r\n")
        if not sep:
            raise EngineError("truncated chunked answer")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise EngineError("malformed chunked answer") from None
        if size == 0:
            return bytes(out)
        if len(rest) < size:
            raise EngineError("truncated chunked answer")
        out += rest[:size]
        body = rest[size + 2 :]


def engine_version(endpoint: EngineEndpoint, timeout: float, limit: int = MAX_ENGINE_ANSWER) -> dict[str, Any]:
    """``GET /version`` on the Engine API: one read-only request, ``timeout`` for all of it."""
    deadline = time.monotonic() + timeout
    raw = bytearray()
    sock = socket.socket(endpoint.family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        try:
            sock.connect(endpoint.address)
            sock.sendall(
                b"GET /version HTTP/1.0\r\nHost: docker\r\nUser-Agent: kanidoc\r\n"
                b"Accept: application/json\r\n\r\n"
            )
        except TimeoutError:
            raise EngineError(f"no connection within {timeout:g} s") from None
        except OSError as exc:
            raise EngineError(exc.strerror or str(exc)) from None
        while not _complete(bytes(raw)):
            left = deadline - time.monotonic()
            if left <= 0:
                raise EngineError(f"no complete answer within {timeout:g} s")
            sock.settimeout(left)
            try:
                data = sock.recv(16384)
            except TimeoutError:
                raise EngineError(f"no complete answer within {timeout:g} s") from None
            except OSError as exc:
                raise EngineError(exc.strerror or str(exc)) from None
            if not data:
                break
            raw += data
            if len(raw) > limit:
                raise EngineError(f"answer larger than {limit} bytes")
    finally:
        sock.close()
    head, sep, body = bytes(raw).partition(b"\r\n\r\n")
    if not sep:
        raise EngineError("not an HTTP answer" if raw else "connection closed without an answer")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise EngineError("not an HTTP answer")
    if parts[1] != "200":
        raise EngineError(f"HTTP {parts[1]} for GET /version")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    elif "content-length" in headers and headers["content-length"].isdigit():
        body = body[: int(headers["content-length"])]
    try:
        doc = json.loads(body)
    except ValueError:
        raise EngineError("GET /version did not answer JSON") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("Version"), str):
        raise EngineError("GET /version answered JSON without a Version")
    return doc


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class EngineInfo:
    version: str | None = None
    source: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    def evidence(self) -> dict[str, Any]:
        ev: dict[str, Any] = {"version": self.version or "unknown"}
        if self.source:
            ev["source"] = self.source
        ev.update(self.details)
        if self.error:
            ev["error"] = self.error
        if self.notes:
            ev["notes"] = list(self.notes)
        return ev


def _engine_major_minor(version: str) -> tuple[int, int] | None:
    head = version.strip().lstrip("v").split("-", 1)[0].split("+", 1)[0].split(".")
    try:
        return int(head[0]), int(head[1])
    except (ValueError, IndexError):
        return None


# ---------------------------------------------------------------------------
# Presentation helpers
# ---------------------------------------------------------------------------


def safe_cmdline(text: str, runtime: str | None) -> str:
    """PID 1's command line without argument values (build args can carry tokens).

    Keeps the program, flag names and any word containing ``runtime`` (what decided).
    """
    out: list[str] = []
    for i, word in enumerate(text.replace(" | ", " ").split()):
        if i == 0:
            kept = word
        elif word.startswith("-"):
            key, eq, value = word.partition("=")
            kept = word if not eq or (runtime and runtime in value) else f"{key}=…"
        elif runtime and runtime in word:
            kept = word
        else:
            kept = "…"
        if kept == "…" and out and out[-1] == "…":
            continue
        out.append(kept)
    return " ".join(out)


def _ev_dict(ev: Evidence, runtime: str | None) -> dict[str, str]:
    value = ev.value
    if ev.path_or_var == P_PID1_CMDLINE and not value.startswith("("):  # "(absent)" etc. stay
        value = safe_cmdline(value, runtime)
    return {"path": ev.path_or_var, "value": value, "meaning": ev.meaning}


def _sentence(verdict: DetectorVerdict) -> str:
    text = verdict.sentence
    for ev in verdict.decided_by:
        if ev.path_or_var == P_PID1_CMDLINE and not ev.value.startswith("("):
            text = text.replace(ev.value, safe_cmdline(ev.value, verdict.runtime))
    return text


def _fmt_bytes(n: int) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GiB"
    return f"{n / (1 << 20):.0f} MiB"


# ---------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------


class EngineCheck(BaseCheck):
    id = "engine"
    title = "Container detection (kaniko vs. this host)"
    description = (
        "Replays the container detection of the kaniko version in use against this host (or --root) "
        "and reports root, a writable kaniko directory, free space and the Docker Engine version."
    )
    requires = ()

    def run(self, ctx: Context, deps: Mapping[str, CheckResult]) -> CheckResult:
        live = str(ctx.root) == "/"
        view = HostView.from_root(ctx.host_path("/"), ctx.env)
        cg = cgroup_facts(view)
        host, real_host = self._host_note(ctx, view, live)
        info = self._kaniko_version(ctx)
        engine = self._docker_engine(ctx, live)

        findings: list[Finding] = []
        for source, ref in info.images:
            if ref.floating:
                tag = ref.tag or "(none: implicit latest)"
                findings.append(R.FLOATING_TAG.finding(
                    f"{ref.text} ({source}): the tag {tag!r} names no version and moves with every push",
                    {"image": ref.text, "source": source, "tag": ref.tag or "", "pinned_alternative": UPGRADE_IMAGE},
                    snippet=f"image:\n  name: {UPGRADE_IMAGE}\n  entrypoint: [\"\"]"))

        common: dict[str, Any] = {
            "host": host,
            "root": str(ctx.root),
            "cgroup": cg,
            "docker_engine": engine.evidence(),
            "force": ctx.kaniko.flag("force"),
            "version_candidates": info.tried,
        }
        if info.version is not None:
            findings += self._verdict(ctx, view, info, info.version, common, real_host)
            findings += self._project_notes(info, info.version)
        else:
            findings.append(self._unknown_version(ctx, view, info, common, real_host))

        findings += self._engine_findings(engine, cg)
        findings += self._host_facts(ctx, live)
        findings += self._job_definition_findings(ctx, info)
        facts = {
            "kaniko_version": str(info.version) if info.version else None,
            "in_container": detect(info.version, view).in_container if info.version else None,
            "docker_version": engine.version,
            "cgroup": cg,
        }
        return self.result(findings, facts)

    # -- where are we? ---------------------------------------------------------------------
    def _host_note(self, ctx: Context, view: HostView, live: bool) -> tuple[str, bool]:
        """Where the verdict applies, and whether this is clearly a real machine (no container)."""
        where = "this host" if live else f"the tree under --root {ctx.root}"
        has_kaniko = ctx.host_path(DEFAULT_KANIKO_DIR).is_dir()
        any_accepts = any(v.in_container for _, v in detect_all(view))
        if has_kaniko:
            return f"verdict for {where}, which has {DEFAULT_KANIKO_DIR}: it looks like the kaniko job container", False
        if not any_accepts:
            return (
                f"verdict for {where}, which is clearly not the kaniko job container: no {DEFAULT_KANIKO_DIR} and "
                "no container marker any kaniko version knows. Run kanidoc inside the job (before "
                "/kaniko/executor), or pass --root with a tree collected from the job"
            ), True
        return (
            f"verdict for {where}: a container, but not the kaniko image (no {DEFAULT_KANIKO_DIR}); it holds for "
            "the job only if the kaniko container has the same cgroup namespace and markers. A support engineer "
            "should pass --root with a tree collected from the job"
        ), False

    # -- which kaniko ----------------------------------------------------------------------
    def _kaniko_version(self, ctx: Context) -> VersionInfo:
        info = VersionInfo()

        def consider(source: str, text: str) -> bool:
            ref = image_ref(text)
            if ref is None and text.strip() in FLOATING_TAGS:
                ref = ImageRef(text.strip(), "", text.strip(), None)
            if ref is not None:
                info.images.append((source, ref))
            version = parse_kaniko_version(text)
            if version is None:
                why = "a floating tag, no version" if ref is not None and ref.floating else "no X.Y.Z version in it"
                info.tried.append({"source": source, "text": text, "result": why})
                return False
            info.tried.append({"source": source, "text": text, "result": str(version)})
            info.version, info.source, info.text = version, source, text
            return True

        if ctx.kaniko_version and consider("--kaniko-version", ctx.kaniko_version):
            return info
        executor = ctx.host_path(EXECUTOR)
        if executor.is_file() and os.access(executor, os.X_OK):
            timeout = max(0.1, min(ctx.connect_timeout, ctx.remaining()))
            try:
                code, out = run_bounded([str(executor), "version"], timeout)
            except OSError as exc:
                info.tried.append({"source": f"{EXECUTOR} version", "text": "", "result": f"cannot run: {exc.strerror or exc}"})
            else:
                if code is None:
                    info.tried.append({"source": f"{EXECUTOR} version", "text": out.strip()[:200], "result": f"killed after {timeout:g} s"})
                elif consider(f"{EXECUTOR} version", out.strip()[:200] or "(no output)"):
                    return info
        job_image = ctx.env.get("CI_JOB_IMAGE", "")
        if job_image and "kaniko" in job_image.lower():
            consider("$CI_JOB_IMAGE", job_image)
        return info

    # -- the verdict -----------------------------------------------------------------------
    def _remedies(
        self, view: HostView, version: KanikoVersion | None, real_host: bool
    ) -> tuple[str, str | None, dict[str, Any]]:
        """Remediation text and snippet, each suggestion verified against this host's detectors."""
        if real_host:
            # No /kaniko and no marker any version knows: not a container at all. Faking one
            # (container=docker, --force) would let kaniko overwrite this machine's root.
            return (
                "This looks like a real machine, not a container: kaniko must run inside one (a GitLab docker or "
                "kubernetes executor job with the kaniko image). If kanidoc ran outside the job, run it inside the "
                "job or pass --root with a tree collected there. Do not set container=docker or --force here: "
                "kaniko would unpack images over this machine's root filesystem.",
                None,
                {"real_host": True},
            )
        upgrade = detect(UPGRADE_VERSION, view)
        with_var = HostView(view.files, {**view.env, "container": "docker"})
        if version is not None:
            var_ok = detect(version, with_var).in_container
        else:
            var_ok = all(v.in_container for _, v in detect_all(with_var))
        parts: list[str] = []
        if upgrade.in_container:
            hit = upgrade.decided_by[-1]
            parts.append(
                f"Upgrade to {UPGRADE_IMAGE} or later (upstream is archived; the maintained fork is {FORK_IMAGE}): "
                f"its detector accepts this host ({hit.path_or_var}: {hit.meaning})."
            )
        else:
            parts.append(
                f"Upgrading alone does not help here: {UPGRADE_VERSION}'s detector finds no container on this host "
                f"either (nor does {FORK_IMAGE}'s)."
            )
        if var_ok:
            who = f"kaniko {version}" if version is not None else "every kaniko version"
            parts.append(
                f"Where upgrading is impossible, set the job variable container=docker: {who} reads $container "
                "(<= v1.3.0 needs it to equal a runtime name, later versions a substring) and then accepts this host."
            )
        parts.append(
            "--force skips the check, but kaniko then unpacks images over the root filesystem it runs on: "
            "harmless in a container its detector misses, destructive on a real host."
        )
        image = UPGRADE_IMAGE if upgrade.in_container or not var_ok else None
        lines = ["build:"]
        if image:
            lines += ["  image:", f"    name: {image}", "    entrypoint: [\"\"]"]
        if var_ok:
            prefix = "  " if not upgrade.in_container else "  # "
            if upgrade.in_container:
                lines.append("  # only where upgrading is impossible:")
            lines += [f"{prefix}variables:", f"{prefix}  container: docker"]
        checked: dict[str, Any] = {
            f"{UPGRADE_VERSION}_accepts_this_host": upgrade.in_container,
            "container=docker_accepted": var_ok,
        }
        return " ".join(parts), "\n".join(lines), checked

    def _verdict(
        self, ctx: Context, view: HostView, info: VersionInfo, version: KanikoVersion, common: dict[str, Any],
        real_host: bool,
    ) -> list[Finding]:
        rng = range_for(version)
        verdict = detect(version, view)
        ev: dict[str, Any] = {
            "kaniko_version": str(version),
            "version_source": info.source,
            "version_text": info.text,
            "version_range": rng.label,
            "detector": verdict.detector,
            "go_source": rng.source,
            "in_container": verdict.in_container,
            "runtime": verdict.runtime,
            "decided_by": [_ev_dict(e, verdict.runtime) for e in verdict.decided_by],
            **common,
        }
        sentence = _sentence(verdict)
        if verdict.in_container:
            if ctx.kaniko.flag("force"):
                ev["force_note"] = "--force is set but not needed here; dropping it keeps the safety check"
            return [R.ACCEPTS.finding(sentence, ev)]
        text, snippet, checked = self._remedies(view, version, real_host)
        ev["remedies_checked"] = checked
        if ctx.kaniko.flag("force"):
            ev["kaniko_logs"] = force_warning(version)
            return [R.FORCED.finding(
                f"{sentence.rstrip('.')}; --force is set, so kaniko logs '{force_warning(version)}' and builds "
                "anyway: fine in a container its detector misses, destructive if this really is not a container.",
                ev, fix=text, snippet=snippet)]
        ev["kaniko_error"] = REFUSAL_MESSAGE
        return [R.REFUSES.finding(sentence, ev, fix=text, snippet=snippet)]

    def _unknown_version(
        self, ctx: Context, view: HostView, info: VersionInfo, common: dict[str, Any], real_host: bool
    ) -> Finding:
        rows = detect_all(view)
        table = [
            {"range": r.label, "verdict": "accepts" if v.in_container else "refuses", "sentence": _sentence(v)}
            for r, v in rows
        ]
        refusing = [row["range"] for row in table if row["verdict"] == "refuses"]
        ev: dict[str, Any] = {"ranges": table, "refusing_ranges": refusing, **common}
        which = "every kaniko version" if len(refusing) == len(table) else ", ".join(refusing)
        fork_note = ""
        if info.fork:
            ev["fork"] = info.fork
            own = [v.in_container for r, v in rows if r.fork == info.fork]
            if own and all(own):
                fork_note = f"; the image is the {info.fork} fork, whose own releases all accept it"
        if not refusing:
            return R.VERSION_UNKNOWN.finding(
                "kaniko version unknown, but every kaniko version accepts this host as a container",
                ev, severity=Severity.INFO,
                fix="Nothing to do for container detection; pass --kaniko-version for version-specific checks.")
        text, snippet, checked = self._remedies(view, None, real_host)
        ev["remedies_checked"] = checked
        forced = " (--force is set: kaniko would build anyway, with the risk that implies)" if ctx.kaniko.flag("force") else ""
        return R.VERSION_UNKNOWN.finding(
            f"kaniko version unknown: {which} would refuse on this host{forced}{fork_note}; "
            "pass --kaniko-version to decide",
            ev, fix=f"Pass --kaniko-version (or the job's image reference). {text}", snippet=snippet)

    def _project_notes(self, info: VersionInfo, version: KanikoVersion) -> list[Finding]:
        findings: list[Finding] = []
        ev: dict[str, Any] = {"kaniko_version": str(version), "version_source": info.source}
        if version.fork == FORK_OSS:
            findings.append(R.ARCHIVED.finding(
                f"kaniko {version}: the maintained osscontainertools fork ({FORK_IMAGE})", {**ev, "project": "osscontainertools/kaniko"}))
        elif version.fork == FORK_CHAINGUARD:
            findings.append(R.ARCHIVED.finding(
                f"kaniko {version}: the chainguard-dev fork (security maintenance)", {**ev, "project": "chainguard-dev/kaniko"}))
        else:
            findings.append(R.ARCHIVED.finding(
                f"kaniko {version} is an upstream GoogleContainerTools release; the project is archived",
                {**ev, "project": "GoogleContainerTools/kaniko", "note": kaniko_is_archived_note()}))
            if version.triple > LAST_UPSTREAM:
                findings.append(R.UNTESTED_VERSION.finding(
                    f"{version} is not an upstream release (the last is v{'.'.join(map(str, LAST_UPSTREAM))}); "
                    f"assuming the {range_for(version).label} detector",
                    {**ev, "assumed_range": range_for(version).label}))
        return findings

    # -- Docker Engine ---------------------------------------------------------------------
    def _endpoints(self, ctx: Context, live: bool, info: EngineInfo) -> list[EngineEndpoint]:
        out: list[EngineEndpoint] = []
        docker_host = ctx.env.get("DOCKER_HOST", "").strip()
        if docker_host:
            parts = urlsplit(docker_host)
            shown = f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path if parts.scheme == 'unix' else ''}"
            if parts.scheme == "unix" and parts.path:
                out.append(EngineEndpoint(socket.AF_UNIX, str(ctx.host_path(parts.path)), f"unix://{parts.path}"))
            elif parts.scheme == "tcp" and parts.hostname and _is_loopback(parts.hostname) and live:
                family = socket.AF_INET6 if ":" in parts.hostname else socket.AF_INET
                host = "127.0.0.1" if parts.hostname == "localhost" else parts.hostname
                out.append(EngineEndpoint(family, (host, parts.port or 2375), shown))
            else:
                why = "not loopback on this host" if live or parts.scheme != "tcp" else "loopback of another host (--root)"
                info.notes.append(f"DOCKER_HOST={shown} not queried: only a unix socket or loopback TCP is ({why})")
        default = ctx.host_path(DOCKER_SOCKET)
        try:
            if stat.S_ISSOCK(os.stat(default).st_mode) and not any(e.address == str(default) for e in out):
                out.append(EngineEndpoint(socket.AF_UNIX, str(default), f"unix://{DOCKER_SOCKET}"))
        except OSError:
            pass
        return out

    def _docker_engine(self, ctx: Context, live: bool) -> EngineInfo:
        info = EngineInfo()
        if ctx.docker_version:
            info.version, info.source = ctx.docker_version, "--docker-version"
            return info
        for endpoint in self._endpoints(ctx, live, info):
            if isinstance(endpoint.address, str) and len(os.fsencode(endpoint.address)) > _UNIX_PATH_MAX:
                info.error = f"{endpoint.shown}: socket path too long for AF_UNIX"
                continue
            timeout = max(0.05, min(ctx.connect_timeout, ctx.remaining()))
            try:
                doc = engine_version(endpoint, timeout)
            except EngineError as exc:
                info.error = f"GET /version on {endpoint.shown}: {exc}"
                continue
            info.version, info.source, info.error = doc["Version"], f"GET /version on {endpoint.shown}", None
            info.details = {
                k: str(doc[k]) for k in ("ApiVersion", "MinAPIVersion", "Os", "Arch", "KernelVersion")
                if isinstance(doc.get(k), str | int)
            }
            break
        return info

    def _engine_findings(self, engine: EngineInfo, cg: Mapping[str, str]) -> list[Finding]:
        if engine.version is None:
            if engine.error is None:
                return []
            return [R.DOCKER_ENGINE.finding(
                f"Docker Engine version unknown ({engine.error}); the verdict does not depend on it",
                engine.evidence())]
        mm = _engine_major_minor(engine.version)
        note = ""
        if mm is not None and mm >= (20, 10):
            note = ": >= 20.10, containers on a cgroup v2 host get a private cgroup namespace by default"
            if cg.get("cgroup_version") == "v2":
                note += " (this host is cgroup v2)"
        elif mm is not None:
            note = ": < 20.10, no cgroup v2 support, containers share the host's cgroup namespace"
        return [R.DOCKER_ENGINE.finding(f"Docker Engine {engine.version} ({engine.source}){note}", engine.evidence())]

    # -- other host facts ------------------------------------------------------------------
    def _host_facts(self, ctx: Context, live: bool) -> list[Finding]:
        findings: list[Finding] = []
        copy_note = "measured on the copy under --root, not on the job's host"
        if live:
            euid = os.geteuid()
            if euid == 0:
                findings.append(R.NOT_ROOT.finding("running as root (uid 0), as kaniko needs", {"euid": 0}, severity=Severity.INFO, fix="Nothing to do."))
            else:
                has_kaniko = ctx.host_path(DEFAULT_KANIKO_DIR).is_dir()
                findings.append(R.NOT_ROOT.finding(
                    f"running as uid {euid}, not root: kaniko needs uid 0 to unpack images"
                    + ("" if has_kaniko else " (this host is not the kaniko container, so this may not apply)"),
                    {"euid": euid}, severity=Severity.WARNING if has_kaniko else Severity.INFO))
        kdir = ctx.kaniko.get("kaniko-dir") or ctx.env.get("KANIKO_DIR") or DEFAULT_KANIKO_DIR
        source = "--kaniko-dir" if ctx.kaniko.get("kaniko-dir") else "$KANIKO_DIR" if ctx.env.get("KANIKO_DIR") else "default"
        path = ctx.host_path(kdir)
        if not path.is_dir():
            return findings
        ev: dict[str, Any] = {"kaniko_dir": kdir, "source": source}
        if not live:
            ev["note"] = copy_note
        downgrade = Severity.WARNING if live else Severity.INFO
        writable = os.access(path, os.W_OK | os.X_OK)
        if writable:
            findings.append(R.KANIKO_DIR_NOT_WRITABLE.finding(f"{kdir} is writable", {**ev, "writable": True}, severity=Severity.INFO, fix="Nothing to do."))
        else:
            findings.append(R.KANIKO_DIR_NOT_WRITABLE.finding(f"{kdir} is not writable: kaniko cannot store snapshots there", {**ev, "writable": False}, severity=downgrade))
        findings.append(self._space_finding(path, kdir, ev, downgrade))
        return findings

    def _space_finding(self, path: Path, shown: str, ev: Mapping[str, Any], low_severity: Severity) -> Finding:
        st = os.statvfs(path)  # what shutil.disk_usage reads, without importing shutil (bz2, lzma)
        free, total = st.f_bavail * st.f_frsize, st.f_blocks * st.f_frsize
        ev = {**ev, "free_bytes": free, "total_bytes": total, "threshold_bytes": MIN_FREE_BYTES}
        if free < MIN_FREE_BYTES:
            return R.LOW_SPACE.finding(f"{shown}: {_fmt_bytes(free)} free, under {_fmt_bytes(MIN_FREE_BYTES)}", ev, severity=low_severity)
        return R.LOW_SPACE.finding(f"{shown}: {_fmt_bytes(free)} free", ev, severity=Severity.INFO, fix="Nothing to do.")

    # -- the job definition (extension point) ----------------------------------------------
    def _job_definition_findings(self, ctx: Context, info: VersionInfo) -> list[Finding]:
        """Findings that need the GitLab job definition; none until it is known (issue 8).

        To add here, from the seed doc's two "important details": a non-debug kaniko image
        (no ``-debug`` in the tag: no shell) used with a shell-based ``script:``, and an
        ``image:`` whose ``entrypoint`` is not overridden to ``[""]``. ``info.images`` holds
        the image references seen so far; the job definition will say which one the job uses.
        """
        return []
