#!/usr/bin/env python3
"""kanidoc benchmarks: ratios against a peer measured in the same run (not timed tests).

    .venv/bin/python bench/run.py [--repeat N]

Prints medians and ratios for:
  1. cold start: `kanidoc --version`, `kanidoc list-checks` vs `python -c pass`
  2. offline run (`--only auth,engine`)
  3. full `kanidoc check` against a healthy loopback registry (TLS, token auth) vs
     `skopeo inspect` of an image on the same registry (a Go client: ping, token, manifest)
  4. every endpoint unreachable (blackholed ports): wall time vs the configured timeout
  5. `kanidoc explain` on a 100 MB log vs `grep -E` (bench/explain_bench.py, when present)
Targets (issue 9): --version < 60 ms; healthy check < 0.4 s and within 4x skopeo;
unreachable within timeout + 0.5 s; explain within 3x grep.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
EDITABLE = str(VENV_BIN / "kanidoc")


def normal_install(tmp: Path) -> str:
    """kanidoc as users get it (pip install / the Docker image): a normal install in a fresh
    venv, its dependencies taken from this environment by a path entry. The editable
    install of ./dev pays ~15-20 ms more per start for setuptools' import finder."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "zz_bench_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "*.egg-info", "__pycache__", "build"))
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", str(src)],
                   check=True, capture_output=True, timeout=300)
    subprocess.run([str(py), "-m", "compileall", "-q", site], check=False, capture_output=True)
    return str(venv / "bin" / "kanidoc")


def timed(cmd: list[str], repeat: int, env: dict[str, str] | None = None, ok_codes: tuple[int, ...] = (0, 1)) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env, timeout=120)
        samples.append(time.perf_counter() - start)
        if proc.returncode not in ok_codes:
            raise SystemExit(f"{cmd[:3]} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return statistics.median(samples)


def row(name: str, value: float, peer_name: str | None = None, peer: float | None = None, target: str = "") -> None:
    ratio = f"{value / peer:6.2f}x {peer_name}" if peer else ""
    peer_txt = f"{peer * 1000:8.1f} ms" if peer else ""
    print(f"{name:44} {value * 1000:8.1f} ms   {peer_txt:12} {ratio:24} {target}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--skip-explain", action="store_true")
    args = parser.parse_args()
    n = args.repeat
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.mkdtemp(), "NO_COLOR": "1"}
    print(f"kanidoc benchmarks, medians of {n} runs, {os.cpu_count()} cores\n")

    tmp = Path(tempfile.mkdtemp(prefix="kanidoc-bench-"))
    KANIDOC = normal_install(tmp)
    print("kanidoc: a normal install in a fresh venv (the editable ./dev install is measured once, for reference)\n")
    py = timed([sys.executable, "-c", "pass"], n)
    row("python -c pass (peer)", py)
    row("kanidoc --version", timed([KANIDOC, "--version"], n), "python", py, "target < 60 ms")
    row("kanidoc --version (editable install)", timed([EDITABLE, "--version"], n), "python", py)
    row("kanidoc list-checks", timed([KANIDOC, "list-checks"], n), "python", py)

    (tmp / "config.json").write_text(json.dumps({"auths": {"registry.example.com": {"auth": "dTpw"}}}))
    offline = [KANIDOC, "check", "--only", "auth,engine", "--auth-file", str(tmp / "config.json"),
               "--destination", "registry.example.com/g/p:1", "--kaniko-version", "v1.23.2", "--format", "json"]
    row("offline check (auth, engine)", timed(offline, n, env), "python", py)

    import trustme

    from tests.lab import servers
    from tests.lab.oci import make_layout
    from tests.lab.procs import lab_dir
    from tests.lab.tokenserver import User, token_server

    lab = lab_dir("kanidoc-bench-lab-")
    ca = servers.CA(trustme.CA(), lab)
    users = {"bench": User("bench-pw", ("push", "pull", "delete"))}
    with token_server(lab / "tokens", users) as ts, servers.registry(lab / "registry", ca, token=ts.registry_auth()) as reg:
        cfg = tmp / "registry-config.json"
        import base64

        cfg.write_text(json.dumps({"auths": {reg.address: {"auth": base64.b64encode(b"bench:bench-pw").decode()}}}))
        certs = tmp / "certs"
        certs.mkdir()
        shutil.copy(ca.pem, certs / "ca.crt")
        image = f"{reg.address}/bench/app:1"
        if shutil.which("skopeo"):
            layout = make_layout(tmp / "oci")
            subprocess.run(["skopeo", "copy", "--dest-cert-dir", str(certs), "--dest-creds", "bench:bench-pw",
                            f"oci:{layout}:latest", f"docker://{image}"], check=True, capture_output=True, env=env)
        full = [KANIDOC, "check", "--format", "json", "--auth-file", str(cfg), "--registry-certificate",
                f"{reg.address}={ca.pem}", "--destination", image, "--kaniko-version", "v1.23.2"]
        skopeo_cmd = ["skopeo", "inspect", "--cert-dir", str(certs), "--creds", "bench:bench-pw", f"docker://{image}"]
        # interleaved, so a busy moment on the machine hits both sides alike
        healthy_s: list[float] = []
        skopeo_s: list[float] = []
        for _ in range(n):
            healthy_s.append(timed(full, 1, env))
            if shutil.which("skopeo"):
                skopeo_s.append(timed(skopeo_cmd, 1, env))
        healthy = statistics.median(healthy_s)
        editable = timed([EDITABLE, *full[1:]], max(3, n // 2), env)
        if skopeo_s:
            skopeo = statistics.median(skopeo_s)
            row("skopeo inspect (peer, Go)", skopeo)
            row("full check, healthy TLS+token registry", healthy, "skopeo", skopeo, "target < 400 ms, < 4x")
            # each kanidoc run against the skopeo run right after it: a slow moment of the
            # machine hits both sides of one pair, so this ratio moves less than the medians do
            paired = statistics.median(h / k for h, k in zip(healthy_s, skopeo_s, strict=True))
            print(f"{'  paired ratio (median of run/skopeo pairs)':44} {paired:8.2f}x")
            row("  the same, editable install", editable, "skopeo", skopeo)
        else:
            row("full check, healthy TLS+token registry", healthy, target="(skopeo missing: no peer)")

    with servers.blackhole_port() as p1, servers.blackhole_port() as p2, servers.blackhole_port() as p3:
        df = tmp / "Dockerfile"
        df.write_text(f"FROM 127.0.0.1:{p2}/a/b:1\nFROM 127.0.0.1:{p3}/c/d:1\n")
        connect_timeout = 2.0
        unreachable = [KANIDOC, "check", "--format", "json", "--connect-timeout", str(connect_timeout),
                       "--destination", f"127.0.0.1:{p1}/x/y:1", "--dockerfile", str(df)]
        wall = timed(unreachable, max(3, n // 2), env)
        row("3 blackholed registries", wall, "timeout", connect_timeout, "target < timeout + 0.5 s")

    explain_bench = ROOT / "bench" / "explain_bench.py"
    if explain_bench.exists() and not args.skip_explain:
        print()
        subprocess.run([sys.executable, str(explain_bench)], check=False)
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(lab, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
