"""DNS the way Go's resolver does it on Linux (net/dnsclient_unix.go, net/hosts.go).

- /etc/hosts first ("hosts: files dns", Go's default order on glibc systems).
- resolv.conf: nameservers, ``search``/``domain``, ``options ndots:N timeout:N attempts:N``.
- The names tried come from Go's ``dnsConfig.nameList``: a rooted name only as-is; a name
  with at least ``ndots`` dots first as-is, then with each search suffix; otherwise the
  suffixed names first and the bare name last. That is why ``ndots:5`` in Kubernetes pods
  sends several queries (``registry.example.com.ns.svc.cluster.local``, ...) before the
  real one, and why a wildcard record under a search domain answers *wrongly*.
- A and AAAA are asked together; NXDOMAIN moves on to the next name; SERVFAIL is Go's
  "server misbehaving"; no answer in time is "i/o timeout".
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from kanidoc.parallel import Task
from kanidoc.record import record

if TYPE_CHECKING:  # dnspython is imported when a name is actually resolved (start-up cost)
    import dns.rdatatype

MAX_FILE = 1024 * 1024


@record
class ResolvConf:
    nameservers: tuple[tuple[str, int], ...] = (("127.0.0.1", 53),)
    search: tuple[str, ...] = ()
    ndots: int = 1
    timeout: float = 5.0
    attempts: int = 2
    source: str = "/etc/resolv.conf"


def parse_resolv_conf(text: str, source: str = "/etc/resolv.conf") -> ResolvConf:
    # Mirrors net/dnsconfig_unix.go dnsReadConfig: defaults ndots 1, timeout 5s, attempts 2,
    # localhost:53 when no nameserver; "domain" and "search" replace each other (last wins).
    servers: list[tuple[str, int]] = []
    search: tuple[str, ...] = ()
    ndots, timeout, attempts = 1, 5.0, 2
    for line in text.splitlines():
        words = line.split("#", 1)[0].split(";", 1)[0].split()
        if not words:
            continue
        key, args = words[0], words[1:]
        if key == "nameserver" and args and len(servers) < 3:
            try:
                ipaddress.ip_address(args[0].split("%", 1)[0])
            except ValueError:
                continue
            servers.append((args[0], 53))
        elif key == "domain" and args:
            search = (args[0].rstrip(".") + ".",)
        elif key == "search":
            search = tuple(a.rstrip(".") + "." for a in args if a != ".")
        elif key == "options":
            for opt in args:
                name, _, value = opt.partition(":")
                try:
                    if name == "ndots":
                        ndots = max(0, min(15, int(value)))
                    elif name == "timeout":
                        timeout = float(max(1, int(value)))
                    elif name == "attempts":
                        attempts = max(1, int(value))
                except ValueError:
                    pass
    return ResolvConf(tuple(servers) or (("127.0.0.1", 53),), search, ndots, timeout, attempts, source)


def name_list(name: str, conf: ResolvConf) -> list[str]:
    """Go's dnsConfig.nameList."""
    if name.endswith("."):
        return [name]
    has_ndots = name.count(".") >= conf.ndots
    fqdn = name + "."
    names = [fqdn] if has_ndots else []
    names += [fqdn + suffix for suffix in conf.search if len(fqdn + suffix) <= 254]
    if not has_ndots:
        names.append(fqdn)
    return names


def hosts_lookup(name: str, text: str) -> list[str]:
    """net/hosts.go: case-insensitive, trailing dot ignored, every matching line counts."""
    wanted = name.rstrip(".").lower()
    found: list[str] = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) < 2:
            continue
        try:
            ipaddress.ip_address(words[0].split("%", 1)[0])
        except ValueError:
            continue
        if any(w.rstrip(".").lower() == wanted for w in words[1:]):
            found.append(words[0])
    return list(dict.fromkeys(found))


@record
class Query:
    name: str
    outcome: str  # ok | nxdomain | nodata | servfail | refused | timeout | error
    addresses: tuple[str, ...] = ()
    ms: int = 0
    server: str = ""


@record
class Resolution:
    host: str
    addresses: tuple[str, ...]
    source: str  # literal | hosts | dns
    outcome: str  # ok | nxdomain | servfail | timeout | refused | error
    queries: tuple[Query, ...] = field(default_factory=tuple)
    server: str = ""
    go_error: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.addresses)


