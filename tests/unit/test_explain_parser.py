"""Cleaning CI decorations, streaming with bounded lines, unwrapping kaniko's error chains."""

from __future__ import annotations

import io

import pytest

from kanidoc.explain import parser

E = "\x1b"


@pytest.mark.parametrize(("raw", "text", "level"), [
    (f"{E}[0KRunning with gitlab-runner 16.5.0 (853330f9){E}[0;m", "Running with gitlab-runner 16.5.0 (853330f9)", None),
    (f"section_start:1741083303:step_script\r{E}[0K{E}[0K{E}[36;1mExecuting \"step_script\" stage{E}[0;m", 'Executing "step_script" stage', None),
    (f"section_start:1741083303:build[collapsed=true]\r{E}[0K$ make", "$ make", None),
    (f"section_end:1741083306:step_script\r{E}[0K", "", None),
    ("2025-03-04T10:15:00.123456Z 00O hello world", "hello world", None),
    ("2025-03-04T10:15:00.123456Z 01E ERRO[0001] boom", "boom", "error"),
    ("Downloading 10%\rDownloading 50%\rDownloading 100% done", "Downloading 100% done", None),
    ("half\r\n", "half", None),
    (f"{E}[36mINFO{E}[0m[0000] Retrieving image manifest alpine", "Retrieving image manifest alpine", "info"),
    ("WARN[0000] kaniko is being run outside of a container", "kaniko is being run outside of a container", "warning"),
    ("FATA[2022-02-08T10:00:00Z] bad", "bad", "fatal"),
    ('time="2018-06-06T09:59:29Z" level=error msg="Get https://x/v2/: dial tcp x:443: connect: connection refused"',
     "Get https://x/v2/: dial tcp x:443: connect: connection refused", "error"),
    ('time="2018-06-21T06:54:42Z" level=error msg="UNAUTHORIZED: \\"authentication required\\""', 'UNAUTHORIZED: "authentication required"', "error"),
    ('{"level":"error","msg":"error building image: x","time":"2024-01-01T00:00:00Z"}', "error building image: x", "error"),
    ('2019/05/06 00:47:39 Unable to parse "/kaniko/.docker/config.json"', 'Unable to parse "/kaniko/.docker/config.json"', None),
    ("tab\there\x00\x07", "tab here", None),
])
def test_clean_line(raw: str, text: str, level: str | None) -> None:
    assert parser.clean_line(raw)[:2] == (text, level)


def scan(data: bytes, needles: tuple[bytes, ...] = (b"error",)) -> tuple[list[parser.Candidate], parser.ScanStats]:
    stats = parser.ScanStats()
    return list(parser.scan(io.BytesIO(data), needles, stats)), stats


def test_line_numbers_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parser, "BLOCK_SIZE", 64)
    lines = [f"line {i} {'error' if i % 7 == 0 else 'fine'} padding padding" for i in range(1, 200)]
    cands, stats = scan(("\n".join(lines) + "\n").encode())
    assert [c.number for c in cands] == [i for i in range(1, 200) if i % 7 == 0]
    assert all(c.text == lines[c.number - 1] for c in cands)
    assert stats.lines == 199
    assert cands[1].context == (lines[11], lines[12])  # the two lines before line 14


def test_context_comes_from_the_previous_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parser, "BLOCK_SIZE", 32)
    cands, _ = scan(b"Retrieving image manifest alpine:3\nINFO one more line here\nerror building image: x\n")
    assert cands[-1].context[-1] == "INFO one more line here"


def test_overlong_line_is_cut_and_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parser, "BLOCK_SIZE", 1024)
    long = b"error " + b"x" * (parser.MAX_LINE * 5)
    cands, stats = scan(long + b"\nafter error\n")
    assert stats.cut_lines == 1
    assert len(cands[0].text) <= parser.MAX_LINE
    assert cands[-1].text == "after error" and cands[-1].number == 2


def test_last_line_without_newline_and_empty_input() -> None:
    cands, stats = scan(b"first\nerror at the end")
    assert [c.number for c in cands] == [2] and stats.lines == 2
    assert scan(b"") == ([], parser.ScanStats())


