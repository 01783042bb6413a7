"""The ``engine`` check against a fake Docker Engine API on a real Unix socket.

A server thread answers ``GET /version`` (or hangs, or misbehaves); the check must send
exactly one read-only request, bound the answer and keep to the connect timeout.
"""

from __future__ import annotations

import json
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kanidoc.checks import engine as engine_check

from tests.conftest import Run

pytestmark = pytest.mark.integration

HOSTS = Path(__file__).resolve().parent.parent / "fixtures" / "hosts"
VERSION_DOC = {
    "Version": "24.0.7", "ApiVersion": "1.43", "MinAPIVersion": "1.12", "Os": "linux", "Arch": "amd64",
    "KernelVersion": "6.1.0-13-amd64", "GitCommit": "311b9ff",
}
Handler = Callable[[socket.socket, bytes, threading.Event], None]


class FakeEngine:
    """A Unix-socket server; ``handler`` writes the answer for each request."""

    def __init__(self, path: Path, handler: Handler) -> None:
        self.path = path
        self.handler = handler
        self.requests: list[bytes] = []
        self.stop = threading.Event()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except OSError:
                    continue
                self.requests.append(data)
                try:
                    self.handler(conn, data, self.stop)
                except OSError:
                    pass

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(5)


def answer(body: bytes, status: str = "200 OK", chunked: bool = False) -> Handler:
    def handler(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
        if chunked:
            head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
            payload = b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (body[:10], body[10:]) if part)
            conn.sendall(head + payload + b"0\r\n\r\n")
        else:
            head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            conn.sendall(head + body)

    return handler


def never_answer(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    stop.wait(30)  # keep the connection open, say nothing


def keep_open_after_answer(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    body = json.dumps(VERSION_DOC).encode()
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    stop.wait(30)  # Content-Length says it all: the client must not wait for the close


def flood(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + b"[" * (engine_check.MAX_ENGINE_ANSWER * 2))


@pytest.fixture
def short_root() -> Iterator[Path]:
    """A root tree in a short /tmp path (AF_UNIX paths are limited to 107 bytes)."""
    base = Path(tempfile.mkdtemp(prefix="kd", dir="/tmp"))
    root = base / "r"
    shutil.copytree(HOSTS / "docker-cgroupv2-private", root, symlinks=True)
    yield root
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def serve(short_root: Path) -> Iterator[Callable[[Handler], FakeEngine]]:
    servers: list[FakeEngine] = []

    def start(handler: Handler) -> FakeEngine:
        server = FakeEngine(short_root / "var" / "run" / "docker.sock", handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def engine(kanidoc: Callable[..., Run], root: Path, *extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    run = kanidoc("check", "--only", "engine", "--format", "json", "--root", str(root), "--kaniko-version", "v1.8.1",
                  *extra, env=env)
    doc = run.json()
    assert run.code == 0, run.out
    check: dict[str, Any] = doc["checks"][0]
    return check


def engine_finding(check: dict[str, Any]) -> dict[str, Any]:
    found = [f for f in check["findings"] if f["code"] == "KD-ENGINE-007"]
    assert len(found) == 1, check["findings"]
    return found[0]


def test_version_from_the_mounted_socket(kanidoc: Callable[..., Run], serve: Callable[[Handler], FakeEngine], short_root: Path) -> None:
    server = serve(answer(json.dumps(VERSION_DOC).encode()))
    check = engine(kanidoc, short_root)
    f = engine_finding(check)
    assert f["severity"] == "info"
    assert f["message"].startswith("Docker Engine 24.0.7 (GET /version on unix:///var/run/docker.sock)")
    assert "private cgroup namespace" in f["message"]
    assert f["evidence"]["ApiVersion"] == "1.43" and f["evidence"]["KernelVersion"] == "6.1.0-13-amd64"
    verdict = next(x for x in check["findings"] if x["code"] == "KD-ENGINE-004")
    assert verdict["evidence"]["docker_engine"]["version"] == "24.0.7"
    # one read-only request, nothing else
    assert len(server.requests) == 1
    assert server.requests[0].startswith(b"GET /version HTTP/1.")


def test_docker_version_flag_skips_the_socket(kanidoc: Callable[..., Run], serve: Callable[[Handler], FakeEngine], short_root: Path) -> None:
    server = serve(answer(json.dumps(VERSION_DOC).encode()))
    check = engine(kanidoc, short_root, "--docker-version", "20.10.24")
    assert engine_finding(check)["evidence"]["source"] == "--docker-version"
    assert server.requests == []


def test_docker_host_unix_socket(kanidoc: Callable[..., Run], short_root: Path) -> None:
    # DOCKER_HOST names the socket as the job sees it; --root re-bases it. Chunked answer.
    server = FakeEngine(short_root / "run" / "user" / "docker.sock", answer(json.dumps(VERSION_DOC).encode(), chunked=True))
    try:
        check = engine(kanidoc, short_root, env={"DOCKER_HOST": "unix:///run/user/docker.sock"})
        f = engine_finding(check)
        assert f["evidence"]["source"] == "GET /version on unix:///run/user/docker.sock"
        assert f["evidence"]["version"] == "24.0.7"
        assert len(server.requests) == 1
    finally:
        server.close()


def test_socket_that_never_answers_times_out(kanidoc: Callable[..., Run], serve: Callable[[Handler], FakeEngine], short_root: Path) -> None:
    server = serve(never_answer)
    start = time.monotonic()
    check = engine(kanidoc, short_root, "--connect-timeout", "0.5")
    elapsed = time.monotonic() - start
    assert elapsed < 0.5 + 1.5, elapsed  # the connect timeout, plus the run's own overhead
    f = engine_finding(check)
    assert "no complete answer within 0.5 s" in f["message"]
    assert f["evidence"]["version"] == "unknown"
    assert check["status"] == "pass"  # unknown Engine version is fine: the verdict rests on the detector
    assert len(server.requests) == 1


def test_answer_with_content_length_does_not_wait_for_close(kanidoc: Callable[..., Run], serve: Callable[[Handler], FakeEngine], short_root: Path) -> None:
    serve(keep_open_after_answer)
    start = time.monotonic()
    check = engine(kanidoc, short_root, "--connect-timeout", "3")
    assert time.monotonic() - start < 2.5
    assert engine_finding(check)["evidence"]["version"] == "24.0.7"


@pytest.mark.parametrize(
    ("handler", "phrase"),
    [
        (flood, "answer larger than"),
        (answer(b'{"message":"page not found"}', status="404 Not Found"), "HTTP 404"),
        (answer(b"<html>", status="200 OK"), "did not answer JSON"),
        (answer(b'{"ApiVersion":"1.43"}'), "without a Version"),
    ],
)
def test_bad_answers_are_reported_not_crashed(
    kanidoc: Callable[..., Run], serve: Callable[[Handler], FakeEngine], short_root: Path, handler: Handler, phrase: str
) -> None:
    serve(handler)
    check = engine(kanidoc, short_root)
    f = engine_finding(check)
    assert phrase in f["message"], f["message"]
    assert f["evidence"]["version"] == "unknown"


def test_stale_socket_file_without_a_server(kanidoc: Callable[..., Run], short_root: Path) -> None:
    path = short_root / "var" / "run" / "docker.sock"
    path.parent.mkdir(parents=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()  # the file stays, nobody listens
    check = engine(kanidoc, short_root)
    f = engine_finding(check)
    assert "Connection refused" in f["message"] or "refused" in f["message"].lower()
