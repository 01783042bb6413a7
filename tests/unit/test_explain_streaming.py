"""One pass, bounded memory: a ~100 MB log, generated lazily into a temporary file.

The log is what a long failed job looks like: build output (INFO lines with digests, package
downloads, progress lines with carriage returns, colour codes, GitLab timestamps, a few very
long lines) and the kaniko failure at the end. tracemalloc's peak must stay far below the log's
size. The size is 100 MB; set KANIDOC_STREAM_TEST_MB to change it (tracemalloc makes the run
about twice as slow as bench/explain_bench.py's).
"""

from __future__ import annotations

import os
import random
import time
import tracemalloc
from pathlib import Path

from kanidoc.explain.explain import exit_code, explain_stream

SIZE_MB = int(os.environ.get("KANIDOC_STREAM_TEST_MB", "100"))
PEAK_LIMIT = 50 * 1024 * 1024
TIME_LIMIT = 30.0
FAILURE = ('error checking push permissions -- make sure you entered the correct tag name, and that you are '
           'authenticated correctly, and try again: checking push permission for "registry.example.com/g/p:1": '
           'POST https://registry.example.com/v2/g/p/blobs/uploads/: UNAUTHORIZED: authentication required; '
           '[map[Action:pull Class: Name:g/p Type:repository] map[Action:push Class: Name:g/p Type:repository]]')


def write_log(path: Path, size: int) -> None:
    rng = random.Random(11)
    written = 0
    with open(path, "wb") as fh:
        n = 0
        chunk: list[bytes] = []
        while written < size:
            n += 1
            ts = b"2025-03-04T10:15:%02d.%06dZ 00O " % (n % 60, n % 1000000)
            k = rng.random()
            if k < 0.4:
                line = ts + b"\x1b[36mINFO\x1b[0m[%04d] Extracting layer sha256:%064x" % (n % 10000, rng.getrandbits(256))
            elif k < 0.7:
                line = ts + b"Get:%d http://deb.debian.org/debian bookworm/main amd64 libfoo%d amd64 1.%d [%d kB]" % (n, n % 99, n % 9, n % 999)
            elif k < 0.9:
                line = ts + b"Downloading %d%%\r Downloading 100%% done" % (n % 100)
            elif k < 0.92:  # build output that mentions errors without being one
                line = ts + b"npm WARN deprecated pkg-%d@1.0.0: the error handling of this library is no longer supported" % n
            elif k < 0.99999:
                line = ts + b"  compiling src/module_%d/file_%d.rs (release) warnings: %d" % (n % 700, n % 31, n % 4)
            else:
                line = ts + b"x" * 300_000  # a minified bundle printed by a RUN step
            chunk.append(line)
            written += len(line) + 1
            if len(chunk) >= 4096:
                fh.write(b"\n".join(chunk) + b"\n")
                chunk.clear()
        fh.write(b"\n".join([*chunk, FAILURE.encode(), b"ERROR: Job failed: exit code 1"]) + b"\n")


def test_100mb_log_in_one_pass_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    write_log(path, SIZE_MB * 1024 * 1024)
    size = path.stat().st_size
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with open(path, "rb") as fh:
            report = explain_stream(fh, "big.log", {})
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - start
    assert exit_code(report) == 1
    codes = [f.code for c in report.checks for f in c.findings]
    assert codes == ["KD-PUSH-008"]
    assert report.target["log"]["bytes"] == size  # every byte was read
    assert peak < PEAK_LIMIT, f"peak {peak / 2**20:.1f} MiB for a {size / 2**20:.0f} MiB log"
    assert elapsed < TIME_LIMIT, f"{elapsed:.1f} s for {size / 2**20:.0f} MiB"
