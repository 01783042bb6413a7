"""Image-reference parsing with the exact semantics of go-containerregistry ``pkg/name``.

Mirrors google/go-containerregistry ``pkg/name`` at tag **v0.20.4**, the version vendored by
kaniko v1.24.0 (``go.mod``).  Files read: ``check.go``, ``errors.go``, ``options.go``,
``ref.go``, ``registry.go``, ``repository.go``, ``tag.go``, ``digest.go`` and their ``*_test.go``.

How kaniko uses it (GoogleContainerTools/kaniko v1.24.0):

* ``--destination`` and the push-permission check: ``name.NewTag(dest, name.WeakValidation)``
  (``pkg/executor/push.go`` lines 111 and 216).  That is :func:`new_tag`, *not*
  :func:`parse_reference`, so a destination carrying ``@sha256:…`` is rejected and the error
  text is the specific ``checkElement`` message (wrapped by kaniko as
  ``getting tag for destination: …``).
* ``--cache-repo``: ``name.NewTag(cache, name.WeakValidation)`` (``pkg/cache/cache.go``).
* Base images (``FROM``) and warmer images: ``name.ParseReference(image, name.WeakValidation)``
  (``pkg/image/remote/remote.go``, ``pkg/image/image_util.go``, ``pkg/cache/warm.go``).
  ParseReference discards the specific reason and only says
  ``could not parse reference: <input>``; :attr:`ReferenceError.causes` keeps the reasons.
* ``--insecure`` / ``--insecure-registry`` re-create the registry with ``name.Insecure``, which
  only changes :meth:`Registry.scheme`.

Behaviour changed after v0.20.4 (relevant only to kaniko forks built on newer ggcr): v0.20.6
rejects an empty tag after a colon (``"foo:"``; here it means ``foo:latest``), v0.21.6 stops
treating ``*.local`` as plain-HTTP (only ``*.localhost``), v0.21.7 anchors the loopback
checks and treats a bare ``localhost/…`` first component as a registry, and a 2026 commit
allows one-character repositories (here ``localhost:5000/x`` is an error).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import field

from kanidoc.record import record

__all__ = [
    "DEFAULT_REGISTRY",
    "DEFAULT_TAG",
    "Reference",
    "ReferenceError",
    "Registry",
    "Repository",
    "new_digest",
    "new_registry",
    "new_repository",
    "new_tag",
    "parse_reference",
]

DEFAULT_REGISTRY = "index.docker.io"
_DEFAULT_REGISTRY_ALIAS = "docker.io"
DEFAULT_TAG = "latest"
_DEFAULT_NAMESPACE = "library"

# pkg/name/repository.go and tag.go
_REPOSITORY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-./"
_TAG_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-.ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SHA256_PREFIX = "sha256:"
_SHA256_HEX = re.compile(r"[a-f0-9]{64}\Z")

# pkg/name/registry.go: reLocal = `.*\.local(?:host)?(?::\d{1,5})?$` (unanchored MatchString;
# Go's \d is ASCII-only and $ is end-of-text without the m flag).
_RE_LOCAL = re.compile(r"\.local(?:host)?(?::[0-9]{1,5})?\Z")

# net/url shouldEscape(c, encodeHost) == false for these ASCII bytes (golang/go
# src/net/url/url.go); every other ASCII byte makes unescape() fail with InvalidHostError.
_HOST_OK_ASCII = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+,;=:[]<>\""
)

_RFC1918 = (
    ipaddress.IPv4Network("10.0.0.0/8"),
    ipaddress.IPv4Network("172.16.0.0/12"),
    ipaddress.IPv4Network("192.168.0.0/16"),
)


class ReferenceError(ValueError):
    """A reference ggcr would reject.  ``str(e)`` is ggcr's exact error text.

    ``bad_name`` is False only for go-digest's own errors (``invalid checksum digest
    length``/``format``), which ggcr returns unwrapped rather than as ``*ErrBadName``.
    ``causes`` holds the NewTag and NewDigest errors that ParseReference swallowed.
    """

    def __init__(
        self,
        message: str,
        *,
        bad_name: bool = True,
        causes: tuple[ReferenceError, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.bad_name = bad_name
        self.causes = causes

    def __str__(self) -> str:
        return self.message


@record
class _Options:
    strict: bool = False
    insecure: bool = False
    default_registry: str = DEFAULT_REGISTRY
    default_tag: str = DEFAULT_TAG


def _is_rfc1918(name: str) -> bool:
    # registry.go isRFC1918: net.ParseIP(strings.Split(name, ":")[0]).  Go >= 1.17 rejects
    # IPv4 octets with leading zeros, as does Python's ipaddress; only dotted quads can reach
    # here because the string holds no ':'.
    ip_str = name.split(":")[0]
    if not ip_str.isascii():
        return False
    try:
        ip = ipaddress.IPv4Address(ip_str)
    except ValueError:
        return False
    return any(ip in block for block in _RFC1918)


@record
class Registry:
    """``name.Registry``: ``name`` is ``RegistryStr()`` (host[:port] as written)."""

    name: str
    insecure: bool = False

    def scheme(self, *, insecure: bool = False) -> str:
        """``Registry.Scheme()`` (registry.go).  ``insecure`` mirrors ``name.Insecure``."""
        n = self.name
        if (
            self.insecure
            or insecure
            or _is_rfc1918(n)
            or n.startswith("localhost:")
            or _RE_LOCAL.search(n) is not None
            or "127.0.0.1" in n  # reLoopback = QuoteMeta("127.0.0.1"), unanchored
            or "::1" in n  # reipv6Loopback = QuoteMeta("::1"), unanchored
        ):
            return "http"
        return "https"

    def scope(self, action: str = "") -> str:
        return "registry:catalog:*"

    def __str__(self) -> str:
        return self.name


@record
class Repository:
    """``name.Repository``.  ``repository`` is ``RepositoryStr()`` (``library/`` applied)."""

    registry: Registry
    repository: str

    def name(self) -> str:
        return f"{self.registry.name}/{self.repository}"

    def scope(self, action: str) -> str:
        return f"repository:{self.repository}:{action}"

    def __str__(self) -> str:
        return self.name()


@record
class Reference:
    """A ``name.Tag`` (``digest is None``) or ``name.Digest`` (``tag is None``)."""

    original: str
    registry: str
    repository: str
    tag: str | None
    digest: str | None
    insecure: bool = field(default=False, compare=False)

    def context(self) -> str:
        """``Context().String()``: registry/repository (kaniko's per-repo dedupe key)."""
        return f"{self.registry}/{self.repository}"

    def identifier(self) -> str:
        return self.digest if self.digest is not None else (self.tag or "")

    def name(self) -> str:
        """``Name()``: the fully qualified form, e.g. ``index.docker.io/library/alpine:latest``."""
        if self.digest is not None:
            return f"{self.context()}@{self.digest}"
        return f"{self.context()}:{self.tag}"

    def scope(self, action: str) -> str:
        return f"repository:{self.repository}:{action}"

    def registry_obj(self) -> Registry:
        return Registry(self.registry, self.insecure)

    def scheme(self, *, insecure: bool = False) -> str:
        """``Registry.Scheme()``; pass ``insecure=True`` for ``--insecure``/``--insecure-registry``."""
        return self.registry_obj().scheme(insecure=insecure)

    def __str__(self) -> str:
        # Tag.String() / Digest.String() return the input string unchanged.
        return self.original


# --------------------------------------------------------------------------- validation


def _check_element(what: str, element: str, allowed: str, lo: int, hi: int) -> None:
    # check.go checkElement: rune count, then "any rune outside allowed".
    n = len(element)
    if n < lo or n > hi:
        raise ReferenceError(
            f"{what} must be between {lo} and {hi} characters in length: {element}"
        )
    if any(ch not in allowed for ch in element):
        raise ReferenceError(f"{what} can only contain the characters `{allowed}`: {element}")


def _valid_optional_port(port: bytes) -> bool:
    # net/url validOptionalPort: "" or ":" followed by ASCII digits only.
    if port == b"":
        return True
    return port[:1] == b":" and all(0x30 <= b <= 0x39 for b in port[1:])


def _is_uri_authority(name: str) -> bool:
    """registry.go checkRegistry: ``url.Parse("//"+name)`` succeeds and ``u.Host == name``.

    Derived from golang/go src/net/url/url.go (Parse, parse, parseAuthority, parseHost,
    unescape, shouldEscape) as of Go 1.24.3 (kaniko v1.24.0's builder).  Anything that makes
    url.Parse put part of the string outside Host ('#', '?', '@', '/') or decode it ('%')
    makes Host differ; CTL bytes fail parse; the port and host-byte rules fail parseHost.
    Go 1.24.8/1.25.2 (CVE-2025-47912) additionally require bracketed hosts to be IPv6
    literals; kaniko v1.24.0 predates that.
    """
    raw = name.encode("utf-8", "surrogatepass")
    if any(b < 0x20 or b == 0x7F for b in raw):
        return False  # "net/url: invalid control character in URL"
    if any(b in b"#?@/%" for b in raw):
        return False
    if raw.startswith(b"["):
        i = raw.rfind(b"]")
        if i < 0 or not _valid_optional_port(raw[i + 1 :]):
            return False
    else:
        i = raw.rfind(b":")
        if i >= 0 and not _valid_optional_port(raw[i:]):
            return False
    # unescape(host, encodeHost): non-ASCII bytes pass, ASCII must not need escaping.
    return all(b >= 0x80 or b in _HOST_OK_ASCII for b in raw)


# --------------------------------------------------------------------------- constructors


def _new_registry(name: str, opt: _Options) -> Registry:
    if opt.strict and name == "":
        raise ReferenceError("strict validation requires the registry to be explicitly defined")
    if not _is_uri_authority(name):
        raise ReferenceError(f"registries must be valid RFC 3986 URI authorities: {name}")
    if name == "":
        name = opt.default_registry
    if name == _DEFAULT_REGISTRY_ALIAS:  # ggcr issue #68: docker.io -> index.docker.io
        name = DEFAULT_REGISTRY
    return Registry(name, opt.insecure)


def _has_implicit_namespace(repo: str, reg: Registry) -> bool:
    # Compares with the DefaultRegistry constant, not the WithDefaultRegistry option.
    return "/" not in repo and reg.name == DEFAULT_REGISTRY


def _new_repository(name: str, opt: _Options) -> Repository:
    if name == "":
        raise ReferenceError("a repository name must be specified")
    registry = ""
    repo = name
    first, sep, rest = name.partition("/")
    # The first component is a registry iff it contains '.' or ':' (so "localhost/x" is a
    # Docker Hub repository in v0.20.4).
    if sep and ("." in first or ":" in first):
        registry, repo = first, rest
    _check_element("repository", repo, _REPOSITORY_CHARS, 2, 255)
    reg = _new_registry(registry, opt)
    if _has_implicit_namespace(repo, reg):
        if opt.strict:
            raise ReferenceError(
                "strict validation requires the full repository path (missing 'library')"
            )
        repo = f"{_DEFAULT_NAMESPACE}/{repo}"
    return Repository(reg, repo)


def _new_tag(name: str, opt: _Options) -> Reference:
    base = name
    tag = ""
    parts = name.split(":")
    # A last ':'-part containing '/' is a registry port, not a tag.
    if len(parts) > 1 and "/" not in parts[-1]:
        base = ":".join(parts[:-1])
        tag = parts[-1]
    if tag != "" or opt.strict:
        _check_element("tag", tag, _TAG_CHARS, 1, 128)
    if tag == "":
        tag = opt.default_tag  # v0.20.4: "repo:" silently becomes repo:<default>
    repo = _new_repository(base, opt)
    return Reference(name, repo.registry.name, repo.repository, tag, None, opt.insecure)


def _new_digest(name: str, opt: _Options) -> Reference:
    parts = name.split("@")
    if len(parts) != 2:
        raise ReferenceError(
            "a digest must contain exactly one '@' separator (e.g. registry/repository@digest) "
            f"saw: {name}"
        )
    base, dig = parts
    if not dig.startswith(_SHA256_PREFIX):
        raise ReferenceError(f"unsupported digest algorithm: {dig}")
    hex_part = dig[len(_SHA256_PREFIX) :]
    # opencontainers/go-digest v1.0.0 Algorithm.Validate: byte length first, then regexp.
    if len(hex_part.encode("utf-8", "surrogatepass")) != 64:
        raise ReferenceError("invalid checksum digest length", bad_name=False)
    if _SHA256_HEX.match(hex_part) is None:
        raise ReferenceError("invalid checksum digest format", bad_name=False)
    try:
        tag = _new_tag(base, opt)
    except ReferenceError:
        pass
    else:
        # "repo:tag@sha256:…": the tag is dropped; Name() (with library/) is re-parsed.
        base = tag.context()
    repo = _new_repository(base, opt)
    return Reference(name, repo.registry.name, repo.repository, None, dig, opt.insecure)


def _opts(strict: bool, insecure: bool, default_registry: str, default_tag: str) -> _Options:
    return _Options(strict, insecure, default_registry, default_tag)


def new_registry(
    name: str,
    *,
    strict: bool = False,
    insecure: bool = False,
    default_registry: str = DEFAULT_REGISTRY,
) -> Registry:
    """``name.NewRegistry``."""
    return _new_registry(name, _opts(strict, insecure, default_registry, DEFAULT_TAG))


def new_repository(
    name: str,
    *,
    strict: bool = False,
    insecure: bool = False,
    default_registry: str = DEFAULT_REGISTRY,
) -> Repository:
    """``name.NewRepository``."""
    return _new_repository(name, _opts(strict, insecure, default_registry, DEFAULT_TAG))


def new_tag(
    s: str,
    *,
    strict: bool = False,
    insecure: bool = False,
    default_registry: str = DEFAULT_REGISTRY,
    default_tag: str = DEFAULT_TAG,
) -> Reference:
    """``name.NewTag``: what kaniko uses for ``--destination`` and ``--cache-repo``."""
    return _new_tag(s, _opts(strict, insecure, default_registry, default_tag))


def new_digest(
    s: str,
    *,
    strict: bool = False,
    insecure: bool = False,
    default_registry: str = DEFAULT_REGISTRY,
    default_tag: str = DEFAULT_TAG,
) -> Reference:
    """``name.NewDigest``."""
    return _new_digest(s, _opts(strict, insecure, default_registry, default_tag))


def parse_reference(
    s: str,
    *,
    strict: bool = False,
    default_registry: str = DEFAULT_REGISTRY,
    default_tag: str = DEFAULT_TAG,
    insecure: bool = False,
) -> Reference:
    """``name.ParseReference``: NewTag, else NewDigest, else ``could not parse reference: s``.

    What kaniko uses for base images.  For ``--destination`` use :func:`new_tag`.
    """
    opt = _opts(strict, insecure, default_registry, default_tag)
    try:
        return _new_tag(s, opt)
    except ReferenceError as tag_err:
        try:
            return _new_digest(s, opt)
        except ReferenceError as dig_err:
            raise ReferenceError(
                f"could not parse reference: {s}", causes=(tag_err, dig_err)
            ) from None
