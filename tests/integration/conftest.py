"""Session-wide lab servers on loopback (see tests/lab)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.lab import servers
from tests.lab.procs import lab_dir

NEEDED = ("docker-registry", "squid", "dnsmasq", "htpasswd")


def _missing() -> list[str]:
    return [b for b in NEEDED if shutil.which(b) is None and not Path("/usr/sbin", b).exists()]


@pytest.fixture(scope="session")
def lab() -> Iterator[Path]:
    missing = _missing()
    if missing:
        pytest.fail(f"lab binaries missing: {missing}; run ./dev test (it installs them)")
    root = lab_dir()
    yield root
    # After the whole session: no registry of the lab holds an upload session. kanidoc
    # cancels every upload it opens; the skopeo referee's pushes complete.
    leftovers = [p for p in root.rglob("_uploads/*/*") if p.name in ("data", "startedat")]
    shutil.rmtree(root, ignore_errors=True)
    assert not leftovers, f"upload sessions left in the lab registries: {leftovers[:5]}"


@pytest.fixture(scope="session")
def ca(lab: Path) -> servers.CA:
    return servers.CA(trustme.CA(), lab)


@pytest.fixture(scope="session")
def registry(lab: Path, ca: servers.CA) -> Iterator[servers.Registry]:
    with servers.registry(lab / "registry", ca) as reg:
        yield reg


@pytest.fixture(scope="session")
def plain_registry(lab: Path) -> Iterator[servers.Registry]:
    with servers.registry(lab / "plain-registry", None) as reg:
        yield reg


def _squid(lab: Path, mode: str) -> Iterator[servers.Squid]:
    with servers.squid(lab / f"squid-{mode}", mode, hosts={servers.REGISTRY_NAME: "127.0.0.1"}) as sq:
        yield sq


@pytest.fixture(scope="session")
def squid_allow(lab: Path) -> Iterator[servers.Squid]:
    yield from _squid(lab, "allow")


@pytest.fixture(scope="session")
def squid_deny(lab: Path) -> Iterator[servers.Squid]:
    yield from _squid(lab, "deny-connect")


@pytest.fixture(scope="session")
def squid_auth(lab: Path) -> Iterator[servers.Squid]:
    yield from _squid(lab, "auth")


@pytest.fixture(scope="session")
def dnsmasq(lab: Path) -> Iterator[servers.Dnsmasq]:
    records = {servers.REGISTRY_NAME: "127.0.0.1", f"proxy.{servers.LAB_DOMAIN}": "127.0.0.1"}
    with servers.dnsmasq(lab / "dnsmasq", records, nxdomains=(f"nx.{servers.LAB_DOMAIN}",)) as d:
        yield d
