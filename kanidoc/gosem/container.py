"""Replay kaniko's "am I in a container?" check for a given kaniko version.

kaniko's executor refuses to build when its container detection answers
"not-found"::

    kaniko should only be run inside of a container, run with the --force flag
    if you are sure you want to continue

The check lives in ``Run`` of ``RootCmd`` in ``cmd/executor/cmd/root.go`` at every
tag from v0.1.0 to v1.24.0 (GoogleContainerTools/kaniko; v1.24.0 lines 173-178,
``checkContained`` at line 319), and unchanged in chainguard-dev/kaniko v1.25.5 and
osscontainertools/kaniko v1.28.3 (root.go lines 201-206).  ``--force`` skips the
refusal (kaniko then only logs a warning); the caller handles that flag, this
module only predicts what the detector says.

Which detector runs depends on the version (read at the tags, see ``RANGES``):

* v0.1.0 - v1.3.0: genuinetools/amicontained ``container.DetectRuntime``
  (``vendor/github.com/genuinetools/amicontained/container/container.go``,
  identical blob at every tag v0.1.0..v1.3.0).
* v1.4.0 - v1.6.0 and v1.8.0: genuinetools/bpfd ``proc.GetContainerRuntime``
  (``vendor/github.com/genuinetools/bpfd/proc/proc.go``, module
  v0.0.2-0.20190525234658-c12d8cd9aac8, same blob at v1.4.0, v1.5.x, v1.6.0, v1.8.0).
* v1.7.0: the same vendored bpfd hand-patched by PR #1686 (commit b22e9932) to
  also accept ``/run/.containerenv`` and ``/.dockerenv``; commit 76624697
  (#1866, re-vendoring) dropped the patch, so v1.8.0 lost it.
* v1.8.1: kaniko's own ``pkg/util/proc/proc.go`` (commit 7b161105, #1996), a port
  of bpfd with the container-files check restored.  Same behaviour as v1.7.0.
* v1.9.0 - v1.24.0: ``pkg/util/proc/proc.go`` plus commit 13ed53e2 (#2054): the
  Kubernetes service-account directory in the files check and an overlay-root
  regex on ``/proc/mounts``.  Unchanged since (7bfc73c3 in v1.19.0 only swapped
  ioutil for os).  chainguard-dev/kaniko keeps this file byte-identical.
* osscontainertools/kaniko v1.25.5+: commit 3ab63482 moves the files check to
  the front.  Accept/refuse is unchanged; only the reported runtime can differ.

Pure and stdlib-only: detection reads a :class:`HostView`, never the live system.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kanidoc.record import record

__all__ = [
    "DETECTOR_PATHS",
    "ENV_VARS",
    "RANGES",
    "REFUSAL_MESSAGE",
    "DetectorVerdict",
    "Evidence",
    "HostView",
    "KanikoVersion",
    "VersionRange",
    "cgroup_facts",
    "detect",
    "detect_all",
    "force_warning",
    "kaniko_is_archived_note",
    "parse_kaniko_version",
    "range_for",
]

REFUSAL_MESSAGE = (
    "kaniko should only be run inside of a container, "
    "run with the --force flag if you are sure you want to continue"
)

# Paths the detectors (and cgroup_facts) read.
P_SELF_CGROUP = "/proc/self/cgroup"
P_PID1_CGROUP = "/proc/1/cgroup"
P_VZ = "/proc/vz"
P_BC = "/proc/bc"
P_RUNSC = "/__runsc_containers__"
P_PID1_CMDLINE = "/proc/1/cmdline"
P_VERSION_SIGNATURE = "/proc/version_signature"
P_SYSTEMD_CONTAINER = "/run/systemd/container"
P_CONTAINERENV = "/run/.containerenv"
P_DOCKERENV = "/.dockerenv"
P_SERVICEACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
P_MOUNTS = "/proc/mounts"

DETECTOR_PATHS: tuple[str, ...] = (
    P_SELF_CGROUP,
    P_PID1_CGROUP,
    P_VZ,
    P_BC,
    P_RUNSC,
    P_PID1_CMDLINE,
    P_VERSION_SIGNATURE,
    P_SYSTEMD_CONTAINER,
    P_CONTAINERENV,
    P_DOCKERENV,
    P_SERVICEACCOUNT,
    P_MOUNTS,
)
ENV_VARS: tuple[str, ...] = ("container",)
ENV_CONTAINER = "container"

_MAX_READ = 1 << 20  # /proc files are small; never slurp something huge.

# Go's unicode.IsSpace set (what strings.TrimSpace strips).  Python's str.strip()
# would also strip U+001C..U+001F, which Go keeps.
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _go_trim(text: str) -> str:
    return text.strip(_GO_SPACE)


# ---------------------------------------------------------------------------
# Host view
# ---------------------------------------------------------------------------


@record
class HostView:
    """What detection reads.

    ``files`` maps an absolute path to its content; ``None`` means the path
    exists but is a directory or could not be read; a missing key means absent
    (Go's ``os.IsNotExist``).  ``env`` holds only the variables detection reads.
    """

    files: Mapping[str, str | None]
    env: Mapping[str, str]

    @classmethod
    def from_root(cls, root: Path, env: Mapping[str, str]) -> HostView:
        """Read the detector paths below ``root`` ("/" for the live host).

        Existence follows Go's ``os.Stat`` + ``os.IsNotExist``: only ENOENT means
        absent; any other stat error (EACCES, ENOTDIR, ELOOP) counts as "exists".
        A dangling symlink is absent (stat follows links).  Absolute symlinks in
        a fixture tree resolve against the real "/", as they would for kaniko.
        """
        files: dict[str, str | None] = {}
        for path in DETECTOR_PATHS:
            target = root / path.lstrip("/")
            try:
                st = os.stat(target)
            except FileNotFoundError:
                continue
            except (OSError, ValueError):
                files[path] = None
                continue
            if stat.S_ISDIR(st.st_mode):
                files[path] = None
                continue
            try:
                with open(target, "rb") as handle:
                    data = handle.read(_MAX_READ)
            except OSError:
                files[path] = None
                continue
            files[path] = data.decode("utf-8", errors="replace")
        kept = {name: env[name] for name in ENV_VARS if name in env}
        return cls(files=files, env=kept)

    def exists(self, path: str) -> bool:
        return path in self.files

    def read(self, path: str) -> str | None:
        return self.files.get(path)

    def go_read_trimmed(self, path: str) -> str:
        """bpfd/kaniko ``readFileString``: "" if absent or unreadable, else TrimSpace."""
        content = self.files.get(path)
        return "" if content is None else _go_trim(content)

    def getenv(self, name: str) -> str:
        """Go ``os.Getenv``: unset and empty are both ""."""
        return self.env.get(name, "")


# ---------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------


@record
class Evidence:
    path_or_var: str
    value: str
    meaning: str


@record
class DetectorVerdict:
    detector: str
    in_container: bool
    runtime: str | None
    decided_by: tuple[Evidence, ...]
    sentence: str


# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------

FORK_CHAINGUARD = "chainguard"
FORK_OSS = "osscontainertools"


@dataclass(frozen=True, order=True)
class KanikoVersion:
    """A kaniko release.  ``fork`` is None (upstream), "chainguard" or "osscontainertools".

    Ordering is by (major, minor, patch) and then fork, with upstream first; a
    hidden key makes None comparable with the fork names.
    """

    major: int
    minor: int
    patch: int
    fork: str | None = field(default=None, compare=False)
    _fork_key: str = field(init=False, repr=False, compare=True, default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "_fork_key", self.fork or "")

    @property
    def triple(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __str__(self) -> str:
        base = f"v{self.major}.{self.minor}.{self.patch}"
        return base if self.fork is None else f"{base} ({self.fork})"


_VERSION_TOKEN = re.compile(r"v?(\d{1,6})\.(\d{1,6})\.(\d{1,6})(?:[-+_][0-9A-Za-z.+_-]*)?")
_VERSION_IN_TEXT = re.compile(r"(?<![\w.])v?(\d{1,6})\.(\d{1,6})\.(\d{1,6})(?!\d)(?!\.\d)")
_EXECUTOR_OUTPUT = re.compile(r"kaniko\s+version\s*:\s*(\S+)", re.IGNORECASE)


def _fork_of(text: str) -> str | None:
    low = text.lower()
    # osscontainertools/kaniko publishes ghcr.io/osscontainertools/kaniko and
    # docker.io/martizih/kaniko (README); it was formerly mzihlmann/kaniko.
    if "osscontainertools" in low or "martizih/" in low or "mzihlmann/" in low:
        return FORK_OSS
    # chainguard-dev/kaniko publishes no public image; Chainguard's own images
    # live under cgr.dev.
    if "chainguard" in low or "cgr.dev/" in low:
        return FORK_CHAINGUARD
    return None


def parse_kaniko_version(text: str) -> KanikoVersion | None:
    """Parse a tag, an image reference or ``executor version`` output.

    ``executor version`` prints ``Kaniko version :  vX.Y.Z`` (fmt.Println of two
    operands, cmd/executor/cmd/version.go, all tags and both forks); a binary
    built without the Makefile prints ``unset``.  Returns None for floating tags
    ("debug", "latest"), "unset" and anything without an X.Y.Z.
    """
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if not stripped:
        return None
    fork = _fork_of(stripped)
    executor = _EXECUTOR_OUTPUT.search(stripped)
    if executor is not None:
        token: str | None = executor.group(1)
    elif not any(ch.isspace() for ch in stripped) and ("/" in stripped or ":" in stripped):
        ref = stripped.split("@", 1)[0]
        colon, slash = ref.rfind(":"), ref.rfind("/")
        token = ref[colon + 1 :] if colon > slash else None
    else:
        token = None
        if not any(ch.isspace() for ch in stripped):
            token = stripped
    if token is not None:
        match = _VERSION_TOKEN.fullmatch(token)
        if match is None:
            return None
    else:
        match = _VERSION_IN_TEXT.search(stripped)
        if match is None:
            return None
    major, minor, patch = (int(match.group(i)) for i in (1, 2, 3))
    return KanikoVersion(major, minor, patch, fork)


@record
class VersionRange:
    """A span of releases sharing one detector behaviour.

    ``low``/``high`` are inclusive release bounds (None = open).  Versions that
    fall between ranges (no such release) belong to the range with the greatest
    ``low`` not above them: see :func:`range_for`.
    """

    label: str
    low: KanikoVersion | None
    high: KanikoVersion | None
    detector_name: str
    fork: str | None = None
    source: str = ""

    def contains(self, version: KanikoVersion) -> bool:
        if self.fork != version.fork:
            return False
        if self.low is not None and version.triple < self.low.triple:
            return False
        return self.high is None or version.triple <= self.high.triple


# ---------------------------------------------------------------------------
# Detector steps
# ---------------------------------------------------------------------------

# amicontained container.go: runtimes list (8 names, no podman).
_AMI_RUNTIMES: tuple[str, ...] = (
    "docker", "rkt", "systemd-nspawn", "lxc", "lxc-libvirt", "openvz", "kube", "garden",
)
# bpfd proc.go ContainerRuntimes, copied unchanged into kaniko pkg/util/proc.
_BPFD_RUNTIMES: tuple[str, ...] = (*_AMI_RUNTIMES, "podman", "gvisor", "firejail", "wsl")

_ABSENT = "(absent)"
_EXISTS = "(exists, not readable as a file)"
_UNSET = "(unset or empty)"
_MAX_SHOW = 200


def _show(text: str) -> str:
    shown = text.replace("\x00", " ").strip()
    lines = [line.strip() for line in shown.splitlines() if line.strip()]
    joined = " | ".join(lines)
    if len(joined) > _MAX_SHOW:
        joined = joined[: _MAX_SHOW - 1] + "…"
    return joined


def _file_value(view: HostView, path: str) -> str:
    if not view.exists(path):
        return _ABSENT
    content = view.read(path)
    if content is None:
        return _EXISTS
    return _show(content) if _go_trim(content) else "(empty)"


def _first_runtime(text: str, runtimes: tuple[str, ...]) -> str | None:
    """bpfd ``getContainerRuntime``: empty after TrimSpace -> none; else the first
    runtime (in list order) that is a substring of the input."""
    if not _go_trim(text):
        return None
    for runtime in runtimes:
        if runtime in text:
            return runtime
    return None


def _line_with(text: str, needle: str) -> str:
    for line in text.replace("\x00", " ").splitlines():
        if needle in line:
            return _show(line)
    return _show(text)


StepResult = tuple[str | None, list[Evidence]]
Step = Callable[[HostView], StepResult]


def _cgroup_step(runtimes: tuple[str, ...], lib: str) -> Step:
    def step(view: HostView) -> StepResult:
        content = view.go_read_trimmed(P_SELF_CGROUP)
        runtime = _first_runtime(content, runtimes)
        if runtime is not None:
            return runtime, [
                Evidence(
                    P_SELF_CGROUP,
                    _line_with(content, runtime),
                    f'contains "{runtime}": a runtime name in the cgroup path',
                )
            ]
        if not view.exists(P_SELF_CGROUP):
            meaning = "absent: no runtime name to find"
        elif content == "0::/":
            meaning = (
                "no runtime name: private cgroup namespace (cgroup v2 default for "
                "Docker >= 20.10, containerd CRI, CRI-O and podman)"
            )
        elif not content:
            meaning = "empty or unreadable: no runtime name to find"
        else:
            meaning = f"no runtime name ({lib} list) in any cgroup path"
        return None, [Evidence(P_SELF_CGROUP, _file_value(view, P_SELF_CGROUP), meaning)]

    return step


def _openvz_step(view: HostView) -> StepResult:
    vz, bc = view.exists(P_VZ), view.exists(P_BC)
    value = f"/proc/vz {'present' if vz else 'absent'}, /proc/bc {'present' if bc else 'absent'}"
    name = f"{P_VZ} + {P_BC}"
    if vz and not bc:
        return "openvz", [Evidence(name, value, "OpenVZ container (/proc/bc only exists on the host node)")]
    meaning = "OpenVZ host node, not a container" if vz else "not OpenVZ"
    return None, [Evidence(name, value, meaning)]


def _gvisor_step(view: HostView) -> StepResult:
    if view.exists(P_RUNSC):
        return "gvisor", [Evidence(P_RUNSC, "(exists)", "gVisor (runsc) sandbox")]
    return None, [Evidence(P_RUNSC, _ABSENT, "not gVisor")]


def _cmdline_step(view: HostView) -> StepResult:
    content = view.go_read_trimmed(P_PID1_CMDLINE)
    runtime = _first_runtime(content, _BPFD_RUNTIMES)
    if runtime is not None:
        return runtime, [
            Evidence(
                P_PID1_CMDLINE,
                _show(content),
                f'contains "{runtime}" (meant for firejail/docker-init; any PID 1 argument '
                f"containing it counts, e.g. kaniko's own --dockerfile flag)",
            )
        ]
    return None, [
        Evidence(P_PID1_CMDLINE, _file_value(view, P_PID1_CMDLINE), "PID 1 command line names no runtime")
    ]


def _wsl_step(view: HostView) -> StepResult:
    content = view.go_read_trimmed(P_VERSION_SIGNATURE)
    if content.startswith("Microsoft"):
        return "wsl", [Evidence(P_VERSION_SIGNATURE, _show(content), 'starts with "Microsoft": WSL')]
    return None, [Evidence(P_VERSION_SIGNATURE, _file_value(view, P_VERSION_SIGNATURE), "not WSL")]


def _env_contains_step(view: HostView) -> StepResult:
    value = view.getenv(ENV_CONTAINER)
    runtime = _first_runtime(value, _BPFD_RUNTIMES)
    if runtime is not None:
        return runtime, [Evidence("$container", value, f'contains "{runtime}"')]
    meaning = "unset" if not value else "names no known runtime (e.g. container=oci does not count)"
    return None, [Evidence("$container", value or _UNSET, meaning)]


def _env_equals_step(view: HostView) -> StepResult:
    value = view.getenv(ENV_CONTAINER)
    if value and value in _AMI_RUNTIMES:
        return value, [Evidence("$container", value, f'equals "{value}"')]
    if not value:
        return None, [Evidence("$container", _UNSET, "unset")]
    return None, [
        Evidence(
            "$container",
            value,
            "must equal one of docker, rkt, systemd-nspawn, lxc, lxc-libvirt, openvz, kube, "
            "garden (amicontained knows no podman)",
        )
    ]


def _systemd_contains_step(view: HostView) -> StepResult:
    content = view.go_read_trimmed(P_SYSTEMD_CONTAINER)
    runtime = _first_runtime(content, _BPFD_RUNTIMES)
    if runtime is not None:
        return runtime, [Evidence(P_SYSTEMD_CONTAINER, _show(content), f'contains "{runtime}"')]
    return None, [
        Evidence(P_SYSTEMD_CONTAINER, _file_value(view, P_SYSTEMD_CONTAINER), "names no known runtime")
    ]


def _systemd_equals_step(view: HostView) -> StepResult:
    content = view.go_read_trimmed(P_SYSTEMD_CONTAINER)
    if content and content in _AMI_RUNTIMES:
        return content, [Evidence(P_SYSTEMD_CONTAINER, content, f'equals "{content}"')]
    return None, [
        Evidence(
            P_SYSTEMD_CONTAINER,
            _file_value(view, P_SYSTEMD_CONTAINER),
            "does not equal a known runtime name",
        )
    ]


_FILE_MARKERS: dict[str, tuple[str, str]] = {
    P_CONTAINERENV: ("podman", "podman/CRI-O marker file"),
    P_DOCKERENV: ("docker", "Docker marker file (created in every Docker container)"),
    P_SERVICEACCOUNT: ("kube", "Kubernetes service-account token mount"),
}


def _files_step(paths: tuple[str, ...]) -> Step:
    """``detectContainerFiles``: the first path that exists (os.Stat) wins."""

    def step(view: HostView) -> StepResult:
        evidence: list[Evidence] = []
        for path in paths:
            runtime, what = _FILE_MARKERS[path]
            if view.exists(path):
                evidence.append(Evidence(path, "(exists)", f"{what}: {runtime}"))
                return runtime, evidence
            evidence.append(Evidence(path, _ABSENT, f"no {what}"))
        return None, evidence

    return step


# v1.9.0+: regexp.MatchString("^[^ ]+ / overlay", TrimSpace(/proc/mounts)).  Go's
# default flags make ^ match only at the start of the text, so in practice only
# the first line counts; Python's re.match without MULTILINE is the same.  "overlay"
# is a prefix: fuse-overlayfs ("fuse.fuse-overlayfs") does not match.
_OVERLAY_ROOT = re.compile(r"[^ ]+ / overlay")


def _overlay_step(view: HostView) -> StepResult:
    content = view.go_read_trimmed(P_MOUNTS)
    first = _show(content.splitlines()[0]) if content else _file_value(view, P_MOUNTS)
    if _OVERLAY_ROOT.match(content):
        return "kube", [
            Evidence(P_MOUNTS, first, 'first line mounts "/" as overlay: reported as kube')
        ]
    root_type = _root_fs_type(content)
    if root_type is None:
        meaning = "first line is not an overlay root (no / mount found)"
    elif root_type.startswith("overlay"):
        meaning = "/ is overlay but not on the first line, and only the first line is tested"
    else:
        meaning = f"first line is not an overlay root (/ is {root_type})"
    return None, [Evidence(P_MOUNTS, first, meaning)]


# ---------------------------------------------------------------------------
# Detectors
# ---------------------------------------------------------------------------

_MARKER_OVERLAY = "overlay root in /proc/mounts"


@record
class _Detector:
    name: str
    short: str
    steps: tuple[Step, ...]
    checked_markers: frozenset[str]


_BPFD_CORE: tuple[Step, ...] = (
    _cgroup_step(_BPFD_RUNTIMES, "bpfd"),
    _openvz_step,
    _gvisor_step,
    _cmdline_step,
    _wsl_step,
    _env_contains_step,
    _systemd_contains_step,
)

DET_AMICONTAINED = "amicontained (kaniko <= v1.3.0)"
DET_BPFD = "bpfd (kaniko v1.4.0-v1.6.0, v1.8.0)"
DET_BPFD_FILES = "bpfd + container files (kaniko v1.7.0, v1.8.1)"
DET_K8S = "kaniko proc + kube fallbacks (v1.9.0-v1.24.0, chainguard, osscontainertools < v1.25.5)"
DET_FILES_FIRST = "kaniko proc, files first (osscontainertools >= v1.25.5)"

_DETECTORS: dict[str, _Detector] = {
    DET_AMICONTAINED: _Detector(
        DET_AMICONTAINED,
        "amicontained",
        (_cgroup_step(_AMI_RUNTIMES, "amicontained"), _openvz_step, _env_equals_step, _systemd_equals_step),
        frozenset(),
    ),
    DET_BPFD: _Detector(DET_BPFD, "bpfd", _BPFD_CORE, frozenset()),
    DET_BPFD_FILES: _Detector(
        DET_BPFD_FILES,
        "bpfd + container files",
        (*_BPFD_CORE, _files_step((P_CONTAINERENV, P_DOCKERENV))),
        frozenset({P_CONTAINERENV, P_DOCKERENV}),
    ),
    DET_K8S: _Detector(
        DET_K8S,
        "proc + kube fallbacks",
        (*_BPFD_CORE, _files_step((P_CONTAINERENV, P_DOCKERENV, P_SERVICEACCOUNT)), _overlay_step),
        frozenset({P_CONTAINERENV, P_DOCKERENV, P_SERVICEACCOUNT, _MARKER_OVERLAY}),
    ),
    DET_FILES_FIRST: _Detector(
        DET_FILES_FIRST,
        "proc, container files first",
        (_files_step((P_CONTAINERENV, P_DOCKERENV, P_SERVICEACCOUNT)), *_BPFD_CORE, _overlay_step),
        frozenset({P_CONTAINERENV, P_DOCKERENV, P_SERVICEACCOUNT, _MARKER_OVERLAY}),
    ),
}

# Where each ignored marker is first honoured, for the refusal sentence.
_MARKER_FIRST_HONOURED: dict[str, str] = {
    P_DOCKERENV: "honoured by v1.7.0 and v1.8.1+, not v1.8.0",
    P_CONTAINERENV: "honoured by v1.7.0 and v1.8.1+, not v1.8.0",
    P_SERVICEACCOUNT: "honoured from v1.9.0",
    _MARKER_OVERLAY: "honoured from v1.9.0",
}


def _v(major: int, minor: int, patch: int, fork: str | None = None) -> KanikoVersion:
    return KanikoVersion(major, minor, patch, fork)


_UP = "GoogleContainerTools/kaniko"
RANGES: tuple[VersionRange, ...] = (
    VersionRange(
        "upstream <= v1.3.0", None, _v(1, 3, 0), DET_AMICONTAINED, None,
        f"{_UP} v0.1.0..v1.3.0 cmd/executor/cmd/root.go checkContained -> container.DetectRuntime; "
        "vendor/github.com/genuinetools/amicontained/container/container.go",
    ),
    VersionRange(
        "upstream v1.4.0-v1.6.0", _v(1, 4, 0), _v(1, 6, 0), DET_BPFD, None,
        f"{_UP} v1.4.0 root.go (PR #1502, c2a919a8); vendor/github.com/genuinetools/bpfd/proc/proc.go",
    ),
    VersionRange(
        "upstream v1.7.0", _v(1, 7, 0), _v(1, 7, 0), DET_BPFD_FILES, None,
        f"{_UP} v1.7.0 vendor/github.com/genuinetools/bpfd/proc/proc.go (patched by #1686, b22e9932)",
    ),
    VersionRange(
        "upstream v1.8.0", _v(1, 8, 0), _v(1, 8, 0), DET_BPFD, None,
        f"{_UP} v1.8.0 vendor/github.com/genuinetools/bpfd/proc/proc.go (patch lost in #1866, 76624697)",
    ),
    VersionRange(
        "upstream v1.8.1", _v(1, 8, 1), _v(1, 8, 1), DET_BPFD_FILES, None,
        f"{_UP} v1.8.1 pkg/util/proc/proc.go (#1996, 7b161105)",
    ),
    VersionRange(
        "upstream v1.9.0-v1.24.0", _v(1, 9, 0), None, DET_K8S, None,
        f"{_UP} v1.9.0 pkg/util/proc/proc.go (#2054, 13ed53e2); same logic to v1.24.0 (last release)",
    ),
    VersionRange(
        "chainguard v1.25.0+", _v(1, 25, 0, FORK_CHAINGUARD), None, DET_K8S, FORK_CHAINGUARD,
        "chainguard-dev/kaniko v1.25.0..v1.25.5 pkg/util/proc/proc.go (blob identical to upstream v1.24.0)",
    ),
    VersionRange(
        "osscontainertools v1.24.0-1..v1.25.4", _v(1, 24, 0, FORK_OSS), _v(1, 25, 4, FORK_OSS),
        DET_K8S, FORK_OSS,
        "osscontainertools/kaniko 1.24.0-1..v1.25.4 pkg/util/proc/proc.go (blob identical to upstream v1.24.0)",
    ),
    VersionRange(
        "osscontainertools v1.25.5+", _v(1, 25, 5, FORK_OSS), None, DET_FILES_FIRST, FORK_OSS,
        "osscontainertools/kaniko v1.25.5..v1.28.3 pkg/util/proc/proc.go (3ab63482: files check first)",
    ),
)


def range_for(version: KanikoVersion) -> VersionRange:
    """The range whose detector ``version`` runs.

    Within the version's own line (upstream or one fork) pick the range with the
    greatest ``low`` not above it.  Fork versions older than the fork's first
    range are upstream releases (both forks carry upstream's tags).
    """
    candidates = [r for r in RANGES if r.fork == version.fork and r.fork is not None]
    best = _floor(candidates, version)
    if best is not None:
        return best
    upstream = [r for r in RANGES if r.fork is None]
    found = _floor(upstream, version)
    assert found is not None  # the first upstream range has low=None
    return found


def _floor(ranges: list[VersionRange], version: KanikoVersion) -> VersionRange | None:
    def low_of(candidate: VersionRange) -> tuple[int, int, int]:
        return (-1, -1, -1) if candidate.low is None else candidate.low.triple

    eligible = [r for r in ranges if low_of(r) <= version.triple]
    return max(eligible, key=low_of) if eligible else None


def _run(detector: _Detector, label: str, view: HostView) -> DetectorVerdict:
    trail: list[Evidence] = []
    for step in detector.steps:
        runtime, evidence = step(view)
        trail.extend(evidence)
        if runtime is not None:
            hit = trail[-1]
            shown = "exists" if hit.value == "(exists)" else f'is "{hit.value}"'
            sentence = (
                f"kaniko {label} (detector: {detector.short}) accepts this as a container "
                f'(runtime "{runtime}") because {hit.path_or_var} {shown}: {hit.meaning}.'
            )
            return DetectorVerdict(detector.name, True, runtime, tuple(trail), sentence)
    sentence = _refusal_sentence(detector, label, view, trail)
    return DetectorVerdict(detector.name, False, "not-found", tuple(trail), sentence)


def _refusal_sentence(
    detector: _Detector, label: str, view: HostView, trail: list[Evidence]
) -> str:
    by_path = {ev.path_or_var: ev for ev in trail}
    parts: list[str] = []
    cg = by_path.get(P_SELF_CGROUP)
    if cg is not None:
        why = "private cgroup namespace" if cg.value == "0::/" else "no runtime name in it"
        parts.append(f'{P_SELF_CGROUP} is "{cg.value}" ({why})')
    env = by_path.get("$container")
    if env is not None:
        parts.append(f"$container is {env.value if env.value != _UNSET else 'unset'}")
    ignored: list[str] = []
    present = {
        P_DOCKERENV: view.exists(P_DOCKERENV),
        P_CONTAINERENV: view.exists(P_CONTAINERENV),
        P_SERVICEACCOUNT: view.exists(P_SERVICEACCOUNT),
        _MARKER_OVERLAY: bool(_OVERLAY_ROOT.match(view.go_read_trimmed(P_MOUNTS))),
    }
    for marker, is_present in present.items():
        if is_present and marker not in detector.checked_markers:
            ignored.append(f"{marker} ({_MARKER_FIRST_HONOURED[marker]})")
    tail = (
        "; it does not look at " + ", ".join(ignored) + ", which this host has"
        if ignored
        else "; no container marker it knows is present"
    )
    return (
        f"kaniko {label} (detector: {detector.short}) finds no container and refuses "
        "unless --force is given: "
        + ", ".join(parts)
        + tail
        + "."
    )


def detect(version: KanikoVersion, view: HostView) -> DetectorVerdict:
    """What ``checkContained()`` of ``version`` concludes on ``view``."""
    chosen = range_for(version)
    return _run(_DETECTORS[chosen.detector_name], str(version), view)


def detect_all(view: HostView) -> list[tuple[VersionRange, DetectorVerdict]]:
    """One verdict per version range: the table to show when the version is unknown."""
    return [(r, _run(_DETECTORS[r.detector_name], r.label, view)) for r in RANGES]


def force_warning(version: KanikoVersion) -> str:
    """The warning logged instead of the refusal when --force is set.

    root.go spells it "kaniko is being run ..." up to v1.8.1 and "Kaniko is being
    run ..." from v1.9.0 on (checked at every tag; forks keep the capital K).
    """
    first = "kaniko" if version.triple < (1, 9, 0) else "Kaniko"
    return f"{first} is being run outside of a container. This can have dangerous effects on your system"


# ---------------------------------------------------------------------------
# cgroup facts
# ---------------------------------------------------------------------------


def _root_fs_type(mounts: str) -> str | None:
    """fs type of the last mount on "/" (later mounts shadow earlier ones)."""
    found: str | None = None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[1] == "/":
            found = fields[2]
    return found


def _cgroup_version_from_self(content: str) -> str:
    ids: set[str] = set()
    for line in content.splitlines():
        if not line.strip():
            continue
        parts = line.strip().split(":", 2)
        if len(parts) != 3 or not parts[0].isdigit():
            return "unknown"
        ids.add(parts[0])
    if not ids:
        return "unknown"
    if ids == {"0"}:
        return "v2"
    return "hybrid" if "0" in ids else "v1"


def _cgroup_version_from_mounts(content: str) -> str:
    v1 = v2_root = v2_unified = False
    for line in content.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mountpoint, fstype = fields[1], fields[2]
        if fstype == "cgroup2":
            if mountpoint == "/sys/fs/cgroup":
                v2_root = True
            else:
                v2_unified = True
        elif fstype == "cgroup":
            v1 = True
    if v2_root and not v1:
        return "v2"
    if v1 and (v2_unified or v2_root):
        return "hybrid"
    if v1:
        return "v1"
    if v2_unified:
        return "v2"
    return "unknown"


def cgroup_facts(view: HostView) -> dict[str, str]:
    """Facts about cgroups and container markers, for the report."""
    facts: dict[str, str] = {}
    self_cg = view.read(P_SELF_CGROUP)
    mounts = view.read(P_MOUNTS) or ""
    from_self = _cgroup_version_from_self(self_cg) if self_cg is not None else "unknown"
    from_mounts = _cgroup_version_from_mounts(mounts)
    if from_self == "unknown":
        version, source = from_mounts, P_MOUNTS
    elif from_mounts == "hybrid" and from_self != "hybrid":
        version, source = "hybrid", P_MOUNTS
    else:
        version, source = from_self, P_SELF_CGROUP
    facts["cgroup_version"] = version
    facts["cgroup_version_source"] = source if version != "unknown" else "none"
    facts["cgroup_version_from_self_cgroup"] = from_self
    facts["cgroup_version_from_mounts"] = from_mounts
    facts["self_cgroup"] = _file_value(view, P_SELF_CGROUP)
    trimmed = _go_trim(self_cg) if self_cg is not None else None
    if trimmed is None:
        facts["private_cgroupns"] = "unknown"
    else:
        facts["private_cgroupns"] = "yes" if trimmed == "0::/" else "no"
    facts["pid1_cgroup"] = _file_value(view, P_PID1_CGROUP)
    runtime = _first_runtime(trimmed or "", _BPFD_RUNTIMES)
    facts["cgroup_runtime_name"] = runtime if runtime is not None else "none"
    first_line = _go_trim(mounts).splitlines()[0] if _go_trim(mounts) else ""
    facts["mounts_first_line"] = _show(first_line) if first_line else _file_value(view, P_MOUNTS)
    facts["root_fs_type"] = _root_fs_type(mounts) or "unknown"
    facts["overlay_root_first_line"] = "yes" if _OVERLAY_ROOT.match(_go_trim(mounts)) else "no"
    for path in (P_DOCKERENV, P_CONTAINERENV, P_SERVICEACCOUNT, P_SYSTEMD_CONTAINER):
        facts[path] = "present" if view.exists(path) else "absent"
    value = view.getenv(ENV_CONTAINER)
    facts["$container"] = value if value else "(unset)"
    return facts


def kaniko_is_archived_note() -> str:
    return (
        "GoogleContainerTools/kaniko was archived in June 2025 (last release v1.24.0, "
        "2025-05-22; gcr.io/kaniko-project images are no longer updated); maintained forks are "
        "osscontainertools/kaniko (images ghcr.io/osscontainertools/kaniko and docker.io/martizih/kaniko) "
        "and chainguard-dev/kaniko (security maintenance, source tags only, no public images)."
    )
