"""Fuzzing the parsers that read what hostile servers and broken files send: zero crashes."""

from __future__ import annotations

import base64
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from kanidoc import jwt
from kanidoc.gosem import challenge, truststore
from kanidoc.net import dns
from kanidoc.net.httpwire import WireError, read_response

FAST = settings(max_examples=300, deadline=None)

header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=200)


@FAST
@given(st.lists(header_text, max_size=4))
def test_www_authenticate_never_raises(headers: list[str]) -> None:
    for h in headers:
        for ch in challenge.parse_header(h):
            assert ch.scheme == ch.scheme.lower()
    challenge.pick(headers)


@FAST
@given(st.sampled_from(["Bearer", "Basic", "bearer", "Negotiate"]),
       st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.text(min_size=1, max_size=20).filter(lambda v: '"' not in v and "\\" not in v), max_size=4))
def test_challenge_round_trip(scheme: str, params: dict[str, str]) -> None:
    header = scheme + " " + ",".join(f'{k}="{v}"' for k, v in params.items())
    parsed = challenge.parse_header(header)
    assert parsed[0].scheme == scheme.lower()
    assert parsed[0].params == params


@FAST
@given(st.text(max_size=300))
def test_jwt_decode_never_raises(token: str) -> None:
    jwt.decode_unverified(token)


@FAST
@given(st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8) | st.lists(st.dictionaries(st.text(max_size=6), st.text(max_size=6) | st.lists(st.text(max_size=5))), max_size=3), max_size=5),
       st.text(max_size=20))
def test_jwt_claims_never_raise(claims: dict[str, object], repo: str) -> None:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    decoded = jwt.decode_unverified(f"{part({'alg': 'ES256'})}.{part(claims)}.sig")
    assert decoded is not None
    decoded.actions(repo)
    decoded.public()


pem_pieces = st.sampled_from([
    b"-----BEGIN CERTIFICATE-----\n", b"-----END CERTIFICATE-----\n", b"MIIB", b"Proc-Type: 4,ENCRYPTED\n",
    b"-----BEGIN PRIVATE KEY-----\n", b"-----END PRIVATE KEY-----\n", b"\x30\x82\x01\x0a", b"\n", b"====",
])


@FAST
@given(st.lists(st.one_of(pem_pieces, st.binary(max_size=40)), max_size=20))
def test_pem_bundle_scan_never_raises(pieces: list[bytes]) -> None:
    scan = truststore.scan_pem(b"".join(pieces))
    assert scan.bad >= 0 and len(scan.certs) <= scan.blocks


@FAST
@given(st.text(max_size=400))
def test_resolv_conf_and_hosts_never_raise(text: str) -> None:
    conf = dns.parse_resolv_conf(text)
    assert conf.nameservers and conf.attempts >= 1
    dns.name_list("registry.example.com", conf)
    dns.hosts_lookup("registry.example.com", text)


class _FakeSock:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def settimeout(self, _t: float) -> None:
        pass

    def recv(self, n: int) -> bytes:
        chunk, self.data = self.data[:n], self.data[n:]
        return chunk


@FAST
@given(st.binary(max_size=600))
def test_http_reader_never_raises_but_wire_error(data: bytes) -> None:
    import time

    try:
        read_response(_FakeSock(data), time.monotonic() + 5)  # type: ignore[arg-type]
    except WireError:
        pass


def test_go_name_list_matches_go_order() -> None:
    # dnsclient_unix.go nameList: fewer dots than ndots -> search suffixes first, bare name last
    conf = dns.ResolvConf(search=("ns.svc.cluster.local.", "svc.cluster.local."), ndots=5)
    assert dns.name_list("registry.example.com", conf) == [
        "registry.example.com.ns.svc.cluster.local.", "registry.example.com.svc.cluster.local.", "registry.example.com."]
    conf1 = dns.ResolvConf(search=("corp.",), ndots=1)
    assert dns.name_list("registry.example.com", conf1) == ["registry.example.com.", "registry.example.com.corp."]
    assert dns.name_list("rooted.example.com.", conf) == ["rooted.example.com."]


def test_resolv_conf_options() -> None:
    conf = dns.parse_resolv_conf("nameserver 10.0.0.10\nnameserver bogus\nsearch a.example b.example\noptions ndots:5 timeout:2 attempts:3\n")
    assert conf.nameservers == (("10.0.0.10", 53),)
    assert conf.search == ("a.example.", "b.example.") and conf.ndots == 5 and conf.timeout == 2 and conf.attempts == 3
    assert dns.parse_resolv_conf("").nameservers == (("127.0.0.1", 53),)  # Go's default


def test_hosts_lookup_like_go() -> None:
    hosts = "127.0.0.1 localhost\n10.0.0.5 Registry.Example.com reg # comment\n# 10.0.0.6 registry.example.com\n"
    assert dns.hosts_lookup("registry.example.com.", hosts) == ["10.0.0.5"]
    assert dns.hosts_lookup("nothere", hosts) == []




def test_challenge_is_one_per_header_like_parse_value_and_params() -> None:
    # Go: "Negotiate, Basic realm=..." in one header is a Negotiate challenge only
    assert [c.scheme for c in challenge.parse_header('Negotiate, Basic realm="x"')] == ["negotiate"]
    assert challenge.pick(['Negotiate, Basic realm="x"']) is None
    assert challenge.pick(["Negotiate", 'Basic realm="x"']).scheme == "basic"  # type: ignore[union-attr]
    assert challenge.parse_header('Bearer realm = "x"')[0].realm is None  # no spaces around "="
