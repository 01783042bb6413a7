"""`kanidoc explain` on logs recorded from a real Go client failing against the lab.

skopeo (containers/image, Go) fails against the same registry, squid and TLS setups the
reachability tests use; for errors of Go's standard library (x509, net, net/http's proxy
handling) its wording is kaniko's. Registry-level errors are worded by containers/image, not
go-containerregistry, so only the cases whose text Go itself writes are asserted strictly;
the others check that explain names the same cause. Only loopback addresses are used: names
are resolved by squid's hosts file, never by the system resolver.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import shutil
import socket
import ssl
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.lab import hostile, servers

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo not installed")]


def skopeo(*args: str, env: dict[str, str] | None = None, timeout: str = "20s") -> str:
    out = subprocess.run(
        ["skopeo", "--command-timeout", timeout, *args], capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **(env or {})},
    )
    assert out.returncode != 0, out
    return out.stderr


def inspect(ref: str, env: dict[str, str] | None = None, *extra: str) -> str:
    return skopeo("inspect", "--retry-times", "0", *extra, f"docker://{ref}", env=env)


def explain(kanidoc: Any, tmp_path: Path, log: str) -> tuple[int, list[str], dict[str, Any]]:
    path = tmp_path / "job.log"
    path.write_text(log)
    run = kanidoc("explain", str(path), "--format", "json")
    doc = run.json()
    codes = [f["code"] for c in doc["checks"] for f in c["findings"]]
    return run.code, codes, doc


def oci_layout(root: Path) -> Path:
    """A one-layer OCI image on disk, so skopeo can push (hand-built, no tools)."""
    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(data: bytes) -> tuple[str, int]:
        digest = hashlib.sha256(data).hexdigest()
        (blobs / digest).write_bytes(data)
        return "sha256:" + digest, len(data)

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo("hello.txt")
        info.size = 6
        tf.addfile(info, io.BytesIO(b"hello\n"))
    layer, layer_size = put(gzip.compress(buf.getvalue(), mtime=0))
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {
        "type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(buf.getvalue()).hexdigest()]}}).encode()
    cfg, cfg_size = put(config)
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg, "size": cfg_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer, "size": layer_size}],
    }).encode()
    man, man_size = put(manifest)
    (root / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (root / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man, "size": man_size,
        "annotations": {"org.opencontainers.image.ref.name": "1"}}]}))
    return root


@pytest.fixture(scope="module")
def readonly_registry(lab: Path) -> Iterator[servers.Registry]:
    with servers.registry(lab / "ro-registry", None, readonly=True) as reg:
        yield reg


@pytest.fixture(scope="module")
def squid_other_name(lab: Path) -> Iterator[servers.Squid]:
    """A proxy that maps a name the registry's certificate does not carry to the registry."""
    with servers.squid(lab / "squid-other", "allow", hosts={"other.lab.test": "127.0.0.1"}) as sq:
        yield sq


@contextlib.contextmanager
def _banner_port(banner: bytes) -> Iterator[int]:
    """A loopback port that answers anything with ``banner`` and hangs up."""

    def answer(conn: socket.socket, _state: hostile.Hostile) -> None:
        conn.settimeout(2)
        conn.recv(4096)
        conn.sendall(banner)

    with hostile.serve(answer) as srv:
        yield srv.port


def gitlab_log(*lines: str) -> str:
    """Wrap recorded stderr the way GitLab's raw job log does (sections, colours, timestamps)."""
    ts = "2026-11-26T21:30:00.000000Z 00O "
    body = [f"{ts}\x1b[0Ksection_start:1764192600:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage\x1b[0;m",
            f"{ts}\x1b[32;1m$ /kaniko/executor --context $CI_PROJECT_DIR --destination registry.lab.test/g/app:1\x1b[0;m"]
    body += [f"{ts}{line}" for text in lines for line in text.strip().splitlines()]
    body += [f"{ts}section_end:1764192601:step_script\r\x1b[0K", f"{ts}\x1b[31;1mERROR: Job failed: exit code 1\x1b[0;m"]
    return "\n".join(body) + "\n"


CASES = ["unknown-authority", "hostname", "plain-http", "refused", "proxy-403", "proxy-407", "proxy-refused",
         "proxy-5xx", "proxy-eof", "proxy-not-http", "proxy-https-scheme"]
