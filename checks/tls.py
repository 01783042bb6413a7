"""The ``tls`` check: does the presented chain verify against the store kaniko will use?

The chain comes from the ``reachability`` check (no second connection); the store is
assembled like Go's crypto/x509 on Linux (``kanidoc.gosem.truststore``) and the verdict
follows Go's ``Certificate.Verify`` (``kanidoc.gosem.x509verify``), with cryptography's
RFC 5280 verifier as a second opinion. Faults are named, and the fix carries the PEM of
the certificate the store lacks when the server presented it (it is public data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from kanidoc.context import Context
from kanidoc.gosem import proxy as goproxy
from kanidoc.gosem import truststore as ts
from kanidoc.model import CheckResult, Finding, Severity
from kanidoc.net.hops import Budget
from kanidoc.net.probe import Endpoint, ProbeResult, ProbeSettings, probe
from kanidoc.plugin import BaseCheck, SkipCheck
from kanidoc.rules import Rule
from kanidoc.rules import tls as R
from kanidoc.targets import collect
from kanidoc.trust import kaniko_store, pool_for, registry_certificates

if TYPE_CHECKING:
    from cryptography import x509

KANIKO_BUNDLE = "/kaniko/ssl/certs/ca-certificates.crt"


def _xv() -> ModuleType:
    """crypto/x509 mirror, imported on first use (it pulls in cryptography: start-up cost)."""
    from kanidoc.gosem import x509verify

    return x509verify
# Issuer names of TLS inspection products (organisation or common name, lower case).
INTERCEPTION_PRODUCTS = (
    "zscaler", "netskope", "palo alto", "paloalto", "fortinet", "fortigate", "blue coat", "bluecoat", "proxysg",
    "symantec web", "cisco umbrella", "opendns", "mcafee web gateway", "skyhigh", "sophos", "check point",
    "checkpoint", "forcepoint", "websense", "kaspersky", "eset ssl filter", "avast", "avg web", "bitdefender",
    "barracuda", "iboss", "lightspeed", "menlo security", "squid", "mitmproxy", "charles proxy", "fiddler",
    "burp", "cloudflare for teams", "cloudflare gateway", "untangle", "smoothwall", "securly", "goguardian",
    "contentkeeper", "trend micro", "watchguard", "sonicwall", "cato networks", "versa", "interception",
)


def _load_chain(der: tuple[bytes, ...]) -> list[x509.Certificate]:
    from cryptography import x509

    out = []
    for blob in der:
        try:
            out.append(x509.load_der_x509_certificate(blob))
        except Exception:
            continue
    return out


def before_script(pem: str, path: str = KANIKO_BUNDLE) -> str:
    """The seed doc's recipe: append the CA to kaniko's bundle in before_script.

    Every PEM line sits at the indentation of ``echo``: YAML's block scalar removes exactly
    that, so the file gets lines that start in column 0, as Go's pem.Decode requires for
    ``-----END`` (an indented END line makes Go skip the certificate silently)."""
    lines = pem.strip().splitlines()
    body = "\n".join("    " + line for line in lines[1:])
    return f'before_script:\n  - |\n    echo "{lines[0]}\n{body}" >> {path}'


def interception_product(chain: list[x509.Certificate]) -> str | None:
    for cert in chain[1:] + chain[:1]:
        text = cert.issuer.rfc4514_string().lower()
        for product in INTERCEPTION_PRODUCTS:
            if product in text:
                return product
    return None


class TLSCheck(BaseCheck):
    id = "tls"
    title = "TLS chain trust (kaniko's CA bundle)"
    description = "Does the presented chain verify against the CA bundle kaniko would use?"
    requires = ("reachability",)
    runs_after_failure = True

    def prepare(self, ctx: Context) -> None:
        kaniko_store(ctx)  # while reachability probes

    def run(self, ctx: Context, deps: Mapping[str, CheckResult]) -> CheckResult:
        now = dt.datetime.now(dt.UTC)
        findings: list[Finding] = []
        store = kaniko_store(ctx)
        findings += self._store_findings(ctx, store)
        extras, extra_findings = self._registry_certificates(ctx)
        findings += extra_findings
        reach = deps.get("reachability")
        endpoints: Mapping[str, Any] = reach.facts.get("endpoints", {}) if reach else {}
        realms: Mapping[str, ProbeResult] = reach.facts.get("realms", {}) if reach else {}
        settings = reach.facts.get("settings") if reach else None
        if not endpoints and not any(f.severity is not Severity.INFO for f in findings):
            raise SkipCheck("no registry was reached over TLS, so there is no chain to verify")
        # Chains seen anywhere in this run: a server that omits its intermediate is often
        # next to one (token realm, another registry) that sends it.
        seen: list[x509.Certificate] = []
        for rep in endpoints.values():
            if rep.result.tls:
                seen += _load_chain(rep.result.tls.chain_der)
        for res in realms.values():
            if res.tls:
                seen += _load_chain(res.tls.chain_der)
        additions: list[str] = []
        skip_registries = set(ctx.kaniko.all("skip-tls-verify-registry"))
        for registry, rep in endpoints.items():
            pool = pool_for(ctx, registry)
            if ctx.skip_tls_verify or registry in skip_registries:
                flag = "--skip-tls-verify" if ctx.skip_tls_verify else f"--skip-tls-verify-registry {registry}"
                findings.append(R.VERIFY_OFF.finding(
                    f"{registry}: {flag}: kaniko accepts any certificate here", {"registry": registry, "flag": flag}))
                continue
            result: ProbeResult = rep.result
            if result.tls is None:
                if rep.scheme == "https":
                    findings.append(R.NO_CHAIN.finding(f"{registry}: no TLS handshake completed (see reachability)", {"registry": registry}))
                continue
            chain = _load_chain(result.tls.chain_der)
            f, add = self._verify(registry, result.endpoint.host, chain, pool, seen, now, registry in extras, ctx)
            findings += f
            additions += add
            if result.decision.proxy is not None and settings is not None:
                findings += self._interception(ctx, registry, result, chain, settings, pool, now)
        for label, res in realms.items():
            if res.tls is None:
                continue
            # kaniko fetches the token through the registry's own transport (ggcr bearer.go
            # wraps it): that registry's skip flags and --registry-certificate pool apply.
            owners = [r for r, rep in endpoints.items()
                      if rep.challenge is not None and (rep.challenge.realm or "").split("?", 1)[0] == label]
            skipped = [r for r in owners if ctx.skip_tls_verify or r in skip_registries]
            if owners and len(skipped) == len(owners):
                findings.append(R.VERIFY_OFF.finding(
                    f"token realm {label}: not verified either (it is fetched through {skipped[0]}'s transport)",
                    {"realm": label, "registries": skipped}))
                continue
            with_cert = [r for r in owners if r in extras]
            pool = pool_for(ctx, with_cert[0]) if with_cert else list(store.roots)
            chain = _load_chain(res.tls.chain_der)
            f, add = self._verify(f"token realm {label}", res.endpoint.host, chain, pool, seen, now, False, ctx)
            findings += f
            additions += add
        facts = {"store": store, "bundle_additions": list(dict.fromkeys(additions))}
        return self.result(findings, facts)

    # -- the store ---------------------------------------------------------------------------
    def _store_findings(self, ctx: Context, store: ts.TrustStore) -> list[Finding]:
        out: list[Finding] = []
        summary = [{"source": s.kind, "path": s.path, "certificates": s.count, **({"error": s.error} if s.error else {})}
                   for s in store.sources]
        ev: dict[str, Any] = {"sources": summary, "total": len(store.roots)}
        if store.note:
            ev["note"] = store.note
        out.append(R.STORE.finding(f"{len(store.roots)} certificate(s) in the store kaniko would use", ev))
        if not store.roots:
            out.append(R.EMPTY_STORE.finding("the trust store is empty: every TLS registry will fail with unknown authority", ev))
        cert_dir = ctx.env.get("SSL_CERT_DIR")
        if cert_dir and ts.KANIKO_CERT_DIR not in cert_dir.split(":") and ctx.host_path(ts.KANIKO_CERT_DIR).is_dir():
            out.append(R.CERT_DIR_OVERRIDE.finding(
                f"SSL_CERT_DIR={cert_dir} replaces {ts.KANIKO_CERT_DIR}: kaniko's bundled roots are not loaded",
                {"SSL_CERT_DIR": cert_dir}, snippet=f"variables:\n  SSL_CERT_DIR: {ts.KANIKO_CERT_DIR}:{cert_dir}"))
        for source in store.sources:
            for f in source.files:
                if f.der:
                    out.append(R.DIR_DER.finding(f"{f.path} is a DER certificate: Go reads PEM only and ignores it",
                                                 {"path": f.path}, snippet=f"openssl x509 -inform der -in {f.path} -out {f.path}.pem"))
                elif f.error and f.error not in ("not found",):
                    out.append(R.UNREADABLE.finding(f"{f.path}: {f.error}: Go skips it silently", {"path": f.path, "error": f.error}))
                elif f.count == 0 and f.error is None:
                    out.append(R.EMPTY_FILE.finding(f"{f.path} holds no PEM certificate: it adds nothing to the store",
                                                    {"path": f.path, "bad_blocks": f.bad_blocks}))
            if source.error and source.error != "not found" and not source.files:
                out.append(R.UNREADABLE.finding(f"{source.path}: {source.error}", {"path": source.path, "error": source.error}))
            if source.kind == "SSL_CERT_FILE" and source.error == "not found":
                out.append(R.UNREADABLE.finding(f"SSL_CERT_FILE={source.path} does not exist", {"path": source.path}))
        if store.duplicates or store.expired:
            out.append(R.STORE_HYGIENE.finding(
                f"{len(store.expired)} expired root(s), {store.duplicates} duplicate(s) in the store",
                {"expired": list(store.expired[:20]), "duplicates": store.duplicates}))
        return out

    def _registry_certificates(self, ctx: Context) -> tuple[dict[str, list[x509.Certificate]], list[Finding]]:
        out: list[Finding] = []
        extras: dict[str, list[x509.Certificate]] = {}
        if not ctx.registry_certificates:
            return extras, out
        contacted = collect(ctx).registries()
        for host, sf, certs in registry_certificates(ctx):
            ev: dict[str, Any] = {"registry": host, "path": sf.path}
            if sf.error:
                out.append(R.REGISTRY_CERT.finding(
                    f"--registry-certificate {host}={sf.path}: {sf.error}; kaniko fails with 'failed to load certificate'", ev))
                continue
            if not certs:
                out.append(R.REGISTRY_CERT.finding(f"--registry-certificate {host}={sf.path}: no PEM certificate (Go ignores the file)", ev))
                continue
            extras[host] = list(certs)
            if contacted and host not in contacted:
                near = [r for r in contacted if r.split(":")[0] == host.split(":")[0]]
                why = f"; kaniko matches the exact string, and contacts {', '.join(near)}" if near else ""
                out.append(R.REGISTRY_CERT.finding(
                    f"--registry-certificate is given for '{host}', which kaniko does not contact{why}", {**ev, "contacted": contacted}))
        return extras, out

    # -- one chain ---------------------------------------------------------------------------
    def _verify(
        self, label: str, host: str, chain: list[x509.Certificate], pool: list[x509.Certificate],
        seen: list[x509.Certificate], now: dt.datetime, has_extra: bool, ctx: Context,
    ) -> tuple[list[Finding], list[str]]:
        ev: dict[str, Any] = {"registry": label, "host": host, "chain": [ts.describe(c) for c in chain]}
        if not chain:
            return [R.NO_CHAIN.finding(f"{label}: the server presented no certificate", ev)], []
        verdict = _xv().verify(chain, host, pool, now)
        if verdict.ok:
            root = verdict.chain[-1]
            out = [R.VERIFIED.finding(f"{label}: verified via '{_xv().common_name(root) or root.subject.rfc4514_string()}'"
                                      f" ({len(verdict.chain)} certificates)", ev)]
            strict = _xv().strict_profile_error(chain, host, pool, now)
            if strict:
                out.append(R.STRICT_PROFILE.finding(f"{label}: Go accepts the chain; an RFC 5280 verifier says: {strict}", {**ev, "strict_error": strict}))
            return out, []
        ev["go_error"] = f"tls: failed to verify certificate: {verdict.go_error}"
        leaf = chain[0]
        fault = verdict.fault
        if fault in ("expired", "not-yet-valid") or verdict.hint_fault in ("expired", "not-yet-valid"):
            culprit = verdict.culprit or leaf
            which = "leaf" if culprit is leaf else "issuing CA" if culprit in chain else "root in the store"
            rule = R.EXPIRED if (fault == "expired" or verdict.hint_fault == "expired") else R.NOT_YET_VALID
            ev.update({"certificate": ts.describe(culprit), "which": which, "now": now.strftime("%Y-%m-%dT%H:%M:%SZ")})
            skew = (culprit.not_valid_before_utc - now) if rule is R.NOT_YET_VALID else (now - culprit.not_valid_after_utc)
            hint = " If the dates look right, check the clock of the runner." if abs(skew) < dt.timedelta(days=2) else ""
            state = "expired on" if rule is R.EXPIRED else "is not valid before"
            date = culprit.not_valid_after_utc if rule is R.EXPIRED else culprit.not_valid_before_utc
            return [rule.finding(f"{label}: the {which} '{_xv().common_name(culprit)}' {state} {date:%Y-%m-%d %H:%M} UTC.{hint}", ev)], []
        if fault in ("hostname", "cn-only", "ip-san"):
            dns_names, ips, _ = _xv().sans(leaf)
            ev.update({"san_dns": dns_names, "san_ip": ips, "common_name": _xv().common_name(leaf)})
            rule = {"hostname": R.HOSTNAME, "cn-only": R.CN_ONLY, "ip-san": R.IP_SAN}[fault]
            return [rule.finding(f"{label}: {verdict.go_error}", ev)], []
        if fault == "key-usage":
            return [R.KEY_USAGE.finding(f"{label}: {verdict.go_error}", ev)], []
        if fault == "unhandled-critical" or verdict.hint_fault == "unhandled-critical":
            culprit = verdict.culprit or leaf
            which = "leaf" if culprit is leaf else "issuing CA"
            ev.update({"certificate": ts.describe(culprit), "which": which,
                       "extensions": _xv().unhandled_critical(culprit)})
            return [R.UNHANDLED_CRITICAL.finding(
                f"{label}: the {which} '{_xv().common_name(culprit)}' has a critical extension Go does not process "
                f"({', '.join(ev['extensions'])}): {verdict.go_error}", ev)], []
        return self._unknown_authority(label, chain, pool, seen, now, ev, has_extra, ctx)

    def _unknown_authority(
        self, label: str, chain: list[x509.Certificate], pool: list[x509.Certificate], seen: list[x509.Certificate],
        now: dt.datetime, ev: dict[str, Any], has_extra: bool, ctx: Context,
    ) -> tuple[list[Finding], list[str]]:
        leaf = chain[0]
        registry = label.removeprefix("token realm ")
        alt = (f"\nor, for this registry only, pass to kaniko: --registry-certificate {registry}=/path/to/ca.pem"
               if not label.startswith("token realm") else "")
        last_resort = (f" As a last resort (no verification at all, a man in the middle can read credentials): "
                       f"--skip-tls-verify-registry {registry}.")
        if _xv().is_self_signed(leaf):
            pem = ts.to_pem(leaf)
            ev["needed"] = ts.describe(leaf)
            return [R.SELF_SIGNED.finding(
                f"{label}: the server presents a self-signed certificate '{_xv().common_name(leaf)}' that is not in the store",
                ev, snippet=before_script(pem) + alt, fix=R.SELF_SIGNED.fix + last_resort)], [pem]
        presented_subjects = {c.subject for c in chain[1:]}
        if leaf.issuer not in presented_subjects:
            # The server sent no issuer for its leaf. Look for it in what we saw elsewhere.
            for candidate in _xv().potential_parents(leaf, seen):
                trial = _xv().verify([leaf, candidate], ev["host"], pool, now)
                if trial.ok:
                    pem = ts.to_pem(candidate)
                    ev["missing"] = ts.describe(candidate)
                    return [R.MISSING_INTERMEDIATE.finding(
                        f"{label}: the server sends only its leaf; the missing intermediate '{_xv().common_name(candidate)}' "
                        "chains to a root kaniko trusts (browsers fetch it, Go does not)", ev,
                        snippet=before_script(pem))], [pem]
            aia = _xv().aia_issuer_urls(leaf)
            if aia:
                ev.update({"missing_issuer": leaf.issuer.rfc4514_string(), "aia_ca_issuers": aia, "certainty": "likely"})
                return [R.MISSING_INTERMEDIATE.finding(
                    f"{label}: the server does not send the issuer of its leaf ('{leaf.issuer.rfc4514_string()}'); the "
                    f"certificate names it at {aia[0]}, which browsers fetch and Go never does", ev)], []
        top = chain[-1]
        if _xv().is_self_signed(top) and top is not leaf:
            pem = ts.to_pem(top)
            ev["needed"] = ts.describe(top)
            ev["interception_product"] = interception_product(chain)
            return [R.UNKNOWN_AUTHORITY.finding(
                f"{label}: certificate signed by unknown authority: the chain ends in '{_xv().common_name(top)}', which is not in the store",
                ev, snippet=before_script(pem) + alt, fix=R.UNKNOWN_AUTHORITY.fix + last_resort)], [pem]
        ev["needed_issuer"] = top.issuer.rfc4514_string()
        product = interception_product(chain)
        if product:
            ev["interception_product"] = product
        return [R.UNKNOWN_AUTHORITY.finding(
            f"{label}: certificate signed by unknown authority: the store needs the CA '{top.issuer.rfc4514_string()}'",
            ev, fix=R.UNKNOWN_AUTHORITY.fix + " Get that CA's PEM from the registry's operators." + last_resort)], []

    # -- interception ------------------------------------------------------------------------
    def _interception(
        self, ctx: Context, registry: str, result: ProbeResult, chain: list[x509.Certificate], settings: ProbeSettings,
        pool: list[x509.Certificate], now: dt.datetime,
    ) -> list[Finding]:
        product = interception_product(chain)
        ev: dict[str, Any] = {"registry": registry, "proxy": result.decision.proxy.redacted() if result.decision.proxy else None,
                              "via_proxy": [ts.describe(c) for c in chain[:3]]}
        direct_settings = ProbeSettings(goproxy.ProxyEnv.from_environ({}), settings.root, settings.dns_server, settings.connect_timeout)
        direct = probe(Endpoint("registry", result.endpoint.url, registry), direct_settings,
                       Budget(min(ctx.connect_timeout, max(0.0, ctx.remaining() - 0.5))))
        differs = False
        if direct.tls is not None and direct.tls.chain_der:
            differs = direct.tls.chain_der[0] != result.tls.chain_der[0] if result.tls else False
            ev["direct"] = [ts.describe(c) for c in _load_chain(direct.tls.chain_der)[:3]]
        else:
            ev["direct"] = "not reachable without the proxy; compared issuer names only"
        if not differs and not product:
            return []
        why = "the chain through the proxy differs from the one the registry presents directly" if differs else \
            f"the chain is issued by '{product}', a TLS inspection product"
        trusted = _xv().verify(chain, result.endpoint.host, pool, now).ok
        proxy_ca = chain[-1]
        snippet = before_script(ts.to_pem(proxy_ca)) if _xv().is_self_signed(proxy_ca) and not trusted else None
        rule: Rule = R.INTERCEPTION
        severity = Severity.INFO if trusted else Severity.ERROR
        msg = f"{registry}: the proxy intercepts TLS: {why}" + (" (its CA is trusted, so kaniko works)" if trusted else "")
        return [rule.finding(msg, ev, severity=severity, snippet=snippet)]
