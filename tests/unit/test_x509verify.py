"""crypto/x509 behaviour mirrored by kanidoc.gosem.x509verify (cases from Go's verify_test.go)."""

from __future__ import annotations

import datetime as dt

import pytest

from kanidoc.gosem import x509verify as xv
from tests.lab import pki


@pytest.mark.parametrize(("pattern", "host", "ok"), [
    ("example.com", "example.com", True),
    ("example.com", "EXAMPLE.com", True),
    ("*.example.com", "www.example.com", True),
    ("*.example.com", "example.com", False),
    ("*.example.com", "a.b.example.com", False),
    ("www.*.com", "www.example.com", False),  # wildcard only as the whole leftmost label
    ("w*.example.com", "www.example.com", False),
    ("example.com", "example.com.", True),  # trailing dot on the host is ignored
    ("", "example.com", False),
])
def test_match_hostnames(pattern: str, host: str, ok: bool) -> None:
    assert xv.match_hostnames(pattern, host) is ok


@pytest.fixture(scope="module")
def chain() -> tuple[pki.Issued, pki.Issued]:
    root = pki.ca("Unit Root")
    return root, pki.ca("Unit Intermediate", root)


def test_order_time_then_name_then_authority(chain) -> None:
    root, inter = chain
    expired_wrong_host = pki.leaf(inter, ["other.test"], not_before=pki.NOW - dt.timedelta(days=10),
                                  not_after=pki.NOW - dt.timedelta(days=1))
    v = xv.verify([expired_wrong_host.cert, inter.cert], "reg.test", [root.cert])
    assert v.fault == "expired"  # Go checks the leaf's validity before the name
    wrong_host = pki.leaf(inter, ["other.test"])
    v = xv.verify([wrong_host.cert, inter.cert], "reg.test", [])
    assert v.fault == "hostname"  # ...and the name before the chain
    assert v.go_error == "x509: certificate is valid for other.test, not reg.test"


def test_expired_intermediate_is_reported_as_itself(chain) -> None:
    # buildChains: the candidate's isValid error becomes the function's err, and with no
    # chain found Verify returns it as it is (not UnknownAuthorityError); skopeo agrees
    root, _ = chain
    old = pki.ca("Old Intermediate", root, not_before=pki.NOW - dt.timedelta(days=30), days=10)
    leaf = pki.leaf(old, ["reg.test"])
    v = xv.verify([leaf.cert, old.cert], "reg.test", [root.cert])
    assert v.fault == "expired" and v.culprit == old.cert
    assert v.go_error.startswith("x509: certificate has expired or is not yet valid: current time ")


def test_a_rejected_candidate_is_only_a_hint_when_nothing_got_that_far(chain) -> None:
    # a candidate that fails its signature check leaves err alone: unknown authority + hint
    root, _ = chain
    impostor = pki.ca("Unit Intermediate", root)  # same name as the real one, another key
    real_leaf = pki.leaf(chain[1], ["reg.test"])
    v = xv.verify([real_leaf.cert, impostor.cert], "reg.test", [root.cert])
    assert v.fault == "unknown-authority" and v.hint_fault == "signature"
    assert 'while trying to verify candidate authority certificate "Unit Intermediate"' in v.go_error


def test_leaf_in_roots_is_a_chain(chain) -> None:
    _, inter = chain
    self_signed = pki.leaf(inter, ["reg.test"], self_signed=True)
    assert xv.verify([self_signed.cert], "reg.test", [self_signed.cert]).ok
    assert xv.verify([self_signed.cert], "reg.test", []).fault == "unknown-authority"


def test_ip_and_cn_rules(chain) -> None:
    root, inter = chain
    by_name = pki.leaf(inter, ["reg.test"])
    assert xv.hostname_error(by_name.cert, "10.0.0.5") == (
        "ip-san", "x509: cannot validate certificate for 10.0.0.5 because it doesn't contain any IP SANs")
    cn_only = pki.leaf(inter, ["reg.test"], san=False)
    assert xv.hostname_error(cn_only.cert, "reg.test") == (
        "cn-only", "x509: certificate relies on legacy Common Name field, use SANs instead")
    with_ip = pki.leaf(inter, ["10.0.0.5"])
    assert xv.hostname_error(with_ip.cert, "10.0.0.5") is None
    assert xv.verify([with_ip.cert, inter.cert], "10.0.0.5", [root.cert]).ok


def test_strict_profile_is_only_a_second_opinion(chain) -> None:
    import trustme
    from cryptography import x509

    ca = trustme.CA()  # trustme marks subjectAltName critical with a non-empty subject
    leaf = ca.issue_cert("reg.test")
    certs = [x509.load_pem_x509_certificate(b.bytes()) for b in leaf.cert_chain_pems]
    root = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    assert xv.verify(certs, "reg.test", [root]).ok  # Go accepts it
    assert xv.strict_profile_error(certs, "reg.test", [root])  # RFC 5280 profile does not


def test_path_length_constraint() -> None:
    # Go isValid: a root with pathlen:0 may not have an intermediate below it
    root = pki.ca("PathLen0 Root", path_length=0)
    inter = pki.ca("Below PathLen0", root)
    leaf = pki.leaf(inter, ["reg.test"])
    v = xv.verify([leaf.cert, inter.cert], "reg.test", [root.cert])
    assert (v.fault, v.go_error) == ("pathlen", "x509: too many intermediates for path length constraint")
    direct = pki.leaf(root, ["reg.test"])
    assert xv.verify([direct.cert], "reg.test", [root.cert]).ok


def test_unhandled_critical_extension_on_the_leaf_comes_first(chain) -> None:
    # Verify -> isValid(leaf): UnhandledCriticalExtensions is tested before the dates
    root, inter = chain
    leaf = pki.leaf(inter, ["other.test"], critical_oid="1.3.6.1.4.1.99999.1",
                    not_before=pki.NOW - dt.timedelta(days=10), not_after=pki.NOW - dt.timedelta(days=1))
    v = xv.verify([leaf.cert, inter.cert], "reg.test", [root.cert])
    assert (v.fault, v.go_error) == ("unhandled-critical", "x509: unhandled critical extension")
    assert v.details == {"extensions": ["1.3.6.1.4.1.99999.1"]}
    # the same extension, not critical: nothing to say about it
    assert xv.unhandled_critical(pki.leaf(inter, ["reg.test"]).cert) == []


def test_unhandled_critical_extension_on_an_intermediate(chain) -> None:
    # isValid(intermediate) fails first thing; buildChains returns that error (skopeo agrees)
    root, _ = chain
    odd = pki.ca("Odd Intermediate", root, critical_oid="1.3.6.1.4.1.99999.2")
    leaf = pki.leaf(odd, ["reg.test"])
    v = xv.verify([leaf.cert, odd.cert], "reg.test", [root.cert])
    assert (v.fault, v.go_error, v.culprit) == ("unhandled-critical", "x509: unhandled critical extension", odd.cert)
