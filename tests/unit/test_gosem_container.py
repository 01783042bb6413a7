"""Tests for kanidoc.gosem.container: kaniko's container detection per version.

The expected verdicts below were derived by hand from the Go source at the tags
(GoogleContainerTools/kaniko v1.3.0 amicontained, v1.6.0/v1.8.0 bpfd, v1.7.0
patched bpfd, v1.8.1 and v1.9.0 pkg/util/proc/proc.go, osscontainertools/kaniko
v1.25.5 pkg/util/proc/proc.go), not from the implementation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kanidoc.gosem.container import (
    DETECTOR_PATHS,
    P_CONTAINERENV,
    P_DOCKERENV,
    P_MOUNTS,
    P_PID1_CMDLINE,
    P_SELF_CGROUP,
    P_SERVICEACCOUNT,
    P_SYSTEMD_CONTAINER,
    RANGES,
    REFUSAL_MESSAGE,
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

HOSTS = Path(__file__).resolve().parent.parent / "fixtures" / "hosts"
FIXTURES = sorted(p.name for p in HOSTS.iterdir() if p.is_dir())


def load(name: str) -> HostView:
    env = json.loads((HOSTS / name / "env.json").read_text())
    return HostView.from_root(HOSTS / name, env)


# Range labels (must match RANGES exactly; a renamed range breaks the table on purpose).
U13 = "upstream <= v1.3.0"
U14 = "upstream v1.4.0-v1.6.0"
U170 = "upstream v1.7.0"
U180 = "upstream v1.8.0"
U181 = "upstream v1.8.1"
U19 = "upstream v1.9.0-v1.24.0"
CG = "chainguard v1.25.0+"
OSS_OLD = "osscontainertools v1.24.0-1..v1.25.4"
OSS_NEW = "osscontainertools v1.25.5+"
ALL_LABELS = (U13, U14, U170, U180, U181, U19, CG, OSS_OLD, OSS_NEW)

CG_FILE = P_SELF_CGROUP
VZ = "/proc/vz + /proc/bc"
ENV = "$container"

# (fixture, range) -> (in_container, runtime, path that decided a pass / None for refusal)
EXPECTED: dict[tuple[str, str], tuple[bool, str, str | None]] = {
    # --- docker-cgroupv1: /proc/self/cgroup lines ".../docker/<id>", /.dockerenv present.
    ("docker-cgroupv1", U13): (True, "docker", CG_FILE),  # amicontained: "docker" substring of cgroup
    ("docker-cgroupv1", U14): (True, "docker", CG_FILE),  # bpfd step 1, same substring
    ("docker-cgroupv1", U170): (True, "docker", CG_FILE),  # cgroup step precedes the files patch
    ("docker-cgroupv1", U180): (True, "docker", CG_FILE),  # regression irrelevant with v1 cgroups
    ("docker-cgroupv1", U181): (True, "docker", CG_FILE),  # pkg/util/proc step 1
    ("docker-cgroupv1", U19): (True, "docker", CG_FILE),  # step 1 before files/overlay
    ("docker-cgroupv1", CG): (True, "docker", CG_FILE),  # chainguard == upstream v1.24.0 file
    ("docker-cgroupv1", OSS_OLD): (True, "docker", CG_FILE),  # oss before 3ab63482 == upstream
    ("docker-cgroupv1", OSS_NEW): (True, "docker", P_DOCKERENV),  # files first: /.dockerenv wins
    # --- docker-cgroupv2-private: "0::/" (private cgroupns), /.dockerenv, no $container, PID 1 sh.
    ("docker-cgroupv2-private", U13): (False, "not-found", None),  # no name in "0::/", no env, no file
    ("docker-cgroupv2-private", U14): (False, "not-found", None),  # bpfd has no /.dockerenv check (#1592)
    ("docker-cgroupv2-private", U170): (True, "docker", P_DOCKERENV),  # #1686 added /.dockerenv
    ("docker-cgroupv2-private", U180): (False, "not-found", None),  # #1866 re-vendoring dropped it
    ("docker-cgroupv2-private", U181): (True, "docker", P_DOCKERENV),  # #1996 restored it
    ("docker-cgroupv2-private", U19): (True, "docker", P_DOCKERENV),  # files step before overlay
    ("docker-cgroupv2-private", CG): (True, "docker", P_DOCKERENV),  # same as upstream v1.24.0
    ("docker-cgroupv2-private", OSS_OLD): (True, "docker", P_DOCKERENV),  # same as upstream
    ("docker-cgroupv2-private", OSS_NEW): (True, "docker", P_DOCKERENV),  # files first, same hit
    # --- docker-cgroupv2-host-ns: "0::/system.slice/docker-<id>.scope" contains "docker".
    ("docker-cgroupv2-host-ns", U13): (True, "docker", CG_FILE),  # substring match on the scope
    ("docker-cgroupv2-host-ns", U14): (True, "docker", CG_FILE),  # same
    ("docker-cgroupv2-host-ns", U170): (True, "docker", CG_FILE),  # same, before files
    ("docker-cgroupv2-host-ns", U180): (True, "docker", CG_FILE),  # host cgroupns dodges the regression
    ("docker-cgroupv2-host-ns", U181): (True, "docker", CG_FILE),  # same
    ("docker-cgroupv2-host-ns", U19): (True, "docker", CG_FILE),  # same
    ("docker-cgroupv2-host-ns", CG): (True, "docker", CG_FILE),  # same
    ("docker-cgroupv2-host-ns", OSS_OLD): (True, "docker", CG_FILE),  # same
    ("docker-cgroupv2-host-ns", OSS_NEW): (True, "docker", P_DOCKERENV),  # files first
    # --- k8s-containerd: "0::/", service-account dir, overlay first in /proc/mounts, no /.dockerenv,
    #     PID 1 = /kaniko/executor with args containing no runtime name.
    ("k8s-containerd", U13): (False, "not-found", None),  # nothing amicontained reads names a runtime
    ("k8s-containerd", U14): (False, "not-found", None),  # bpfd: no cgroup name, no env, no file check
    ("k8s-containerd", U170): (False, "not-found", None),  # patch knows only .containerenv/.dockerenv
    ("k8s-containerd", U180): (False, "not-found", None),  # plain bpfd
    ("k8s-containerd", U181): (False, "not-found", None),  # files check without the SA entry (#1936)
    ("k8s-containerd", U19): (True, "kube", P_SERVICEACCOUNT),  # #2054: SA dir (before overlay)
    ("k8s-containerd", CG): (True, "kube", P_SERVICEACCOUNT),  # same
    ("k8s-containerd", OSS_OLD): (True, "kube", P_SERVICEACCOUNT),  # same
    ("k8s-containerd", OSS_NEW): (True, "kube", P_SERVICEACCOUNT),  # files first, third entry
    # --- plain-host: systemd host, "0::/user.slice/...", ext4 root (not first line), no markers.
    ("plain-host", U13): (False, "not-found", None),  # no runtime anywhere
    ("plain-host", U14): (False, "not-found", None),  # "/sbin/init splash" names none
    ("plain-host", U170): (False, "not-found", None),  # no marker files
    ("plain-host", U180): (False, "not-found", None),  # same
    ("plain-host", U181): (False, "not-found", None),  # same
    ("plain-host", U19): (False, "not-found", None),  # first mounts line is sysfs; docker overlay
    ("plain-host", CG): (False, "not-found", None),  #   mounts elsewhere are not on "/"
    ("plain-host", OSS_OLD): (False, "not-found", None),  # same
    ("plain-host", OSS_NEW): (False, "not-found", None),  # reordering changes no outcome
    # --- nspawn: "0::/", /run/systemd/container = "systemd-nspawn", no $container for the process.
    ("nspawn", U13): (True, "systemd-nspawn", P_SYSTEMD_CONTAINER),  # amicontained exact match
    ("nspawn", U14): (True, "systemd-nspawn", P_SYSTEMD_CONTAINER),  # bpfd substring (docker..rkt miss)
    ("nspawn", U170): (True, "systemd-nspawn", P_SYSTEMD_CONTAINER),  # step 7, before files
    ("nspawn", U180): (True, "systemd-nspawn", P_SYSTEMD_CONTAINER),  # same
    ("nspawn", U181): (True, "systemd-nspawn", P_SYSTEMD_CONTAINER),  # same
    ("nspawn", U19): (True, "systemd-nspawn", P_SYSTEMD_CONTAINER),  # same
    ("nspawn", CG): (True, "systemd-nspawn", P_SYSTEMD_CONTAINER),  # same
    ("nspawn", OSS_OLD): (True, "systemd-nspawn", P_SYSTEMD_CONTAINER),  # same
    ("nspawn", OSS_NEW): (True, "systemd-nspawn", P_SYSTEMD_CONTAINER),  # no marker file, falls through
    # --- openvz: /proc/vz present, /proc/bc absent, v1 cgroups without runtime names.
    ("openvz", U13): (True, "openvz", VZ),  # amicontained step 2
    ("openvz", U14): (True, "openvz", VZ),  # bpfd step 2
    ("openvz", U170): (True, "openvz", VZ),  # same
    ("openvz", U180): (True, "openvz", VZ),  # same
    ("openvz", U181): (True, "openvz", VZ),  # same
    ("openvz", U19): (True, "openvz", VZ),  # same
    ("openvz", CG): (True, "openvz", VZ),  # same
    ("openvz", OSS_OLD): (True, "openvz", VZ),  # same
    ("openvz", OSS_NEW): (True, "openvz", VZ),  # no marker files, then cgroup miss, then vz
    # --- podman: rootless, "0::/", /run/.containerenv, container=podman, fuse-overlayfs root.
    ("podman", U13): (False, "not-found", None),  # amicontained has no "podman" (#1501)
    ("podman", U14): (True, "podman", ENV),  # #1502 switched to bpfd for this env check
    ("podman", U170): (True, "podman", ENV),  # env step precedes the files step
    ("podman", U180): (True, "podman", ENV),  # env is enough; the regression does not bite
    ("podman", U181): (True, "podman", ENV),  # same
    ("podman", U19): (True, "podman", ENV),  # same
    ("podman", CG): (True, "podman", ENV),  # same
    ("podman", OSS_OLD): (True, "podman", ENV),  # same
    ("podman", OSS_NEW): (True, "podman", P_CONTAINERENV),  # files first: .containerenv
    # --- podman-noenv: same but $container unset (e.g. --unsetenv container).
    ("podman-noenv", U13): (False, "not-found", None),  # nothing it reads
    ("podman-noenv", U14): (False, "not-found", None),  # no env, no file check
    ("podman-noenv", U170): (True, "podman", P_CONTAINERENV),  # #1686 files check
    ("podman-noenv", U180): (False, "not-found", None),  # files check lost
    ("podman-noenv", U181): (True, "podman", P_CONTAINERENV),  # restored
    ("podman-noenv", U19): (True, "podman", P_CONTAINERENV),  # .containerenv is the first file
    ("podman-noenv", CG): (True, "podman", P_CONTAINERENV),  # same
    ("podman-noenv", OSS_OLD): (True, "podman", P_CONTAINERENV),  # same
    ("podman-noenv", OSS_NEW): (True, "podman", P_CONTAINERENV),  # same
}


def test_table_covers_every_fixture_and_range() -> None:
    assert [r.label for r in RANGES] == list(ALL_LABELS)
    assert set(FIXTURES) == {
        "docker-cgroupv1", "docker-cgroupv2-private", "docker-cgroupv2-host-ns", "k8s-containerd",
        "plain-host", "nspawn", "openvz", "podman", "podman-noenv",
    }
    assert set(EXPECTED) == {(f, label) for f in FIXTURES for label in ALL_LABELS}


@pytest.mark.parametrize(("fixture", "label"), sorted(EXPECTED))
def test_cross_product(fixture: str, label: str) -> None:
    in_container, runtime, decided_path = EXPECTED[(fixture, label)]
    rows = {r.label: v for r, v in detect_all(load(fixture))}
    verdict = rows[label]
    assert (verdict.in_container, verdict.runtime) == (in_container, runtime), verdict.sentence
    assert verdict.decided_by, "a verdict always names the evidence it checked"
    if decided_path is not None:
        assert verdict.decided_by[-1].path_or_var == decided_path
        assert decided_path in verdict.sentence
    else:
        assert "refuses" in verdict.sentence and "--force" in verdict.sentence
        assert P_SELF_CGROUP in verdict.sentence


@pytest.mark.parametrize(("fixture", "label"), sorted(EXPECTED))
def test_detect_by_version_agrees_with_table(fixture: str, label: str) -> None:
    rng = next(r for r in RANGES if r.label == label)
    version = rng.low if rng.low is not None else KanikoVersion(1, 0, 0)
    assert range_for(version) is rng
    verdict = detect(version, load(fixture))
    assert verdict.in_container == EXPECTED[(fixture, label)][0]


def test_v180_regression_on_docker_cgroupv2() -> None:
    view = load("docker-cgroupv2-private")
    v170, v180, v181 = (
        detect(parse_kaniko_version(t) or KanikoVersion(0, 0, 0), view)
        for t in ("v1.7.0", "gcr.io/kaniko-project/executor:v1.8.0", "Kaniko version :  v1.8.1")
    )
    assert v170.in_container
    assert v170.decided_by[-1].path_or_var == P_DOCKERENV
    assert not v180.in_container
    assert v180.runtime == "not-found"
    # The refusal names the private cgroup namespace and the ignored /.dockerenv.
    assert '"0::/"' in v180.sentence
    assert "/.dockerenv" in v180.sentence and "v1.8.1" in v180.sentence
    assert v180.decided_by[0].value == "0::/"
    assert "private cgroup namespace" in v180.decided_by[0].meaning
    assert v181.in_container and v181.runtime == "docker"


def test_bpfd_trail_order_v19_k8s() -> None:
    verdict = detect(KanikoVersion(1, 23, 2), load("k8s-containerd"))
    assert [e.path_or_var for e in verdict.decided_by] == [
        P_SELF_CGROUP, "/proc/vz + /proc/bc", "/__runsc_containers__", P_PID1_CMDLINE,
        "/proc/version_signature", "$container", P_SYSTEMD_CONTAINER,
        P_CONTAINERENV, P_DOCKERENV, P_SERVICEACCOUNT,
    ]


def test_oss_files_first_trail() -> None:
    verdict = detect(KanikoVersion(1, 26, 0, "osscontainertools"), load("docker-cgroupv1"))
    assert [e.path_or_var for e in verdict.decided_by] == [P_CONTAINERENV, P_DOCKERENV]


def _k8s_files(**over: str | None) -> dict[str, str | None]:
    files: dict[str, str | None] = dict(load("k8s-containerd").files)
    for key, value in over.items():
        path = {"mounts": P_MOUNTS, "cmdline": P_PID1_CMDLINE}[key]
        if value is None:
            files.pop(path, None)
        else:
            files[path] = value
    return files


def test_k8s_without_service_account_uses_overlay_first_line() -> None:
    files = _k8s_files()
    del files[P_SERVICEACCOUNT]
    verdict = detect(KanikoVersion(1, 9, 0), HostView(files, {}))
    assert verdict.in_container and verdict.runtime == "kube"
    assert verdict.decided_by[-1].path_or_var == P_MOUNTS
    # Overlay root not on the first line: the regex has no multiline flag.
    files[P_MOUNTS] = "proc /proc proc rw 0 0\noverlay / overlay rw,lowerdir=/a 0 0\n"
    verdict = detect(KanikoVersion(1, 9, 0), HostView(files, {}))
    assert not verdict.in_container
    assert "only the first line" in verdict.decided_by[-1].meaning
    # fuse-overlayfs root (rootless buildah/podman-in-k8s) does not match "overlay".
    files[P_MOUNTS] = "fuse-overlayfs / fuse.fuse-overlayfs rw 0 0\n"
    assert not detect(KanikoVersion(1, 24, 0), HostView(files, {})).in_container
    # "overlay" is only a prefix of the fs type in the regex.
    files[P_MOUNTS] = "x / overlayfs rw 0 0\n"
    assert detect(KanikoVersion(1, 24, 0), HostView(files, {})).in_container


def test_pid1_cmdline_with_dockerfile_flag_passes_bpfd() -> None:
    # bpfd step 4 is a substring test on PID 1's cmdline: kaniko as PID 1 with
    # --dockerfile=... contains "docker", so even v1.8.0 passes on cgroup v2.
    files = _k8s_files(cmdline="/kaniko/executor\0--dockerfile=Dockerfile\0--context=dir:///w\0")
    view = HostView(files, {})
    v180 = detect(KanikoVersion(1, 8, 0), view)
    assert v180.in_container and v180.runtime == "docker"
    assert v180.decided_by[-1].path_or_var == P_PID1_CMDLINE
    # amicontained never reads /proc/1/cmdline.
    assert not detect(KanikoVersion(1, 3, 0), view).in_container


def test_unreadable_marker_still_counts_as_existing() -> None:
    # Go's os.Stat: permission denied is not IsNotExist, so the marker "exists".
    view = HostView({P_SELF_CGROUP: "0::/", P_DOCKERENV: None}, {})
    assert detect(KanikoVersion(1, 8, 1), view).in_container
    assert not detect(KanikoVersion(1, 8, 0), view).in_container


def test_env_semantics_amicontained_exact_vs_bpfd_substring() -> None:
    view = HostView({P_SELF_CGROUP: "0::/"}, {"container": "docker-ci"})
    assert not detect(KanikoVersion(1, 3, 0), view).in_container  # equality
    assert detect(KanikoVersion(1, 4, 0), view).runtime == "docker"  # substring
    oci = HostView({P_SELF_CGROUP: "0::/"}, {"container": "oci"})
    assert not detect(KanikoVersion(1, 24, 0), oci).in_container


def test_from_root_reads_directory_as_marker(tmp_path: Path) -> None:
    (tmp_path / "var/run/secrets/kubernetes.io/serviceaccount").mkdir(parents=True)
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc/vz").mkdir()
    view = HostView.from_root(tmp_path, {"container": "podman", "HOME": "/root"})
    assert view.exists(P_SERVICEACCOUNT) and view.read(P_SERVICEACCOUNT) is None
    assert view.exists("/proc/vz") and not view.exists("/proc/bc")
    assert not view.exists(P_SELF_CGROUP) and view.read(P_SELF_CGROUP) is None
    assert dict(view.env) == {"container": "podman"}  # only what detection reads
    assert set(view.files) <= set(DETECTOR_PATHS)


def test_from_root_dangling_symlink_is_absent(tmp_path: Path) -> None:
    (tmp_path / ".dockerenv").symlink_to(tmp_path / "nowhere")
    assert not HostView.from_root(tmp_path, {}).exists(P_DOCKERENV)


@pytest.mark.parametrize(
    ("fixture", "version", "private"),
    [
        ("docker-cgroupv1", "v1", "no"),
        ("docker-cgroupv2-private", "v2", "yes"),
        ("docker-cgroupv2-host-ns", "v2", "no"),
        ("k8s-containerd", "v2", "yes"),
        ("podman", "v2", "yes"),
        ("plain-host", "v2", "no"),
        ("openvz", "v1", "no"),
    ],
)
def test_cgroup_facts(fixture: str, version: str, private: str) -> None:
    facts = cgroup_facts(load(fixture))
    assert facts["cgroup_version"] == version
    assert facts["private_cgroupns"] == private


def test_cgroup_facts_details() -> None:
    facts = cgroup_facts(load("docker-cgroupv2-private"))
    assert facts["self_cgroup"] == "0::/"
    assert facts["cgroup_runtime_name"] == "none"
    assert facts["/.dockerenv"] == "present"
    assert facts["overlay_root_first_line"] == "yes"
    assert facts["$container"] == "(unset)"
    host = cgroup_facts(load("plain-host"))
    assert host["root_fs_type"] == "ext4" and host["overlay_root_first_line"] == "no"
    hybrid = HostView({P_SELF_CGROUP: "1:name=systemd:/x\n0::/x\n"}, {})
    assert cgroup_facts(hybrid)["cgroup_version"] == "hybrid"
    assert cgroup_facts(HostView({}, {}))["cgroup_version"] == "unknown"
    assert cgroup_facts(HostView({}, {}))["private_cgroupns"] == "unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v1.8.1", KanikoVersion(1, 8, 1)),
        ("1.8.1", KanikoVersion(1, 8, 1)),
        ("v1.23.2-debug", KanikoVersion(1, 23, 2)),
        ("gcr.io/kaniko-project/executor:v1.8.1-debug", KanikoVersion(1, 8, 1)),
        ("gcr.io/kaniko-project/executor:v1.9.0-slim@sha256:" + "a" * 64, KanikoVersion(1, 9, 0)),
        ("localhost:5000/kaniko/executor:v1.9.2", KanikoVersion(1, 9, 2)),
        ("ghcr.io/osscontainertools/kaniko:v1.26.0-debug", KanikoVersion(1, 26, 0, "osscontainertools")),
        ("martizih/kaniko:v1.27.1", KanikoVersion(1, 27, 1, "osscontainertools")),
        ("docker.io/martizih/kaniko:1.24.0-1", KanikoVersion(1, 24, 0, "osscontainertools")),
        ("cgr.dev/chainguard/kaniko:1.25.5", KanikoVersion(1, 25, 5, "chainguard")),
        ("Kaniko version :  v1.9.1\n", KanikoVersion(1, 9, 1)),
        ("kaniko v1.24.0 is the last upstream release.", KanikoVersion(1, 24, 0)),
        ("debug", None),
        ("latest", None),
        ("gcr.io/kaniko-project/executor:debug", None),
        ("gcr.io/kaniko-project/executor", None),
        ("localhost:5000/kaniko", None),
        ("Kaniko version :  unset", None),
        ("v1.8", None),
        ("", None),
        ("1.2.3.4", None),
        ("garbage!!", None),
    ],
)
def test_parse_kaniko_version(text: str, expected: KanikoVersion | None) -> None:
    assert parse_kaniko_version(text) == expected


def test_parse_keeps_fork() -> None:
    parsed = parse_kaniko_version("ghcr.io/osscontainertools/kaniko:v1.26.0")
    assert parsed is not None and parsed.fork == "osscontainertools"
    assert parsed != KanikoVersion(1, 26, 0)


@pytest.mark.parametrize(
    ("version", "label"),
    [
        (KanikoVersion(0, 9, 0), U13),
        (KanikoVersion(1, 3, 0), U13),
        (KanikoVersion(1, 5, 1), U14),
        (KanikoVersion(1, 6, 9), U14),  # no such release: floors to v1.4.0-v1.6.0
        (KanikoVersion(1, 7, 0), U170),
        (KanikoVersion(1, 8, 0), U180),
        (KanikoVersion(1, 8, 1), U181),
        (KanikoVersion(1, 9, 0), U19),
        (KanikoVersion(1, 24, 0), U19),
        (KanikoVersion(1, 30, 0), U19),  # unknown later upstream: last known logic
        (KanikoVersion(1, 24, 0, "chainguard"), U19),  # upstream tag carried by the fork
        (KanikoVersion(1, 25, 5, "chainguard"), CG),
        (KanikoVersion(1, 8, 0, "osscontainertools"), U180),  # pre-fork history is upstream
        (KanikoVersion(1, 24, 0, "osscontainertools"), OSS_OLD),
        (KanikoVersion(1, 25, 4, "osscontainertools"), OSS_OLD),
        (KanikoVersion(1, 25, 5, "osscontainertools"), OSS_NEW),
        (KanikoVersion(1, 28, 3, "osscontainertools"), OSS_NEW),
    ],
)
def test_range_for(version: KanikoVersion, label: str) -> None:
    assert range_for(version).label == label


def test_versions_order_across_forks() -> None:
    versions = [
        KanikoVersion(1, 25, 5, "osscontainertools"),
        KanikoVersion(1, 25, 5),
        KanikoVersion(1, 25, 5, "chainguard"),
        KanikoVersion(1, 9, 0),
    ]
    assert sorted(versions)[0] == KanikoVersion(1, 9, 0)
    assert sorted(versions)[1].fork is None
    assert len(set(versions)) == 4


def test_force_and_messages() -> None:
    assert REFUSAL_MESSAGE.startswith("kaniko should only be run inside of a container")
    assert force_warning(KanikoVersion(1, 8, 1)).startswith("kaniko is being run")
    assert force_warning(KanikoVersion(1, 9, 0)).startswith("Kaniko is being run")
    note = kaniko_is_archived_note()
    assert "June 2025" in note and "v1.24.0" in note
    assert "osscontainertools/kaniko" in note and "chainguard-dev/kaniko" in note


# ---------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------

_TOKENS = st.sampled_from(
    ["docker", "kube", "podman", "0::/", "overlay / overlay", " / ", "\n", "\x00", " ", "\x85",
     "Microsoft", "lxc", "systemd-nspawn", "oci", "wsl", "\ufffd", "\x1c"]
)
_TEXT = st.one_of(st.text(max_size=80), st.lists(_TOKENS | st.text(max_size=6), max_size=8).map("".join))
_FILES = st.dictionaries(st.sampled_from(DETECTOR_PATHS), st.one_of(st.none(), _TEXT), max_size=len(DETECTOR_PATHS))
_ENV: st.SearchStrategy[dict[str, str]] = st.one_of(
    st.just({}), _TEXT.map(lambda v: {"container": v})
)


@settings(max_examples=300, deadline=None)
@given(_FILES, _ENV)
def test_arbitrary_contents_never_raise(files: dict[str, str | None], env: dict[str, str]) -> None:
    view = HostView(files, env)
    rows = detect_all(view)
    assert len(rows) == len(RANGES)
    for _rng, verdict in rows:
        assert verdict.in_container == (verdict.runtime != "not-found")
        assert verdict.decided_by and verdict.sentence
    facts = cgroup_facts(view)
    assert facts["cgroup_version"] in {"v1", "v2", "hybrid", "unknown"}


@settings(max_examples=300, deadline=None)
@given(_FILES, _ENV)
def test_acceptance_is_monotonic_across_versions(files: dict[str, str | None], env: dict[str, str]) -> None:
    # Each upstream step only adds checks, so acceptance only grows:
    # amicontained <= bpfd == v1.8.0 <= v1.7.0 == v1.8.1 <= v1.9+ == forks.
    ok = {r.label: v.in_container for r, v in detect_all(HostView(files, env))}
    assert ok[U13] <= ok[U14]
    assert ok[U14] == ok[U180]
    assert ok[U14] <= ok[U170]
    assert ok[U170] == ok[U181]
    assert ok[U181] <= ok[U19]
    assert ok[U19] == ok[CG] == ok[OSS_OLD] == ok[OSS_NEW]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_parse_never_raises(text: str) -> None:
    result = parse_kaniko_version(text)
    assert result is None or isinstance(result, KanikoVersion)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_from_root_arbitrary_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    root = tmp_path_factory.mktemp("host")
    for path in (P_SELF_CGROUP, P_MOUNTS, P_PID1_CMDLINE, P_SYSTEMD_CONTAINER):
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    view = HostView.from_root(root, {})
    for _rng, verdict in detect_all(view):
        assert verdict.sentence
    cgroup_facts(view)
