from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import trustme

from tests.lab.listen import accepting, loopback_listener
from tests.lab.procs import free_port, running

LAB_DOMAIN = "lab.test"
REGISTRY_NAME = f"registry.{LAB_DOMAIN}"


@dataclass
class CA:
    ca: trustme.CA
    dir: Path

    @property
    def pem(self) -> Path:
        path = self.dir / "ca.pem"
        if not path.exists():
            self.ca.cert_pem.write_to_path(str(path))
        return path

    def leaf(self, name: str, *hosts: str) -> tuple[Path, Path]:
        cert = self.ca.issue_cert(*hosts)
        crt, key = self.dir / f"{name}.crt", self.dir / f"{name}.key"
        cert.private_key_pem.write_to_path(str(key))
        with open(crt, "wb") as fh:
            for blob in cert.cert_chain_pems:
                fh.write(blob.bytes())
        return crt, key


@dataclass
class Registry:
    port: int
    storage: Path
    tls: bool
    host: str = "127.0.0.1"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def named(self, name: str = REGISTRY_NAME) -> str:
        return f"{name}:{self.port}"


@contextlib.contextmanager
def registry(workdir: Path, ca: CA | None, *, htpasswd: Path | None = None, token: dict[str, str] | None = None,
             readonly: bool = False, cert: tuple[Path, Path] | None = None) -> Iterator[Registry]:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    storage = workdir / "storage"
    storage.mkdir(exist_ok=True)
    lines = ["version: 0.1", "log:", "  level: info", "  accesslog:", "    disabled: false", "storage:",
             "  filesystem:", f"    rootdirectory: {storage}", "  delete:", "    enabled: true"]
    if readonly:
        lines += ["  maintenance:", "    readonly:", "      enabled: true"]
    lines += ["http:", f"  addr: 127.0.0.1:{port}", "  secret: lab-secret-not-sensitive"]
    if cert is not None:
        lines += ["  tls:", f"    certificate: {cert[0]}", f"    key: {cert[1]}"]
    elif ca is not None:
        crt, key = ca.leaf("registry", "127.0.0.1", REGISTRY_NAME, "localhost")
        lines += ["  tls:", f"    certificate: {crt}", f"    key: {key}"]
    if htpasswd is not None:
        lines += ["auth:", "  htpasswd:", "    realm: lab-basic-realm", f"    path: {htpasswd}"]
    elif token is not None:
        lines += ["auth:", "  token:", f"    realm: {token['realm']}", f"    service: {token['service']}",
                  f"    issuer: {token['issuer']}", f"    rootcertbundle: {token['rootcertbundle']}"]
    cfg = workdir / "config.yml"
    cfg.write_text("\n".join(lines) + "\n")
    with running(["docker-registry", "serve", str(cfg)], port, workdir / "registry.log"):
        yield Registry(port, storage, ca is not None or cert is not None)


def htpasswd_file(path: Path, users: dict[str, str], scheme: str = "-B") -> Path:
    """bcrypt (-B) for the registry; apr1 MD5 (-m) for squid's basic_ncsa_auth."""
    path.write_text("")
    for user, password in users.items():
        out = subprocess.run(["htpasswd", scheme + "bn", user, password], check=True, capture_output=True, text=True).stdout
        with open(path, "a") as fh:
            fh.write(out.strip() + "\n")
    return path


@dataclass
class Squid:
    port: int
    mode: str
    workdir: Path

    def url(self, user: str | None = None, password: str | None = None) -> str:
        cred = f"{user}:{password}@" if user is not None else ""
        return f"http://{cred}127.0.0.1:{self.port}"

    def access_log(self) -> str:
        path = self.workdir / "access.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextlib.contextmanager