EXPECTED = {
    "unknown-authority": "KD-TLS-001", "hostname": "KD-TLS-003", "plain-http": "KD-REACH-019", "refused": "KD-REACH-011",
    "proxy-403": "KD-REACH-015", "proxy-407": "KD-REACH-014", "proxy-refused": "KD-REACH-011",
    "proxy-5xx": "KD-REACH-016", "proxy-eof": "KD-REACH-022", "proxy-not-http": "KD-REACH-017",
    "proxy-https-scheme": "KD-REACH-017",
}


@pytest.mark.parametrize("case", CASES)
def test_go_errors_from_the_lab(kanidoc, tmp_path, ca, registry, plain_registry, squid_deny, squid_auth,
                                squid_allow, squid_other_name, case) -> None:
    certs = tmp_path / "certs"
    certs.mkdir()
    shutil.copy(ca.pem, certs / "ca.crt")
    named = f"{registry.named()}/g/app:1"
    if case == "unknown-authority":
        stderr = inspect(f"{registry.address}/g/app:1")
    elif case == "hostname":
        stderr = inspect(f"other.lab.test:{registry.port}/g/app:1", {"HTTPS_PROXY": squid_other_name.url()}, "--cert-dir", str(certs))
    elif case == "plain-http":
        stderr = inspect(f"{plain_registry.address}/g/app:1")
    elif case == "refused":
        stderr = inspect(f"127.0.0.1:{servers.closed_port()}/g/app:1")
    elif case == "proxy-403":
        stderr = inspect(named, {"HTTPS_PROXY": squid_deny.url()})
    elif case == "proxy-407":
        stderr = inspect(named, {"HTTPS_PROXY": squid_auth.url("proxyuser", "CANARY-lab-proxy-pw")})
    elif case == "proxy-refused":
        stderr = inspect(named, {"HTTPS_PROXY": f"http://127.0.0.1:{servers.closed_port()}"})
    elif case == "proxy-5xx":  # squid cannot connect onward (nothing listens there): 503
        stderr = inspect(f"{servers.REGISTRY_NAME}:{servers.closed_port()}/g/app:1", {"HTTPS_PROXY": squid_allow.url()})
    elif case == "proxy-not-http":  # a port that speaks another protocol
        with _banner_port(b"SSH-2.0-OpenSSH_9.2\r\n") as port:
            stderr = inspect(named, {"HTTPS_PROXY": f"http://127.0.0.1:{port}"})
    elif case == "proxy-https-scheme":  # https:// for a plain HTTP proxy: TLS to a plain port
        stderr = inspect(named, {"HTTPS_PROXY": squid_allow.url().replace("http://", "https://")})
    else:  # the registry's TLS port used as an HTTP proxy: Go sees the connection close (unexpected EOF)
        stderr = inspect(named, {"HTTPS_PROXY": f"http://{registry.address}"})
    print(stderr)  # the recorded line, for the signature table's examples
    code, codes, doc = explain(kanidoc, tmp_path, gitlab_log(stderr))
    assert codes == [EXPECTED[case]], (stderr, codes)
    assert code == 1
    finding = doc["checks"][0]["findings"][0]
    assert finding["remediation"]["text"]
    assert "CANARY-lab-proxy-pw" not in json.dumps(doc)
    if case == "proxy-eof":  # the log alone cannot tell a closing proxy from a closing server
        assert finding["evidence"]["alternatives"] == ["KD-REACH-017"]
    elif case.startswith("proxy-"):
        assert doc["target"]["proxy_involved"] is True


def test_read_only_registry(kanidoc, tmp_path, lab, readonly_registry) -> None:
    src = oci_layout(tmp_path / "oci")
    stderr = skopeo("copy", "--retry-times", "0", "--dest-tls-verify=false", f"oci:{src}:1",
                    f"docker://{readonly_registry.address}/g/app:1")
    code, codes, _doc = explain(kanidoc, tmp_path, gitlab_log(stderr))
    assert codes == ["KD-PUSH-012"], stderr
    assert code == 1