def _ask(qname: str, rdtype: dns.rdatatype.RdataType, conf: ResolvConf, deadline: float) -> Query:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.query
    import dns.rcode

    start = time.monotonic()
    last = "timeout"
    server_used = ""
    for _attempt in range(conf.attempts):
        for host, port in conf.nameservers:
            left = deadline - time.monotonic()
            if left <= 0:
                return Query(qname, "timeout", (), int((time.monotonic() - start) * 1000), server_used)
            server_used = f"{host}:{port}"
            msg = dns.message.make_query(qname, rdtype)
            msg.flags |= dns.flags.RD
            try:
                resp = dns.query.udp(msg, host, timeout=min(conf.timeout, left), port=port)
                if resp.flags & dns.flags.TC:
                    resp = dns.query.tcp(msg, host, timeout=min(conf.timeout, max(0.05, deadline - time.monotonic())), port=port)
            except dns.exception.Timeout:
                last = "timeout"
                continue
            except (OSError, dns.exception.DNSException):
                last = "error"
                continue
            rcode = resp.rcode()
            ms = int((time.monotonic() - start) * 1000)
            if rcode == dns.rcode.NXDOMAIN:
                return Query(qname, "nxdomain", (), ms, server_used)
            if rcode == dns.rcode.SERVFAIL:
                last = "servfail"
                continue  # Go tries the next server
            if rcode == dns.rcode.REFUSED:
                last = "refused"
                continue
            if rcode != dns.rcode.NOERROR:
                last = "error"
                continue
            addrs = [r.address for rrset in resp.answer if rrset.rdtype == rdtype for r in rrset]
            return Query(qname, "ok" if addrs else "nodata", tuple(addrs), ms, server_used)
    return Query(qname, last, (), int((time.monotonic() - start) * 1000), server_used)


_GO_WORDS = {
    "nxdomain": "no such host",
    "nodata": "no such host",
    "servfail": "server misbehaving",
    "refused": "server misbehaving",
    "timeout": "i/o timeout",
    "error": "read: connection refused",
}


def resolve(host: str, *, root: Path = Path("/"), dns_server: str | None = None, timeout: float = 5.0) -> Resolution:
    """Resolve ``host`` as kaniko's Go resolver would, within ``timeout`` seconds in all."""
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        pass
    else:
        return Resolution(host, (bare,), "literal", "ok")
    hosts_text = _read(root / "etc/hosts")
    from_hosts = hosts_lookup(host, hosts_text) if hosts_text else []
    if from_hosts:
        return Resolution(host, tuple(from_hosts), "hosts", "ok")
    import dns.rdatatype

    conf = parse_resolv_conf(_read(root / "etc/resolv.conf"))
    if dns_server:
        server, port = _split_server(dns_server)
        conf = ResolvConf(((server, port),), conf.search, conf.ndots, conf.timeout, conf.attempts, "--dns-server")
    deadline = time.monotonic() + timeout
    queries: list[Query] = []
    outcome = "nxdomain"
    for qname in name_list(host, conf):
        # A and AAAA at once, as Go's resolver asks them (goLookupIPCNAMEOrder)
        fa = Task(_ask, qname, dns.rdatatype.A, conf, deadline)
        aaaa = _ask(qname, dns.rdatatype.AAAA, conf, deadline)
        a = fa.result()
        queries += [a, aaaa]
        addrs = a.addresses + aaaa.addresses
        if addrs:
            server = a.server or aaaa.server
            return Resolution(host, addrs, "dns", "ok", tuple(queries), server)
        worst = {a.outcome, aaaa.outcome}
        if worst <= {"nxdomain", "nodata"}:
            outcome = "nxdomain"
            continue
        # Go (without "options edns0 strict-errors"... i.e. by default) moves on to the
        # next name after a temporary error too, but reports the last error.
        outcome = "timeout" if "timeout" in worst else "servfail" if "servfail" in worst else "refused" if "refused" in worst else "error"
        if time.monotonic() >= deadline:
            outcome = "timeout"
            break
    server = queries[-1].server if queries else ""
    go = f"lookup {host} on {server or 'resolver'}: {_GO_WORDS.get(outcome, 'no such host')}"
    return Resolution(host, (), "dns", outcome, tuple(queries), server, go)


def _split_server(value: str) -> tuple[str, int]:
    if value.startswith("["):
        host, _, port = value[1:].partition("]:")
        return host.rstrip("]"), int(port or 53)
    if value.count(":") == 1:
        host, _, port = value.partition(":")
        return host, int(port)
    return value, 53


def _read(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_FILE).decode("utf-8", "replace")
    except OSError:
        return ""


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET
