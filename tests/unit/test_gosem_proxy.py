"""Tests for kanidoc.gosem.proxy, the mirror of Go's http.ProxyFromEnvironment.

The first tables reproduce golang/net ``http/httpproxy/proxy_test.go`` (``proxyForURLTests``,
``UseProxyTests`` with its ``noProxy`` string, ``TestInvalidNoProxy``, ``TestAllNoProxy``,
``TestFromEnvironment*``) as read at golang/net 0ca694d2.  The rest are our own cases, each
checked against the Go source named in kanidoc/gosem/proxy.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kanidoc.gosem import proxy as gp
from kanidoc.gosem.proxy import CGI_ERROR, ProxyDecision, ProxyEnv, decide, lint

NIL = "<nil>"


def cfg(http: str = "", https: str = "", no: str = "", cgi: bool = False) -> ProxyEnv:
    """Like httpproxy.Config{HTTPProxy, HTTPSProxy, NoProxy, CGI}."""
    return ProxyEnv(
        http_proxy=http,
        http_proxy_var="HTTP_PROXY" if http else None,
        https_proxy=https,
        https_proxy_var="HTTPS_PROXY" if https else None,
        no_proxy=no,
        no_proxy_var="NO_PROXY" if no else None,
        cgi=cgi,
    )


def go_result(d: ProxyDecision) -> str:
    """fmt.Sprintf("%s", url) of the proxy Go returns."""
    return d.proxy.go_string if d.proxy is not None else NIL


# --------------------------------------------------------------------------------------------
# golang/net http/httpproxy/proxy_test.go: proxyForURLTests
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoCase:
    env: ProxyEnv
    req: str
    want: str
    wanterr: str | None = None


GO_PROXY_FOR_URL_TESTS = [
    GoCase(cfg(http="127.0.0.1:8080"), "", "http://127.0.0.1:8080"),
    GoCase(cfg(http="cache.corp.example.com:1234"), "", "http://cache.corp.example.com:1234"),
    GoCase(cfg(http="cache.corp.example.com"), "", "http://cache.corp.example.com"),
    # single label domain is recognized as scheme by url.Parse
    GoCase(cfg(http="localhost"), "", "http://localhost"),
    GoCase(cfg(http="https://cache.corp.example.com"), "", "https://cache.corp.example.com"),
    GoCase(cfg(http="http://127.0.0.1:8080"), "", "http://127.0.0.1:8080"),
    GoCase(cfg(http="https://127.0.0.1:8080"), "", "https://127.0.0.1:8080"),
    GoCase(cfg(http="socks5://127.0.0.1"), "", "socks5://127.0.0.1"),
    # Preserve unknown schemes.
    GoCase(cfg(http="foo://host"), "", "foo://host"),
    # Don't use secure for http
    GoCase(
        cfg(http="http.proxy.tld", https="secure.proxy.tld"),
        "http://insecure.tld/",
        "http://http.proxy.tld",
    ),
    # Use secure for https.
    GoCase(
        cfg(http="http.proxy.tld", https="secure.proxy.tld"),
        "https://secure.tld/",
        "http://secure.proxy.tld",
    ),
    GoCase(
        cfg(http="http.proxy.tld", https="https://secure.proxy.tld"),
        "https://secure.tld/",
        "https://secure.proxy.tld",
    ),
    GoCase(cfg(http="http.proxy.tld"), "https://secure.tld/", NIL),
    GoCase(cfg(http="http.proxy.tld"), "ftp://insecure.tld/", NIL),
    # Issue 16405: don't use HTTP_PROXY in a CGI environment.
    GoCase(cfg(http="http://10.1.2.3:8080", cgi=True), "", NIL, CGI_ERROR),
    # HTTPS proxy is still used even in CGI environment.
    GoCase(
        cfg(https="https://secure.proxy.tld", cgi=True),
        "https://secure.tld/",
        "https://secure.proxy.tld",
    ),
    GoCase(cfg(), "", NIL),
    GoCase(cfg(no="example.com", http="proxy"), "http://example.com/", NIL),
    GoCase(cfg(no=".example.com", http="proxy"), "http://example.com/", "http://proxy"),
    GoCase(cfg(no="ample.com", http="proxy"), "http://example.com/", "http://proxy"),
    GoCase(cfg(no="example.com", http="proxy"), "http://foo.example.com/", NIL),
    GoCase(cfg(no=".foo.com", http="proxy"), "http://example.com/", "http://proxy"),
    GoCase(cfg(no=".示例.com", http="proxy"), "http://www.示例.com", NIL),
    GoCase(cfg(no="xn--fsq092h.com", http="proxy"), "http://www.示例.com", NIL),
    GoCase(cfg(no="示例.com", http="proxy"), "http://www.xn--fsq092h.com", NIL),
    GoCase(
        cfg(no="example.com", http="proxy"), "http://[1000::%25.example.com]:123", "http://proxy"
    ),
]


@pytest.mark.parametrize("case", GO_PROXY_FOR_URL_TESTS, ids=lambda c: f"{c.env}|{c.req}")
def test_go_proxy_for_url_table(case: GoCase) -> None:
    d = decide(case.env, case.req or "http://example.com")
    assert go_result(d) == case.want
    assert d.error == case.wanterr


# --------------------------------------------------------------------------------------------
# golang/net http/httpproxy/proxy_test.go: UseProxyTests, TestAllNoProxy, TestInvalidNoProxy
# --------------------------------------------------------------------------------------------

GO_NO_PROXY = (
    "foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, "
    "10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, "
    "2002:db8:a::45/64"
)

GO_USE_PROXY_TESTS = [
    ("localhost", False),
    ("127.0.0.1", False),
    ("127.0.0.2", False),
    ("[::1]", False),
    ("[::2]", True),  # not a loopback address
    ("192.168.1.1", False),  # matches exact IPv4
    ("192.168.1.2", True),  # ports do not match
    ("192.168.1.3", False),  # matches exact IPv4:port
    ("192.168.1.4", True),  # no match
    ("10.0.0.2", False),  # matches IPv4/CIDR
    ("[2001:db8::52:0:1]", False),  # matches exact IPv6
    ("[2001:db8::52:0:2]", True),  # no match
    ("[2001:db8::52:0:3]", False),  # matches exact [IPv6]:port
    ("[2002:db8:a::123]", False),  # matches IPv6/CIDR
    ("[fe80::424b:c8be:1643:a1b6]", True),  # no match
    ("barbaz.net", True),  # does not match as .barbaz.net
    ("www.barbaz.net", False),  # does match as .barbaz.net
    ("foobar.com", False),  # does match as foobar.com
    ("www.foobar.com", False),  # match because NO_PROXY includes "foobar.com"
    ("foofoobar.com", True),  # not match as a part of foobar.com
    ("baz.com", True),  # not match as a part of barbaz.com
    ("localhost.net", True),  # not match as suffix of address
    ("local.localhost", True),  # not match as prefix as address
    ("barbarbaz.net", True),  # not match, wrong domain
    ("wildcard.io", True),  # does not match as *.wildcard.io
    ("nested.wildcard.io", False),  # match as *.wildcard.io
    ("awildcard.io", True),  # not a match because of '*'
]


def _addr80(host: str) -> str:
    # Go's test passes test.host+":80" straight to useProxy.
    return host + ":80"


@pytest.mark.parametrize(("host", "match"), GO_USE_PROXY_TESTS)
def test_go_use_proxy(host: str, match: bool) -> None:
    assert gp._use_proxy(_addr80(host), GO_NO_PROXY, "NO_PROXY", gp._LATEST).use is match
    # The same through decide(): http://host:80 with an HTTP proxy configured.
    d = decide(cfg(http="proxy", no=GO_NO_PROXY), f"http://{host}:80/")
    assert (d.proxy is not None) is match


@pytest.mark.parametrize(("host", "_match"), GO_USE_PROXY_TESTS)
def test_go_all_no_proxy(host: str, _match: bool) -> None:
    assert gp._use_proxy(_addr80(host), "*", "NO_PROXY", gp._LATEST).use is False


def test_go_invalid_no_proxy() -> None:
    # TestInvalidNoProxy: NO_PROXY=":1" must not panic and must not match.
    assert gp._use_proxy("example.com:80", ":1", "NO_PROXY", gp._LATEST).use is True


# TestFromEnvironment, TestFromEnvironmentWithRequestMethod, TestFromEnvironmentLowerCase
@pytest.mark.parametrize(
    ("environ", "want"),
    [
        (
            {
                "HTTP_PROXY": "httpproxy",
                "HTTPS_PROXY": "httpsproxy",
                "NO_PROXY": "noproxy",
                "REQUEST_METHOD": "",
            },
            ProxyEnv(
                "httpproxy", "HTTP_PROXY", "httpsproxy", "HTTPS_PROXY", "noproxy", "NO_PROXY", False
            ),
        ),
        (
            {
                "HTTP_PROXY": "httpproxy",
                "HTTPS_PROXY": "httpsproxy",
                "NO_PROXY": "noproxy",
                "REQUEST_METHOD": "PUT",
            },
            ProxyEnv(
                "httpproxy", "HTTP_PROXY", "httpsproxy", "HTTPS_PROXY", "noproxy", "NO_PROXY", True
            ),
        ),
        (
            {
                "http_proxy": "httpproxy",
                "https_proxy": "httpsproxy",
                "no_proxy": "noproxy",
                "REQUEST_METHOD": "",
            },
            ProxyEnv(
                "httpproxy", "http_proxy", "httpsproxy", "https_proxy", "noproxy", "no_proxy", False
            ),
        ),
        # Our own: upper case wins only if non-empty.
        (
            {"HTTP_PROXY": "", "http_proxy": "low", "HTTPS_PROXY": "UP", "https_proxy": "low2"},
            ProxyEnv("low", "http_proxy", "UP", "HTTPS_PROXY", "", None, False),
        ),
        ({}, ProxyEnv("", None, "", None, "", None, False)),
        ({"HTTPS_PROXY": "", "https_proxy": ""}, ProxyEnv("", None, "", None, "", None, False)),
    ],
)
def test_from_environ(environ: dict[str, str], want: ProxyEnv) -> None:
    assert ProxyEnv.from_environ(environ) == want


# --------------------------------------------------------------------------------------------
# Our own decide() cases
# --------------------------------------------------------------------------------------------

P = "http://proxy.corp:3128"


@dataclass(frozen=True)
class Case:
    name: str
    environ: dict[str, str]
    url: str
    proxied: bool
    entry: str | None = None
    reason_has: str = ""
    go: tuple[int, int, int] | None = None


OWN_CASES = [
    # variable selection
    Case("https uses HTTPS_PROXY", {"HTTPS_PROXY": P}, "https://reg.example.com/v2/", True),
    Case(
        "https ignores HTTP_PROXY",
        {"HTTP_PROXY": P},
        "https://reg.example.com/v2/",
        False,
        reason_has="HTTPS_PROXY is not set",
    ),
    Case(
        "http ignores HTTPS_PROXY",
        {"HTTPS_PROXY": P},
        "http://reg.example.com/",
        False,
        reason_has="HTTP_PROXY is not set",
    ),
    Case("lower-case only", {"https_proxy": P}, "https://reg.example.com/", True),
    Case(
        "empty upper falls through",
        {"HTTPS_PROXY": "", "https_proxy": P},
        "https://reg.example.com/",
        True,
    ),
    Case("ftp never proxied", {"HTTP_PROXY": P, "HTTPS_PROXY": P}, "ftp://reg.example.com/", False),
    Case("scheme is case-insensitive", {"HTTPS_PROXY": P}, "HTTPS://reg.example.com/", True),
    # localhost and loopback
    Case(
        "localhost",
        {"HTTPS_PROXY": P},
        "https://localhost:5000/v2/",
        False,
        reason_has="localhost is never proxied",
    ),
    Case("LOCALHOST is not special", {"HTTPS_PROXY": P}, "https://LOCALHOST/", True),
    Case("localhost. is not special", {"HTTPS_PROXY": P}, "https://localhost./", True),
    Case("127/8", {"HTTPS_PROXY": P}, "https://127.1.2.3:5000/", False, reason_has="loopback"),
    Case("::1", {"HTTPS_PROXY": P}, "https://[::1]:5000/", False, reason_has="loopback"),
    Case("::1 long form", {"HTTPS_PROXY": P}, "https://[0:0:0:0:0:0:0:1]/", False),
    Case("v4-mapped loopback", {"HTTPS_PROXY": P}, "https://[::ffff:127.0.0.1]/", False),
    Case("v4-compatible is not loopback", {"HTTPS_PROXY": P}, "https://[::127.0.0.1]/", True),
    Case("name resolving to loopback", {"HTTPS_PROXY": P}, "https://localtest.me/", True),
    Case("ip-looking name", {"HTTPS_PROXY": P}, "https://127.0.0.1.nip.io/", True),
    # NO_PROXY forms
    Case("star", {"HTTPS_PROXY": P, "NO_PROXY": "*"}, "https://reg.example.com/", False, "*"),
    Case("star with spaces", {"HTTPS_PROXY": P, "NO_PROXY": " * "}, "https://a/", False, "*"),
    Case("star among others", {"HTTPS_PROXY": P, "NO_PROXY": "foo,*"}, "https://a/", False, "*"),
    Case(
        "star inside is literal",
        {"HTTPS_PROXY": P, "NO_PROXY": "*example.com"},
        "https://reg.example.com/",
        True,
    ),
    Case(
        "exact host",
        {"HTTPS_PROXY": P, "no_proxy": "reg.example.com"},
        "https://reg.example.com/",
        False,
        "reg.example.com",
        "no_proxy entry 'reg.example.com' matches reg.example.com",
    ),
    Case(
        "bare domain matches subdomain",
        {"HTTPS_PROXY": P, "NO_PROXY": "example.com"},
        "https://a.b.example.com/",
        False,
        "example.com",
    ),
    Case(
        "bare domain is not a substring match",
        {"HTTPS_PROXY": P, "NO_PROXY": "example.com"},
        "https://myexample.com/",
        True,
    ),
    Case(
        "dot suffix",
        {"HTTPS_PROXY": P, "NO_PROXY": ".example.com"},
        "https://registry.example.com/",
        False,
        ".example.com",
        "NO_PROXY entry '.example.com' matches registry.example.com",
    ),
    Case(
        "dot suffix not the domain",
        {"HTTPS_PROXY": P, "NO_PROXY": ".example.com"},
        "https://example.com/",
        True,
    ),
    Case(
        "star dot suffix",
        {"HTTPS_PROXY": P, "NO_PROXY": "*.example.com"},
        "https://a.example.com/",
        False,
        "*.example.com",
    ),
    Case(
        "star dot not the domain",
        {"HTTPS_PROXY": P, "NO_PROXY": "*.example.com"},
        "https://example.com/",
        True,
    ),
    Case(
        "entry lower-cased",
        {"HTTPS_PROXY": P, "NO_PROXY": "REG.Example.COM"},
        "https://reg.example.com/",
        False,
        "reg.example.com",
    ),
    Case(
        "host lower-cased",
        {"HTTPS_PROXY": P, "NO_PROXY": "reg.example.com"},
        "https://REG.EXAMPLE.COM/",
        False,
        "reg.example.com",
    ),
    Case(
        "trimmed and empty entries",
        {"HTTPS_PROXY": P, "NO_PROXY": ",, \treg.example.com\t ,,"},
        "https://reg.example.com/",
        False,
        "reg.example.com",
    ),
    Case(
        "trailing dot host",
        {"HTTPS_PROXY": P, "NO_PROXY": "example.com"},
        "https://reg.example.com./",
        True,
    ),
    Case(
        "host:port canonical 443",
        {"HTTPS_PROXY": P, "NO_PROXY": "reg.example.com:443"},
        "https://reg.example.com/v2/",
        False,
        "reg.example.com:443",
    ),
    Case(
        "host:port wrong port",
        {"HTTPS_PROXY": P, "NO_PROXY": "reg.example.com:443"},
        "https://reg.example.com:5000/v2/",
        True,
    ),
    Case(
        "host:port explicit",
        {"HTTPS_PROXY": P, "NO_PROXY": "reg.example.com:5000"},
        "https://reg.example.com:5000/v2/",
        False,
        "reg.example.com:5000",
    ),
    Case("http canonical 80", {"HTTP_PROXY": P, "NO_PROXY": "reg:80"}, "http://reg/", False),
    Case("ip", {"HTTPS_PROXY": P, "NO_PROXY": "10.1.2.3"}, "https://10.1.2.3:5000/", False),
    Case("ip:port", {"HTTPS_PROXY": P, "NO_PROXY": "10.1.2.3:443"}, "https://10.1.2.3/", False),
    Case(
        "ip:port mismatch",
        {"HTTPS_PROXY": P, "NO_PROXY": "10.1.2.3:5000"},
        "https://10.1.2.3/",
        True,
    ),
    Case(
        "ip entry vs name",
        {"HTTPS_PROXY": P, "NO_PROXY": "10.1.2.3"},
        "https://reg.example.com/",
        True,
    ),
    Case(
        "cidr",
        {"HTTPS_PROXY": P, "NO_PROXY": "10.0.0.0/8"},
        "https://10.20.30.40/",
        False,
        "10.0.0.0/8",
    ),
    Case(
        "cidr IP literals only",
        {"HTTPS_PROXY": P, "NO_PROXY": "10.0.0.0/8"},
        "https://10.example.com/",
        True,
    ),
    Case(
        "cidr v4-mapped",
        {"HTTPS_PROXY": P, "NO_PROXY": "10.0.0.0/8"},
        "https://[::ffff:10.1.1.1]/",
        False,
    ),
    Case("cidr v6", {"HTTPS_PROXY": P, "NO_PROXY": "fd00::/8"}, "https://[fd12::1]:5000/", False),
    Case(
        "cidr non-canonical prefix",
        {"HTTPS_PROXY": P, "NO_PROXY": "10.1.2.3/8"},
        "https://10.9.9.9/",
        False,
    ),
    Case(
        "[v6]:port",
        {"HTTPS_PROXY": P, "NO_PROXY": "[fd00::1]:5000"},
        "https://[fd00::1]:5000/",
        False,
    ),
    Case(
        "[v6]:port mismatch",
        {"HTTPS_PROXY": P, "NO_PROXY": "[fd00::1]:5000"},
        "https://[fd00::1]/",
        True,
    ),
    Case("bare v6", {"HTTPS_PROXY": P, "NO_PROXY": "fd00::1"}, "https://[fd00::1]/", False),
    Case(
        "bracketed v6 without port never matches",
        {"HTTPS_PROXY": P, "NO_PROXY": "[fd00::1]"},
        "https://[fd00::1]/",
        True,
    ),
    Case(
        "scheme in entry never matches",
        {"HTTPS_PROXY": P, "NO_PROXY": "https://reg.example.com"},
        "https://reg.example.com/",
        True,
    ),
    Case(
        "path in entry never matches",
        {"HTTPS_PROXY": P, "NO_PROXY": "reg.example.com/v2"},
        "https://reg.example.com/v2/",
        True,
    ),
    Case("no_proxy lower used", {"HTTPS_PROXY": P, "no_proxy": ".corp"}, "https://r.corp/", False),
    Case(
        "NO_PROXY upper wins",
        {"HTTPS_PROXY": P, "NO_PROXY": ".a", "no_proxy": ".corp"},
        "https://r.corp/",
        True,
    ),
    # IDNA
    Case(
        "idna entry",
        {"HTTPS_PROXY": P, "NO_PROXY": "bücher.example"},
        "https://xn--bcher-kva.example/",
        False,
    ),
    Case(
        "idna upper-case entry",
        {"HTTPS_PROXY": P, "NO_PROXY": "BÜCHER.example"},
        "https://xn--bcher-kva.example/",
        False,
    ),
    Case(
        "idna request host",
        {"HTTPS_PROXY": P, "NO_PROXY": "xn--bcher-kva.example"},
        "https://Bücher.example/",
        False,
    ),
    Case(
        "idna entry before Go 1.19",
        {"HTTPS_PROXY": P, "NO_PROXY": "bücher.example"},
        "https://bücher.example/",
        True,
        go=(1, 18, 10),
    ),
    # IPv6 zones (x/net cde1dda9, CVE-2025-22870)
    Case(
        "zone vs domain entry",
        {"HTTP_PROXY": P, "NO_PROXY": "example.com"},
        "http://[fe80::1%25.example.com]/",
        True,
    ),
    Case(
        "zone vs domain entry, Go 1.24.0",
        {"HTTP_PROXY": P, "NO_PROXY": "example.com"},
        "http://[fe80::1%25.example.com]/",
        False,
        go=(1, 24, 0),
    ),
    Case(
        "zone fixed in 1.23.7",
        {"HTTP_PROXY": P, "NO_PROXY": "example.com"},
        "http://[fe80::1%25.example.com]/",
        True,
        go=(1, 23, 7),
    ),
    Case(
        "zoned host matches ip entry",
        {"HTTP_PROXY": P, "NO_PROXY": "fe80::1"},
        "http://[fe80::1%25eth0]/",
        False,
    ),
    Case(
        "zoned host vs ip entry before fix",
        {"HTTP_PROXY": P, "NO_PROXY": "fe80::1"},
        "http://[fe80::1%25eth0]/",
        True,
        go=(1, 22, 0),
    ),
    Case("zoned loopback", {"HTTP_PROXY": P}, "http://[::1%25lo]/", False),
    # Go before 1.16: HTTP_PROXY is the fallback for every scheme
    Case(
        "https falls back before 1.16",
        {"HTTP_PROXY": P},
        "https://reg.example.com/",
        True,
        go=(1, 15, 15),
    ),
    Case(
        "ftp uses HTTP_PROXY before 1.16",
        {"HTTP_PROXY": P},
        "ftp://reg.example.com/",
        True,
        go=(1, 15, 0),
    ),
    Case("1.16 boundary", {"HTTP_PROXY": P}, "https://reg.example.com/", False, go=(1, 16, 0)),
    # proxy value parse failures are silent
    Case(
        "unparseable HTTPS_PROXY",
        {"HTTPS_PROXY": "http://proxy:3128/%zz"},
        "https://reg.example.com/",
        False,
        reason_has="cannot parse",
    ),
    Case(
        "newline in HTTPS_PROXY",
        {"HTTPS_PROXY": "proxy:3128\n"},
        "https://reg.example.com/",
        False,
        reason_has="silently ignores",
    ),
]


@pytest.mark.parametrize("case", OWN_CASES, ids=lambda c: c.name)
def test_decide_own(case: Case) -> None:
    d = decide(ProxyEnv.from_environ(case.environ), case.url, go_version=case.go)
    assert (d.proxy is not None) is case.proxied, d
    assert d.error is None
    if case.entry is not None:
        assert d.no_proxy_entry == case.entry
    if not case.proxied:
        assert d.variable is None
    if case.reason_has:
        assert case.reason_has in d.reason


@pytest.mark.parametrize(
    ("value", "scheme", "host", "port", "go_string", "redacted", "go"),
    [
        ("proxy:3128", "http", "proxy", 3128, "http://proxy:3128", "http://proxy:3128", None),
        ("proxy", "http", "proxy", 80, "http://proxy", "http://proxy:80", None),
        (
            "10.0.0.1:3128",
            "http",
            "10.0.0.1",
            3128,
            "http://10.0.0.1:3128",
            "http://10.0.0.1:3128",
            None,
        ),
        ("https://proxy", "https", "proxy", 443, "https://proxy", "https://proxy:443", None),
        ("socks5://proxy", "socks5", "proxy", 1080, "socks5://proxy", "socks5://proxy:1080", None),
        (
            "socks5h://proxy",
            "socks5h",
            "proxy",
            1080,
            "socks5h://proxy",
            "socks5h://proxy:1080",
            None,
        ),
        ("http://[::1]:3128", "http", "::1", 3128, "http://[::1]:3128", "http://[::1]:3128", None),
        (
            "HTTP://Proxy:3128/",
            "http",
            "Proxy",
            3128,
            "http://Proxy:3128/",
            "http://Proxy:3128",
            None,
        ),
        (
            "http://user:p%40ss@proxy:3128",
            "http",
            "proxy",
            3128,
            "http://***:***@proxy:3128",
            "http://***:***@proxy:3128",
            None,
        ),
        (
            "http://tok3n@proxy",
            "http",
            "proxy",
            80,
            "http://***@proxy",
            "http://***@proxy:80",
            None,
        ),
        ("foo://host:1", "foo", "host", 1, "foo://host:1", "foo://host:1", None),
        ("foo://host", "foo", "host", 0, "foo://host", "foo://host:0", None),
        # Before Go 1.23 unknown schemes get http:// prepended (x/net 8c07e20f).
        (
            "socks5h://u:pw@h:1080",
            "http",
            "socks5h",
            80,
            "http://socks5h://***:***@h:1080",
            "http://socks5h:80",
            (1, 22, 12),
        ),
        ("foo://host:1", "http", "foo", 80, "http://foo://host:1", "http://foo:80", (1, 21, 0)),
        # url.Parse fails, the http:// retry "succeeds" with host "http" (path "//proxy:abc").
        ("http://proxy:abc", "http", "http", 80, "http://http://proxy:abc", "http://http:80", None),
    ],
)
def test_proxy_url_parsing(
    value: str,
    scheme: str,
    host: str,
    port: int,
    go_string: str,
    redacted: str,
    go: tuple[int, int, int] | None,
) -> None:
    d = decide(
        ProxyEnv.from_environ({"HTTPS_PROXY": value}), "https://reg.example.com/", go_version=go
    )
    assert d.proxy is not None
    assert (d.proxy.scheme, d.proxy.host, d.proxy.port) == (scheme, host, port)
    assert d.proxy.go_string == go_string
    assert d.proxy.redacted() == redacted
    assert "pw" not in repr(d) and "p@ss" not in repr(d)


def test_userinfo_decoded_but_hidden() -> None:
    d = decide(
        ProxyEnv.from_environ({"HTTPS_PROXY": "http://us%65r:s3cr%2Ft@proxy:3128"}), "https://reg/"
    )
    assert d.proxy is not None
    assert (d.proxy.username, d.proxy.password) == ("user", "s3cr/t")
    assert "s3cr" not in repr(d.proxy) and "s3cr" not in d.proxy.redacted()


def test_cgi_rule_runs_before_no_proxy_and_localhost() -> None:
    env = ProxyEnv.from_environ({"HTTP_PROXY": P, "NO_PROXY": "*", "REQUEST_METHOD": "GET"})
    for url in ("http://localhost/", "http://reg.example.com/"):
        d = decide(env, url)
        assert d.proxy is None and d.error == CGI_ERROR
    # https is unaffected, and an unparseable HTTP_PROXY never triggers it.
    assert decide(env, "https://reg.example.com/").error is None
    bad = ProxyEnv.from_environ({"HTTP_PROXY": "proxy\n", "REQUEST_METHOD": "GET"})
    assert decide(bad, "http://reg/").error is None


def test_cgi_rule_before_go_1_16_applies_to_https_fallback() -> None:
    env = ProxyEnv.from_environ({"HTTP_PROXY": P, "REQUEST_METHOD": "POST"})
    assert decide(env, "https://reg/", go_version=(1, 15, 0)).error == CGI_ERROR
    assert decide(env, "https://reg/").error is None


@pytest.mark.parametrize(
    ("url", "addr"),
    [
        ("http://reg/", "reg:80"),
        ("https://reg/", "reg:443"),
        ("https://reg:5000/v2/", "reg:5000"),
        ("https://[fd00::1]/", "[fd00::1]:443"),
        ("https://Bücher.example/", "xn--bcher-kva.example:443"),
        ("https://REG.example/", "REG.example:443"),
    ],
)
def test_canonical_addr(url: str, addr: str) -> None:
    d = decide(ProxyEnv.from_environ({"HTTPS_PROXY": P, "HTTP_PROXY": P}), url)
    assert d.canonical_addr == addr


@pytest.mark.parametrize(
    ("url", "error", "go"),
    [
        (
            "https://reg.example.com:abc/",
            'parse "https://reg.example.com:abc/": invalid port ":abc" after host',
            None,
        ),
        (
            "https://reg.example.com/%zz",
            'parse "https://reg.example.com/%zz": invalid URL escape "%zz"',
            None,
        ),
        ("https://re g/", 'parse "https://re g/": invalid character " " in host name', None),
        ("https://[1.2.3.4]/", 'parse "https://[1.2.3.4]/": invalid IP-literal', None),
        ("https://a:1:2/", 'parse "https://a:1:2/": invalid port ":1:2" after host', None),
        ("https://x[::1]/", 'parse "https://x[::1]/": invalid IP-literal', None),
    ],
)
def test_request_url_errors(url: str, error: str, go: tuple[int, int, int] | None) -> None:
    d = decide(ProxyEnv.from_environ({"HTTPS_PROXY": P}), url, go_version=go)
    assert d.proxy is None
    assert d.error == error


def test_url_parse_version_gates() -> None:
    env = ProxyEnv.from_environ({"HTTPS_PROXY": P})
    # Multiple colons were accepted (last colon starts the port) before Go 1.26.
    assert decide(env, "https://a:1:2/", go_version=(1, 25, 0)).proxy is not None
    # Bracketed IPv4 accepted before 1.24.8 / 1.25.2.
    assert decide(env, "https://[1.2.3.4]/", go_version=(1, 24, 7)).error is None
    assert decide(env, "https://[1.2.3.4]/", go_version=(1, 25, 2)).error is not None


# --------------------------------------------------------------------------------------------
# lint()
# --------------------------------------------------------------------------------------------


def codes(environ: dict[str, str], go: tuple[int, int, int] | None = None) -> list[str]:
    return [x.code for x in lint(environ, go_version=go)]


@pytest.mark.parametrize(
    ("environ", "want", "go"),
    [
        (
            {"HTTPS_PROXY": P, "HTTP_PROXY": P, "NO_PROXY": ".corp,10.0.0.0/8,[fd00::1]:5000"},
            [],
            None,
        ),
        ({}, [], None),
        ({"HTTPS_PROXY": P, "https_proxy": "http://other:1"}, ["case-mismatch"], None),
        ({"HTTPS_PROXY": P, "https_proxy": P}, [], None),
        ({"HTTPS_PROXY": "", "https_proxy": P}, ["case-mismatch"], None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "a", "no_proxy": "b"}, ["case-mismatch"], None),
        ({"HTTPS_PROXY": P, "ALL_PROXY": "socks5://s:1080"}, ["all-proxy-ignored"], None),
        ({"HTTPS_PROXY": P, "all_proxy": "socks5://s:1080"}, ["all-proxy-ignored"], None),
        ({"HTTPS_PROXY": "http://proxy:3128/%zz"}, ["unparseable-proxy"], None),
        ({"HTTPS_PROXY": "proxy:3128\n"}, ["unparseable-proxy"], None),
        ({"HTTPS_PROXY": "socks4://p:1080"}, ["unsupported-scheme"], None),
        ({"HTTPS_PROXY": "socks5h://p:1080"}, [], None),
        ({"HTTPS_PROXY": "socks5h://p:1080"}, ["unsupported-scheme"], (1, 22, 0)),
        ({"HTTPS_PROXY": "http://proxy:abc"}, ["proxy-misparsed"], None),
        ({"HTTPS_PROXY": "http://:3128"}, ["proxy-no-host"], None),
        ({"HTTP_PROXY": P}, ["https-proxy-unset"], None),
        ({"HTTP_PROXY": P}, [], (1, 15, 0)),
        (
            {"HTTP_PROXY": P, "HTTPS_PROXY": P, "REQUEST_METHOD": "GET"},
            ["cgi-request-method"],
            None,
        ),
        ({"HTTPS_PROXY": P, "NO_PROXY": "https://reg.example.com"}, ["no-proxy-scheme"], None),
        ({"HTTPS_PROXY": P, "no_proxy": "reg.example.com/v2"}, ["no-proxy-path"], None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "10.0.0.0/33"}, ["no-proxy-path"], None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "*example.com"}, ["no-proxy-wildcard"], None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "[fd00::1]"}, ["no-proxy-brackets"], None),
        ({"HTTPS_PROXY": P, "NO_PROXY": "*,*.corp"}, [], None),
    ],
)
def test_lint_codes(
    environ: dict[str, str], want: list[str], go: tuple[int, int, int] | None
) -> None:
    assert codes(environ, go) == want


def test_lint_details() -> None:
    (x,) = lint({"HTTP_PROXY": "", "http_proxy": P, "HTTPS_PROXY": P})
    assert x.code == "case-mismatch" and x.variable == "http_proxy"
    assert "Go uses http_proxy" in x.message
    (y,) = lint({"HTTPS_PROXY": P, "https_proxy": "x"})
    assert y.variable == "HTTPS_PROXY" and "Go uses HTTPS_PROXY" in y.message
    (z,) = lint({"HTTPS_PROXY": "http://user:hunter2@proxy:3128/%zz"})
    assert z.code == "unparseable-proxy" and "hunter2" not in z.message
    (w,) = lint({"HTTPS_PROXY": P, "no_proxy": "https://reg.example.com"})
    assert w.variable == "no_proxy" and "'reg.example.com'" in w.message


def test_lint_codes_are_stable() -> None:
    assert gp.LINT_CODES == (
        "case-mismatch",
        "all-proxy-ignored",
        "unparseable-proxy",
        "unsupported-scheme",
        "proxy-misparsed",
        "proxy-no-host",
        "https-proxy-unset",
        "cgi-request-method",
        "no-proxy-scheme",
        "no-proxy-path",
        "no-proxy-wildcard",
        "no-proxy-brackets",
    )


# --------------------------------------------------------------------------------------------
# Go helpers mirrored inside the module
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("1.2.3.4", True),
        ("01.2.3.4", False),  # leading zero
        ("256.1.1.1", False),
        ("1.2.3", False),
        ("::", True),
        ("::ffff:1.2.3.4", True),
        ("fe80::1%eth0", True),
        ("fe80::1%", False),
        ("1:2:3:4:5:6:7:8:9", False),
        ("1::2::3", False),
        ("12345::", False),
        ("1.2.3.4%eth0", False),
    ],
)
def test_netip_parse_addr(text: str, ok: bool) -> None:
    try:
        gp._parse_addr(text)
    except gp._GoError:
        assert not ok
    else:
        assert ok


def test_go_trim_space_and_lower() -> None:
    assert gp._go_trim_space("\u00a0 x \u3000") == "x"
    assert gp._go_trim_space("\x1cx\x1f") == "\x1cx\x1f"  # not Go spaces
    assert gp._go_lower("İSTANBUL") == "istanbul"
    assert gp._go_lower("ΟΔΟΣ") == "οδοσ"  # no final-sigma rule in Go


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

_versions = st.one_of(
    st.none(),
    st.tuples(st.just(1), st.integers(min_value=11, max_value=27), st.integers(0, 12)),
)


@settings(max_examples=300, deadline=None)
@given(
    env=st.dictionaries(
        st.sampled_from(
            [
                "HTTP_PROXY",
                "http_proxy",
                "HTTPS_PROXY",
                "https_proxy",
                "NO_PROXY",
                "no_proxy",
                "REQUEST_METHOD",
                "ALL_PROXY",
            ]
        ),
        st.text(max_size=40),
    ),
    host=st.text(max_size=30),
    scheme=st.sampled_from(["http", "https", "HTTPS", "ftp", ""]),
    port=st.one_of(st.none(), st.integers(0, 99999)),
    version=_versions,
)
def test_decide_and_lint_never_raise(
    env: dict[str, str],
    host: str,
    scheme: str,
    port: int | None,
    version: tuple[int, int, int] | None,
) -> None:
    url = f"{scheme}://{host}" + (f":{port}" if port is not None else "") + "/v2/"
    d = decide(ProxyEnv.from_environ(env), url, go_version=version)
    assert isinstance(d.reason, str) and d.reason
    if d.proxy is not None:
        d.proxy.redacted()
    for x in lint(env, go_version=version):
        assert x.code in gp.LINT_CODES


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=60), url=st.text(max_size=60), no=st.text(max_size=60))
def test_decide_never_raises_on_arbitrary_strings(value: str, url: str, no: str) -> None:
    env = ProxyEnv.from_environ({"HTTPS_PROXY": value, "HTTP_PROXY": value, "NO_PROXY": no})
    decide(env, url)


@settings(max_examples=200, deadline=None)
@given(user=st.text(min_size=1, max_size=12), pw=st.text(min_size=4, max_size=12))
def test_password_never_in_redacted_output(user: str, pw: str) -> None:
    from urllib.parse import quote

    value = f"http://{quote(user, safe='')}:{quote(pw, safe='')}@proxy:3128"
    d = decide(ProxyEnv.from_environ({"HTTPS_PROXY": value}), "https://reg/")
    assert d.proxy is not None
    assert d.proxy.password == pw
    assert d.proxy.go_string == "http://***:***@proxy:3128"
    assert d.proxy.redacted() == "http://***:***@proxy:3128"