def test_upper_case_destination(kanidoc, tmp_path, plain_registry) -> None:
    src = oci_layout(tmp_path / "oci")
    stderr = skopeo("copy", "--retry-times", "0", f"oci:{src}:1", f"docker://{plain_registry.address}/Group/App:1")
    code, codes, _doc = explain(kanidoc, tmp_path, gitlab_log(stderr))
    assert codes == ["KD-AUTH-015"], stderr
    assert code == 1


def test_tls_handshake_timeout(kanidoc, tmp_path) -> None:
    """Go's transport gives up the handshake after 10 s: `net/http: TLS handshake timeout`."""
    with servers.silent_port() as port:
        stderr = inspect(f"127.0.0.1:{port}/g/app:1")
    code, codes, _doc = explain(kanidoc, tmp_path, gitlab_log(stderr))
    assert codes == ["KD-REACH-018"], stderr
    assert code == 1


# --- certificate faults: a TLS listener on loopback presents the leaf, skopeo (Go) verifies it ---

def _pki(tmp: Path, fault: str) -> tuple[Path, Path, Path]:
    """(ca.crt dir, leaf.crt, leaf.key) for one certificate fault."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kanidoc explain lab CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=30))
          .not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    before, after = now - dt.timedelta(days=1), now + dt.timedelta(days=10)
    if fault == "expired":
        before, after = now - dt.timedelta(days=10), now - dt.timedelta(days=1)
    elif fault == "not-yet-valid":
        before, after = now + dt.timedelta(days=1), now + dt.timedelta(days=10)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, servers.REGISTRY_NAME)]))
               .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(before).not_valid_after(after))
    if fault != "cn-only":
        names: list[x509.GeneralName] = [x509.DNSName(servers.REGISTRY_NAME)]
        if fault != "ip-san":
            names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    eku = ExtendedKeyUsageOID.CLIENT_AUTH if fault == "key-usage" else ExtendedKeyUsageOID.SERVER_AUTH
    builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
    leaf = builder.sign(ca_key, hashes.SHA256())
    certs = tmp / "certs"
    certs.mkdir(exist_ok=True)
    (certs / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    crt, pem_key = tmp / "leaf.crt", tmp / "leaf.key"
    crt.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    pem_key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return certs, crt, pem_key


@contextlib.contextmanager
def _tls_listener(crt: Path, key: Path) -> Iterator[int]:
    """Accepts TLS on loopback and presents ``crt``; the client's verification is what fails."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    with hostile.serve(lambda conn, _state: conn.recv(1), tls=ctx) as srv:  # type: ignore[arg-type,return-value]
        yield srv.port


CERT_FAULTS = {"expired": "KD-TLS-005", "not-yet-valid": "KD-TLS-006", "ip-san": "KD-TLS-018", "cn-only": "KD-TLS-004",
               "key-usage": "KD-TLS-021"}


@pytest.mark.parametrize("fault", sorted(CERT_FAULTS))
def test_certificate_faults(kanidoc, tmp_path, squid_allow, fault) -> None:
    certs, crt, key = _pki(tmp_path, fault)
    with _tls_listener(crt, key) as port:
        if fault in ("cn-only",):  # by name, through the proxy (squid's hosts file maps it to loopback)
            stderr = inspect(f"{servers.REGISTRY_NAME}:{port}/g/app:1", {"HTTPS_PROXY": squid_allow.url()}, "--cert-dir", str(certs))
        else:
            stderr = inspect(f"127.0.0.1:{port}/g/app:1", None, "--cert-dir", str(certs))
    print(stderr)
    code, codes, _doc = explain(kanidoc, tmp_path, gitlab_log(stderr))
    assert codes == [CERT_FAULTS[fault]], stderr
    assert code == 1


# --- SOCKS5 proxies: Go's socks dialer (net/http socks_bundle.go) through tests/lab/socks.py ----
# or a scripted responder; nothing but loopback is dialled (the lab proxy resolves from its map only).

