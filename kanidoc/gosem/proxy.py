"""Go's proxy selection from the environment (``http.ProxyFromEnvironment``), mirrored in Python.

kaniko's registry transport clones ``http.DefaultTransport`` whose ``Proxy`` is
``http.ProxyFromEnvironment``.  That is ``golang.org/x/net/http/httpproxy`` bundled into the Go
toolchain at ``src/vendor/golang.org/x/net/http/httpproxy/proxy.go``, so the *Go toolchain
version kaniko was built with* decides the behaviour, not kaniko's own x/net version.

Sources mirrored (read at golang/net 0ca694d2, 2026-07, and golang/go net/http + net/url):

- golang/net ``http/httpproxy/proxy.go``: ``FromEnvironment``/``getEnvAny`` (upper case first,
  used only if non-empty), ``config.proxyForURL`` (scheme selects the variable, CGI rule,
  then NO_PROXY), ``parseProxy``, ``config.useProxy``, ``config.init`` (NO_PROXY parsing),
  ``canonicalAddr``, ``idnaASCII``, ``domainMatch``/``ipMatch``/``cidrMatch``/``allMatch``.
- golang/net ``http/httpproxy/proxy_test.go``: ``proxyForURLTests``/``UseProxyTests`` are
  reproduced in ``tests/unit/test_gosem_proxy.py``.
- golang/go ``src/net/http/transport.go``: ``envProxyFunc`` (computed once per process),
  ``portMap`` (http 80, https 443, socks5/socks5h 1080), ``dialConn`` (which proxy schemes the
  transport speaks).
- golang/go ``src/net/url/url.go`` (Go 1.26.1 text): ``Parse``, ``parseAuthority``,
  ``parseHost``, ``unescape``, ``splitHostPort``, ``URL.String``/``Redacted``.
- golang/go ``src/net/netip/netip.go`` ``ParseAddr`` and ``src/net/ip.go``/``iprawsock``-free
  helpers ``ParseIP``, ``ParseCIDR``, ``IP.Equal``, ``IP.IsLoopback``, ``IPNet.Contains``,
  ``net.SplitHostPort``/``JoinHostPort``.

Version-dependent behaviour is selected with ``go_version=(major, minor, patch)``; ``None``
means current Go.  Boundaries (x/net commit -> first Go release that bundles it):

- 1.16: https URLs use only HTTPS_PROXY (x/net 7b1cca23, golang/go#40909).  Before, HTTP_PROXY
  was the fallback for *every* scheme, and the CGI rule applied to that fallback.
- 1.19: NO_PROXY entries are IDNA-converted (x/net de3da570, committed 2022-03-25).
- 1.23: ``parseProxy`` keeps any scheme (x/net 8c07e20f, committed 2024-03-08) and
  net/http speaks ``socks5h`` (CL 569977, golang/go#24135).  Before, any scheme other than
  http/https/socks5 got ``http://`` prepended, so ``socks5h://h:1080`` became host ``socks5h``.
- 1.23.7 / 1.24.1: IPv6 zone ids are not matched against NO_PROXY domains (x/net cde1dda9,
  CVE-2025-22870).  Before, ``net.ParseIP`` rejected zoned literals, so they were treated as
  host names.
- url.Parse: bracketed hosts must hold an IPv6 address since 1.24.8 / 1.25.2
  (CVE-2025-47912); the host's port starts at the *first* colon since 1.26.0 (golang/go#75859);
  ``[`` anywhere but the start of the host is rejected since 1.25.8 / 1.26.1 (CVE-2026-25679).

Limitations: IDNA uses an approximation of x/net/idna's ``Lookup`` profile built from the
standard library (NFKC + case folding for the UTS #46 mapping, STD3 and hyphen rules, stdlib
punycode); the Bidi rule and most CONTEXTJ rules are not checked and ``unicodedata`` may be a
different Unicode version than Go's tables.  It only matters for non-ASCII host names.
Behaviour before Go 1.11 (before NO_PROXY CIDR/port support) is not modelled.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from kanidoc.record import record

GoVersion = tuple[int, int, int]

# A version newer than any real Go release: ``go_version=None`` means "current Go".
_LATEST: GoVersion = (1, 1_000_000, 0)

# Boundaries described in the module docstring.  A tuple of points means "fixed in each of
# these release lines from that patch on, and in every later line".
_HTTPS_ONLY_SINCE: tuple[GoVersion, ...] = ((1, 16, 0),)
_NO_PROXY_IDNA_SINCE: tuple[GoVersion, ...] = ((1, 19, 0),)
_ANY_SCHEME_SINCE: tuple[GoVersion, ...] = ((1, 23, 0),)
_SOCKS5H_SINCE: tuple[GoVersion, ...] = ((1, 23, 0),)
_ZONE_FIX_SINCE: tuple[GoVersion, ...] = ((1, 23, 7), (1, 24, 1))
_URL_BRACKET_IPV6_SINCE: tuple[GoVersion, ...] = ((1, 24, 8), (1, 25, 2))
_URL_STRICT_COLONS_SINCE: tuple[GoVersion, ...] = ((1, 26, 0),)
_URL_BRACKET_START_SINCE: tuple[GoVersion, ...] = ((1, 25, 8), (1, 26, 1))

CGI_ERROR = "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy"


def _since(v: GoVersion, points: tuple[GoVersion, ...]) -> bool:
    """Whether Go ``v`` has a change that landed at ``points`` (see the module docstring)."""
    if v >= max(points):
        return True
    return any(v[:2] == p[:2] and v >= p for p in points)


# ---------------------------------------------------------------------------------------------
# Go string helpers
# ---------------------------------------------------------------------------------------------

# unicode.IsSpace (used by strings.TrimSpace).  Python's str.strip() also strips \x1c-\x1f,
# which Go does not.
_GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _go_trim_space(s: str) -> str:
    start, end = 0, len(s)
    while start < end and s[start] in _GO_SPACE:
        start += 1
    while end > start and s[end - 1] in _GO_SPACE:
        end -= 1
    return s[start:end]


def _go_lower(s: str) -> str:
    """strings.ToLower: simple per-rune case mapping (no final-sigma or İ -> i̇ expansion)."""
    if s.isascii():
        return s.lower()
    out: list[str] = []
    for ch in s:
        if "\udc80" <= ch <= "\udcff":  # an invalid UTF-8 byte: strings.Map writes U+FFFD
            out.append("\ufffd")
            continue
        low = ch.lower()
        out.append(low if len(low) == 1 else low[0])
    return "".join(out)


def _go_quote(s: str) -> str:
    """strconv.Quote, for error texts."""
    out = ['"']
    named = {
        "\a": "\\a",
        "\b": "\\b",
        "\f": "\\f",
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\v": "\\v",
        '"': '\\"',
        "\\": "\\\\",
    }
    for ch in s:
        o = ord(ch)
        if ch in named:
            out.append(named[ch])
        elif 0xDC80 <= o <= 0xDCFF:  # surrogateescape'd invalid byte
            out.append(f"\\x{o - 0xDC00:02x}")
        elif ch == " " or (ch.isprintable() and not 0xD800 <= o <= 0xDFFF):
            out.append(ch)
        elif o < 0x80:
            out.append(f"\\x{o:02x}")
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def _to_bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _from_bytes(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


# ---------------------------------------------------------------------------------------------
# net/netip.ParseAddr and the net.IP helpers httpproxy uses
# ---------------------------------------------------------------------------------------------


class _GoError(Exception):
    """An error value from the mirrored Go code; ``str()`` is Go's ``Error()`` text."""


