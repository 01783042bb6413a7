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
    fault: str | None = None  # expired | not-yet-valid | hostname | cn-only | ip-san | unknown-authority | key-usage
    go_error: str | None = None
    chain: tuple[x509.Certificate, ...] = ()
    culprit: x509.Certificate | None = None  # the certificate the fault is about
    hint: str | None = None  # Go's hint inside unknown authority
    hint_fault: str | None = None  # what the hint says: expired, not-yet-valid, signature, not-ca
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


def verify(
    presented: Sequence[x509.Certificate], host: str, roots: Sequence[x509.Certificate], now: dt.datetime | None = None
) -> Verdict:
    if not presented:
        return Verdict(False, "unknown-authority", "x509: no certificate presented")
    now = now or dt.datetime.now(dt.UTC)
    leaf, intermediates = presented[0], list(presented[1:])
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
        hint: tuple[str, str, x509.Certificate] | None = None
    else:
        chains, hint = _build(leaf, list(roots), intermediates, now)
    if not chains:
        text = "x509: certificate signed by unknown authority"
        hint_text = hint_fault = None
        culprit = None
        if hint is not None:
            hint_fault, hint_text, culprit = hint
            text += f' (possibly because of "{hint_text}" while trying to verify candidate authority certificate "{_cn_or_name(culprit)}")'
        return Verdict(False, "unknown-authority", text, culprit=culprit, hint=hint_text, hint_fault=hint_fault)
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


def _build(
    leaf: x509.Certificate, roots: list[x509.Certificate], intermediates: list[x509.Certificate], now: dt.datetime
) -> tuple[list[list[x509.Certificate]], tuple[str, str, x509.Certificate] | None]:
    chains: list[list[x509.Certificate]] = []
    hint: tuple[str, str, x509.Certificate] | None = None
    checks = 0

    def walk(chain: list[x509.Certificate]) -> None:
        nonlocal hint, checks
        current = chain[-1]
        if len(chain) > MAX_DEPTH:
            return
        for is_root, pool in ((True, roots), (False, intermediates)):
            for candidate in potential_parents(current, pool):
                if candidate in chain:  # by DER
                    continue
                checks += 1
                if checks > MAX_SIGNATURE_CHECKS:
                    return
                sig = check_signature_from(current, candidate)
                if sig is not None:
                    hint = hint or ("signature", sig, candidate)
                    continue
                terr = time_error(candidate, now)
                if terr is not None:
                    hint = hint or (terr[0], terr[1], candidate)
                    continue
                # isValid for a parent: path length (intermediates below it) must fit MaxPathLen
                pathlen = _max_path_len(candidate)
                if pathlen is not None and len(chain) - 1 > pathlen:
                    hint = hint or ("pathlen", "x509: too many intermediates for path length constraint", candidate)
                    continue
                if is_root:
                    chains.append([*chain, candidate])
                else:
                    walk([*chain, candidate])

    walk([leaf])
    return chains, hint


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

