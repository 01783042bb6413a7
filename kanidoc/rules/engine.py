"""Finding codes of the ``engine`` check (docs/checks/engine.md is generated from these)."""

from kanidoc.model import Severity
from kanidoc.rules import Rule, RuleBook

INTRO = (
    "The `engine` check replays, offline, the container detection of the kaniko version in use "
    "(`checkContained()` in `cmd/executor/cmd/root.go`, see `kanidoc/gosem/container.py` for the detector of "
    "every version range) against the files and variables of the host being diagnosed: this machine, or a "
    "tree collected from the job and passed with `--root`. It explains the seed doc's \"kaniko should only be "
    "run inside of a container\" (Docker Engine >= 20.10 on a cgroup v2 host gives containers a private cgroup "
    "namespace, so `/proc/self/cgroup` is `0::/`), and adds the host facts kaniko needs: root, a writable "
    "`/kaniko`, free space for snapshots. The kaniko version comes from `--kaniko-version` (a version or an "
    "image reference), `/kaniko/executor version`, or `$CI_JOB_IMAGE` when that is a kaniko image."
)

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

REFUSES = Rule(
    "KD-ENGINE-001", E, "kaniko will refuse to run: it finds no container here",
    "kaniko's executor checks that it runs in a container before building and exits with \"kaniko should only "
    "be run inside of a container, run with the --force flag if you are sure you want to continue\" when its "
    "detector answers not-found. Which markers the detector knows depends on the version: <= v1.3.0 "
    "(amicontained) and v1.4.0-v1.6.0 and v1.8.0 (bpfd) look only at cgroup paths, `/proc/vz`, gVisor and WSL "
    "markers, PID 1's command line, the `container` variable and `/run/systemd/container` (amicontained: no "
    "gVisor, WSL or PID 1); v1.7.0 and v1.8.1 also accept "
    "`/.dockerenv` and `/run/.containerenv`; v1.9.0+ also the Kubernetes service-account directory and an "
    "overlay root on the first line of `/proc/mounts`. On a cgroup v2 host Docker Engine >= 20.10, containerd "
    "and CRI-O give each container a private cgroup namespace, so `/proc/self/cgroup` is `0::/` and names no "
    "runtime: older detectors then find nothing.",
    "Upgrade the image to `gcr.io/kaniko-project/executor:v1.23.2-debug` or later (the upstream project is "
    "archived; `ghcr.io/osscontainertools/kaniko` is a maintained fork). Where upgrading is impossible, set the "
    "job variable `container: docker` (every kaniko version reads it). `--force` also skips the check, at the "
    "risk of kaniko unpacking images over the root filesystem of a machine that is not a container.",
    "kaniko v1.8.0 (detector: bpfd) finds no container and refuses unless --force is given: /proc/self/cgroup "
    "is \"0::/\" (private cgroup namespace), $container is unset; it does not look at /.dockerenv (honoured by "
    "v1.7.0 and v1.8.1+, not v1.8.0), which this host has.",
)
FORCED = Rule(
    "KD-ENGINE-002", W, "kaniko finds no container here, but --force overrides it",
    "With `--force` kaniko logs \"kaniko is being run outside of a container. This can have dangerous effects "
    "on your system\" and builds anyway. kaniko extracts every base image over its own root filesystem and "
    "deletes files between stages: inside a container that is its design, outside one it destroys the host. "
    "When the detector is merely wrong (a private cgroup namespace), the build works, but `--force` also "
    "hides the day the job really lands outside a container.",
    "Prefer a kaniko version whose detector recognises this host (v1.23.2-debug or later), or the job variable "
    "`container: docker`, and drop `--force`.",
    "kaniko v1.8.0 finds no container here; --force is set, so it logs 'kaniko is being run outside of a "
    "container' and builds anyway",
)
VERSION_UNKNOWN = Rule(
    "KD-ENGINE-003", W, "kaniko version unknown: verdict of every version range",
    "Without the kaniko version, the check cannot tell which detector will run, so it evaluates all of them "
    "and names the ranges that would refuse on this host. Severity is info when every range accepts it.",
    "Pass `--kaniko-version` (a version such as `v1.8.0` or the job's image reference), run kanidoc where "
    "`/kaniko/executor` exists, or pin a version that accepts this host.",
    "kaniko version unknown: upstream v1.4.0-v1.6.0, upstream v1.8.0 would refuse on this host",
)
ACCEPTS = Rule(
    "KD-ENGINE-004", INFO, "kaniko recognises this host as a container",
    "The detector of this kaniko version finds a container marker, so the executor proceeds to the build.",
    "Nothing to do.",
    "kaniko v1.9.0 (detector: proc + kube fallbacks) accepts this as a container (runtime \"docker\") because "
    "/.dockerenv exists: Docker marker file (created in every Docker container): docker.",
)
FLOATING_TAG = Rule(
    "KD-ENGINE-005", W, "the kaniko image tag floats",
    "Tags such as `:debug` and `:latest` (or no tag at all) name no version: they move whenever the publisher "
    "pushes a new image, so the detector, the credential helpers and every other behaviour can change between "
    "two runs of the same job, and nobody can tell from the job which version ran.",
    "Pin a versioned tag, e.g. `gcr.io/kaniko-project/executor:v1.23.2-debug` (or a digest).",
    "gcr.io/kaniko-project/executor:debug: the tag 'debug' names no version and moves",
)
ARCHIVED = Rule(
    "KD-ENGINE-006", INFO, "which kaniko project the version belongs to",
    "GoogleContainerTools/kaniko was archived in June 2025 (last release v1.24.0); its images receive no "
    "more fixes. osscontainertools/kaniko (ghcr.io/osscontainertools/kaniko, docker.io/martizih/kaniko) and "
    "chainguard-dev/kaniko are maintained forks that carry upstream's tags.",
    "Plan a move to a maintained fork for security fixes; nothing is required for this build.",
    "kaniko v1.8.0 is an upstream release; GoogleContainerTools/kaniko was archived in June 2025",
)
DOCKER_ENGINE = Rule(
    "KD-ENGINE-007", INFO, "Docker Engine version",
    "Docker Engine 20.10 was the first release with cgroup v2 support; on a cgroup v2 host it gives every "
    "container a private cgroup namespace by default, which is what hides the runtime name from older kaniko "
    "detectors. The version comes from `--docker-version`, or a read-only `GET /version` on the Engine API "
    "socket (`DOCKER_HOST` when it is a unix socket or loopback, else `/var/run/docker.sock`).",
    "Nothing to do: the verdict rests on what kaniko's detector sees, not on the Engine version.",
    "Docker Engine 24.0.7 (GET /version on /var/run/docker.sock): >= 20.10, containers on cgroup v2 get a "
    "private cgroup namespace",
)
NOT_ROOT = Rule(
    "KD-ENGINE-008", W, "not running as root",
    "kaniko unpacks base images over its root filesystem, changes ownership and writes to system "
    "directories: it needs uid 0 inside its container (the kaniko image runs as root). A job `user:` or a "
    "Kubernetes `runAsUser` other than 0 makes the first extraction fail with permission errors.",
    "Run the kaniko container as root (remove `runAsUser`/`user:`, or set it to 0).",
    "kanidoc runs as uid 1000, not root",
)
KANIKO_DIR_NOT_WRITABLE = Rule(
    "KD-ENGINE-009", W, "the kaniko directory is not writable",
    "kaniko writes its layer snapshots, the Docker config and the build context into `/kaniko` (or "
    "`--kaniko-dir`/`KANIKO_DIR`); a read-only mount fails the build.",
    "Mount a writable volume (an emptyDir on Kubernetes) at /kaniko, or point `--kaniko-dir` at one.",
    "/kaniko is not writable",
)
LOW_SPACE = Rule(
    "KD-ENGINE-010", W, "little free space for kaniko's snapshots",
    "kaniko stores every layer it snapshots, and the unpacked base images, under its kaniko directory and "
    "the root filesystem; below about 1 GiB most builds run out of space (\"no space left on device\").",
    "Give the job more ephemeral storage (Kubernetes: `ephemeral-storage` requests/limits or an emptyDir at "
    "/kaniko) or clean up the runner's disk.",
    "/kaniko: 312 MiB free",
)
UNTESTED_VERSION = Rule(
    "KD-ENGINE-011", INFO, "not an upstream release: newest detector assumed",
    "The version is above upstream's last release (v1.24.0) but names no fork, so the check assumes "
    "upstream's latest detector. The forks (osscontainertools v1.24.0-1+, chainguard v1.25.0+) are identified "
    "from the image reference.",
    "Pass the image reference (e.g. `--kaniko-version ghcr.io/osscontainertools/kaniko:v1.25.5-debug`).",
    "v1.26.0 is not an upstream release; assuming the v1.9.0-v1.24.0 detector",
)

RULES = RuleBook(
    REFUSES, FORCED, VERSION_UNKNOWN, ACCEPTS, FLOATING_TAG, ARCHIVED, DOCKER_ENGINE, NOT_ROOT,
    KANIKO_DIR_NOT_WRITABLE, LOW_SPACE, UNTESTED_VERSION,
)