def _addr_error(inp: str, msg: str, at: str = "") -> _GoError:
    text = f"ParseAddr({_go_quote(inp)}): {msg}"
    if at:
        text += f" (at {_go_quote(at)})"
    return _GoError(text)


@record
class _Addr:
    """netip.Addr: 4 bytes for Is4, 16 bytes otherwise, plus the IPv6 zone."""

    ip: bytes
    zone: str = ""


def _parse_ipv4_fields(inp: str, s: str) -> bytes:
    fields = [0, 0, 0, 0]
    val = pos = dig_len = 0
    for i, ch in enumerate(s):
        if "0" <= ch <= "9":
            if dig_len == 1 and val == 0:
                raise _addr_error(inp, "IPv4 field has octet with leading zero")
            val = val * 10 + (ord(ch) - 48)
            dig_len += 1
            if val > 255:
                raise _addr_error(inp, "IPv4 field has value >255")
        elif ch == ".":
            if i == 0 or i == len(s) - 1 or s[i - 1] == ".":
                raise _addr_error(inp, "IPv4 field must have at least one digit", s[i:])
            if pos == 3:
                raise _addr_error(inp, "IPv4 address too long")
            fields[pos] = val
            pos += 1
            val = dig_len = 0
        else:
            raise _addr_error(inp, "unexpected character", s[i:])
    if pos < 3:
        raise _addr_error(inp, "IPv4 address too short")
    fields[3] = val
    return bytes(fields)


def _hexval(ch: str) -> int:
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if "a" <= ch <= "f":
        return ord(ch) - 87
    if "A" <= ch <= "F":
        return ord(ch) - 55
    return -1


def _parse_ipv6(inp: str) -> _Addr:
    s = inp
    zone = ""
    pct = s.find("%")
    if pct != -1:
        s, zone = s[:pct], s[pct + 1 :]
        if zone == "":
            raise _addr_error(inp, "zone must be a non-empty string")
    ip = bytearray(16)
    ellipsis = -1
    if len(s) >= 2 and s[0] == ":" and s[1] == ":":
        ellipsis = 0
        s = s[2:]
        if not s:
            return _Addr(bytes(16), zone)
    i = 0
    while i < 16:
        off = 0
        acc = 0
        while off < len(s):
            hv = _hexval(s[off])
            if hv < 0:
                break
            acc = (acc << 4) + hv
            if off > 3:
                raise _addr_error(
                    inp, "each colon-separated field must have at most 4 hex digits", s
                )
            if acc > 0xFFFF:
                raise _addr_error(inp, "IPv6 field has value >=2^16", s)
            off += 1
        if off == 0:
            raise _addr_error(inp, "each colon-separated field must have at least one digit", s)
        if off < len(s) and s[off] == ".":
            if ellipsis < 0 and i != 12:
                raise _addr_error(
                    inp, "embedded IPv4 address must replace the final 2 fields of the address", s
                )
            if i + 4 > 16:
                raise _addr_error(
                    inp, "too many hex fields to fit an embedded IPv4 at the end of the address", s
                )
            ip[i : i + 4] = _parse_ipv4_fields(inp, s)
            s = ""
            i += 4
            break
        ip[i] = acc >> 8
        ip[i + 1] = acc & 0xFF
        i += 2
        s = s[off:]
        if not s:
            break
        if s[0] != ":":
            raise _addr_error(inp, "unexpected character, want colon", s)
        if len(s) == 1:
            raise _addr_error(inp, "colon must be followed by more characters", s)
        s = s[1:]
        if s[0] == ":":
            if ellipsis >= 0:
                raise _addr_error(inp, "multiple :: in address", s)
            ellipsis = i
            s = s[1:]
            if not s:
                break
    if s:
        raise _addr_error(inp, "trailing garbage after address", s)
    if i < 16:
        if ellipsis < 0:
            raise _addr_error(inp, "address string too short")
        n = 16 - i
        ip[ellipsis + n : 16] = ip[ellipsis:i]
        ip[ellipsis : ellipsis + n] = bytes(n)
    elif ellipsis >= 0:
        raise _addr_error(inp, "the :: must expand to at least one field of zeros")
    return _Addr(bytes(ip), zone)


def _parse_addr(s: str) -> _Addr:
    """netip.ParseAddr."""
    for ch in s:
        if ch == ".":
            return _Addr(_parse_ipv4_fields(s, s))
        if ch == ":":
            return _parse_ipv6(s)
        if ch == "%":
            raise _addr_error(s, "missing IPv6 address")
    raise _addr_error(s, "unable to parse IP")


_V4_IN_V6 = bytes(10) + b"\xff\xff"


def _as16(ip: bytes) -> bytes:
    return _V4_IN_V6 + ip if len(ip) == 4 else ip


def _parse_ip(s: str) -> bytes | None:
    """net.ParseIP: 16-byte form, no zones."""
    try:
        addr = _parse_addr(s)
    except _GoError:
        return None
    if addr.zone:
        return None
    return _as16(addr.ip)


def _to4(ip: bytes) -> bytes | None:
    if len(ip) == 4:
        return ip
    if len(ip) == 16 and ip[:12] == _V4_IN_V6:
        return ip[12:]
    return None


