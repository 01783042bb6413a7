"""The root pool Go's crypto/x509 assembles on Linux, as kaniko's binary would see it.

Mirrors golang/go ``src/crypto/x509/root_unix.go`` (``loadSystemRoots``) and
``root_linux.go`` (``certFiles``, ``certDirectories``):

- files: only ``$SSL_CERT_FILE`` when set, else the *first readable* of Go's well-known
  bundle paths (the first one read wins, even if it holds no certificate);
- directories: ``$SSL_CERT_DIR`` split at ``:`` (Go >= 1.16) *replaces* the defaults;
  every entry is read, except symlinks to a file in the same directory
  (``readUniqueDirectoryEntries``/``isSameDirSymlink``); unreadable entries are skipped;
- files and directories add up; parse errors are silent: ``AppendCertsFromPEM`` keeps
  only ``CERTIFICATE`` blocks without headers that parse, so DER files add nothing.

The kaniko image sets ``SSL_CERT_DIR=/kaniko/ssl/certs`` (deploy/Dockerfile) and has
none of Go's default files. kaniko loads the pool once at start-up
(``pkg/util/transport_util.go`` ``init``) and appends each ``--registry-certificate`` to
one shared copy of it (so registries with their own certificate trust all of them).
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kanidoc.gosem import gobase64
from kanidoc.record import record

if TYPE_CHECKING:  # cryptography is imported on first use (start-up cost of list-checks, --version)
    from cryptography import x509

HostPath = Callable[[str], Path]  # maps a path as kaniko sees it to a readable path here


def _fingerprint(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import hashes

    return cert.fingerprint(hashes.SHA256())

GO_CERT_FILES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian/Ubuntu/Gentoo etc.
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora/RHEL 6
    "/etc/ssl/ca-bundle.pem",  # OpenSUSE
    "/etc/pki/tls/cacert.pem",  # OpenELEC
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # CentOS/RHEL 7
    "/etc/ssl/cert.pem",  # Alpine Linux
)
GO_CERT_DIRS = ("/etc/ssl/certs", "/etc/pki/tls/certs")
KANIKO_CERT_DIR = "/kaniko/ssl/certs"
MAX_FILE = 16 * 1024 * 1024


@record
class PemScan:
    certs: tuple[x509.Certificate, ...]
    blocks: int  # PEM blocks of any type
    bad: int  # CERTIFICATE blocks Go would skip (headers, undecodable, unparsable)
    der: bool  # the whole file is one DER certificate (Go ignores it)


class Parsed:
    """What one load has parsed already: Debian's /etc/ssl/certs holds the bundle file
    itself next to one file per root, so the same bytes come by twice."""

    def __init__(self) -> None:
        self.certs: dict[bytes, x509.Certificate] = {}  # DER -> certificate
        self.scans: dict[bytes, PemScan] = {}  # file content -> what Go would take from it


def _parse_der(der: bytes, parsed: Parsed) -> x509.Certificate:
    cert = parsed.certs.get(der)
    if cert is None:
        from cryptography import x509

        with warnings.catch_warnings():  # Go accepts e.g. negative serials in old roots
            warnings.simplefilter("ignore")
            cert = x509.load_der_x509_certificate(der)
        parsed.certs[der] = cert
    return cert


def _get_line(data: bytes, pos: int) -> tuple[bytes, int]:
    """encoding/pem getLine on ``data[pos:]``: the line without its end and trailing
    spaces/tabs/CR, and where the rest starts. Positions, not slices: slicing the rest of a
    200 KB bundle for every line made reading it quadratic."""
    i = data.find(b"\n", pos)
    if i < 0:
        return data[pos:].rstrip(b" \t\r"), len(data)
    return data[pos:i].rstrip(b" \t\r"), i + 1


_BEGIN = b"\n-----BEGIN "
_END = b"\n-----END "


def pem_blocks(data: bytes) -> Iterator[tuple[bytes, bool, bytes | None]]:
    """Go's ``encoding/pem.Decode``, repeatedly: (type, has_headers, bytes or None when the
    body is not valid base64). BEGIN must start a line; END must be ``\n-----END TYPE-----``
    followed only by white space; indentation breaks a block for Go, so it does here.
    ``pos`` is where Go's ``rest`` starts."""
    pos, size = 0, len(data)
    while True:
        if data.startswith(_BEGIN[1:], pos):
            pos += len(_BEGIN) - 1
        else:
            i = data.find(_BEGIN, pos)
            if i < 0:
                return
            pos = i + len(_BEGIN)
        type_line, pos = _get_line(data, pos)
        if not type_line.endswith(b"-----"):
            continue
        block_type = type_line[: -len(b"-----")]
        headers = False
        while True:
            if pos >= size:
                return
            line, nxt = _get_line(data, pos)
            if b":" not in line:
                break
            headers = True
            pos = nxt
        if not headers and data.startswith(_END[1:], pos):
            end_index, trailer_index = pos, pos + len(_END) - 1
        else:
            end_index = data.find(_END, pos)
            trailer_index = end_index + len(_END)
        if end_index < 0:
            continue
        need = len(block_type) + len(b"-----")
        if size - trailer_index < need:
            continue
        trailer = data[trailer_index : trailer_index + need]
        if not trailer.startswith(block_type) or not trailer.endswith(b"-----"):
            continue
        if _get_line(data, trailer_index + need)[0]:
            continue
        body = data[pos:end_index].replace(b" ", b"").replace(b"\t", b"")
        try:
            der: bytes | None = gobase64.std_decode(body)
        except ValueError:
            der = None
        if der is None:
            continue  # Go: a body that is not base64 is no block; keep looking
        yield block_type, headers, der
        pos = _get_line(data, end_index + len(_END) - 1)[1]


