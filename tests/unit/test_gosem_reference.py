"""kanidoc.gosem.reference against go-containerregistry v0.20.4 ``pkg/name``.

Cases marked "ggcr:" come from google/go-containerregistry ``pkg/name/*_test.go`` at v0.20.4.
Every expected value below was also checked against the real Go package (ggcr v0.20.4 as
vendored by kaniko v1.24.0, built with Go 1.19) in a throwaway harness.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kanidoc.gosem.reference import (
    Reference,
    ReferenceError,
    new_digest,
    new_registry,
    new_repository,
    new_tag,
    parse_reference,
)

D = "sha256:deadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33f"  # ggcr validDigest
REPO_CHARS = "repository can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`"
TAG_CHARS = (
    "tag can only contain the characters "
    "`abcdefghijklmnopqrstuvwxyz0123456789_-.ABCDEFGHIJKLMNOPQRSTUVWXYZ`"
)

# (input, Name(), Context().String(), Scheme())
GOOD = [
    ("alpine", "index.docker.io/library/alpine:latest", "index.docker.io/library/alpine", "https"),
    ("docker.io/foo", "index.docker.io/library/foo:latest", "index.docker.io/library/foo", "https"),
    (
        "docker.io/library/alpine:3.19",
        "index.docker.io/library/alpine:3.19",
        "index.docker.io/library/alpine",
        "https",
    ),
    (
        "index.docker.io/bitnami/redis",
        "index.docker.io/bitnami/redis:latest",
        "index.docker.io/bitnami/redis",
        "https",
    ),
    (
        "library/ubuntu",
        "index.docker.io/library/ubuntu:latest",
        "index.docker.io/library/ubuntu",
        "https",
    ),  # ggcr
    (
        "namespace/pathcomponent/image",
        "index.docker.io/namespace/pathcomponent/image:latest",
        "index.docker.io/namespace/pathcomponent/image",
        "https",
    ),  # ggcr
    ("registry:5000/a/b:tag", "registry:5000/a/b:tag", "registry:5000/a/b", "https"),
    (
        "registry.example.com:443/grp/img",
        "registry.example.com:443/grp/img:latest",
        "registry.example.com:443/grp/img",
        "https",
    ),
    (
        "gcr.io/g-convoy/hello-world:latest",
        "gcr.io/g-convoy/hello-world:latest",
        "gcr.io/g-convoy/hello-world",
        "https",
    ),  # ggcr
    (
        "us.gcr.io/project-id/image:with.period.in.tag",
        "us.gcr.io/project-id/image:with.period.in.tag",
        "us.gcr.io/project-id/image",
        "https",
    ),  # ggcr
    (
        "gcr.io/project-id/image:w1th-alpha_num3ric.PLUScaps",
        "gcr.io/project-id/image:w1th-alpha_num3ric.PLUScaps",
        "gcr.io/project-id/image",
        "https",
    ),  # ggcr
    (
        "www.example.test:12345/repo/path",
        "www.example.test:12345/repo/path:latest",
        "www.example.test:12345/repo/path",
        "https",
    ),  # ggcr
    ("localhost:5000/xy", "localhost:5000/xy:latest", "localhost:5000/xy", "http"),
    (
        "localhost/foo",
        "index.docker.io/localhost/foo:latest",
        "index.docker.io/localhost/foo",
        "https",
    ),
    ("[::1]:5000/xy:v1", "[::1]:5000/xy:v1", "[::1]:5000/xy", "http"),
    ("[fe80::1]/ab", "[fe80::1]/ab:latest", "[fe80::1]/ab", "http"),  # "::1" substring match
    ("127.0.0.1:5000/ab", "127.0.0.1:5000/ab:latest", "127.0.0.1:5000/ab", "http"),
    (
        "127.0.0.1.nip.io/ab",
        "127.0.0.1.nip.io/ab:latest",
        "127.0.0.1.nip.io/ab",
        "http",
    ),  # unanchored
    ("10.1.2.3:5000/ab", "10.1.2.3:5000/ab:latest", "10.1.2.3:5000/ab", "http"),  # RFC 1918
    ("172.31.0.1/ab", "172.31.0.1/ab:latest", "172.31.0.1/ab", "http"),
    ("172.32.0.1/ab", "172.32.0.1/ab:latest", "172.32.0.1/ab", "https"),
    ("10.0.0.01/ab", "10.0.0.01/ab:latest", "10.0.0.01/ab", "https"),  # leading zero: not an IP
    ("foo.svc.local:1234/ab", "foo.svc.local:1234/ab:latest", "foo.svc.local:1234/ab", "http"),
    (
        "reg.local:123456/ab",
        "reg.local:123456/ab:latest",
        "reg.local:123456/ab",
        "https",
    ),  # port > 5 digits
    (
        "foo:",
        "index.docker.io/library/foo:latest",
        "index.docker.io/library/foo",
        "https",
    ),  # fixed in v0.20.6
    ("a.b:/ab", "a.b:/ab:latest", "a.b:/ab", "https"),  # empty port is a valid authority
    ("gcr.io/a/b@" + D, "gcr.io/a/b@" + D, "gcr.io/a/b", "https"),  # ggcr
    (
        "nginx:latest@" + D,
        "index.docker.io/library/nginx@" + D,
        "index.docker.io/library/nginx",
        "https",
    ),  # ggcr
    (
        "example.text:8443/foo/bar:latest@" + D,
        "example.text:8443/foo/bar@" + D,
        "example.text:8443/foo/bar",
        "https",
    ),  # ggcr
]


@pytest.mark.parametrize(("s", "name", "ctx", "scheme"), GOOD)
def test_parse_reference_good(s: str, name: str, ctx: str, scheme: str) -> None:
    ref = parse_reference(s)
    assert ref.name() == name
    assert ref.context() == ctx
    assert ref.scheme() == scheme
    assert str(ref) == s  # String() is the original input


# NewTag (kaniko --destination) error text; ParseReference says "could not parse reference: s".
BAD_TAG = [
    ("Foo/bar", f"{REPO_CHARS}: Foo/bar"),
    ("registry.gitlab.com/Group/Proj", f"{REPO_CHARS}: Group/Proj"),
    ("localhost:5000/x", "repository must be between 2 and 255 characters in length: x"),
    ("", "a repository name must be specified"),
    ("reg.io/a:b:c", f"{REPO_CHARS}: a:b"),
    ("gcr.io/project-id/bad_chars:c@n'tuse", f"{TAG_CHARS}: c@n'tuse"),  # ggcr
    ("gcr.io/project-id/wrong-length:white space", f"{TAG_CHARS}: white space"),  # ggcr
    ("img:" + "t" * 129, "tag must be between 1 and 128 characters in length: " + "t" * 129),
    ("a b.io/xx", "registries must be valid RFC 3986 URI authorities: a b.io"),
    ("x.io:abc/xx", "registries must be valid RFC 3986 URI authorities: x.io:abc"),
    ("a.b@c/xx", "registries must be valid RFC 3986 URI authorities: a.b@c"),
    ("gcr?com/xx", f"{REPO_CHARS}: gcr?com/xx"),
    ("[::1/xx", "registries must be valid RFC 3986 URI authorities: [::1"),
    (
        "reg.io/" + "a" * 256,
        "repository must be between 2 and 255 characters in length: " + "a" * 256,
    ),
]


@pytest.mark.parametrize(("s", "msg"), BAD_TAG)
def test_new_tag_errors(s: str, msg: str) -> None:
    with pytest.raises(ReferenceError) as ei:
        new_tag(s)
    assert str(ei.value) == msg
    with pytest.raises(ReferenceError) as pi:
        parse_reference(s)
    assert str(pi.value) == f"could not parse reference: {s}"
    assert str(pi.value.causes[0]) == msg


def test_destination_with_digest() -> None:
    # kaniko parses --destination with NewTag: a digest reference is rejected there, while
    # ParseReference (used for FROM images) accepts it.
    with pytest.raises(ReferenceError) as ei:
        new_tag("gcr.io/a/b@" + D)
    assert str(ei.value) == f"{REPO_CHARS}: a/b@sha256"
    assert parse_reference("gcr.io/a/b@" + D).digest == D


BAD_DIGEST = [
    (
        "gcr.io/project-id/unknown-alg@unknown:abc123",
        "unsupported digest algorithm: unknown:abc123",
    ),  # ggcr
    (
        "gcr.io/project-id/wrong-length@sha256:d34db33fd34db33f",
        "invalid checksum digest length",
    ),  # ggcr
    ("gcr.io/project-id/missing-digest@", "unsupported digest algorithm: "),  # ggcr
    ("repo@sha256:" + "sh" * 32, "invalid checksum digest format"),  # ggcr
    ("repo@sha256:" + "A" * 64, "invalid checksum digest format"),
    (
        "repo@" + D + "@" + D,
        "a digest must contain exactly one '@' separator (e.g. registry/repository@digest) saw: repo@"
        + D
        + "@"
        + D,
    ),  # ggcr
]


@pytest.mark.parametrize(("s", "msg"), BAD_DIGEST)
def test_new_digest_errors(s: str, msg: str) -> None:
    with pytest.raises(ReferenceError) as ei:
        new_digest(s)
    assert str(ei.value) == msg
    with pytest.raises(ReferenceError, match=r"^could not parse reference: "):
        parse_reference(s)


def test_go_digest_errors_are_not_bad_name() -> None:
    with pytest.raises(ReferenceError) as ei:
        new_digest("repo@sha256:abc")
    assert ei.value.bad_name is False


def test_bad_name_at_at() -> None:  # ggcr errors_test.go TestBadName
    with pytest.raises(ReferenceError) as ei:
        parse_reference("@@")
    assert str(ei.value) == "could not parse reference: @@"
    assert ei.value.bad_name


def test_components() -> None:  # ggcr tag_test.go TestTagComponents
    ref = new_tag("gcr.io/project-id/image:latest", strict=True)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        "gcr.io",
        "project-id/image",
        "latest",
        None,
    )
    assert ref.identifier() == "latest"
    assert ref.scope("pull") == "repository:project-id/image:pull"
    assert ref.context() == "gcr.io/project-id/image"


def test_digest_components() -> None:  # ggcr digest_test.go TestDigestComponents
    ref = new_digest("gcr.io/project-id/image@" + D, strict=True)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        "gcr.io",
        "project-id/image",
        None,
        D,
    )
    assert ref.identifier() == D


@pytest.mark.parametrize(
    ("s", "msg"),
    [
        ("library/ubuntu:v1", "strict validation requires the registry to be explicitly defined"),
        ("gcr.io/a/implicit-latest", "tag must be between 1 and 128 characters in length: "),
        (
            "index.docker.io/foo:v1",
            "strict validation requires the full repository path (missing 'library')",
        ),
    ],
)
def test_strict_validation(s: str, msg: str) -> None:
    with pytest.raises(ReferenceError) as ei:
        new_tag(s, strict=True)
    assert str(ei.value) == msg


def test_strict_ok() -> None:  # ggcr goodStrictValidationTagNames
    assert new_tag("domain.with.port:9001/image:latest", strict=True).name() == (
        "domain.with.port:9001/image:latest"
    )


def test_defaults_override() -> None:  # ggcr ref_test.go TestParseReferenceDefaulting
    cases = {
        "crossplane/provider-gcp": "registry.upbound.io/crossplane/provider-gcp:stable",
        "crossplane/provider-gcp:v0.14.0": "registry.upbound.io/crossplane/provider-gcp:v0.14.0",
        "ubuntu": "registry.upbound.io/ubuntu:stable",
        "gcr.io/crossplane/provider-gcp:latest": "gcr.io/crossplane/provider-gcp:latest",
    }
    for s, want in cases.items():
        ref = parse_reference(s, default_registry="registry.upbound.io", default_tag="stable")
        assert ref.name() == want


def test_default_registry_alias() -> None:  # ggcr registry_test.go TestOverrideDefaultRegistryNames
    assert new_registry("docker.io", default_registry="gcr.io").name == "index.docker.io"
    assert new_registry("", default_registry="gcr.io").name == "gcr.io"
    assert new_registry("").name == "index.docker.io"


@pytest.mark.parametrize(
    ("reg", "scheme"),
    [  # ggcr registry_test.go TestRegistryScheme + TestIsRFC1918
        ("foo.svc.local:1234", "http"),
        ("127.0.0.1:1234", "http"),
        ("127.0.0.1", "http"),
        ("localhost:8080", "http"),
        ("localhost", "https"),
        ("gcr.io", "https"),
        ("index.docker.io", "https"),
        ("::1", "http"),
        ("10.2.3.4:5000", "http"),
        ("8.8.8.8", "https"),
        ("172.16.3.4:3000", "http"),
        ("192.168.3.4", "http"),
        ("10.256.0.0:5000", "https"),
        ("my.localhost:80", "http"),
    ],
)
def test_registry_scheme(reg: str, scheme: str) -> None:
    assert new_registry(reg).scheme() == scheme


def test_insecure() -> None:  # ggcr TestRegistryInsecureScheme; kaniko --insecure-registry
    assert new_registry("gcr.io", insecure=True).scheme() == "http"
    ref = new_tag("gcr.io/a/b")
    assert ref.scheme() == "https"
    assert ref.scheme(insecure=True) == "http"
    assert parse_reference("gcr.io/a/b", insecure=True).scheme() == "http"


@pytest.mark.parametrize(
    "name", ["white space", "gcr?com", "a#b", "a/b", "%41.io", "a\x7f.io", "[x]y"]
)
def test_bad_registry(name: str) -> None:  # ggcr badRegistryNames + net/url rules
    with pytest.raises(ReferenceError) as ei:
        new_registry(name)
    assert str(ei.value) == f"registries must be valid RFC 3986 URI authorities: {name}"


@pytest.mark.parametrize(
    "name", ["gcr.io:9001", "[::1]:5000", "bü.de", "a!$&'()*+,;=<>\".io", "[]"]
)
def test_good_registry(name: str) -> None:
    assert new_registry(name).name == name


def test_repository() -> None:
    repo = new_repository("ubuntu")
    assert str(repo) == "index.docker.io/library/ubuntu"
    assert repo.scope("push") == "repository:library/ubuntu:push"
    with pytest.raises(ReferenceError, match=r"^repository can only contain"):
        new_repository("b@char/image")  # ggcr badRepositoryNames


def test_reference_equality_ignores_insecure() -> None:
    assert new_tag("gcr.io/a/b", insecure=True) == new_tag("gcr.io/a/b")
    assert isinstance(new_tag("gcr.io/a/b"), Reference)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40))
def test_never_raises_anything_else(s: str) -> None:
    for fn in (parse_reference, new_tag, new_digest):
        try:
            ref = fn(s)
        except ReferenceError as e:
            assert str(e)
        else:
            assert ref.context() + ref.name()[len(ref.context()) :] == ref.name()
            assert ref.scheme() in ("http", "https")


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="abcz09._-/:@[]%", max_size=30),
    st.booleans(),
)
def test_never_raises_structured(s: str, strict: bool) -> None:
    try:
        parse_reference(s, strict=strict)
    except ReferenceError:
        pass