def test_gitlab_continuation_lines_are_joined() -> None:
    data = (b"2025-03-04T10:15:00.1Z 01E error checking push permissions: checking push\n"
            b"2025-03-04T10:15:00.2Z 01E+  permission for \"r.example.com/g/p:1\": POST https://r.example.com/v2/g/p/blobs/uploads/: UNAU\n"
            b"2025-03-04T10:15:00.3Z 01E+ THORIZED: authentication required\n"
            b"2025-03-04T10:15:00.4Z 00O next\n")
    cands, _ = scan(data, (b"error", b"unauthorized", b"next"))
    assert cands[0].text.endswith("checking push permission for \"r.example.com/g/p:1\": POST https://r.example.com/v2/g/p/blobs/uploads/: UNAUTHORIZED: authentication required")
    assert [c.number for c in cands] == [1, 4]


def test_undecodable_bytes_do_not_stop_the_scan() -> None:
    cands, _ = scan(b"\xff\xfe error \xc3\x28 here\n")
    assert "error" in cands[0].text


# --- chains ---------------------------------------------------------------------------------

PUSH_CHECK = ('error checking push permissions -- make sure you entered the correct tag name, and that you are '
              'authenticated correctly, and try again: checking push permission for "reg.example.com/g/p:1": '
              'creating push check transport for reg.example.com failed: GET https://gitlab.example.com/jwt/auth?'
              'scope=repository%3Ag%2Fp%3Apush%2Cpull&service=container_registry: UNAUTHORIZED: HTTP Basic: Access denied')


def test_unwrap_push_check_token() -> None:
    chain = parser.unwrap(PUSH_CHECK)
    assert chain.operation == "push-check"
    assert chain.ref == "reg.example.com/g/p:1"
    assert chain.request is not None and chain.request.kind == "token" and chain.request.host == "gitlab.example.com"
    assert chain.registry_code == "UNAUTHORIZED"
    assert any(stage.startswith("UNAUTHORIZED") for stage in chain.stages) and chain.stages[-1].endswith("Access denied")
    assert chain.attr("url_kind") == "token" and chain.attr("method") == "GET"


@pytest.mark.parametrize(("url", "kind"), [
    ("https://r/v2/", "ping"), ("https://r/v2", "ping"), ("https://gcr.io/v2/token?scope=x&service=gcr.io", "token"),
    ("https://auth.docker.io/token?scope=repository%3Ax%3Apull", "token"), ("https://g/jwt/auth?service=x", "token"),
    ("https://r/v2/g/p/blobs/uploads/", "blob-upload"), ("https://r/v2/g/p/blobs/sha256:abc", "blob"),
    ("https://r/v2/g/p/manifests/1", "manifest"), ("https://index.docker.io/v1/repositories/x/images", "v1"),
    ("https://example.com/users/sign_in", "other"),
])
def test_url_kinds(url: str, kind: str) -> None:
    assert parser.url_kind(url) == kind


def test_unwrap_network_facts() -> None:
    chain = parser.unwrap('Get "https://r.example.com/v2/": proxyconnect tcp: dial tcp 10.0.0.9:3128: connect: connection refused')
    assert chain.via_proxy and chain.addr == "10.0.0.9:3128"
    assert chain.stages == ('Get "https://r.example.com/v2/"', "proxyconnect tcp: dial tcp 10.0.0.9:3128: connect: connection refused")
    chain = parser.unwrap("Get https://x/v2/: dial tcp: lookup x.example on 10.96.0.10:53: no such host")
    assert (chain.lookup, chain.dns_server) == ("x.example", "10.96.0.10:53")


@pytest.mark.parametrize(("text", "status", "body"), [
    ("POST https://r/v2/g/p/blobs/uploads/: unexpected status code 403 Forbidden: <html><body>no</body></html>", 403, "html"),
    ("GET https://r/v2/: unexpected status code 404 Not Found: 404 page not found", 404, "text"),
    ('GET https://r/v2/x/manifests/1: unexpected status code 401 Unauthorized: {"error": "Invalid audience"}', 401, "json"),
    ("POST https://r/v2/x/blobs/uploads/: unexpected status code 403 Forbidden:", 403, "empty"),
    ("GET https://r/token?scope=x: unexpected status code 401 Unauthorized", 401, "empty"),
])
def test_unwrap_unexpected_status(text: str, status: int, body: str) -> None:
    chain = parser.unwrap(text)
    assert (chain.status, chain.body) == (status, body)


def test_split_keeps_maps_and_quotes_whole_and_qualifiers_attached() -> None:
    stages = parser.split_stages('pulling "b: c": x509: certificate signed by unknown authority; [map[Action:push Class: Name:g/p]]')
    assert stages == ('pulling "b: c"', "x509: certificate signed by unknown authority; [map[Action:push Class: Name:g/p]]")
