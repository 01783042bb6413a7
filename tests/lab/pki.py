"""Per-run PKI for TLS tests: root -> intermediate -> leaves with the faults kaniko meets.

Leaves carry an AIA caIssuers URL (as public CAs' do) pointing at a loopback URL that is
never fetched: Go does not chase AIA, and neither does kanidoc.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC)


def _name(cn: str, org: str = "kanidoc lab") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@dataclass
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _builder(subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey, not_before: dt.datetime,
             not_after: dt.datetime) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))


def ca(cn: str, issuer: Issued | None = None, *, org: str = "kanidoc lab", days: int = 3650,
       not_before: dt.datetime | None = None, path_length: int | None = None, critical_oid: str | None = None) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    nb = not_before or NOW - dt.timedelta(days=1)
    b = _builder(_name(cn, org), issuer.cert.subject if issuer else _name(cn, org), key, nb, nb + dt.timedelta(days=days))
    b = b.add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
    b = b.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                      key_encipherment=False, data_encipherment=False, key_agreement=False,
                                      encipher_only=False, decipher_only=False), critical=True)
    if critical_oid:  # an extension Go does not process, marked critical
        b = b.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier(critical_oid), b"\x05\x00"), critical=True)
    if issuer is not None:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    signer = issuer.key if issuer else key
    return Issued(b.sign(signer, hashes.SHA256()), key)


def leaf(issuer: Issued, names: list[str], *, cn: str | None = None, not_before: dt.datetime | None = None,
         not_after: dt.datetime | None = None, san: bool = True, self_signed: bool = False,
         critical_oid: str | None = None) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    nb = not_before or NOW - dt.timedelta(days=1)
    na = not_after or NOW + dt.timedelta(days=90)
    subject = _name(cn or names[0])
    b = _builder(subject, subject if self_signed else issuer.cert.subject, key, nb, na)
    if san:
        general: list[x509.GeneralName] = []
        for n in names:
            try:
                general.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                general.append(x509.DNSName(n))
        b = b.add_extension(x509.SubjectAlternativeName(general), critical=False)
    b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    b = b.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    if critical_oid:  # an extension Go does not process, marked critical
        b = b.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier(critical_oid), b"\x05\x00"), critical=True)
    if not self_signed:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
        b = b.add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier("http://127.0.0.1:9/lab-intermediate.crt"))]),
            critical=False)
    return Issued(b.sign(key if self_signed else issuer.key, hashes.SHA256()), key)


def write_chain(directory: Path, name: str, server: Issued, chain: list[Issued]) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    crt, key = directory / f"{name}.crt", directory / f"{name}.key"
    crt.write_bytes(server.pem + b"".join(c.pem for c in chain))
    key.write_bytes(server.key_pem())
    return crt, key
