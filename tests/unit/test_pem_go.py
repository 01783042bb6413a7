"""encoding/pem.Decode as Go does it, and the pasteable snippet really adds a certificate."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from kanidoc.checks.tls import before_script

from kanidoc.gosem import truststore as ts
from tests.lab import pki

CERT = pki.ca("PEM Test CA")
PEM = CERT.pem


def count(data: bytes) -> int:
    return len(ts.scan_pem(data).certs)


def test_well_formed_bundles() -> None:
    assert count(PEM) == 1
    assert count(PEM + PEM) == 2
    assert count(b"junk\n" + PEM + b"more junk\n") == 1
    assert count(PEM.replace(b"\n", b"\r\n")) == 1
    assert count(PEM.replace(b"-----BEGIN CERTIFICATE-----\n", b"-----BEGIN CERTIFICATE-----  \n")) == 1  # trailing spaces ok


def test_what_go_rejects() -> None:
    no_final_newline = PEM.rstrip(b"\n")
    # `cat a.pem b.pem` with no final newline in a.pem: text after the first END, the second
    # BEGIN mid-line: Go loads neither (checked against Go 1.19 AppendCertsFromPEM by review)
    assert count(no_final_newline + PEM) == 0
    indented = b"".join(b"  " + line + b"\n" for line in PEM.splitlines())
    assert count(indented) == 0  # BEGIN must start a line
    assert count(PEM.replace(b"-----END CERTIFICATE-----", b"-----END CERTIFICATE----- trailing")) == 0
    assert count(b"text -----BEGIN CERTIFICATE-----\n" + PEM.split(b"\n", 1)[1]) == 0
    scan = ts.scan_pem(indented)
    assert scan.bad >= 1  # reported as present but unusable


def test_snippet_survives_yaml_and_sh(tmp_path: Path) -> None:
    bundle = tmp_path / "ca-certificates.crt"
    snippet = before_script(PEM.decode(), str(bundle))
    script = yaml.safe_load(snippet)["before_script"][0]
    subprocess.run(["sh", "-c", script], check=True)
    assert count(bundle.read_bytes()) == 1
    subprocess.run(["sh", "-c", script], check=True)  # appending twice adds a duplicate, still valid
    assert count(bundle.read_bytes()) == 2