SOCKS_PW = "CANARY-lab-socks-pw"
SOCKS_CASES = {  # case -> (code, signature)
    "deny": ("KD-REACH-015", "socks-ruleset"),
    "no-credentials": ("KD-REACH-014", "socks-auth-required"),
    "wrong-password": ("KD-REACH-014", "socks-auth-failed"),
    "empty-password": ("KD-REACH-014", "socks-credentials-invalid"),
    "unknown-name": ("KD-REACH-016", "socks-unreachable"),  # reply 4, host unreachable
    "refused": ("KD-REACH-016", "socks-unreachable"),  # reply 5, connection refused
    "reply-1": ("KD-REACH-016", "socks-unreachable"),
    "reply-3": ("KD-REACH-016", "socks-unreachable"),
    "reply-6": ("KD-REACH-016", "socks-unreachable"),
    "reply-7": ("KD-REACH-016", "socks-unsupported"),
    "reply-8": ("KD-REACH-016", "socks-unsupported"),
    "reply-9": ("KD-REACH-016", "socks-unsupported"),
    "gssapi": ("KD-REACH-017", "socks-auth-method"),
    "http-port": ("KD-REACH-017", "socks-not-socks"),
}


@contextlib.contextmanager
def _socks_responder(*, reply: int = 0, method: int = 0, greeting: bytes | None = None) -> Iterator[int]:
    """A loopback port that reads the SOCKS5 greeting and answers as told (one CONNECT reply)."""

    def answer(conn: socket.socket, _state: hostile.Hostile) -> None:
        conn.settimeout(5)
        head = conn.recv(2)
        conn.recv(head[1])
        if greeting is not None:
            conn.sendall(greeting)
            return
        conn.sendall(bytes([5, method]))
        conn.recv(512)  # the CONNECT request (host name, port)
        conn.sendall(bytes([5, reply, 0, 1, 0, 0, 0, 0, 0, 0]))

    with hostile.serve(answer) as srv:
        yield srv.port


@pytest.mark.parametrize("case", sorted(SOCKS_CASES))
def test_socks5_errors_from_the_lab(kanidoc, tmp_path, case) -> None:
    from tests.lab.socks import socks_proxy

    ref = f"{servers.REGISTRY_NAME}:{servers.closed_port()}/g/app:1"
    hosts = {servers.REGISTRY_NAME: "127.0.0.1"}
    if case == "deny":
        with socks_proxy("deny") as sx:
            stderr = inspect(ref, {"HTTPS_PROXY": sx.url()})
    elif case in ("no-credentials", "wrong-password", "empty-password"):
        with socks_proxy(users={"proxyuser": "the-right-one"}, hosts=hosts) as sx:
            url = {"no-credentials": sx.url(), "wrong-password": sx.url("proxyuser", SOCKS_PW),
                   "empty-password": f"socks5://proxyuser@127.0.0.1:{sx.port}"}[case]
            stderr = inspect(ref, {"HTTPS_PROXY": url})
    elif case in ("unknown-name", "refused"):  # the proxy cannot resolve the name / nothing listens there
        with socks_proxy(hosts={} if case == "unknown-name" else hosts) as sx:
            stderr = inspect(ref, {"HTTPS_PROXY": sx.url()})
    else:
        kwargs: dict[str, Any] = {"reply": int(case[6:])} if case.startswith("reply-") else {}
        if case == "gssapi":  # credentials in the URL; the proxy picks method 1, which Go did not offer
            kwargs = {"method": 1}
        if case == "http-port":  # an HTTP proxy's port named by a socks5:// URL
            kwargs = {"greeting": b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"}
        with _socks_responder(**kwargs) as port:
            cred = f"proxyuser:{SOCKS_PW}@" if case == "gssapi" else ""
            stderr = inspect(ref, {"HTTPS_PROXY": f"socks5://{cred}127.0.0.1:{port}"})
    print(stderr)  # the recorded line, for the signature table's examples
    assert "socks connect tcp 127.0.0.1:" in stderr, stderr  # Go's net.OpError wording, no "proxyconnect"
    code, codes, doc = explain(kanidoc, tmp_path, gitlab_log(stderr))
    expected_code, expected_signature = SOCKS_CASES[case]
    assert codes == [expected_code], (stderr, codes)
    assert code == 1
    finding = doc["checks"][0]["findings"][0]
    ev = finding["evidence"]
    assert ev["signature"] == expected_signature, stderr
    assert ev["target"] == ref.split("/")[0] and ev["proxy"].startswith("127.0.0.1:")
    assert ev["proxy"] in finding["remediation"]["text"]
    assert doc["target"]["proxy_involved"] is True
    assert SOCKS_PW not in json.dumps(doc)
