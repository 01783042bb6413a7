"""The tls check against the real registry serving per-run certificates, with skopeo (Go's
crypto/x509, as in kaniko) as the referee for every chain."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.lab import pki, servers
from tests.lab.mitm import mitm_proxy

REPO = "lab/none:latest"


@dataclass
class PKI:
    root: pki.Issued
    inter: pki.Issued
    dir: Path

    @property
    def root_pem(self) -> Path:
        path = self.dir / "root.pem"
        path.write_bytes(self.root.pem)
        return path


@pytest.fixture(scope="session")
def lab_pki(lab: Path) -> PKI:
    root = pki.ca("kanidoc Lab Root CA")
    inter = pki.ca("kanidoc Lab Intermediate CA", root)
    d = lab / "pki"
    d.mkdir(exist_ok=True)
    return PKI(root, inter, d)


NAMES = ["localhost", "127.0.0.1", servers.REGISTRY_NAME]
LATER = pki.NOW + dt.timedelta(days=30)


def _serve(lab_pki: PKI, case: str) -> tuple[pki.Issued, list[pki.Issued]]:
    i = lab_pki.inter
    if case == "good":
        return pki.leaf(i, NAMES), [i]
    if case == "leaf-only":
        return pki.leaf(i, NAMES), []
    if case == "wrong-host":
        return pki.leaf(i, ["other.lab.test"]), [i]
    if case == "expired":
        return pki.leaf(i, NAMES, not_before=pki.NOW - dt.timedelta(days=400), not_after=pki.NOW - dt.timedelta(days=35)), [i]
    if case == "not-yet-valid":
        return pki.leaf(i, NAMES, not_before=LATER, not_after=LATER + dt.timedelta(days=90)), [i]
    if case == "cn-only":
        return pki.leaf(i, NAMES, cn="localhost", san=False), [i]
    if case == "self-signed":
        return pki.leaf(i, NAMES, self_signed=True), []
    if case == "no-ip-san":
        return pki.leaf(i, ["localhost"]), [i]
    if case == "expired-intermediate":
        old = pki.ca("kanidoc Lab Old Intermediate", lab_pki.root, not_before=pki.NOW - dt.timedelta(days=60), days=20)
        return pki.leaf(old, NAMES), [old]
    if case == "critical-ext":
        return pki.leaf(i, NAMES, critical_oid="1.3.6.1.4.1.99999.1"), [i]
    if case == "critical-intermediate":
        odd = pki.ca("kanidoc Lab Odd Intermediate", lab_pki.root, critical_oid="1.3.6.1.4.1.99999.2")
        return pki.leaf(odd, NAMES), [odd]
    if case == "unknown-root":
        other_root = pki.ca("Somebody Else Root CA")
        other_inter = pki.ca("Somebody Else Issuing CA", other_root)
        return pki.leaf(other_inter, NAMES), [other_inter, other_root]
    raise ValueError(case)


@pytest.fixture(scope="session")
def tls_registries(lab: Path, lab_pki: PKI) -> Iterator[dict[str, servers.Registry]]:
    cases = ["good", "leaf-only", "wrong-host", "expired", "not-yet-valid", "cn-only", "self-signed", "no-ip-san", "unknown-root",
             "critical-ext", "critical-intermediate", "expired-intermediate"]
    regs: dict[str, servers.Registry] = {}
    stack = []
    try:
        for case in cases:
            server, chain = _serve(lab_pki, case)
            cert = pki.write_chain(lab / "pki", case, server, chain)
            cm = servers.registry(lab / f"tls-{case}", None, cert=cert)
            regs[case] = cm.__enter__()
            stack.append(cm)
        yield regs
    finally:
        for cm in reversed(stack):
            cm.__exit__(None, None, None)


def tls_check(kanidoc: Any, dest: str, *extra: str, env: dict[str, str] | None = None) -> tuple[Any, dict[str, Any]]:
    run = kanidoc("check", "--only", "reachability,tls", "--format", "json", "--connect-timeout", "3",
                  "--destination", dest, *extra, env=env)
    doc = run.json()
    return run, next(c for c in doc["checks"] if c["id"] == "tls")


def codes(check: dict[str, Any]) -> set[str]:
    return {f["code"] for f in check["findings"]}


def finding(check: dict[str, Any], code: str) -> dict[str, Any]:
    return next(f for f in check["findings"] if f["code"] == code)


# case -> (host used, expected code, Go error fragment)
EXPECT = {
    "good": ("localhost", "KD-TLS-010", None),
    "leaf-only": ("localhost", "KD-TLS-002", "x509: certificate signed by unknown authority"),
    "wrong-host": ("localhost", "KD-TLS-003", "x509: certificate is valid for other.lab.test, not localhost"),
    "expired": ("localhost", "KD-TLS-005", "x509: certificate has expired or is not yet valid"),
    "not-yet-valid": ("localhost", "KD-TLS-006", "x509: certificate has expired or is not yet valid"),
    "cn-only": ("localhost", "KD-TLS-004", "x509: certificate relies on legacy Common Name field, use SANs instead"),
    "self-signed": ("localhost", "KD-TLS-007", "x509: certificate signed by unknown authority"),
    "no-ip-san": ("127.0.0.1", "KD-TLS-018", "x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"),
    "unknown-root": ("localhost", "KD-TLS-001", "x509: certificate signed by unknown authority"),
    "critical-ext": ("localhost", "KD-TLS-023", "x509: unhandled critical extension"),
    # Go returns the intermediate's own error, not "unknown authority" (buildChains' err)
    "expired-intermediate": ("localhost", "KD-TLS-005", "x509: certificate has expired or is not yet valid: current time"),
    "critical-intermediate": ("localhost", "KD-TLS-023", "x509: unhandled critical extension"),
}


def skopeo(ref: str, cert_dir: Path) -> tuple[bool, str]:
    out = subprocess.run(["skopeo", "--command-timeout", "10s", "inspect", "--retry-times", "0", "--cert-dir", str(cert_dir),
                          f"docker://{ref}"], capture_output=True, text=True, timeout=30,
                         env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    text = out.stdout + out.stderr
    return ("manifest unknown" in text or out.returncode == 0), text


@pytest.mark.parametrize("case", sorted(EXPECT))
def test_each_fault_named_and_go_agrees(kanidoc, tls_registries, lab_pki, case, tmp_path) -> None:
    host, code, go_fragment = EXPECT[case]
    reg = tls_registries[case]
    dest = f"{host}:{reg.port}/{REPO}"
    run, check = tls_check(kanidoc, dest, "--registry-certificate", f"{host}:{reg.port}={lab_pki.root_pem}")
    assert code in codes(check), check
    f = finding(check, code)
    verified = code == "KD-TLS-010"
    assert (check["status"] == "pass") is verified
    if go_fragment:
        assert go_fragment in f["evidence"]["go_error"]
        assert f["evidence"]["chain"][0]["sha256"]
    # the referee: skopeo trusts system roots + the lab root, as kaniko with --registry-certificate
    if shutil.which("skopeo"):
        cert_dir = tmp_path / "certs"
        cert_dir.mkdir()
        shutil.copy(lab_pki.root_pem, cert_dir / "ca.crt")
        ok, text = skopeo(dest, cert_dir)
        assert ok is verified, text
        if go_fragment:
            assert go_fragment in text, text


def test_missing_intermediate_found_elsewhere_is_certain(kanidoc, tls_registries, lab_pki) -> None:
    # Two registries: one sends the full chain, one only its leaf: the intermediate seen on
    # the first proves the second is missing it (and gives the PEM to add).
    good, leafonly = tls_registries["good"], tls_registries["leaf-only"]
    run = kanidoc("check", "--only", "reachability,tls", "--format", "json", "--ca-bundle", str(lab_pki.root_pem),
                  "--destination", f"localhost:{good.port}/a/b:1", "--destination", f"localhost:{leafonly.port}/a/b:1")
    check = next(c for c in run.json()["checks"] if c["id"] == "tls")
    f = next(f for f in check["findings"] if f["code"] == "KD-TLS-002")
    assert f["evidence"]["missing"]["subject"].startswith("CN=kanidoc Lab Intermediate CA")
    assert "-----BEGIN CERTIFICATE-----" in f["remediation"]["snippet"]


def test_unknown_root_remediation_has_seed_recipe_and_bundle(kanidoc, tls_registries, tmp_path) -> None:
    reg = tls_registries["unknown-root"]
    bundle = tmp_path / "bundle.pem"
    run, check = tls_check(kanidoc, f"localhost:{reg.port}/{REPO}", "--emit-ca-bundle", str(bundle))
    f = finding(check, "KD-TLS-001")
    snippet = f["remediation"]["snippet"]
    assert snippet.startswith("before_script:\n  - |\n    echo \"-----BEGIN CERTIFICATE-----")
    assert ">> /kaniko/ssl/certs/ca-certificates.crt" in snippet
    assert f"--registry-certificate localhost:{reg.port}=" in snippet
    assert "--skip-tls-verify-registry" in f["remediation"]["text"]
    # the emitted bundle makes the chain verify
    run, check = tls_check(kanidoc, f"localhost:{reg.port}/{REPO}", "--ca-bundle", str(bundle))
    assert "KD-TLS-010" in codes(check), check


def test_self_signed_bundle_round_trip(kanidoc, tls_registries, tmp_path) -> None:
    reg = tls_registries["self-signed"]
    bundle = tmp_path / "b.pem"
    tls_check(kanidoc, f"localhost:{reg.port}/{REPO}", "--emit-ca-bundle", str(bundle))
    _run, check = tls_check(kanidoc, f"localhost:{reg.port}/{REPO}", "--ca-bundle", str(bundle))
    assert "KD-TLS-010" in codes(check)


def test_registry_certificate_for_wrong_host_string(kanidoc, tls_registries, lab_pki) -> None:
    reg = tls_registries["good"]
    run, check = tls_check(kanidoc, f"localhost:{reg.port}/{REPO}", "--registry-certificate", f"localhost={lab_pki.root_pem}")
    f = finding(check, "KD-TLS-009")
    assert f"localhost:{reg.port}" in f["message"]
    assert "KD-TLS-002" in codes(check) or "KD-TLS-001" in codes(check)


def test_skip_tls_verify_is_a_warning(kanidoc, tls_registries) -> None:
    reg = tls_registries["unknown-root"]
    run, check = tls_check(kanidoc, f"localhost:{reg.port}/{REPO}", "--", "/kaniko/executor",
                           "--skip-tls-verify-registry", f"localhost:{reg.port}")
    assert check["status"] == "warn" and "KD-TLS-016" in codes(check)


def test_kaniko_image_store_from_root(kanidoc, tls_registries, lab_pki, tmp_path) -> None:
    # A --root tree shaped like the kaniko image: SSL_CERT_DIR=/kaniko/ssl/certs by default
    certs = tmp_path / "root" / "kaniko" / "ssl" / "certs"
    certs.mkdir(parents=True)
    (certs / "ca-certificates.crt").write_bytes(lab_pki.root.pem)
    (certs / "empty.crt").write_text("")
    der = lab_pki.root.cert.public_bytes(__import__("cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.DER)
    (certs / "corp.der").write_bytes(der)
    reg = tls_registries["good"]
    run, check = tls_check(kanidoc, f"localhost:{reg.port}/{REPO}", "--root", str(tmp_path / "root"))
    assert {"KD-TLS-010", "KD-TLS-011", "KD-TLS-012"} <= codes(check), check
    store = finding(check, "KD-TLS-014")["evidence"]
    assert store["total"] == 1 and store["sources"][0]["path"] == "/kaniko/ssl/certs"
    # SSL_CERT_DIR pointing elsewhere hides the bundle
    run, check = tls_check(kanidoc, f"localhost:{reg.port}/{REPO}", "--root", str(tmp_path / "root"),
                           env={"SSL_CERT_DIR": "/etc/extra-certs"})
    assert {"KD-TLS-017", "KD-TLS-019"} <= codes(check)


def test_interception_detected(kanidoc, tls_registries, lab_pki, dnsmasq) -> None:
    reg = tls_registries["good"]
    with mitm_proxy(hosts={servers.REGISTRY_NAME: "127.0.0.1"}) as mitm:
        run, check = tls_check(kanidoc, f"{servers.REGISTRY_NAME}:{reg.port}/{REPO}", "--ca-bundle", str(lab_pki.root_pem),
                               "--dns-server", dnsmasq.server, env={"HTTPS_PROXY": mitm.url()})
    f = finding(check, "KD-TLS-008")
    assert f["severity"] == "error"
    assert "differs" in f["message"]
    assert f["evidence"]["via_proxy"][0]["issuer"].startswith("CN=Acme Edge Inspection CA")
    assert "Acme Edge Inspection CA" in f["remediation"]["snippet"] or "BEGIN CERTIFICATE" in f["remediation"]["snippet"]


@pytest.mark.parametrize("case", ["good", "unknown-root", "wrong-host", "cn-only", "no-ip-san", "leaf-only"])
def test_push_replay_verifies_like_the_tls_check(kanidoc, tls_registries, lab_pki, case) -> None:
    # The replay verifies the presented chain with the same Go model before sending
    # anything: a chain the tls check rejects never gets an upload, and it says why in
    # Go's words; a good chain gets the upload opened and cancelled.
    host, code, go_fragment = EXPECT[case]
    reg = tls_registries[case]
    run = kanidoc("check", "--only", "auth,reachability,tls,push", "--format", "json", "--connect-timeout", "3",
                  "--destination", f"{host}:{reg.port}/{REPO}", "--registry-certificate", f"{host}:{reg.port}={lab_pki.root_pem}")
    checks = {c["id"]: c for c in run.json()["checks"]}
    assert code in codes(checks["tls"])
    push = checks["push"]
    if go_fragment is None:
        assert push["status"] == "pass" and "KD-PUSH-022" in codes(push), push
        return
    assert push["status"] == "fail", push
    messages = " ".join(f["message"] for f in push["findings"])
    assert f"tls: failed to verify certificate: {go_fragment}" in messages
    assert "KD-PUSH-022" not in codes(push)
