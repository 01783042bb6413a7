"""The collect script under Debian's busybox sh, and `check --facts` against a direct run.

For every host fixture (tests/fixtures/hosts) plus a kaniko tree built here (executor stub,
config.json variants with canary secrets, a CA bundle, a private key and a DER file in the
certificate directory), the script writes a facts file; the file must hold no canary, and
`check --facts` must reach the same verdicts (check statuses and finding codes) as a
direct `check --root <tree>` run of the auth, engine and tls checks.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import trustme

from kanidoc import facts as facts_mod
from tests.conftest import b64, write_config
from tests.unit.test_canaries import CANARIES, CONFIGS, assert_clean

BUSYBOX = shutil.which("busybox") or "/bin/busybox"
HOSTS = Path(__file__).resolve().parent.parent / "fixtures" / "hosts"
DEST = "registry.example.com:5050/g/p:1"
pytestmark = pytest.mark.skipif(not os.path.exists(BUSYBOX), reason="busybox not installed (./dev installs it)")

KEY_CANARY = "CANARY-privkey-5e6f7a"
TOKEN_CANARY = "CANARY-satoken-8b9c0d"
CMDLINE_CANARY = "CANARY-cmdline-1f2e3d"


def job_env(host: str) -> dict[str, str]:
    env: dict[str, str] = json.loads((HOSTS / host / "env.json").read_text())
    env.update({
        "PATH": "/usr/local/bin:/kaniko:/busybox:/usr/bin:/bin", "HOME": "/root", "DOCKER_CONFIG": "/kaniko/.docker/",
        "SSL_CERT_DIR": "/kaniko/ssl/certs", "GITLAB_CI": "true", "CI_REGISTRY": "registry.example.com:5050",
        "CI_REGISTRY_IMAGE": "registry.example.com:5050/g/p", "CI_COMMIT_SHORT_SHA": "abc1234",
        "CI_REGISTRY_USER": "gitlab-ci-token", "CI_REGISTRY_PASSWORD": CANARIES["env_registry_password"],
        "CI_JOB_TOKEN": CANARIES["env_job_token"], "MY_DEPLOY_TOKEN": CANARIES["env_custom"],
        "CI_DEPENDENCY_PROXY_PASSWORD": CANARIES["env_dep_proxy"],
        "HTTPS_PROXY": f"http://proxyuser:{CANARIES['proxy_pw']}@127.0.0.1:9",
        "no_proxy": "localhost,.internal",
    })
    return env


def build_tree(tmp_path: Path, host: str, config: str, version: str = "v1.8.0") -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(HOSTS / host, tree, symlinks=True)
    (tree / "env.json").unlink()
    kaniko = tree / "kaniko"
    (kaniko / ".docker").mkdir(parents=True)
    (kaniko / "ssl" / "certs").mkdir(parents=True)
    exe = kaniko / "executor"
    exe.write_text(f'#!/bin/sh\necho "Kaniko version :  {version}"\n')
    exe.chmod(0o755)
    cfg = CONFIGS[config]()
    write_config(kaniko / ".docker" / "config.json", cfg)
    ca = trustme.CA()
    certs = kaniko / "ssl" / "certs"
    (certs / "ca-certificates.crt").write_bytes(b"# bundle\n" + ca.cert_pem.bytes() + trustme.CA().cert_pem.bytes())
    (certs / "custom.pem").write_bytes(ca.cert_pem.bytes() + b"-----BEGIN PRIVATE KEY-----\n"
                                       + b64(KEY_CANARY).encode() + b"\n-----END PRIVATE KEY-----\n")
    (certs / "extra.der").write_bytes(b"\x30\x82\x01\x00" + KEY_CANARY.encode())
    os.symlink("custom.pem", certs / "abcd1234.0")
    # secrets the script must never read or copy
    sa = tree / "var" / "run" / "secrets" / "kubernetes.io" / "serviceaccount"
    if sa.is_dir():
        (sa / "token").write_text(TOKEN_CANARY)
    cmdline = tree / "proc" / "1" / "cmdline"
    cmdline.write_bytes(cmdline.read_bytes().rstrip(b"\0") + f"\0--build-arg\0NPM_TOKEN={CMDLINE_CANARY}\0".encode())
    return tree


def collect(tree: Path, env: dict[str, str], out: Path) -> str:
    script = out.parent / "collect.sh"
    script.write_text(facts_mod.script())
    proc = subprocess.run([BUSYBOX, "sh", str(script), str(out)], env={**env, "KANIDOC_ROOT": str(tree)},
                          cwd=out.parent, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return out.read_text()


def verdicts(doc: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    return {c["id"]: (c["status"], sorted(f["code"] for f in c["findings"])) for c in doc["checks"]}


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("host", sorted(p.name for p in HOSTS.iterdir()))
def test_facts_reach_the_direct_verdicts(kanidoc, tmp_path: Path, host: str, config: str) -> None:
    tree = build_tree(tmp_path, host, config)
    env = job_env(host)
    text = collect(tree, env, tmp_path / "facts.txt")
    assert_clean(text)
    for secret in (KEY_CANARY, TOKEN_CANARY, CMDLINE_CANARY, b64(KEY_CANARY)):
        assert secret not in text
    assert text.startswith("kanidoc-facts 1\n") and text.rstrip().endswith("done")

    direct = kanidoc("check", "--only", "auth,engine,tls", "--root", str(tree), "-d", DEST, "--format", "json", env=env)
    replay = kanidoc("check", "--facts", str(tmp_path / "facts.txt"), "-d", DEST, "--format", "json",
                     env={"HOME": "/nonexistent", "container": "laptop-value-ignored"})
    assert replay.code == direct.code, (direct.out, replay.out)
    assert verdicts(replay.json()) == verdicts(direct.json())
    assert_clean(replay.out, replay.err)
    target = replay.json()["target"]
    assert target["facts"]["complete"] == "yes"
    assert "Kaniko version" in target["facts"]["executor_version"]

    # the brief's form of the direct run: --auth-file with the same config
    with_file = kanidoc("check", "--only", "auth", "--root", str(tree), "-d", DEST, "--format", "json",
                        "--auth-file", str(tree / "kaniko" / ".docker" / "config.json"), env=env)
    assert verdicts(with_file.json())["auth"] == verdicts(replay.json())["auth"]


def test_facts_content_and_store(kanidoc, tmp_path: Path) -> None:
    tree = build_tree(tmp_path, "docker-cgroupv2-private", "healthy", version="v1.23.2")
    text = collect(tree, job_env("docker-cgroupv2-private"), tmp_path / "facts.txt")
    parsed = facts_mod.parse(text)
    assert parsed.env["CI_REGISTRY_PASSWORD"] == facts_mod.WITHHELD
    assert parsed.env["CI_REGISTRY_USER"] == "gitlab-ci-token"
    assert parsed.env["HTTPS_PROXY"] == "http://masked:masked@127.0.0.1:9"
    assert parsed.paths["/.dockerenv"].type == "file"
    assert parsed.links["/kaniko/ssl/certs/abcd1234.0"] == "custom.pem"
    custom = next(c for c in parsed.certs if c.path.endswith("custom.pem"))
    assert (custom.certificates, custom.private_keys) == (1, 1)
    assert len(custom.sha256) == 64
    assert any("base64=valid" in s and "colon=yes" in s for s in parsed.secrets)
    # the rebuilt config.json keeps the structure, not the secrets
    content, _ = parsed.contents["/kaniko/.docker/config.json"]
    doc = json.loads(content)
    auth = doc["auths"]["registry.example.com:5050"]["auth"]

    user, _, password = base64.b64decode(auth).decode().partition(":")
    assert user == "gitlab-ci-token" and len(password) == len(CANARIES["cfg_auth_pw"]) and "CANARY" not in password
    run = kanidoc("check", "--facts", str(tmp_path / "facts.txt"), "--only", "tls", "--format", "json")
    store = next(f for f in run.json()["checks"][0]["findings"] if f["code"] == "KD-TLS-014")
    assert store["evidence"]["total"] == 2  # two roots in the bundle; custom.pem repeats the first (deduplicated)


def test_script_is_posix_and_writes_stdout(tmp_path: Path) -> None:
    script = tmp_path / "c.sh"
    script.write_text(facts_mod.script())
    assert "@ALLOW@" not in script.read_text() and "@KNOWN@" not in script.read_text()
    proc = subprocess.run([BUSYBOX, "sh", "-n", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([BUSYBOX, "sh", str(script), "-"], env={"PATH": "/usr/bin:/bin", "KANIDOC_ROOT": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("kanidoc-facts 1\n")
    assert "path absent 0 /kaniko/.docker/config.json" in proc.stdout


def test_collect_script_command(kanidoc) -> None:
    run = kanidoc("collect-script")
    assert run.code == 0 and run.out.startswith("#!/bin/sh") and "kanidoc-facts 1" in run.out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not facts\n", "not a kanidoc facts file"),
        ("kanidoc-facts 1\npath file 0 /../../etc/passwd\n", "escapes"),
        ("kanidoc-facts 1\npath file 0 relative/x\n", "absolute"),
        ("kanidoc-facts 1\nbegin 1 /proc/self/cgroup\n|0::/\n", "not closed"),
        ("kanidoc-facts 1\nlink ../../x /kaniko/ssl/certs/a.0\n", "malformed"),
        ("kanidoc-facts 1\npath weird 0 /x\n", "malformed"),
    ],
)
def test_bad_facts_files_are_usage_errors(kanidoc, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "facts.txt"
    path.write_text(content)
    run = kanidoc("check", "--facts", str(path))
    assert run.code == 2, run.out
    assert run.err.startswith("kanidoc: error: ") and run.err.count("\n") == 1 and message in run.err


def test_facts_and_root_exclude_each_other(kanidoc, tmp_path: Path) -> None:
    path = tmp_path / "facts.txt"
    path.write_text("kanidoc-facts 1\ndone\n")
    run = kanidoc("check", "--facts", str(path), "--root", str(tmp_path))
    assert run.code == 2 and "--root" in run.err
    assert kanidoc("check", "--facts", str(tmp_path / "missing.txt")).code == 2