def scan_pem(data: bytes, parsed: Parsed | None = None) -> PemScan:
    """``CertPool.AppendCertsFromPEM`` semantics, plus what it silently skipped: only
    ``CERTIFICATE`` blocks without headers that parse (crypto/x509/cert_pool.go)."""
    certs: list[x509.Certificate] = []
    blocks = bad = 0
    parsed = parsed if parsed is not None else Parsed()
    for block_type, headers, der in pem_blocks(data):
        blocks += 1
        if block_type != b"CERTIFICATE":
            continue
        if headers or der is None:
            bad += 1
            continue
        try:
            certs.append(_parse_der(der, parsed))
        except Exception:
            bad += 1
    if not blocks and b"-----BEGIN CERTIFICATE-----" in data:
        bad += data.count(b"-----BEGIN CERTIFICATE-----")  # present, but not where Go looks
    der_file = False
    if not blocks and data[:1] == b"\x30":
        from cryptography import x509

        try:
            x509.load_der_x509_certificate(data)
            der_file = True
        except Exception:
            der_file = False
    return PemScan(tuple(certs), blocks, bad, der_file)


@record
class SourceFile:
    path: str  # as kaniko sees it
    count: int
    error: str | None = None
    der: bool = False
    bad_blocks: int = 0
    duplicates: int = 0


@record
class Source:
    kind: str  # "SSL_CERT_FILE" | "default file" | "SSL_CERT_DIR" | "default dir" | "--ca-bundle"
    path: str
    files: tuple[SourceFile, ...] = ()
    error: str | None = None  # the source itself (missing dir, unreadable)

    @property
    def count(self) -> int:
        return sum(f.count for f in self.files)


@record
class TrustStore:
    roots: tuple[x509.Certificate, ...]
    sources: tuple[Source, ...]
    note: str | None = None  # how the store was modelled (kaniko image, this host, --ca-bundle)
    duplicates: int = 0  # certificates repeated inside one file (an append done twice)
    expired: tuple[str, ...] = ()

    def fingerprints(self) -> set[bytes]:
        return {_fingerprint(c) for c in self.roots}


def _read(path: Path) -> tuple[bytes | None, str | None]:
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_FILE), None
    except FileNotFoundError:
        return None, "not found"
    except IsADirectoryError:
        return None, "is a directory"
    except OSError as exc:
        return None, exc.strerror or str(exc)


def _file(kaniko_path: str, host: Path, parsed: Parsed | None = None) -> tuple[SourceFile, tuple[x509.Certificate, ...]]:
    data, err = _read(host)
    if data is None:
        return SourceFile(kaniko_path, 0, err), ()
    scan = parsed.scans.get(data) if parsed is not None else None
    if scan is None:
        scan = scan_pem(data, parsed)
        if parsed is not None:
            parsed.scans[data] = scan
    dupes = len(scan.certs) - len(set(scan.certs))  # cryptography's certificates compare (and hash) by DER
    return SourceFile(kaniko_path, len(scan.certs), None, scan.der, scan.bad, dupes), scan.certs