def squid(workdir: Path, mode: str, hosts: dict[str, str] | None = None, users: dict[str, str] | None = None) -> Iterator[Squid]:
    """mode: allow | deny-connect | auth"""
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o777)
    port = free_port()
    hosts_file = workdir / "hosts"
    hosts_file.write_text("".join(f"{ip} {name}\n" for name, ip in (hosts or {}).items()) or "127.0.0.1 localhost\n")
    lines = [
        f"http_port 127.0.0.1:{port}",
        "pid_filename none",
        "cache deny all",
        f"access_log stdio:{workdir}/access.log",
        f"cache_log {workdir}/cache.log",
        f"coredump_dir {workdir}",
        "shutdown_lifetime 0 seconds",
        f"hosts_file {hosts_file}",
        # Never send DNS anywhere but loopback; lab names come from the hosts file above.
        "dns_nameservers 127.0.0.1",
        "acl CONNECT method CONNECT",
        "visible_hostname lab-proxy",
    ]
    if mode == "allow":
        lines += ["http_access allow all"]
    elif mode == "deny-connect":
        lines += ["http_access deny CONNECT", "http_access allow all"]
    elif mode == "auth":
        pw = htpasswd_file(workdir / "passwd", users or {"proxyuser": "proxypass"}, scheme="-m")
        pw.chmod(0o644)
        helper = next(p for p in ("/usr/lib/squid/basic_ncsa_auth", "/usr/lib/squid3/basic_ncsa_auth") if Path(p).exists())
        lines += [f"auth_param basic program {helper} {pw}", "auth_param basic realm lab-proxy",
                  "acl authed proxy_auth REQUIRED", "http_access allow authed", "http_access deny all"]
    else:
        raise ValueError(mode)
    conf = workdir / "squid.conf"
    conf.write_text("\n".join(lines) + "\n")
    with running(["squid", "-N", "-f", str(conf)], port, workdir / "squid.out"):
        yield Squid(port, mode, workdir)


@dataclass
class Dnsmasq:
    port: int

    @property
    def server(self) -> str:
        return f"127.0.0.1:{self.port}"


@contextlib.contextmanager
def dnsmasq(workdir: Path, records: dict[str, str], nxdomains: tuple[str, ...] = ()) -> Iterator[Dnsmasq]:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    cmd = ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
           "--bind-interfaces", "--listen-address=127.0.0.1", f"--port={port}", "--pid-file=", "--user=root",
           "--log-queries", "--log-facility=-"]
    cmd += [f"--address=/{name}/{ip}" for name, ip in records.items()]
    cmd += [f"--address=/{name}/" for name in nxdomains]
    binary = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    cmd[0] = binary
    with running(cmd, None, workdir / "dnsmasq.log"):
        _wait_udp(port)
        yield Dnsmasq(port)


def _wait_udp(port: int) -> None:
    import time

    import dns.message
    import dns.query

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            dns.query.udp(dns.message.make_query("probe.invalid.", "A"), "127.0.0.1", port=port, timeout=0.2)
            return
        except Exception:
            time.sleep(0.05)
    raise RuntimeError("dnsmasq did not answer")


@dataclass
class FakeDNS:
    port: int

    @property
    def server(self) -> str:
        return f"127.0.0.1:{self.port}"


@contextlib.contextmanager
def fake_dns(mode: str) -> Iterator[FakeDNS]:
    """mode: servfail (answers SERVFAIL to everything) | silent (reads, never answers)."""
    import dns.message
    import dns.rcode

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except OSError:
                continue
            if mode == "silent":
                continue
            try:
                query = dns.message.from_wire(data)
            except Exception:
                continue
            reply = dns.message.make_response(query)
            reply.set_rcode(dns.rcode.SERVFAIL)
            sock.sendto(reply.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield FakeDNS(sock.getsockname()[1])
    finally:
        stop.set()
        thread.join(2)
        sock.close()


@contextlib.contextmanager
def silent_port() -> Iterator[int]:
    """Accepts TCP connections and never sends a byte."""
    srv = loopback_listener(16)
    held: list[socket.socket] = []
    try:
        with accepting(srv, held.append):
            yield srv.getsockname()[1]
    finally:
        for c in held:
            c.close()


@contextlib.contextmanager
def blackhole_port() -> Iterator[int]:
    """A port whose SYNs go unanswered: a listener with a full accept queue (loopback only)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    port = srv.getsockname()[1]
    fillers = []
    for _ in range(3):  # fill the (backlog + 1) accept queue; later SYNs are dropped
        c = socket.socket()
        c.setblocking(False)
        with contextlib.suppress(BlockingIOError, OSError):
            c.connect(("127.0.0.1", port))
        fillers.append(c)
    try:
        yield port
    finally:
        for c in fillers:
            c.close()
        srv.close()


def closed_port() -> int:
    return free_port()
