"""Time `kanidoc explain` on a generated 100 MB job log against `grep -E` with the same patterns.

    .venv/bin/python bench/explain_bench.py [--size-mb 100] [--runs 3] [--keep DIR]

The log is mostly build output (kaniko INFO lines with digests, RUN output, progress lines
with carriage returns, colour codes, GitLab timestamps) with a kaniko failure near the end,
as real failed jobs look. The baseline is GNU grep with every signature pattern translated to
POSIX ERE (kanidoc.explain.signatures.ere; written to a file for `grep -E -f`). grep only
finds lines; explain also cleans, unwraps, scrubs and reports, so the ratio is the price of
the explanation. Prints the median of --runs for each and the ratio. A script, not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kanidoc.explain.signatures import SIGNATURES, ere  # noqa: E402

FAILURE = ('error checking push permissions -- make sure you entered the correct tag name, and that you are '
           'authenticated correctly, and try again: checking push permission for "registry.example.com/group/app:1.0": '
           'creating push check transport for registry.example.com failed: Get "https://registry.example.com/v2/": '
           'tls: failed to verify certificate: x509: certificate signed by unknown authority')


def noise(rng: random.Random) -> Iterator[str]:
    """Build-output lines, in the proportions of a long kaniko job."""
    n = 0
    while True:
        n += 1
        ts = f"2025-03-04T10:{(n // 3600) % 60:02d}:{n % 60:02d}.{n % 1000000:06d}Z 00O "
        kind = rng.random()
        if kind < 0.35:
            digest = f"{rng.getrandbits(256):064x}"
            yield f"{ts}\x1b[36mINFO\x1b[0m[{n % 10000:04d}] Extracting layer sha256:{digest} to /kaniko/stages/0"
        elif kind < 0.6:
            yield f"{ts}Get:{n % 900} http://deb.debian.org/debian bookworm/main amd64 libssl3 amd64 3.0.{n % 17}-1~deb12u1 [{n % 2000} kB]"
        elif kind < 0.75:
            yield f"{ts}npm WARN deprecated package-{n % 5000}@1.{n % 9}.0: this library is no longer supported"
        elif kind < 0.85:
            yield f"{ts}Downloading {n % 100}%\r{ts}Downloading {(n + 50) % 100}%\r Downloading 100% done"
        elif kind < 0.95:
            yield f"{ts}  compiling src/module_{n % 700}/file_{n % 31}.rs (release) warnings: {n % 4}"
        else:
            yield f"{ts}\x1b[36mINFO\x1b[0m[{n % 10000:04d}] Taking snapshot of full filesystem..."


def write_log(path: Path, size_mb: int, seed: int = 7) -> int:
    target = size_mb * 1024 * 1024
    rng = random.Random(seed)
    written = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        header = ("Running with gitlab-runner 16.5.0 (853330f9)\n"
                  "Using docker image sha256:abc for gcr.io/kaniko-project/executor:v1.23.2-debug with digest x ...\n")
        fh.write(header)
        written += len(header)
        for line in noise(rng):
            fh.write(line + "\n")
            written += len(line) + 1
            if written >= target - 2048:
                break
        tail = f"{FAILURE}\nERROR: Job failed: exit code 1\n"
        fh.write(tail)
        written += len(tail)
    return written


def timed(cmd: list[str], runs: int) -> tuple[float, subprocess.CompletedProcess[str]]:
    times = []
    last: subprocess.CompletedProcess[str] | None = None
    for _ in range(runs):
        start = time.perf_counter()
        last = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
    assert last is not None
    return statistics.median(times), last


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", metavar="DIR", help="keep the generated log and pattern file here")
    args = ap.parse_args()
    grep = shutil.which("grep")
    if grep is None:
        print("grep not found", file=sys.stderr)
        return 2
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kanidoc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    log, patterns = work / "job.log", work / "signatures.ere"
    size = write_log(log, args.size_mb)
    patterns.write_text("".join(ere(sig.pattern.pattern) + "\n" for sig in SIGNATURES))
    python = sys.executable
    explain_cmd = [python, "-m", "kanidoc", "explain", str(log), "--format", "json"]
    grep_cmd = [grep, "-E", "-n", "-f", str(patterns), str(log)]
    t_explain, res = timed(explain_cmd, args.runs)
    t_grep, g = timed(grep_cmd, args.runs)
    env_note = f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    print(f"log: {size / 1e6:.1f} MB ({size / 2**20:.0f} MiB), {len(SIGNATURES)} signatures; {env_note}")
    print(f"kanidoc explain: {t_explain:.2f} s median of {args.runs} ({size / 1e6 / t_explain:.1f} MB/s), exit {res.returncode}")
    print(f"grep -E -f:      {t_grep:.2f} s median of {args.runs} ({size / 1e6 / t_grep:.1f} MB/s), {len(g.stdout.splitlines())} matching lines")
    print(f"ratio explain/grep: {t_explain / t_grep:.1f}x")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