def _directory(kaniko_dir: str, host_dir: Path, parsed: Parsed | None = None) -> tuple[list[SourceFile], list[x509.Certificate], str | None]:
    try:
        entries = sorted(os.scandir(host_dir), key=lambda e: e.name)
    except FileNotFoundError:
        return [], [], "not found"
    except OSError as exc:
        return [], [], exc.strerror or str(exc)
    files: list[SourceFile] = []
    certs: list[x509.Certificate] = []
    for entry in entries:
        if entry.is_symlink():
            target = os.readlink(entry.path)
            if "/" not in target:
                continue  # isSameDirSymlink: c_rehash-style links, the target is read anyway
        sf, found = _file(f"{kaniko_dir.rstrip('/')}/{entry.name}", Path(entry.path), parsed)
        if sf.error == "is a directory":
            continue
        files.append(sf)
        certs += found
    return files, certs, None


def load(
    env: Mapping[str, str],
    host_path: HostPath,
    *,
    ca_bundle: Path | None = None,
    kaniko_image: bool | None = None,
    now: dt.datetime | None = None,
) -> TrustStore:
    """The pool kaniko would use. ``kaniko_image``: model the kaniko image's
    ``SSL_CERT_DIR=/kaniko/ssl/certs`` when the job did not set SSL_CERT_DIR (None: when
    that directory exists under the root)."""
    sources: list[Source] = []
    roots: list[x509.Certificate] = []
    note: str | None = None
    parsed = Parsed()
    if ca_bundle is not None:
        if ca_bundle.is_dir():
            files, certs, err = _directory(str(ca_bundle), ca_bundle, parsed)
            sources.append(Source("--ca-bundle", str(ca_bundle), tuple(files), err))
        else:
            sf, certs_t = _file(str(ca_bundle), ca_bundle, parsed)
            certs = list(certs_t)
            sources.append(Source("--ca-bundle", str(ca_bundle), (sf,), sf.error))
        roots += certs
        note = f"the job's bundle given with --ca-bundle ({ca_bundle}) replaces the system sources"
    else:
        cert_file = env.get("SSL_CERT_FILE")
        candidates = [cert_file] if cert_file else list(GO_CERT_FILES)
        kind = "SSL_CERT_FILE" if cert_file else "default file"
        for path in candidates:
            sf, certs_t = _file(path, host_path(path), parsed)
            if sf.error == "not found":
                if cert_file:
                    sources.append(Source(kind, path, (sf,), "not found"))
                continue
            sources.append(Source(kind, path, (sf,), sf.error))
            if sf.error is None:
                roots += certs_t
                break  # Go stops at the first file it could read
        cert_dir = env.get("SSL_CERT_DIR")
        if kaniko_image is None:
            kaniko_image = host_path(KANIKO_CERT_DIR).is_dir()
        if cert_dir:
            dirs, dkind = cert_dir.split(":"), "SSL_CERT_DIR"
        elif kaniko_image:
            dirs, dkind = [KANIKO_CERT_DIR], "SSL_CERT_DIR (kaniko image default)"
        else:
            dirs, dkind = list(GO_CERT_DIRS), "default dir"
            note = ("not inside the kaniko image: kaniko's store (Debian's ca-certificates in /kaniko/ssl/certs) is "
                    "modelled by this host's Go defaults; pass --ca-bundle with a copy of the job's bundle to be exact")
        for directory in dirs:
            if not directory:
                continue
            files, certs, err = _directory(directory, host_path(directory), parsed)
            if err == "not found" and dkind == "default dir":
                continue
            sources.append(Source(dkind, directory, tuple(files), err))
            roots += certs
    unique = dict.fromkeys(roots)  # equal DER, equal certificate: first one kept, order kept
    # The same root from a bundle file and from its directory is normal (Debian's
    # /etc/ssl/certs holds both); a root repeated inside one file is an append done twice.
    repeated = sum(f.duplicates for s in sources for f in s.files)
    now = now or dt.datetime.now(dt.UTC)
    expired = tuple(_name(c) for c in unique if c.not_valid_after_utc < now)
    return TrustStore(tuple(unique), tuple(sources), note, repeated, expired)


def load_extra(paths: Sequence[tuple[str, Path]]) -> list[tuple[str, SourceFile, tuple[x509.Certificate, ...]]]:
    """``--registry-certificate HOST=PATH`` files, each parsed like Go does."""
    out = []
    for host, path in paths:
        sf, certs = _file(str(path), path)
        out.append((host, sf, certs))
    return out


def _name(cert: x509.Certificate) -> str:
    try:
        return cert.subject.rfc4514_string() or "(empty subject)"
    except Exception:
        return "(unprintable subject)"


def describe(cert: x509.Certificate) -> dict[str, str]:
    from cryptography.hazmat.primitives import hashes

    return {
        "subject": _name(cert),
        "issuer": cert.issuer.rfc4514_string(),
        "not_before": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
    }


def to_pem(cert: x509.Certificate) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.PEM).decode()


