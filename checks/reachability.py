"""The ``reachability`` check: can every registry be reached the way kaniko (Go) would?

For each registry (destinations, cache repo, mirrors, FROM images) and then each token
realm the registries name, probe hop by hop (``kanidoc.net.probe``) through the proxy
``golang.org/x/net/http/httpproxy`` would pick (``kanidoc.gosem.proxy``). Endpoints are
probed concurrently: N unreachable endpoints cost one connect timeout, not N.
Publishes, per registry, the proxy decision, the presented chain and the challenge.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kanidoc.context import Context
from kanidoc.gosem import challenge as gochallenge
from kanidoc.gosem import proxy as goproxy
from kanidoc.gosem.reference import Registry as GoRegistry
from kanidoc.model import CheckResult, Finding, Severity
from kanidoc.net.hops import Budget, Hop
from kanidoc.net.httpwire import body_kind
from kanidoc.net.probe import Endpoint, ProbeResult, ProbeSettings, probe
from kanidoc.parallel import Task, wait
from kanidoc.plugin import BaseCheck
from kanidoc.record import record
from kanidoc.rules import Rule
from kanidoc.rules import reach as R
from kanidoc.targets import collect
from kanidoc.trust import transport_roots

if TYPE_CHECKING:
    from cryptography import x509

_LINT_RULES = {
    "case-mismatch": R.CASE_MISMATCH,
    "no-proxy-scheme": R.NO_PROXY_ENTRY,
    "no-proxy-path": R.NO_PROXY_ENTRY,
    "no-proxy-wildcard": R.NO_PROXY_ENTRY,
    "no-proxy-brackets": R.NO_PROXY_ENTRY,
    "unparseable-proxy": R.PROXY_VALUE,
    "proxy-misparsed": R.PROXY_VALUE,
    "proxy-no-host": R.PROXY_VALUE,
    "all-proxy-ignored": R.ALL_PROXY,
    "unsupported-scheme": R.PROXY_SCHEME,
    "https-proxy-unset": R.HTTPS_PROXY_UNSET,
    "cgi-request-method": R.CGI,
}
_TITLE = re.compile(rb"<title[^>]*>(.{0,120}?)</title>", re.I | re.S)


@record
class EndpointReport:
    """What the check publishes for other checks about one endpoint."""

    registry: str
    result: ProbeResult
    scheme: str
    challenge: gochallenge.Challenge | None
    registry_answered: bool


def _hop_rule(hop: Hop) -> Rule:
    if hop.name == "proxy":
        return R.CGI if hop.kind == "cgi" else R.PROXY_SCHEME
    if hop.name == "dns":
        return {"nxdomain": R.DNS_NXDOMAIN, "timeout": R.DNS_TIMEOUT}.get(hop.kind, R.DNS_SERVFAIL)
    if hop.name == "tcp":
        return {"refused": R.TCP_REFUSED, "unreachable": R.TCP_UNREACHABLE}.get(hop.kind, R.TCP_TIMEOUT)
    if hop.name == "connect":
        if hop.kind == "407":
            return R.CONNECT_407
        if hop.kind == "403":
            return R.CONNECT_403
        if hop.kind == "proxy-untrusted":
            return R.PROXY_UNTRUSTED
        if hop.kind in ("malformed", "closed", "timeout", "too-large"):
            return R.CONNECT_MALFORMED
        return R.CONNECT_ERROR
    if hop.name == "tls":
        return R.PLAIN_HTTP if hop.kind == "plain-http" else R.TLS_HANDSHAKE
    return R.HTTP_FAILED


def who_answered(result: ProbeResult) -> tuple[bool, dict[str, Any]]:
    """Did a registry answer ``GET /v2/``? Registry answers carry the distribution header,
    a Basic/Bearer challenge on 401, or a JSON ``errors`` body (research: registry-protocol 1.6)."""
    resp = result.response
    assert resp is not None
    ctype = (resp.header("Content-Type") or "").split(";")[0].strip().lower()
    kind = body_kind(resp.body, ctype)
    facts: dict[str, Any] = {
        "status": resp.status,
        "content_type": ctype or None,
        "body": kind,
        "server": resp.header("Server"),
        "docker_distribution_api_version": resp.header("Docker-Distribution-API-Version"),
        "www_authenticate_schemes": [c.scheme for h in resp.all("WWW-Authenticate") for c in gochallenge.parse_header(h)],
    }
    if resp.header("Location"):
        loc = urllib.parse.urlsplit(resp.header("Location") or "")
        facts["location"] = urllib.parse.urlunsplit((loc.scheme, loc.netloc, loc.path, "", ""))
    if kind == "html":
        m = _TITLE.search(resp.body)
        if m:
            facts["html_title"] = " ".join(m.group(1).decode("utf-8", "replace").split())
    has_header = facts["docker_distribution_api_version"] is not None
    ch = gochallenge.pick(resp.all("WWW-Authenticate"))
    if resp.status == 200:
        return has_header or kind == "json", facts
    if resp.status == 401:
        return ch is not None, facts
    return False, facts


class ReachabilityCheck(BaseCheck):
    id = "reachability"
    title = "Registry reachability (proxy, DNS, TCP, TLS, /v2/)"
    description = "Can every registry be reached through the proxy Go would pick, hop by hop?"
    requires = ()

    def run(self, ctx: Context, deps: Mapping[str, CheckResult]) -> CheckResult:
        findings: list[Finding] = []
        findings += self._lint(ctx)
        targets = collect(ctx)
        registries = targets.registries()
        # DNS reads this machine's /etc/hosts and resolv.conf, never --root's: the probes are live here.
        realm_owner: dict[str, str] = {}  # realm URL -> the registry whose transport fetches it

        def proxy_roots(ep: Endpoint) -> Sequence[x509.Certificate] | None:
            # an https:// proxy is verified with the roots of the registry being reached
            return transport_roots(ctx, ep.label if ep.role == "registry" else realm_owner.get(ep.url, ""))

        settings = ProbeSettings(goproxy.ProxyEnv.from_environ(ctx.env), Path("/"), ctx.dns_server, ctx.connect_timeout,
                                 proxy_roots=proxy_roots)
        budget = Budget(ctx.remaining() - 0.2)
        endpoints: dict[str, list[Endpoint]] = {}
        pushed = set(targets.registries("push"))
        for registry in registries:
            # kaniko: --insecure for pushes, --insecure-pull for pulls (pkg/image/remote/remote.go),
            # --insecure-registry for both.
            insecure = (registry in ctx.kaniko.all("insecure-registry")
                        or (ctx.insecure and registry in pushed)
                        or (ctx.kaniko.flag("insecure-pull") and registry not in pushed))
            schemes = ["https"]
            if GoRegistry(registry, insecure).scheme(insecure=insecure) == "http":
                schemes.append("http")  # ggcr pings https and http (pkg/v1/remote/transport/ping.go)
            endpoints[registry] = [Endpoint("registry", f"{s}://{registry}/v2/", registry) for s in schemes]
        reports: dict[str, EndpointReport] = {}
        realms: dict[str, Endpoint] = {}
        probes = {Task(probe, ep, settings, budget): (reg, ep) for reg, eps in endpoints.items() for ep in eps}
        wait(probes, timeout=budget.left() + 0.1)
        results: dict[str, list[ProbeResult]] = {}
        for fut, (reg, _ep) in probes.items():
            if fut.done() and fut.exception() is None:
                results.setdefault(reg, []).append(fut.result())
        for reg in registries:
            rep = self._pick(reg, results.get(reg, []))
            if rep is None:
                findings.append(R.HTTP_FAILED.finding(f"{reg}: the probe did not finish before the deadline", {"registry": reg}))
                continue
            reports[reg] = rep
            findings += self._findings(ctx, rep)
            if rep.challenge and rep.challenge.scheme == "bearer":
                realm = rep.challenge.realm
                if not realm:
                    findings.append(R.MISSING_REALM.finding(f"{reg}: Bearer challenge without realm", {"registry": reg}))
                else:
                    split = urllib.parse.urlsplit(realm)
                    if split.scheme in ("http", "https") and split.hostname:
                        service = rep.challenge.service
                        query = urllib.parse.urlencode({"service": service}) if service else ""
                        url = urllib.parse.urlunsplit((split.scheme, split.netloc, split.path or "/", query, ""))
                        realm_owner.setdefault(url, reg)
                        realms.setdefault(url, Endpoint("token realm", url, urllib.parse.urlunsplit((split.scheme, split.netloc, split.path, "", ""))))
        realm_probes = {Task(probe, ep, settings, budget): ep for ep in realms.values()}
        wait(realm_probes, timeout=budget.left() + 0.1)
        realm_reports: dict[str, ProbeResult] = {}
        for fut, ep in realm_probes.items():
            if fut.done() and fut.exception() is None:
                res = fut.result()
                realm_reports[ep.label] = res
                findings += self._realm_findings(res)
            else:
                findings.append(R.HTTP_FAILED.finding(f"token realm {ep.label}: the probe did not finish before the deadline", {"realm": ep.label}))
        if not registries:
            findings.append(R.DECISION.finding("no registry to probe: give --destination or the kaniko command line after --", {}))
        return self.result(findings, {"endpoints": reports, "realms": realm_reports, "settings": settings})

    # -- helpers ---------------------------------------------------------------------------
    def _pick(self, registry: str, results: list[ProbeResult]) -> EndpointReport | None:
        """https first; http only when https failed and ggcr would fall back to it."""
        if not results:
            return None
        results.sort(key=lambda r: r.endpoint.scheme != "https")
        chosen = results[0]
        if not chosen.ok and len(results) > 1:
            fallback = results[1]
            # ggcr falls back to http; when the server answered the TLS hello in plain text,
            # or answered plain HTTP at all, the http attempt is the story.
            plain = chosen.failed is not None and chosen.failed.kind == "plain-http"
            if fallback.ok or fallback.response is not None or plain:
                chosen = fallback
        answered, ch = False, None
        if chosen.response is not None:
            answered, _facts = who_answered(chosen)
            ch = gochallenge.pick(chosen.response.all("WWW-Authenticate"))
        return EndpointReport(registry, chosen, chosen.endpoint.scheme, ch, answered)

    def _decision_finding(self, result: ProbeResult, label: str) -> Finding:
        d = result.decision
        via = f"via proxy {d.proxy.redacted()} ({d.variable})" if d.proxy else "direct"
        ev: dict[str, Any] = {"url": result.endpoint.url, "route": via, "why": d.reason}
        if d.no_proxy_entry:
            ev["no_proxy_entry"] = d.no_proxy_entry
        return R.DECISION.finding(f"{label}: {via}: {d.reason}", ev)

    def _hops_evidence(self, result: ProbeResult) -> list[dict[str, Any]]:
        return [h.evidence() for h in result.hops]

    def _findings(self, ctx: Context, rep: EndpointReport) -> list[Finding]:
        res = rep.result
        label = f"{rep.registry}"
        out = [self._decision_finding(res, label)]
        failed = res.failed
        base: dict[str, Any] = {"registry": rep.registry, "url": res.endpoint.url, "hops": self._hops_evidence(res)}
        if res.decision.proxy is not None:
            base["proxy"] = res.decision.proxy.redacted()
            base["proxy_variable"] = res.decision.variable
        if failed is not None:
            out.append(self._hop_failure(ctx, failed, res, base, label))
            out += self._search_findings(res, label)
            return out
        out += self._search_findings(res, label)
        assert res.response is not None
        answered, facts = who_answered(res)
        ev = {**base, **{k: v for k, v in facts.items() if v not in (None, [])}}
        if rep.scheme == "http":
            ev["scheme"] = "http (kaniko falls back to plain HTTP for this registry)"
        if answered:
            msg = f"{label}: GET /v2/ -> {res.response.status}"
            if rep.challenge is not None:
                msg += f", {rep.challenge.scheme.capitalize()} challenge"
                if rep.challenge.realm:
                    msg += f" (realm {rep.challenge.realm})"
                ev["challenge"] = {k: v for k, v in rep.challenge.params.items() if k in ("realm", "service", "scope", "error")}
            out.append(R.REGISTRY_OK.finding(msg, ev))
        else:
            what = f"{res.response.status} {res.response.reason}".strip()
            if "location" in facts:
                what += f", redirect to {facts['location']}"
            what += f" ({facts['body']} body" + (f", '{facts['html_title']}'" if facts.get("html_title") else "") + ")"
            if not facts.get("docker_distribution_api_version"):
                what += ", no Docker-Distribution-API-Version header"
            out.append(R.NOT_A_REGISTRY.finding(f"{label}: GET /v2/ -> {what}: not a registry answering", ev))
        return out

    def _hop_failure(self, ctx: Context, hop: Hop, res: ProbeResult, base: dict[str, Any], label: str) -> Finding:
        rule = _hop_rule(hop)
        uses = [u for u in collect(ctx).uses if u.registry == label]
        if uses and all(u.fallback for u in uses):
            # only the fallback behind a --registry-mirror: kaniko fails here only if the mirror does
            base = {**base, "fallback_only": True}
            finding = self._hop_failure_inner(ctx, hop, res, base, label, rule)
            return rule.finding(finding.message + " (only the fallback behind --registry-mirror)", finding.evidence,
                                fix=finding.remediation.text if finding.remediation else None, severity=Severity.WARNING)
        return self._hop_failure_inner(ctx, hop, res, base, label, rule)

    def _hop_failure_inner(self, ctx: Context, hop: Hop, res: ProbeResult, base: dict[str, Any], label: str, rule: Rule) -> Finding:
        ev = {**base, "failed_hop": hop.name, "go_error": hop.go_error}
        ev.update({k: v for k, v in hop.data.items() if k in ("status", "reason", "via", "server", "proxy_authenticate", "credentials_in_proxy_url", "attempts", "server")})
        fix: str | None = None
        if rule is R.CONNECT_407:
            has = hop.data.get("credentials_in_proxy_url")
            fix = ("The proxy URL carries credentials but the proxy rejected them: check user and password "
                   "(percent-encode special characters).") if has else None
        if rule is R.CONNECT_403 and res.decision.proxy is not None:
            fix = (f"The proxy refuses CONNECT to {res.endpoint.hostport}. Ask for it to be allowed, or, if the registry "
                   f"is reachable without the proxy, add '{res.endpoint.host}' to NO_PROXY/no_proxy. This is not a registry "
                   "permission problem, whatever kaniko's 'error checking push permissions' says.")
        if rule is R.PLAIN_HTTP:
            fix = f"Pass `--insecure-registry {res.endpoint.hostport.removesuffix(':443')}` to kaniko, or serve the registry over TLS."
        return rule.finding(f"{label}: {hop.detail}", ev, fix=fix)

    def _search_findings(self, res: ProbeResult, label: str) -> list[Finding]:
        r = res.resolved
        if r is None or r.source != "dns" or not r.queries:
            return []
        names = list(dict.fromkeys(q.name for q in r.queries))
        absolute = r.host.rstrip(".") + "."
        if absolute not in names:
            return []
        index = names.index(absolute)
        answered = [q for q in r.queries if q.outcome == "ok"]
        wrong = [q.name for q in answered if q.name != absolute]
        if wrong:
            return [R.DNS_SEARCH.finding(
                f"{label}: {r.host} resolved as {wrong[0]} via a search domain, not as itself",
                {"host": r.host, "queried": names, "answered_as": wrong[0]}, severity=Severity.ERROR)]
        if index >= 2:
            ms = sum(q.ms for q in r.queries if q.name != absolute)
            return [R.DNS_SEARCH.finding(
                f"{label}: {index} search-domain names were queried before {absolute} ({ms} ms)",
                {"host": r.host, "queried": names})]
        return []

    def _realm_findings(self, res: ProbeResult) -> list[Finding]:
        label = f"token realm {res.endpoint.label}"
        base: dict[str, Any] = {"realm": res.endpoint.label, "hops": self._hops_evidence(res)}
        out = [self._decision_finding(res, label)]
        failed = res.failed
        if failed is not None:
            out.append(self._hop_failure_realm(failed, res, base, label))
            return out
        assert res.response is not None
        status = res.response.status
        if status >= 500 or status in (404, 405):
            out.append(R.NOT_A_REGISTRY.finding(f"{label}: GET -> {status} {res.response.reason}: the token service is not answering properly",
                                                {**base, "status": status}))
        return out

    def _hop_failure_realm(self, hop: Hop, res: ProbeResult, base: dict[str, Any], label: str) -> Finding:
        rule = _hop_rule(hop)
        ev = {**base, "failed_hop": hop.name, "go_error": hop.go_error}
        return rule.finding(f"{label}: {hop.detail}", ev)

    def _lint(self, ctx: Context) -> list[Finding]:
        out = []
        for item in goproxy.lint(ctx.env):
            rule = _LINT_RULES.get(item.code)
            if rule is not None:
                out.append(rule.finding(item.message, {"variable": item.variable, "lint": item.code}))
        if ctx.kaniko.present:
            set_vars = [v for v in ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY") if ctx.env.get(v)]
            passed = set(ctx.kaniko.build_args)
            missing = [v for v in set_vars if v not in passed and v.swapcase() not in passed]
            if missing:
                snippet = " ".join(f"--build-arg {v}=${v}" for v in dict.fromkeys(m.lower() for m in missing))
                out.append(R.BUILD_ARGS.finding(
                    f"{', '.join(missing)} set for the job but not passed with --build-arg: RUN steps will not use the proxy",
                    {"set": set_vars, "build_args": sorted(passed)}, snippet=snippet))
        return out
