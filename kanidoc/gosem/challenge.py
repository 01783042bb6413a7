"""WWW-Authenticate parsing as go-containerregistry's ping does it.

ggcr ``pkg/v1/remote/transport/ping.go`` reads every ``WWW-Authenticate`` header with
docker/distribution's ``registry/client/auth/challenge`` parser (``parseValueAndParams``):
a scheme token (lower-cased), then ``key=value`` pairs (token or quoted-string, keys
lower-cased), comma separated. Among several challenges it takes the first Basic or Bearer
one; a Bearer challenge without ``realm`` fails later with
``malformed www-authenticate, missing realm: ...`` (``transport/bearer.go``).
"""

from __future__ import annotations

from dataclasses import field

from kanidoc.record import record

_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
MAX_HEADER = 8192


@record
class Challenge:
    scheme: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")

    @property
    def service(self) -> str | None:
        return self.params.get("service")

    @property
    def error(self) -> str | None:
        return self.params.get("error")


def _token(s: str, i: int) -> tuple[str, int]:
    start = i
    while i < len(s) and s[i] in _TOKEN_CHARS:
        i += 1
    return s[start:i], i


def _skip_space(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t":
        i += 1
    return i


def _quoted(s: str, i: int) -> tuple[str, int]:
    # s[i] == '"'
    i += 1
    out = []
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append(s[i + 1])
            i += 2
            continue
        if c == '"':
            return "".join(out), i + 1
        out.append(c)
        i += 1
    return "".join(out), i  # unterminated: take what there is


def parse_header(value: str) -> list[Challenge]:
    """docker/distribution ``parseValueAndParams``: ONE challenge per header value. Parsing
    stops at the first thing it does not expect (no spaces around ``=``, an empty value), so
    ``Negotiate, Basic realm="x"`` is a Negotiate challenge and nothing else. Never raises."""
    s = value[:MAX_HEADER]
    scheme, i = _token(s, 0)
    if not scheme:
        return []
    params: dict[str, str] = {}
    rest = "," + s[_skip_space(s, i):]
    while rest.startswith(","):
        j = _skip_space(rest, 1)
        key, j = _token(rest, j)
        if not key or not rest[j:].startswith("="):
            break
        j += 1
        if j < len(rest) and rest[j] == '"':
            val, j = _quoted(rest, j)
        else:
            val, j = _token(rest, j)
        if not val:
            break
        params[key.lower()] = val
        rest = rest[_skip_space(rest, j):]
    return [Challenge(scheme.lower(), params)]


def pick(headers: list[str]) -> Challenge | None:
    """The challenge ggcr acts on: the first Basic or Bearer one."""
    for header in headers:
        for ch in parse_header(header):
            if ch.scheme in ("basic", "bearer"):
                return ch
    return None