def _ip_equal(a: bytes, b: bytes) -> bool:
    if len(a) == len(b):
        return a == b
    if len(a) == 4 and len(b) == 16:
        return b[:12] == _V4_IN_V6 and a == b[12:]
    if len(a) == 16 and len(b) == 4:
        return a[:12] == _V4_IN_V6 and a[12:] == b
    return False


def _is_loopback(ip: bytes) -> bool:
    ip4 = _to4(ip)
    if ip4 is not None:
        return ip4[0] == 127
    return ip == bytes(15) + b"\x01"


@record
class _IPNet:
    ip: bytes
    mask: bytes

    def contains(self, ip: bytes) -> bool:
        """net.IPNet.Contains (with networkNumberAndMask)."""
        nn = _to4(self.ip)
        if nn is None:
            nn = self.ip
            if len(nn) != 16:
                return False
        m = self.mask
        if len(m) == 4:
            if len(nn) != 4:
                return False
        elif len(m) == 16:
            if len(nn) == 4:
                m = m[12:]
        else:
            return False
        x = _to4(ip)
        if x is not None:
            ip = x
        if len(ip) != len(nn):
            return False
        return all(nn[i] & m[i] == ip[i] & m[i] for i in range(len(ip)))


def _cidr_mask(ones: int, bits: int) -> bytes:
    value = ((1 << ones) - 1) << (bits - ones) if ones else 0
    return value.to_bytes(bits // 8, "big")


def _ip_mask(ip: bytes, mask: bytes) -> bytes | None:
    """net.IP.Mask."""
    if len(mask) == 16 and len(ip) == 4 and mask[:12] == b"\xff" * 12:
        mask = mask[12:]
    if len(mask) == 4 and len(ip) == 16 and ip[:12] == _V4_IN_V6:
        ip = ip[12:]
    if len(ip) != len(mask):
        return None
    return bytes(a & b for a, b in zip(ip, mask, strict=True))


def _parse_cidr(s: str) -> _IPNet | None:
    """net.ParseCIDR (the *IPNet result)."""
    addr_s, sep, mask_s = s.partition("/")
    if not sep:
        return None
    try:
        addr = _parse_addr(addr_s)
    except _GoError:
        return None
    if addr.zone:
        return None
    # dtoi: leading decimal digits, at least one, all of the string.
    digits = 0
    n = 0
    while digits < len(mask_s) and "0" <= mask_s[digits] <= "9":
        n = n * 10 + ord(mask_s[digits]) - 48
        digits += 1
        if n >= 0xFFFFFF:
            return None
    iplen = 4 if len(addr.ip) == 4 else 16
    if digits == 0 or digits != len(mask_s) or n > 8 * iplen:
        return None
    m = _cidr_mask(n, 8 * iplen)
    masked = _ip_mask(_as16(addr.ip), m)
    if masked is None:
        return None
    return _IPNet(masked, m)


def _split_host_port(hostport: str) -> tuple[str, str]:
    """net.SplitHostPort; raises _GoError."""

    def err(why: str) -> _GoError:
        return _GoError(f"address {hostport}: {why}")

    i = hostport.rfind(":")
    if i < 0:
        raise err("missing port in address")
    j = k = 0
    if hostport[0] == "[":
        end = hostport.find("]")
        if end < 0:
            raise err("missing ']' in address")
        if end + 1 == len(hostport):
            raise err("missing port in address")
        if end + 1 != i:
            if hostport[end + 1] == ":":
                raise err("too many colons in address")
            raise err("missing port in address")
        host = hostport[1:end]
        j, k = 1, end + 1
    else:
        host = hostport[:i]
        if ":" in host:
            raise err("too many colons in address")
    if "[" in hostport[j:]:
        raise err("unexpected '[' in address")
    if "]" in hostport[k:]:
        raise err("unexpected ']' in address")
    return host, hostport[i + 1 :]


def _join_host_port(host: str, port: str) -> str:
    if ":" in host:
        return f"[{host}]:{port}"
    return f"{host}:{port}"


# ---------------------------------------------------------------------------------------------
# net/url.Parse
# ---------------------------------------------------------------------------------------------

_PATH, _PATH_SEGMENT, _HOST, _ZONE, _USER_PASSWORD, _QUERY_COMPONENT, _FRAGMENT = range(1, 8)


def _should_escape(c: int, mode: int) -> bool:
    """net/url shouldEscape, on a byte."""
    if 0x61 <= c <= 0x7A or 0x41 <= c <= 0x5A or 0x30 <= c <= 0x39:
        return False
    ch = chr(c)
    if mode in (_HOST, _ZONE) and ch in "!$&'()*+,;=:[]<>\"":
        return False
    if ch in "-_.~":
        return False
    if ch in "$&+,/:;=?@":
        if mode == _PATH:
            return ch == "?"
        if mode == _PATH_SEGMENT:
            return ch in "/;,?"
        if mode == _USER_PASSWORD:
            return ch in "@/?:"
        if mode == _QUERY_COMPONENT:
            return True
        if mode == _FRAGMENT:
            return False
    return not (mode == _FRAGMENT and ch in "!()*")


def _is_hex(c: int) -> bool:
    return 0x30 <= c <= 0x39 or 0x61 <= c <= 0x66 or 0x41 <= c <= 0x46


def _unescape(s: str, mode: int) -> str:
    """net/url unescape; raises _GoError."""
    b = _to_bytes(s)
    n = 0
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0x25:  # '%'
            n += 1
            if i + 2 >= len(b) or not _is_hex(b[i + 1]) or not _is_hex(b[i + 2]):
                bad = b[i : i + 3]
                raise _GoError(f"invalid URL escape {_go_quote(_from_bytes(bad))}")
            if mode == _HOST and int(chr(b[i + 1]), 16) < 8 and b[i : i + 3] != b"%25":
                raise _GoError(f"invalid URL escape {_go_quote(_from_bytes(b[i : i + 3]))}")
            if mode == _ZONE:
                v = int(_from_bytes(b[i + 1 : i + 3]), 16)
                if b[i : i + 3] != b"%25" and v != 0x20 and _should_escape(v, _HOST):
                    raise _GoError(f"invalid URL escape {_go_quote(_from_bytes(b[i : i + 3]))}")
            i += 3
        else:
            if mode in (_HOST, _ZONE) and c < 0x80 and _should_escape(c, mode):
                raise _GoError(f"invalid character {_go_quote(chr(c))} in host name")
            i += 1
    if n == 0:
        return s
    out = bytearray()
    i = 0
    while i < len(b):
        if b[i] == 0x25:
            out.append(int(_from_bytes(b[i + 1 : i + 3]), 16))
            i += 3
        else:
            out.append(b[i])
            i += 1
    return _from_bytes(bytes(out))


def _escape(s: str, mode: int) -> str:
    out: list[str] = []
    for c in _to_bytes(s):
        if c == 0x20 and mode == _QUERY_COMPONENT:
            out.append("+")
        elif _should_escape(c, mode):
            out.append(f"%{c:02X}")
        else:
            out.append(chr(c))
    return "".join(out)


def _valid_encoded(s: str, mode: int) -> bool:
    for c in _to_bytes(s):
        if chr(c) in "!$&'()*+,;=:@[]%":
            continue
        if _should_escape(c, mode):
            return False
    return True


def _valid_optional_port(port: str) -> bool:
    if port == "":
        return True
    if port[0] != ":":
        return False
    return all("0" <= ch <= "9" for ch in port[1:])


_USERINFO_PUNCT = frozenset("-._:~!$&'()*+,;=%@")


def _valid_userinfo(s: str) -> bool:
    for ch in s:
        if "A" <= ch <= "Z" or "a" <= ch <= "z" or "0" <= ch <= "9" or ch in _USERINFO_PUNCT:
            continue
        return False
    return True


@dataclass
class _GoURL:
    """The fields of Go's url.URL that matter here."""

    scheme: str = ""
    opaque: str = ""
    username: str | None = None
    password: str | None = None
    host: str = ""
    path: str = ""
    raw_path: str = ""
    omit_host: bool = False
    force_query: bool = False
    raw_query: str = ""
    fragment: str = ""
    raw_fragment: str = ""

    def _split(self) -> tuple[str, str]:
        # url.splitHostPort: the port must be numeric, brackets are removed.
        host, port = self.host, ""
        colon = host.rfind(":")
        if colon != -1 and _valid_optional_port(host[colon:]):
            host, port = host[:colon], host[colon + 1 :]
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        return host, port

    def hostname(self) -> str:
        return self._split()[0]

    def port(self) -> str:
        return self._split()[1]

    def escaped_path(self) -> str:
        if self.raw_path and _valid_encoded(self.raw_path, _PATH):
            try:
                if _unescape(self.raw_path, _PATH) == self.path:
                    return self.raw_path
            except _GoError:
                pass
        if self.path == "*":
            return "*"
        return _escape(self.path, _PATH)

    def escaped_fragment(self) -> str:
        if self.raw_fragment and _valid_encoded(self.raw_fragment, _FRAGMENT):
            try:
                if _unescape(self.raw_fragment, _FRAGMENT) == self.fragment:
                    return self.raw_fragment
            except _GoError:
                pass
        return _escape(self.fragment, _FRAGMENT)

    def redacted(self) -> str:
        """url.URL.Redacted: String() with any password replaced by ``xxxxx``."""
        buf: list[str] = []
        if self.scheme:
            buf.append(self.scheme + ":")
        if self.opaque:
            buf.append(self.opaque)
        else:
            has_user = self.username is not None
            if (self.scheme or self.host or has_user) and not (
                self.omit_host and not self.host and not has_user
            ):
                if self.host or self.path or has_user:
                    buf.append("//")
                if has_user:
                    buf.append(_escape(self.username or "", _USER_PASSWORD))
                    if self.password is not None:
                        buf.append(":xxxxx")
                    buf.append("@")
                if self.host:
                    buf.append(_escape(self.host, _HOST))
            path = self.escaped_path()
            if path and path[0] != "/" and self.host:
                buf.append("/")
            if not buf and ":" in path.partition("/")[0]:
                buf.append("./")
            buf.append(path)
        if self.force_query or self.raw_query:
            buf.append("?" + self.raw_query)
        if self.fragment:
            buf.append("#" + self.escaped_fragment())
        return "".join(buf)


def _get_scheme(raw: str) -> tuple[str, str]:
    for i, ch in enumerate(raw):
        if "a" <= ch <= "z" or "A" <= ch <= "Z":
            continue
        if "0" <= ch <= "9" or ch in "+-.":
            if i == 0:
                return "", raw
            continue
        if ch == ":":
            if i == 0:
                raise _GoError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def _parse_host(host: str, v: GoVersion) -> str:
    """net/url parseHost (host[:port] without userinfo); raises _GoError."""
    if _since(v, _URL_BRACKET_START_SINCE):
        open_idx = host.rfind("[")
        if open_idx > 0:
            raise _GoError("invalid IP-literal")
        literal = open_idx == 0
    else:
        literal = host.startswith("[")
    if literal:
        close = host.rfind("]")
        if close < 0:
            raise _GoError("missing ']' in host")
        colon_port = host[close + 1 :]
        if not _valid_optional_port(colon_port):
            raise _GoError(f"invalid port {_go_quote(colon_port)} after host")
        if _since(v, _URL_BRACKET_IPV6_SINCE):
            unescaped_port = _unescape(colon_port, _HOST)
            hostname = host[1:close]
            zone = hostname.find("%25")
            if zone >= 0:
                unescaped = _unescape(hostname[:zone], _HOST) + _unescape(hostname[zone:], _ZONE)
            else:
                unescaped = _unescape(hostname, _HOST)
            try:
                addr = _parse_addr(unescaped)
            except _GoError as e:
                raise _GoError(f"invalid host: {e}") from None
            if len(addr.ip) == 4:
                raise _GoError("invalid IP-literal")
            return "[" + unescaped + "]" + unescaped_port
        zone = host[:close].find("%25")
        if zone >= 0:
            return (
                _unescape(host[:zone], _HOST)
                + _unescape(host[zone:close], _ZONE)
                + _unescape(host[close:], _HOST)
            )
    else:
        i = host.find(":") if _since(v, _URL_STRICT_COLONS_SINCE) else host.rfind(":")
        if i != -1 and not _valid_optional_port(host[i:]):
            raise _GoError(f"invalid port {_go_quote(host[i:])} after host")
    return _unescape(host, _HOST)


def _parse_inner(raw: str, v: GoVersion) -> _GoURL:
    if any(ch < " " or ch == "\x7f" for ch in raw):
        raise _GoError("net/url: invalid control character in URL")
    u = _GoURL()
    if raw == "*":
        u.path = "*"
        return u
    scheme, rest = _get_scheme(raw)
    u.scheme = scheme.lower()
    if rest.endswith("?") and rest.count("?") == 1:
        u.force_query = True
        rest = rest[:-1]
    else:
        rest, _, u.raw_query = rest.partition("?")
    if not rest.startswith("/"):
        if u.scheme:
            u.opaque = rest
            return u
        if ":" in rest.partition("/")[0]:
            raise _GoError("first path segment in URL cannot contain colon")
    if (u.scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail
        at = authority.rfind("@")
        u.host = _parse_host(authority[at + 1 :], v)
        if at >= 0:
            userinfo = authority[:at]
            if not _valid_userinfo(userinfo):
                raise _GoError("net/url: invalid userinfo")
            if ":" not in userinfo:
                u.username = _unescape(userinfo, _USER_PASSWORD)
            else:
                name, _, pw = userinfo.partition(":")
                u.username = _unescape(name, _USER_PASSWORD)
                u.password = _unescape(pw, _USER_PASSWORD)
    elif u.scheme and rest.startswith("/"):
        u.omit_host = True
    u.path = _unescape(rest, _PATH)
    u.raw_path = "" if _escape(u.path, _PATH) == rest else rest
    return u


def _url_parse(raw: str, v: GoVersion) -> _GoURL:
    """url.Parse; raises _GoError with Go's ``parse "...": ...`` text."""
    before, sep, frag = raw.partition("#")
    try:
        u = _parse_inner(before, v)
    except _GoError as e:
        raise _GoError(f"parse {_go_quote(before)}: {e}") from None
    if sep and frag:
        try:
            u.fragment = _unescape(frag, _FRAGMENT)
        except _GoError as e:
            raise _GoError(f"parse {_go_quote(raw)}: {e}") from None
        u.raw_fragment = "" if _escape(u.fragment, _FRAGMENT) == frag else frag
    return u


# ---------------------------------------------------------------------------------------------
# IDNA (approximation of golang.org/x/net/idna Lookup.ToASCII)
# ---------------------------------------------------------------------------------------------

# UTS #46 deviation characters: kept as-is by the non-transitional Lookup profile.
_IDNA_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")
# A few code points UTS #46 maps to nothing ("ignored").
_IDNA_IGNORED = frozenset("\u00ad\u034f\u180b\u180c\u180d\u200b\u2060\ufeff") | frozenset(
    chr(c) for c in range(0xFE00, 0xFE10)
)
_IDNA_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_IDNA_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zs", "Zl", "Zp"})


def _idna_map(s: str) -> str:
    out: list[str] = []
    for ch in s:
        if ch in _IDNA_DEVIATIONS:
            out.append(ch)
        elif ch in _IDNA_IGNORED:
            continue
        else:
            out.append(unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", ch).casefold()))
    return unicodedata.normalize("NFC", "".join(out)).translate(_IDNA_DOTS)


def _idna_valid_label(label: str) -> bool:
    if label == "":
        return True  # VerifyDNSLength is off for Lookup
    if len(label) > 4 and label[2:4] == "--":
        return False
    if label[0] == "-" or label[-1] == "-":
        return False
    if unicodedata.category(label[0]).startswith("M"):
        return False
    for i, ch in enumerate(label):
        if ch.isascii():
            if not ("a" <= ch <= "z" or "0" <= ch <= "9" or ch == "-"):
                return False  # UseSTD3ASCIIRules
            continue
        if ch in ("\u200c", "\u200d"):
            # CheckJoiners (simplified): allowed only after a virama.
            if i == 0 or unicodedata.combining(label[i - 1]) != 9:
                return False
            continue
        if ch in _IDNA_DEVIATIONS:
            continue
        if unicodedata.category(ch) in _IDNA_BAD_CATEGORIES:
            return False
        if _idna_map(ch) != ch:
            return False  # not "valid": it would be mapped
    return True


def _idna_to_ascii(s: str) -> str:
    """x/net idna.Lookup.ToASCII (approximate); raises _GoError."""
    try:
        mapped = _idna_map(s)
        labels = mapped.split(".")
        # labelIter skips the last label if it is empty (a trailing dot stays).
        trailing = len(labels) > 1 and labels[-1] == ""
        if trailing:
            labels = labels[:-1]
        out: list[str] = []
        for label in labels:
            if label.startswith("xn--"):
                try:
                    decoded = label[4:].encode("ascii").decode("punycode")
                except (UnicodeError, ValueError):
                    raise _GoError(f"idna: invalid label {_go_quote(label)}") from None
                if decoded and decoded.isascii():
                    raise _GoError(f"idna: invalid label {_go_quote(label)}")
                if unicodedata.normalize("NFC", decoded) != decoded or not _idna_valid_label(
                    decoded
                ):
                    raise _GoError(f"idna: invalid label {_go_quote(label)}")
                label = decoded
            elif not _idna_valid_label(label):
                raise _GoError(f"idna: invalid label {_go_quote(label)}")
            out.append(
                label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
            )
        return ".".join(out) + ("." if trailing else "")
    except (UnicodeError, ValueError):
        raise _GoError("idna: invalid input") from None


def _idna_ascii(s: str) -> str:
    """httpproxy idnaASCII: ASCII strings are returned unchanged, unvalidated."""
    if s.isascii():
        return s
    return _idna_to_ascii(s)


# ---------------------------------------------------------------------------------------------
# golang.org/x/net/http/httpproxy
# ---------------------------------------------------------------------------------------------


def _parse_proxy(proxy: str, v: GoVersion) -> tuple[_GoURL | None, bool]:
    """httpproxy parseProxy -> (URL, whether ``http://`` was prepended).

    Raises _GoError with Go's ``invalid proxy address`` text.  Callers in Go ignore that error
    (config.init), so an unparseable value behaves as if the variable were unset.
    """
    if proxy == "":
        return None, False
    err: _GoError | None = None
    parsed: _GoURL | None = None
    try:
        parsed = _url_parse(proxy, v)
    except _GoError as e:
        err = e
    if _since(v, _ANY_SCHEME_SINCE):
        # x/net 8c07e20f: retry only if parsing failed or gave no scheme or no host.
        retry = err is not None or parsed is None or parsed.scheme == "" or parsed.host == ""
    else:
        retry = (
            err is not None or parsed is None or parsed.scheme not in ("http", "https", "socks5")
        )
    if retry:
        try:
            return _url_parse("http://" + proxy, v), True
        except _GoError:
            pass
    if err is not None:
        raise _GoError(f"invalid proxy address {_go_quote(proxy)}: {err}")
    return parsed, False


@record
class _Matcher:
    kind: str  # "all", "cidr", "ip", "domain"
    entry: str  # the NO_PROXY entry, trimmed and lower-cased
    host: str = ""
    port: str = ""
    match_host: bool = False
    ip: bytes = b""
    net: _IPNet | None = None

    def match(self, host: str, port: str, ip: bytes | None, zone_fix: bool) -> bool:
        if self.kind == "all":
            return True
        if self.kind == "cidr":
            return ip is not None and self.net is not None and self.net.contains(ip)
        if self.kind == "ip":
            return ip is not None and _ip_equal(self.ip, ip) and self.port in ("", port)
        # domainMatch.  Since cde1dda9 an IP host never matches a domain entry.
        if zone_fix and ip is not None:
            return False
        if host.endswith(self.host) or (self.match_host and host == self.host[1:]):
            return self.port in ("", port)
        return False


def _no_proxy_matchers(no_proxy: str, v: GoVersion) -> tuple[list[_Matcher], list[_Matcher]]:
    """httpproxy config.init: (ipMatchers, domainMatchers)."""
    ip_matchers: list[_Matcher] = []
    domain_matchers: list[_Matcher] = []
    for raw in no_proxy.split(","):
        p = _go_lower(_go_trim_space(raw))
        if not p:
            continue
        if p == "*":
            star = _Matcher("all", p)
            return [star], [star]
        net = _parse_cidr(p)
        if net is not None:
            ip_matchers.append(_Matcher("cidr", p, net=net))
            continue
        try:
            phost, pport = _split_host_port(p)
            if not phost:
                continue  # no host part: malformed, ignored
            if phost[0] == "[" and phost[-1] == "]":
                phost = phost[1:-1]
        except _GoError:
            phost, pport = p, ""
        pip = _parse_ip(phost)
        if pip is not None:
            ip_matchers.append(_Matcher("ip", p, ip=pip, port=pport))
            continue
        if not phost:
            continue
        if phost.startswith("*."):
            phost = phost[1:]
        match_host = False
        if phost[0] != ".":
            match_host = True
            phost = "." + phost
        if _since(v, _NO_PROXY_IDNA_SINCE):
            with contextlib.suppress(_GoError):
                phost = _idna_ascii(phost)
        domain_matchers.append(_Matcher("domain", p, host=phost, port=pport, match_host=match_host))
    return ip_matchers, domain_matchers


def _canonical_addr(u: _GoURL) -> str:
    """httpproxy canonicalAddr (request URL side: http 80, https 443, socks5 1080)."""
    addr = u.hostname()
    with contextlib.suppress(_GoError):
        addr = _idna_ascii(addr)
    port = u.port() or {"http": "80", "https": "443", "socks5": "1080"}.get(u.scheme, "")
    return _join_host_port(addr, port)


@record
class _UseProxy:
    use: bool
    reason: str
    entry: str | None = None


def _use_proxy(addr: str, no_proxy: str, no_proxy_var: str | None, v: GoVersion) -> _UseProxy:
    """httpproxy config.useProxy, with the reason."""
    nvar = no_proxy_var or "NO_PROXY"
    try:
        host, port = _split_host_port(addr)
    except _GoError as e:
        return _UseProxy(
            False,
            f"Go cannot split {addr!r} into host and port ({e}); such a request is never proxied",
        )
    if host == "localhost":
        return _UseProxy(False, "localhost is never proxied")
    zone_fix = _since(v, _ZONE_FIX_SINCE)
    ip: bytes | None
    if zone_fix:
        try:
            ip = _as16(_parse_addr(host).ip)
        except _GoError:
            ip = None
    else:
        ip = _parse_ip(host)
    if ip is not None and _is_loopback(ip):
        return _UseProxy(False, f"{host} is a loopback address and is never proxied")
    lhost = _go_lower(_go_trim_space(host))
    ip_matchers, domain_matchers = _no_proxy_matchers(no_proxy, v)
    candidates = (ip_matchers if ip is not None else []) + domain_matchers
    for m in candidates:
        if m.match(lhost, port, ip, zone_fix):
            if m.kind == "all":
                return _UseProxy(False, f"{nvar} is '*': nothing is proxied", m.entry)
            target = f"{lhost}:{port}" if m.port else lhost
            return _UseProxy(False, f"{nvar} entry '{m.entry}' matches {target}", m.entry)
    if not no_proxy:
        return _UseProxy(True, "NO_PROXY is not set")
    return _UseProxy(True, f"no {nvar} entry matches {lhost}:{port}")


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def _get_env_any(env: Mapping[str, str], *names: str) -> tuple[str, str | None]:
    """httpproxy getEnvAny: the first name whose value is non-empty."""
    for name in names:
        val = env.get(name, "")
        if val != "":
            return val, name
    return "", None


@record
class ProxyEnv:
    """The proxy configuration Go reads (httpproxy.FromEnvironment), and where each value came from."""

    http_proxy: str
    http_proxy_var: str | None
    https_proxy: str
    https_proxy_var: str | None
    no_proxy: str
    no_proxy_var: str | None
    cgi: bool

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> ProxyEnv:
        http_proxy, http_var = _get_env_any(env, "HTTP_PROXY", "http_proxy")
        https_proxy, https_var = _get_env_any(env, "HTTPS_PROXY", "https_proxy")
        no_proxy, no_var = _get_env_any(env, "NO_PROXY", "no_proxy")
        return cls(
            http_proxy=http_proxy,
            http_proxy_var=http_var,
            https_proxy=https_proxy,
            https_proxy_var=https_var,
            no_proxy=no_proxy,
            no_proxy_var=no_var,
            cgi=env.get("REQUEST_METHOD", "") != "",
        )


# net/http transport.go portMap (proxy side; socks5h since Go 1.23).
_PROXY_PORTS = {"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080}


@record
class ProxyURL:
    """A proxy URL as Go's parseProxy produces it.

    ``host`` is ``url.Hostname()`` (no brackets); ``port`` is the port net/http dials: the
    explicit one, else http 80 / https 443 / socks5(h) 1080, else 0 (Go then dials port 0).
    ``username``/``password`` are percent-decoded and kept out of ``repr``.
    """

    scheme: str
    host: str
    port: int
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    # Go's url.URL.String() for this proxy, with any userinfo shown as "***:***" (also where a
    # misparse moved it into the path); equal to Go's String() when there is no userinfo.
    go_string: str = ""
    explicit_port: bool = False

    def redacted(self) -> str:
        """``scheme://host:port``, with any userinfo shown as ``***:***@`` (never the secret)."""
        userinfo = ""
        if self.password is not None:
            userinfo = "***:***@"
        elif self.username is not None:
            userinfo = "***@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{userinfo}{host}:{self.port}"

    @classmethod
    def _from_go(cls, u: _GoURL, raw: str) -> ProxyURL:
        port_s = u.port()
        shown = u.redacted()
        if u.username is not None:
            shown = shown.replace(
                _escape(u.username, _USER_PASSWORD)
                + (":xxxxx" if u.password is not None else "")
                + "@",
                "***:***@" if u.password is not None else "***@",
                1,
            )
        userinfo = _raw_userinfo(raw)
        if userinfo:
            shown = shown.replace(userinfo, "***:***" if ":" in userinfo else "***")
        port = int(port_s) if port_s else _PROXY_PORTS.get(u.scheme, 0)
        return cls(
            scheme=u.scheme,
            host=u.hostname(),
            port=port,
            username=u.username,
            password=u.password,
            go_string=shown,
            explicit_port=bool(port_s),
        )


@record
class ProxyDecision:
    """What Go's ProxyFromEnvironment returns for one request URL, and why."""

    url: str
    proxy: ProxyURL | None
    variable: str | None
    reason: str
    no_proxy_entry: str | None
    error: str | None
    canonical_addr: str | None = None  # httpproxy canonicalAddr(reqURL), e.g. "reg.example.com:443"


def _raw_userinfo(value: str) -> str:
    """The ``user[:pass]`` text of a raw proxy value, or ``""``.

    For *redaction*, not parsing: everything up to the last ``@`` counts, so a password with
    ``/``, ``?`` or ``#`` in it (which Go would misparse) is still hidden whole."""
    scheme_end = value.find("://")
    start = scheme_end + 3 if scheme_end >= 0 else 0
    end = len(value)
    for stop in " \t\n":
        j = value.find(stop, start)
        if j != -1:
            end = min(end, j)
    at = value.rfind("@", start, end)
    return value[start:at] if at >= 0 else ""


def redact_proxy_value(value: str) -> str:
    """A raw proxy/env value with any ``user:pass@`` replaced by ``***:***@``, for messages."""
    userinfo = _raw_userinfo(value)
    if not userinfo:
        return value
    return value.replace(userinfo + "@", ("***:***" if ":" in userinfo else "***") + "@")


def decide(env: ProxyEnv, url: str, *, go_version: GoVersion | None = None) -> ProxyDecision:
    """The proxy Go would use for ``url`` (http.ProxyFromEnvironment), with an explanation."""
    v = go_version or _LATEST
    try:
        req = _url_parse(url, v)
    except _GoError as e:
        msg = str(e)
        return ProxyDecision(url, None, None, f"Go cannot parse the request URL: {msg}", None, msg)

    def parsed(value: str) -> tuple[_GoURL | None, str | None]:
        try:
            return _parse_proxy(value, v)[0], None
        except _GoError as e:
            return None, redact_proxy_value(str(e))

    http_u, http_err = parsed(env.http_proxy)
    https_u, https_err = parsed(env.https_proxy)
    http_name = env.http_proxy_var or "HTTP_PROXY"
    https_name = env.https_proxy_var or "HTTPS_PROXY"

    chosen: _GoURL | None = None
    chosen_var: str | None = None
    not_set: str
    if _since(v, _HTTPS_ONLY_SINCE):
        if req.scheme == "https":
            chosen, chosen_var = https_u, env.https_proxy_var
            if https_err is not None:
                not_set = f"{https_name} is set but Go cannot parse it ({https_err}); Go silently ignores it"
            elif env.http_proxy:
                not_set = (
                    "HTTPS_PROXY is not set; HTTP_PROXY is only used for http:// URLs (Go >= 1.16)"
                )
            else:
                not_set = "HTTPS_PROXY is not set"
        elif req.scheme == "http":
            chosen, chosen_var = http_u, env.http_proxy_var
            if chosen is not None and env.cgi:
                return ProxyDecision(
                    url,
                    None,
                    chosen_var,
                    "REQUEST_METHOD is set (CGI), so Go refuses HTTP_PROXY for http:// URLs",
                    None,
                    CGI_ERROR,
                )
            if http_err is not None:
                not_set = f"{http_name} is set but Go cannot parse it ({http_err}); Go silently ignores it"
            else:
                not_set = "HTTP_PROXY is not set"
        else:
            not_set = (
                f"Go only uses a proxy for http:// and https:// URLs, not scheme {req.scheme!r}"
            )
    else:
        # Before x/net 7b1cca23 (Go 1.16): HTTPS_PROXY for https, else HTTP_PROXY for anything.
        if req.scheme == "https":
            chosen, chosen_var = https_u, env.https_proxy_var
        if chosen is None:
            chosen, chosen_var = http_u, env.http_proxy_var
            if chosen is not None and env.cgi:
                return ProxyDecision(
                    url,
                    None,
                    chosen_var,
                    "REQUEST_METHOD is set (CGI), so Go refuses HTTP_PROXY",
                    None,
                    CGI_ERROR,
                )
        errs = [e for e in (https_err if req.scheme == "https" else None, http_err) if e]
        not_set = (
            f"the proxy variable is set but Go cannot parse it ({errs[0]}); Go silently ignores it"
            if errs
            else "neither HTTPS_PROXY nor HTTP_PROXY is set"
            if req.scheme == "https"
            else "HTTP_PROXY is not set"
        )
    if chosen is None:
        return ProxyDecision(url, None, None, not_set, None, None)

    addr = _canonical_addr(req)
    verdict = _use_proxy(addr, env.no_proxy, env.no_proxy_var, v)
    if not verdict.use:
        return ProxyDecision(url, None, None, verdict.reason, verdict.entry, None, addr)
    proxy = ProxyURL._from_go(chosen, env.https_proxy if chosen is https_u else env.http_proxy)
    reason = f"{chosen_var} applies ({verdict.reason})"
    return ProxyDecision(url, proxy, chosen_var, reason, None, None, addr)


@record
class ProxyLint:
    """A classic proxy-environment mistake.  ``code`` values are stable identifiers."""

    code: str
    message: str
    variable: str


LINT_CODES = (
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


def lint(env_raw: Mapping[str, str], *, go_version: GoVersion | None = None) -> list[ProxyLint]:
    """Flag proxy settings that do not do what their author most likely meant, for Go."""
    v = go_version or _LATEST
    out: list[ProxyLint] = []
    env = ProxyEnv.from_environ(env_raw)

    for upper in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"):
        lower = upper.lower()
        if upper in env_raw and lower in env_raw and env_raw[upper] != env_raw[lower]:
            used = upper if env_raw[upper] != "" else lower
            other = lower if used == upper else upper
            extra = " because it is non-empty" if used == upper else f" because {upper} is empty"
            out.append(
                ProxyLint(
                    "case-mismatch",
                    f"{upper} and {lower} are both set with different values; Go uses {used}"
                    f"{extra} and ignores {other} (curl and others prefer the lower-case one)",
                    used,
                )
            )

    for name in ("ALL_PROXY", "all_proxy"):
        if env_raw.get(name, ""):
            out.append(
                ProxyLint(
                    "all-proxy-ignored",
                    f"{name} is set, but Go's net/http ignores ALL_PROXY; "
                    "set HTTPS_PROXY (and HTTP_PROXY) instead",
                    name,
                )
            )

    supported = (
        ("http", "https", "socks5", "socks5h")
        if _since(v, _SOCKS5H_SINCE)
        else ("http", "https", "socks5")
    )
    for value, var in (
        (env.http_proxy, env.http_proxy_var),
        (env.https_proxy, env.https_proxy_var),
    ):
        if var is None:
            continue
        shown = redact_proxy_value(value)
        try:
            u, retried = _parse_proxy(value, v)
        except _GoError as e:
            out.append(
                ProxyLint(
                    "unparseable-proxy",
                    f"{var}={shown!r} cannot be parsed by Go ({redact_proxy_value(str(e))}); "
                    "Go silently ignores it and connects directly",
                    var,
                )
            )
            continue
        if u is None:
            continue
        raw_scheme = ""
        if "://" in value:
            try:
                raw_scheme = _get_scheme(value)[0].lower()
            except _GoError:
                raw_scheme = ""
        if not _since(v, _ANY_SCHEME_SINCE) and raw_scheme and raw_scheme not in supported:
            out.append(
                ProxyLint(
                    "unsupported-scheme",
                    f"{var}={shown!r}: Go before 1.23 does not know {raw_scheme}:// and reads the "
                    f"value as http://{raw_scheme}:... (host {u.hostname()!r})"
                    + (
                        "; socks5h needs Go >= 1.23, use socks5:// (Go always resolves names on "
                        "the SOCKS server)"
                        if raw_scheme == "socks5h"
                        else ""
                    ),
                    var,
                )
            )
            continue
        if u.scheme not in supported:
            out.append(
                ProxyLint(
                    "unsupported-scheme",
                    f"{var}={shown!r}: Go's transport supports only {', '.join(supported)} proxies;"
                    f" it would speak the plain HTTP proxy protocol to this {u.scheme}:// proxy"
                    + ("" if u.port() else " on port 0"),
                    var,
                )
            )
            continue
        if retried and "://" in value:
            out.append(
                ProxyLint(
                    "proxy-misparsed",
                    f"{var}={shown!r} is not a URL Go can parse as written; Go retries with "
                    f"http:// prepended and gets {u.scheme}://{u.host} (host {u.hostname()!r}), "
                    "which is almost certainly not the intended proxy",
                    var,
                )
            )
            continue
        if u.hostname() == "":
            out.append(
                ProxyLint(
                    "proxy-no-host",
                    f"{var}={shown!r} has no host; Go would dial the local machine",
                    var,
                )
            )

    if _since(v, _HTTPS_ONLY_SINCE) and env.http_proxy and not env.https_proxy:
        out.append(
            ProxyLint(
                "https-proxy-unset",
                f"{env.http_proxy_var} is set but HTTPS_PROXY is not: Go (>= 1.16) uses HTTP_PROXY "
                "only for http:// URLs, so https:// registry traffic goes direct",
                "HTTPS_PROXY",
            )
        )

    if env.cgi and env.http_proxy:
        out.append(
            ProxyLint(
                "cgi-request-method",
                "REQUEST_METHOD is set, so Go treats the process as CGI and every http:// request "
                f"that would use HTTP_PROXY fails with: {CGI_ERROR}",
                "REQUEST_METHOD",
            )
        )

    if env.no_proxy_var is not None:
        out.extend(_lint_no_proxy(env.no_proxy, env.no_proxy_var))
    return out


def _lint_no_proxy(no_proxy: str, var: str) -> list[ProxyLint]:
    out: list[ProxyLint] = []
    for raw in no_proxy.split(","):
        p = _go_lower(_go_trim_space(raw))
        if not p or p == "*":
            continue
        if "://" in p:
            bare = p.split("://", 1)[1].split("/", 1)[0]
            out.append(
                ProxyLint(
                    "no-proxy-scheme",
                    f"{var} entry '{p}' has a scheme; Go never matches it (write '{bare}')",
                    var,
                )
            )
            continue
        if "/" in p and _parse_cidr(p) is None:
            out.append(
                ProxyLint(
                    "no-proxy-path",
                    f"{var} entry '{p}' has a path or an invalid CIDR prefix; Go never matches it",
                    var,
                )
            )
            continue
        body = p[2:] if p.startswith("*.") else p
        if "*" in body:
            out.append(
                ProxyLint(
                    "no-proxy-wildcard",
                    f"{var} entry '{p}': Go understands '*' only alone or as a leading '*.'; "
                    "this entry never matches",
                    var,
                )
            )
            continue
        if p.startswith("["):
            try:
                _split_host_port(p)
            except _GoError:
                out.append(
                    ProxyLint(
                        "no-proxy-brackets",
                        f"{var} entry '{p}': a bracketed IPv6 address without a port never "
                        "matches; write it without brackets",
                        var,
                    )
                )
    return out
