"""Certificate verification as Go's crypto/x509 ``Certificate.Verify`` does it.

Mirrors golang/go ``src/crypto/x509/verify.go``, in Go's order:
1. the leaf's validity period (``isValid``): "x509: certificate has expired or is not yet
   valid: current time T is after/before D";
2. the host name (``VerifyHostname``; IP literals match IP SANs only; the Common Name is
   never used, Go >= 1.15; ``HostnameError.Error`` wording);
3. the leaf itself in the roots pool is a complete chain; otherwise ``buildChains`` from
   roots and the presented intermediates, by name, checking each parent's signature,
   CA-ness and validity; no chain is ``UnknownAuthorityError``, whose text carries the
   first hint ("possibly because of ... while trying to verify candidate authority
   certificate ..."). No AIA fetching, ever (golang/go#31773);
4. extended key usage: server auth (or any) along the chain, else "x509: certificate
   specifies an incompatible key usage".

cryptography's own ``x509.verification`` follows the stricter RFC 5280 web PKI profile
(for instance it rejects a critical subjectAltName with a non-empty subject, which Go
accepts), so it is a cross-check here, not the verdict.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import (
    AuthorityInformationAccessOID,
    ExtendedKeyUsageOID,
    ExtensionOID,
    NameOID,
)

from kanidoc.record import record

MAX_DEPTH = 12
MAX_SIGNATURE_CHECKS = 100  # Go: maxChainSignatureChecks


@record
class Verdict:
    ok: bool
    fault: str | None = None  # expired | not-yet-valid | hostname | cn-only | ip-san | unknown-authority | key-usage | unhandled-critical
    go_error: str | None = None
    chain: tuple[x509.Certificate, ...] = ()
    culprit: x509.Certificate | None = None  # the certificate the fault is about
    hint: str | None = None  # Go's hint inside unknown authority
    hint_fault: str | None = None  # what the hint says: expired, not-yet-valid, signature, not-ca, unhandled-critical
    details: dict[str, object] = field(default_factory=dict)


def _go_time(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def time_error(cert: x509.Certificate, now: dt.datetime) -> tuple[str, str] | None:
    if now < cert.not_valid_before_utc:
        return "not-yet-valid", (f"x509: certificate has expired or is not yet valid: current time {_go_time(now)} "
                                 f"is before {_go_time(cert.not_valid_before_utc)}")
    if now > cert.not_valid_after_utc:
        return "expired", (f"x509: certificate has expired or is not yet valid: current time {_go_time(now)} "
                           f"is after {_go_time(cert.not_valid_after_utc)}")
    return None


def _ext(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> x509.Extension[x509.ExtensionType] | None:
    try:
        return cert.extensions.get_extension_for_oid(oid)
    except x509.ExtensionNotFound:
        return None
    except Exception:
        return None


def sans(cert: x509.Certificate) -> tuple[list[str], list[str], bool]:
    ext = _ext(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    if ext is None:
        return [], [], False
    value = ext.value
    assert isinstance(value, x509.SubjectAlternativeName)
    dns = [str(n) for n in value.get_values_for_type(x509.DNSName)]
    ips = [str(n) for n in value.get_values_for_type(x509.IPAddress)]
    return dns, ips, True


def common_name(cert: x509.Certificate) -> str:
    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else ""


def _valid_hostname_input(host: str) -> bool:
    # crypto/x509 validHostname(host, isPattern=false) simplified: labels of [a-z0-9-_], no empty labels
    if not host or host.endswith(".."):
        return False
    host = host.removesuffix(".")
    return all(label and all(c.isalnum() or c in "-_" for c in label) for label in host.split("."))


def match_hostnames(pattern: str, host: str) -> bool:
    """crypto/x509 ``matchHostnames``: case-insensitive, ``*`` only as the whole leftmost label."""
    pattern, host = pattern.lower(), host.lower().removesuffix(".")
    if not pattern or not host:
        return False
    p_labels, h_labels = pattern.split("."), host.split(".")
    if len(p_labels) != len(h_labels):
        return False
    for i, (p, h) in enumerate(zip(p_labels, h_labels, strict=True)):
        if i == 0 and p == "*":
            continue
        if p != h:
            return False
    return True


def hostname_error(cert: x509.Certificate, host: str) -> tuple[str, str] | None:
    """None when ``host`` is valid for ``cert``; else (fault, Go's error text)."""
    candidate = host[1:-1] if len(host) >= 3 and host[0] == "[" and host[-1] == "]" else host
    dns_names, ip_sans, has_san = sans(cert)
    try:
        ip = ipaddress.ip_address(candidate)
    except ValueError:
        ip = None
    if ip is not None:
        if any(ipaddress.ip_address(s) == ip for s in ip_sans):
            return None
    else:
        lowered = candidate.lower()
        valid = _valid_hostname_input(lowered)
        for name in dns_names:
            if (valid and match_hostnames(name, lowered)) or name.lower().removesuffix(".") == lowered.removesuffix("."):
                return None
    # HostnameError.Error()
    if not has_san and match_hostnames(common_name(cert), candidate):
        return "cn-only", "x509: certificate relies on legacy Common Name field, use SANs instead"
    if ip is not None:
        if not ip_sans:
            return "ip-san", f"x509: cannot validate certificate for {candidate} because it doesn't contain any IP SANs"
        return "hostname", f"x509: certificate is valid for {', '.join(ip_sans)}, not {candidate}"
    if not dns_names:
        return "hostname", f"x509: certificate is not valid for any names, but wanted to match {host}"
    return "hostname", f"x509: certificate is valid for {', '.join(dns_names)}, not {host}"


def _is_ca(cert: x509.Certificate) -> bool:
    ext = _ext(cert, ExtensionOID.BASIC_CONSTRAINTS)
    if ext is None:
        return cert.version == x509.Version.v1  # Go accepts v1 certificates as CAs
    value = ext.value
    assert isinstance(value, x509.BasicConstraints)
    return value.ca


def _max_path_len(cert: x509.Certificate) -> int | None:
    ext = _ext(cert, ExtensionOID.BASIC_CONSTRAINTS)
    if ext is None:
        return None
    value = ext.value
    assert isinstance(value, x509.BasicConstraints)
    return value.path_length


def _can_sign(cert: x509.Certificate) -> bool:
    ext = _ext(cert, ExtensionOID.KEY_USAGE)
    if ext is None:
        return True
    value = ext.value
    assert isinstance(value, x509.KeyUsage)
    return value.key_cert_sign


def check_signature_from(child: x509.Certificate, parent: x509.Certificate) -> str | None:
    """``CheckSignatureFrom``: parent must be a CA allowed to sign certificates."""
    if parent.version != x509.Version.v1 and (not _is_ca(parent) or not _can_sign(parent)):
        return "x509: invalid signature: parent certificate cannot sign this kind of certificate"
    try:
        child.verify_directly_issued_by(parent)
    except InvalidSignature:
        return "x509: signature verification failure"  # crypto/rsa / ecdsa wording varies
    except ValueError:
        return "x509: issuer name does not match"
    except (TypeError, Exception):
        return "x509: cannot verify signature: algorithm unimplemented"
    return None


def _key_id(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> bytes | None:
    ext = _ext(cert, oid)
    if ext is None:
        return None
    value = ext.value
    if isinstance(value, x509.SubjectKeyIdentifier):
        return value.digest
    if isinstance(value, x509.AuthorityKeyIdentifier):
        return value.key_identifier
    return None


def potential_parents(child: x509.Certificate, pool: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """``CertPool.findPotentialParents``: same subject as the child's issuer, matching key ids
    first (AKI == SKI), then mismatching ones last."""
    aki = _key_id(child, ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    match, other = [], []
    for cert in pool:
        if cert.subject != child.issuer:
            continue
        ski = _key_id(cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
        if aki is not None and ski is not None and aki != ski:
            other.append(cert)
        else:
            match.append(cert)
    return match + other


def _eku_ok(chain: Sequence[x509.Certificate]) -> bool:
    # checkChainForKeyUsage: every certificate with an EKU extension must allow server auth (or any)
    for cert in chain:
        ext = _ext(cert, ExtensionOID.EXTENDED_KEY_USAGE)
        if ext is None:
            continue
        value = ext.value
        assert isinstance(value, x509.ExtendedKeyUsage)
        usages = list(value)
        if ExtendedKeyUsageOID.SERVER_AUTH not in usages and ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in usages:
            return False
    return True


# crypto/x509 parser.go processExtensions: the extensions Go understands; any other marked
# critical lands in UnhandledCriticalExtensions. (Policy mappings/constraints and inhibit
# anyPolicy are parsed from Go 1.22; counted as handled here, so no false alarm.)
_GO_HANDLED_EXTENSIONS = frozenset({
    "2.5.29.14", "2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.30", "2.5.29.31", "2.5.29.32", "2.5.29.33",
    "2.5.29.35", "2.5.29.36", "2.5.29.37", "2.5.29.54", "1.3.6.1.5.5.7.1.1",
})
UNHANDLED_CRITICAL = "x509: unhandled critical extension"


def unhandled_critical(cert: x509.Certificate) -> list[str]:
    """The OIDs Go would list in ``UnhandledCriticalExtensions`` (a SAN extension with no
    name Go can use counts too, as in processExtensions)."""
    try:
        extensions = list(cert.extensions)
    except Exception:
        return []  # cryptography cannot parse them: leave the verdict to the other checks
    out = []
    for ext in extensions:
        oid = ext.oid.dotted_string
        if not ext.critical:
            continue
        if oid not in _GO_HANDLED_EXTENSIONS:
            out.append(oid)
        elif oid == "2.5.29.17":
            names = [n for n in ext.value if isinstance(n, (x509.DNSName, x509.RFC822Name, x509.IPAddress,
                                                               x509.UniformResourceIdentifier))]
            if not names:
                out.append(oid)
    return out


def verify(
    presented: Sequence[x509.Certificate], host: str, roots: Sequence[x509.Certificate], now: dt.datetime | None = None
) -> Verdict:
    if not presented:
        return Verdict(False, "unknown-authority", "x509: no certificate presented")
    now = now or dt.datetime.now(dt.UTC)
    leaf, intermediates = presented[0], list(presented[1:])
    # Verify -> isValid(leaf): unhandled critical extensions come before the validity period
    unhandled = unhandled_critical(leaf)
    if unhandled:
        return Verdict(False, "unhandled-critical", UNHANDLED_CRITICAL, culprit=leaf, details={"extensions": unhandled})
    err = time_error(leaf, now)
    if err:
        return Verdict(False, err[0], err[1], culprit=leaf)
    herr = hostname_error(leaf, host)
    if herr:
        return Verdict(False, herr[0], herr[1], culprit=leaf)
    # the leaf itself in the pool (Go: a root is a valid one-certificate chain); certificates
    # compare by DER in cryptography, without re-encoding 140 roots per verification
    if leaf in roots:
        chains: list[list[x509.Certificate]] = [[leaf]]
        failure: _Failure | None = None
    else:
        chains, failure = _build_chains([leaf], list(roots), intermediates, now, [0])
    if not chains:
        assert failure is not None
        hint = failure.hint
        return Verdict(False, failure.fault, failure.text, culprit=failure.cert or (hint.cert if hint else None),
                       hint=hint.text if hint else None, hint_fault=hint.fault if hint else None)
    good = [c for c in chains if _eku_ok(c)]
    if not good:
        return Verdict(False, "key-usage", "x509: certificate specifies an incompatible key usage", tuple(chains[0]), leaf)
    return Verdict(True, chain=tuple(good[0]))


def verify_der(chain_der: Sequence[bytes], host: str, roots: Sequence[x509.Certificate]) -> str | None:
    """Go's error text for the chain a server presented (None: Go trusts it)."""
    try:
        chain = [x509.load_der_x509_certificate(der) for der in chain_der]
    except ValueError as exc:
        return f"x509: malformed certificate: {exc}"
    verdict = verify(chain, host, roots)
    return None if verdict.ok else (verdict.go_error or f"x509: {verdict.fault}")


@record
class _Failure:
    """An error ``buildChains`` returns: Go's text, what kind, the certificate it is about,
    and for an unknown authority the hint (the first candidate that was rejected)."""

    fault: str
    text: str
    cert: x509.Certificate | None = None
    hint: _Failure | None = None


def _candidate_error(candidate: x509.Certificate, chain: list[x509.Certificate], now: dt.datetime) -> _Failure | None:
    """``isValid`` for a candidate parent, in Go's order: unhandled critical extensions, the
    validity period, then the path length (intermediates below it)."""
    if unhandled_critical(candidate):
        return _Failure("unhandled-critical", UNHANDLED_CRITICAL, candidate)
    terr = time_error(candidate, now)
    if terr is not None:
        return _Failure(terr[0], terr[1], candidate)
    pathlen = _max_path_len(candidate)
    if pathlen is not None and len(chain) - 1 > pathlen:
        return _Failure("pathlen", "x509: too many intermediates for path length constraint", candidate)
    return None


def _build_chains(
    chain: list[x509.Certificate], roots: list[x509.Certificate], intermediates: list[x509.Certificate],
    now: dt.datetime, sig_checks: list[int],
) -> tuple[list[list[x509.Certificate]], _Failure | None]:
    """crypto/x509 ``buildChains``, error handling included: a candidate that fails
    ``isValid`` sets the function's ``err`` (and the hint); the next candidate that gets
    that far overwrites it. With no chain found, that error is what Verify returns (an
    expired or odd intermediate is reported as itself), and only when no candidate got
    past its signature check is it ``UnknownAuthorityError`` with the hint."""
    current = chain[-1]
    chains: list[list[x509.Certificate]] = []
    err: _Failure | None = None
    hint: _Failure | None = None
    if len(chain) > MAX_DEPTH:
        return [], _Failure("unknown-authority", "x509: certificate signed by unknown authority")

    def consider(is_root: bool, candidate: x509.Certificate) -> None:
        nonlocal err, hint
        if candidate in chain:  # alreadyInChain (by DER)
            return
        sig_checks[0] += 1
        if sig_checks[0] > MAX_SIGNATURE_CHECKS:
            err = _Failure("limit", "x509: signature check attempts limit reached while verifying certificate chain")
            return
        sig = check_signature_from(current, candidate)
        if sig is not None:
            hint = hint or _Failure("signature", sig, candidate)
            return
        err = _candidate_error(candidate, chain, now)
        if err is not None:
            hint = hint or err
            return
        if is_root:
            chains.append([*chain, candidate])
        else:
            child_chains, err = _build_chains([*chain, candidate], roots, intermediates, now, sig_checks)
            chains.extend(child_chains)

    for root in potential_parents(current, roots):
        consider(True, root)
    for intermediate in potential_parents(current, intermediates):
        consider(False, intermediate)
    if chains:
        return chains, None
    if err is None:
        text = "x509: certificate signed by unknown authority"
        if hint is not None and hint.cert is not None:
            text += (f' (possibly because of "{hint.text}" while trying to verify candidate authority certificate '
                     f'"{_cn_or_name(hint.cert)}")')
        err = _Failure("unknown-authority", text, hint=hint)
    return [], err


def _cn_or_name(cert: x509.Certificate) -> str:
    return common_name(cert) or cert.subject.rfc4514_string()


def is_self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:
        return False
    return True


def aia_issuer_urls(cert: x509.Certificate) -> list[str]:
    ext = _ext(cert, ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    if ext is None:
        return []
    value = ext.value
    assert isinstance(value, x509.AuthorityInformationAccess)
    return [str(d.access_location.value) for d in value if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS]


def strict_profile_error(presented: Sequence[x509.Certificate], host: str, roots: Sequence[x509.Certificate],
                         now: dt.datetime | None = None) -> str | None:
    """cryptography's RFC 5280 verifier, as a second opinion (None when it accepts)."""
    from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

    if not roots or not presented:
        return None
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
        subject: x509.GeneralName = x509.IPAddress(ip)
    except ValueError:
        subject = x509.DNSName(host)
    try:
        builder = PolicyBuilder().store(Store(list(roots))).time(now or dt.datetime.now(dt.UTC))
        builder.build_server_verifier(subject).verify(presented[0], list(presented[1:]))  # type: ignore[arg-type]
    except VerificationError as exc:
        return str(exc).split(" (encountered", 1)[0]
    except Exception as exc:
        return str(exc)
    return None

