"""The ``push`` check: kaniko's push-permission check, replayed stage by stage.

go-containerregistry ``pkg/v1/remote/check.go`` ``CheckPushPermission`` (used by kaniko's
``pkg/executor/push.go``): resolve credentials for the *registry*; ping ``/v2/``; for a
Bearer challenge fetch a token for ``repository:<name>:push,pull``
(``transport/bearer.go``: Basic credentials only when user and password are both set,
``identitytoken`` as an OAuth refresh token, ``registrytoken`` used as is); then
``POST /v2/<name>/blobs/uploads/`` and cancel the upload with ``DELETE <Location>``. On a
401 the bearer transport asks for the challenge's scope and retries once, which is also
how the cancel gets its ``delete`` scope on distribution. Each stage gets its own code; a
401/403 without a registry's headers or JSON body is blamed on whatever sits in front.
"""

from __future__ import annotations

import base64
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

from kanidoc import jwt
from kanidoc.context import Context
from kanidoc.credentials import builtin_provider, version_tuple
from kanidoc.gosem import challenge as gochallenge
from kanidoc.gosem import dockerconfig as dc
from kanidoc.gosem import proxy as goproxy
from kanidoc.gosem.reference import ReferenceError, new_tag, parse_reference
from kanidoc.model import CheckResult, Finding, Severity
from kanidoc.net.registry_client import RegistryClient, Reply
from kanidoc.parallel import Task, wait
from kanidoc.plugin import BaseCheck, SkipCheck
from kanidoc.record import record
from kanidoc.rules import Rule
from kanidoc.rules import push as R
from kanidoc.targets import gitlab_helper_registry, registry_hostname
from kanidoc.trust import transport_roots

MANIFEST_ACCEPT = ", ".join([
    "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
])
RATE_HEADERS = ("ratelimit-limit", "ratelimit-remaining", "docker-ratelimit-source", "retry-after",
                "x-ratelimit-limit", "x-ratelimit-remaining")


@record
class Creds:
    kind: str  # basic | identitytoken | registrytoken | anonymous | helper
    source: str  # where kaniko takes them from (never the values)
    username: str = ""
    password: str = ""
    token: str = ""
    replayable: bool = True  # False: kanidoc cannot obtain them (a helper binary, cloud credentials)

    def basic(self) -> str | None:
        if self.kind == "basic" and self.username and self.password:
            return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return None


def resolve_creds(ctx: Context, cfg: dc.DockerConfig | None, registry: str, repository: str | None) -> Creds:
    """What kaniko's keychain (pkg/creds/creds.go: docker config, then Google, ECR, ACR and,
    from v1.9.0, GitLab) would send, as far as kanidoc can obtain it here."""
    version = version_tuple(ctx.kaniko_version)
    if cfg is not None and cfg.load_error is None:
        res = dc.resolve(cfg, registry, repository, docker_cli_major=dc.docker_cli_major_for(version))
        if res.kind == "helper" and res.lookup is not None:
            helper = res.lookup.store.removeprefix("helper:")
            return Creds("helper", f"credential helper docker-credential-{helper}, which kanidoc does not run", replayable=False)
        if res.found and res.lookup is not None and res.lookup.entry is not None:
            e = res.lookup.entry
            src = f"config.json key '{res.lookup.matched_key}'"
            return Creds(res.kind, src, e.username, e.password, e.identitytoken or e.registrytoken)
        if res.stopped and res.lookup is not None:
            return Creds("anonymous", f"config.json key '{res.lookup.matched_key}' (it sends no credentials)")
    provider = builtin_provider(registry, ctx.env, version)
    if provider and gitlab_helper_registry(registry, ctx.env):
        return Creds("basic", "kaniko's GitLab helper (CI_REGISTRY_USER/CI_REGISTRY_PASSWORD)",
                     ctx.env.get("CI_REGISTRY_USER", ""), ctx.env.get("CI_REGISTRY_PASSWORD", ""))
    if provider:
        return Creds("helper", f"kaniko's built-in {provider}, which kanidoc does not run", replayable=False)
    return Creds("anonymous", "no credentials (anonymous)")


def token_url(realm: str, service: str | None, scopes: list[str]) -> str:
    """The token request's URL as ggcr builds it (pkg/v1/remote/transport/bearer.go
    ``refreshBasic``): the realm's own query is kept, ``scope`` is replaced by every scope
    asked for, ``service`` is always set (empty too), and ``url.Values.Encode`` sorts the
    keys."""
    parts = urllib.parse.urlsplit(realm)
    query: dict[str, list[str]] = {}
    for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(key, []).append(value)
    query["scope"] = list(scopes)
    query["service"] = [service or ""]
    encoded = urllib.parse.urlencode([(k, v) for k in sorted(query) for v in query[k]])
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, encoded, ""))


class PushCheck(BaseCheck):
    id = "push"
    title = "Push permission (kaniko's check, replayed)"
    description = "Would kaniko's push-permission check pass, and if not, at which stage?"
    requires = ("reachability", "auth")
    runs_after_failure = True

    def run(self, ctx: Context, deps: Mapping[str, CheckResult]) -> CheckResult:
        findings: list[Finding] = []
        reach = deps.get("reachability")
        auth = deps.get("auth")
        missing = [d for d in self.requires if d not in deps]
        if missing:
            # Without them the replay would go out with no credentials or no endpoint and blame
            # the account (or pass having replayed nothing).
            raise SkipCheck(f"needs the {' and '.join(missing)} check(s) in the same run: add them to --only")
        endpoints: Mapping[str, Any] = reach.facts.get("endpoints", {}) if reach else {}
        cfg: dc.DockerConfig | None = auth.facts.get("config") if auth else None
        k = ctx.kaniko
        if k.flag("skip-push-permission-check"):
            findings.append(R.NOT_CHECKED.finding(
                "--skip-push-permission-check (kaniko >= v1.14.0): kaniko skips this check and fails only at the final push; "
                "kanidoc replays it anyway", {"flag": "--skip-push-permission-check"}))
        pushes: list[tuple[str, str]] = []  # (reference, source)
        if k.flag("no-push"):
            cache = k.get("cache-repo")
            if cache and not k.flag("no-push-cache") and not cache.startswith("oci:"):
                pushes.append((cache, "--cache-repo"))
                why = "--no-push: kaniko checks (and pushes) only the cache repository"
            else:
                why = "--no-push: kaniko pushes nothing and checks no push permission"
            findings.append(R.NOT_CHECKED.finding(why, {"flag": "--no-push"}))
        else:
            pushes += [(d.ref, d.source) for d in ctx.destinations]
        seen: set[str] = set()
        jobs: list[tuple[str, str, str]] = []  # (registry, repository, reference)
        for ref_text, source in pushes:
            try:
                ref = new_tag(ref_text)
            except ReferenceError as exc:
                findings.append(R.INVALID_DESTINATION.finding(f"{source} '{ref_text}': getting tag for destination: {exc}",
                                                              {"reference": ref_text}))
                continue
            if ref.context() in seen:  # kaniko dedupes per repository (Context().String())
                continue
            seen.add(ref.context())
            jobs.append((ref.registry, ref.repository, ref.name()))
        pulls = self._pull_targets(ctx, auth)
        if cfg is not None and cfg.load_error is not None:
            for registry, _repo, _ref in jobs:
                findings.append(R.KEYCHAIN_ERROR.finding(
                    f"resolving authorization for {registry} failed: {cfg.path}: {cfg.load_error}",
                    {"registry": registry, "go_error": cfg.load_error}))
            return self.result(findings)
        # Daemon threads: a replay still running past the deadline is reported and left behind.
        replays = [Task(self._push_one, ctx, endpoints, cfg, *job) for job in jobs]
        replays += [Task(self._pull_one, ctx, endpoints, cfg, *p) for p in pulls]
        wait(replays, timeout=max(0.1, ctx.remaining() - 0.3))
        labels = [f"push {ref}" for _r, _p, ref in jobs] + [f"pull {r}/{p}:{i}" for r, p, i, _s in pulls]
        for task, label in zip(replays, labels, strict=True):
            done = task.done()  # before exception(): a replay may end between the two
            problem = task.exception()
            if done and problem is None:
                findings += task.result()
            elif done:
                findings.append(R.PING.finding(f"{label}: replay failed: {type(problem).__name__}: {problem}", {}))
            else:
                findings.append(R.PING.finding(f"{label}: the replay did not finish before the deadline", {}))
        if not jobs and not pulls and not findings:
            findings.append(R.NOT_CHECKED.finding("no destination to check", {}))
        return self.result(findings)

    # -- helpers -------------------------------------------------------------------------------
    def _pull_targets(self, ctx: Context, auth: CheckResult | None) -> list[tuple[str, str, str, str]]:
        targets = auth.facts.get("targets") if auth else None
        out: list[tuple[str, str, str, str]] = []
        seen: set[str] = set()
        for use in getattr(targets, "uses", ()):
            if use.purpose != "pull" or not use.source.startswith(("FROM", "COPY")):
                continue
            try:
                ref = parse_reference(use.ref)
            except ReferenceError:
                continue
            if ref.name() in seen:
                continue
            seen.add(ref.name())
            out.append((ref.registry, ref.repository, ref.identifier() or "latest", use.source))
        return out

    def _client(self, ctx: Context, registry: str, report: Any) -> RegistryClient:
        roots = transport_roots(ctx, registry)
        proxy = report.result.decision.proxy if report is not None else None
        return RegistryClient(proxy, roots, ctx.connect_timeout, max(1.0, min(ctx.connect_timeout * 2, ctx.remaining())),
                              dns_server=ctx.dns_server)

    def _base(self, report: Any, registry: str) -> str:
        scheme = report.scheme if report is not None else "https"
        return f"{scheme}://{registry}"

    def _token(self, client: RegistryClient, ch: gochallenge.Challenge, creds: Creds, scopes: list[str],
               ctx: Context) -> tuple[str | None, Reply | None]:
        realm = ch.realm or ""
        # Go asks ProxyFromEnvironment for every request: the realm (often another host, or
        # http://127.0.0.1) gets its own decision; credentials never go to a proxy Go would skip.
        realm_proxy = goproxy.decide(goproxy.ProxyEnv.from_environ(ctx.env), realm).proxy
        if realm_proxy != client.proxy:
            with RegistryClient(realm_proxy, client.roots, client.connect_timeout, client.read_timeout,
                                client.root, client.dns_server) as own:
                return self._token(own, ch, creds, scopes, ctx)
        if creds.kind == "identitytoken":
            data = {"grant_type": "refresh_token", "refresh_token": creds.token, "client_id": "go-containerregistry",
                    "scope": " ".join(scopes)}
            if ch.service:
                data["service"] = ch.service
            reply = client.request("POST", realm, data=data)
            if reply.status != 404:
                return self._token_from(reply, ctx), reply
        url = token_url(realm, ch.service, scopes)
        headers = {}
        basic = creds.basic()
        if basic:
            headers["Authorization"] = basic
        reply = client.request("GET", url, headers=headers)
        return self._token_from(reply, ctx), reply

    def _token_from(self, reply: Reply, ctx: Context) -> str | None:
        if reply.status != 200:
            return None
        doc = reply.json
        if not isinstance(doc, dict):
            return None
        token = doc.get("access_token") or doc.get("token")  # ggcr bearer.go prefers access_token
        if isinstance(token, str) and token:
            ctx.redactor.add(token)  # tokens never reach a report
            return token
        return None

    def _authorize(
        self, ctx: Context, client: RegistryClient, report: Any, registry: str, repo: str, creds: Creds, actions: str,
        ev: dict[str, Any],
    ) -> tuple[dict[str, str] | None, list[Finding], jwt.Claims | None]:
        """Headers for the registry after the ping's challenge; findings when a stage failed."""
        ch = report.challenge if report is not None else None
        if ch is None:
            return {}, [], None  # ping answered 200: ggcr sends no credentials at all
        if ch.scheme == "basic":
            basic = creds.basic()
            return ({"Authorization": basic} if basic else {}), [], None
        if creds.kind == "registrytoken":
            return {"Authorization": f"Bearer {creds.token}"}, [], None
        if not ch.realm:
            return None, [R.PING.finding(f"{registry}: malformed www-authenticate, missing realm", ev)], None
        scope = f"repository:{repo}:{actions}"
        token, reply = self._token(client, ch, creds, [scope], ctx)
        ev["token_request"] = {"realm": ch.realm, "service": ch.service, "scope": scope}
        if token is None:
            assert reply is not None
            ev["token_reply"] = reply.summary() if not reply.error else {"error": reply.error}
            return None, [self._token_failure(registry, reply, creds, ev)], None
        claims = jwt.decode_unverified(token)
        return {"Authorization": f"Bearer {token}"}, [], claims

    def _token_failure(self, registry: str, reply: Reply, creds: Creds, ev: dict[str, Any]) -> Finding:
        who = f"credentials from {creds.source}"
        if reply.error:
            return R.TOKEN_ERROR.finding(f"{registry}: token request failed: {reply.error}", ev)
        if reply.status in (401, 403) and reply.body_kind == "html" and "docker-distribution-api-version" not in reply.headers:
            return R.INTERMEDIARY.finding(f"{registry}: the token request got {reply.status} {reply.reason} as an HTML page: "
                                          "something in front of the token service answered, not the token service", ev)
        if reply.status == 401:
            msg = f"{registry}: the token service rejected the {who} (401)"
            if creds.kind == "anonymous":
                msg = f"{registry}: the token service requires credentials and kaniko has none (401)"
            return R.TOKEN_401.finding(msg, ev)
        if reply.status == 403:
            return R.TOKEN_403.finding(f"{registry}: the token service authenticated the {who} but refuses the scope (403)", ev)
        if reply.status == 429:
            return self._rate(registry, reply, ev)
        return R.TOKEN_ERROR.finding(f"{registry}: no token in bearer response ({reply.status} {reply.reason}, {reply.body_kind} body)", ev)

    def _rate(self, registry: str, reply: Reply, ev: dict[str, Any]) -> Finding:
        ev["rate_limit"] = {h: reply.headers[h] for h in RATE_HEADERS if h in reply.headers}
        return R.RATE_LIMITED.finding(f"{registry}: 429 Too Many Requests", ev)

    def _push_one(self, ctx: Context, endpoints: Mapping[str, Any], cfg: dc.DockerConfig | None, registry: str,
                  repo: str, ref: str) -> list[Finding]:
        report = endpoints.get(registry)
        ev: dict[str, Any] = {"registry": registry, "repository": repo, "reference": ref}
        if report is None or report.result.response is None or not report.registry_answered:
            return [R.PING.finding(f"{registry}: not replayed: the registry was not reached (see the reachability check)",
                                   ev, severity=Severity.INFO)]
        creds = resolve_creds(ctx, cfg, registry, None)
        ev["credentials"] = creds.source
        out = [R.CREDENTIALS.finding(f"push {ref}: {creds.source}", {**ev, "kind": creds.kind})]
        if not creds.replayable:
            out.append(R.NOT_CHECKED.finding(
                f"{ref}: not replayed: the credentials come from {creds.source}; an anonymous replay would blame "
                "the account wrongly", ev, severity=Severity.WARNING))
            return out
        out += self._gitlab_path(ctx, registry, repo, ev)
        with self._client(ctx, registry, report) as client:
            headers, failures, claims = self._authorize(ctx, client, report, registry, repo, creds, "push,pull", ev)
            if headers is None:
                return out + failures
            granted = claims.actions(repo) if claims is not None else None
            if claims is None and "Authorization" in headers and headers["Authorization"].startswith("Bearer"):
                out.append(R.OPAQUE_TOKEN.finding(f"{registry}: the token is not a JWT; nothing to read from it", ev))
            if claims is not None:
                ev["token_claims"] = claims.public()
            base = self._base(report, registry)
            url = f"{base}/v2/{repo}/blobs/uploads/"
            reply = client.request("POST", url, headers={**headers, "Content-Type": "application/json"})
            scopes = [f"repository:{repo}:push,pull"]  # what the transport asked for (bt.scopes)
            reply = self._retry_on_challenge(ctx, client, report, creds, reply, "POST", url, headers, scopes)
            ev["upload"] = reply.summary() if not reply.error else {"error": reply.error}
            if reply.status in (201, 202):
                out += self._cancel(ctx, client, report, creds, base, reply, headers, ev, scopes)
                if granted is not None and "push" not in granted and "*" not in granted:
                    out.append(R.OPAQUE_TOKEN.finding(f"{registry}: the token's access claim lists no push, yet the registry accepted the upload", ev))
                out.append(R.ALLOWED.finding(f"push to {ref}: allowed", ev))
                return out
            if granted is not None and "push" not in granted and "*" not in granted:
                out.append(self._no_push_scope(ctx, registry, repo, ref, creds, granted, reply, ev))
                return out
            out.append(self._upload_failure(registry, repo, creds, reply, ev))
            return out

    def _retry_on_challenge(self, ctx: Context, client: RegistryClient, report: Any, creds: Creds, reply: Reply,
                            method: str, url: str, headers: dict[str, str], scopes: list[str]) -> Reply:
        """ggcr's bearer transport: on 401 with a challenge scope, add the scopes it does not
        ask for yet to the ones it has (``bt.scopes``, kept for later requests: ``scopes`` is
        extended in place) and refresh the token once, with the realm and service of the ping."""
        if reply.status != 401 or report is None or report.challenge is None or report.challenge.scheme != "bearer":
            return reply
        ch = gochallenge.pick(list(reply.www_authenticate))
        if ch is None or not ch.params.get("scope") or not report.challenge.realm:
            return reply
        retry_ch = gochallenge.Challenge("bearer", {**report.challenge.params})
        scopes += [want for want in ch.params["scope"].split(" ") if want and want not in scopes]
        token, _ = self._token(client, retry_ch, creds, scopes, ctx)
        if token is None:
            return reply
        return client.request(method, url, headers={**headers, "Authorization": f"Bearer {token}",
                                                    **({"Content-Type": "application/json"} if method == "POST" else {})})

    def _cancel(self, ctx: Context, client: RegistryClient, report: Any, creds: Creds, base: str, reply: Reply,
                headers: dict[str, str], ev: dict[str, Any], scopes: list[str]) -> list[Finding]:
        location = reply.headers.get("location")
        if reply.status == 201:
            return []  # ggcr initiateUpload: 201 means done (a mount), nothing to cancel
        if not location:
            return [R.PING.finding("upload accepted without a Location header (ggcr: 'missing Location header')", ev)]
        url = urllib.parse.urljoin(base + "/", location)
        cancel = client.request("DELETE", url, headers=headers)
        if cancel.error and ctx.remaining() > 2:
            # The connection broke (a registry restarting, an idle timeout): one more try, so
            # the session we opened does not stay behind.
            time.sleep(0.5)
            cancel = client.request("DELETE", url, headers=headers)
        cancel = self._retry_on_challenge(ctx, client, report, creds, cancel, "DELETE", url, headers, scopes)
        ev["cancel"] = {"status": cancel.status} if not cancel.error else {"error": cancel.error}
        if cancel.status in (200, 202, 204):
            return [R.CLEAN.finding(f"upload session opened and cancelled ({cancel.status}): nothing stays in the registry", ev)]
        return [R.CANCEL_FAILED.finding(
            f"the cancel (DELETE) answered {cancel.status or cancel.error}: the empty upload session stays until the "
            "registry purges it (kaniko's own cancel fails the same way)", ev)]

    def _no_push_scope(self, ctx: Context, registry: str, repo: str, ref: str, creds: Creds, granted: set[str],
                       reply: Reply, ev: dict[str, Any]) -> Finding:
        causes = []
        if creds.username == "gitlab-ci-token" or "CI_REGISTRY" in creds.source:
            image = ctx.env.get("CI_REGISTRY_IMAGE", "")
            if image and not ref.startswith(image.split("://")[-1] + "/") and not ref.startswith(image.split("://")[-1] + ":"):
                causes.append(f"CI_JOB_TOKEN may push only under $CI_REGISTRY_IMAGE ({image}); {ref} is elsewhere")
        causes.append("the account has no push rights on this path (role, protected path or tag)")
        ev.update({"granted_actions": sorted(granted), "registry_confirms": reply.summary() if not reply.error else None,
                   "likely_causes": causes})
        return R.NO_PUSH_SCOPE.finding(
            f"{registry}: the token for repository:{repo}:push,pull grants {sorted(granted) or 'nothing'}; "
            f"the registry answered the upload with {reply.status or reply.error}", ev)

    def _upload_failure(self, registry: str, repo: str, creds: Creds, reply: Reply, ev: dict[str, Any]) -> Finding:
        where = f"POST /v2/{repo}/blobs/uploads/"
        if reply.error:
            return R.PING.finding(f"{registry}: {where}: {reply.error}", ev)
        codes = [str(e.get("code", "")) for e in reply.registry_errors]
        ch = gochallenge.pick(list(reply.www_authenticate))
        if reply.status in (401, 403) and not reply.from_registry and not (reply.status == 401 and ch is not None):
            server = reply.headers.get("server") or "unknown server"
            return R.INTERMEDIARY.finding(
                f"{registry}: {where} -> {reply.status} {reply.reason} ({reply.body_kind} body from '{server}', no registry "
                "headers): a proxy, load balancer or WAF refused it, not the registry", ev)
        rule: Rule
        if reply.status == 401:
            if ch is not None and ch.error == "insufficient_scope":
                rule = R.INSUFFICIENT_SCOPE
            elif creds.kind == "anonymous":
                rule = R.ANONYMOUS_PUSH
            else:
                rule = R.TOKEN_401
        elif reply.status == 403:
            rule = R.DENIED
        elif reply.status == 404:
            rule = R.NAME_INVALID if "NAME_INVALID" in codes or not codes else R.NAME_UNKNOWN
        elif reply.status == 400 and "NAME_INVALID" in codes:
            rule = R.NAME_INVALID
        elif reply.status == 405:
            rule = R.READ_ONLY
        elif reply.status == 429:
            return self._rate(registry, reply, ev)
        else:
            rule = R.PING
        detail = f"{codes[0]}: {reply.registry_errors[0].get('message', '')}" if codes else f"{reply.body_kind} body"
        return rule.finding(f"{registry}: {where} -> {reply.status} {reply.reason} ({detail})", ev)

    def _gitlab_path(self, ctx: Context, registry: str, repo: str, ev: dict[str, Any]) -> list[Finding]:
        image = ctx.env.get("CI_REGISTRY_IMAGE", "")
        ci = ctx.env.get("CI_REGISTRY", "")
        if not image or not ci or registry_hostname(ci) != registry_hostname(registry):
            return []
        project = image.split("/", 1)[1] if "/" in image else ""
        if not project:
            return []
        if repo != project and not repo.startswith(project + "/"):
            return [R.GITLAB_PATH.finding(f"{registry}/{repo} is not under $CI_REGISTRY_IMAGE ({image})", ev)]
        if repo.count("/") - project.count("/") > 2:
            return [R.GITLAB_PATH.finding(f"{registry}/{repo} is more than two levels below the project path", ev)]
        return []

    def _pull_one(self, ctx: Context, endpoints: Mapping[str, Any], cfg: dc.DockerConfig | None, registry: str,
                  repo: str, ident: str, source: str) -> list[Finding]:
        report = endpoints.get(registry)
        ev: dict[str, Any] = {"registry": registry, "repository": repo, "reference": ident, "source": source}
        if report is None or report.result.response is None or not report.registry_answered:
            return []
        creds = resolve_creds(ctx, cfg, registry, repo)
        ev["credentials"] = creds.source
        if not creds.replayable:
            return []
        with self._client(ctx, registry, report) as client:
            headers, failures, _claims = self._authorize(ctx, client, report, registry, repo, creds, "pull", ev)
            if headers is None:
                return [R.PULL_DENIED.finding(f"pull {registry}/{repo}: {f.message}", {**ev, **f.evidence}) for f in failures]
            url = f"{self._base(report, registry)}/v2/{repo}/manifests/{ident}"
            # HEAD first: it does not count against Docker Hub's pull limits; GET only to read an error code.
            reply = client.request("HEAD", url, headers={**headers, "Accept": MANIFEST_ACCEPT})
            if reply.status == 200:
                return []
            if reply.status in (401, 404):
                reply = client.request("GET", url, headers={**headers, "Accept": MANIFEST_ACCEPT})
            ev["manifest"] = reply.summary() if not reply.error else {"error": reply.error}
            codes = [str(e.get("code", "")) for e in reply.registry_errors]
            if reply.status == 200:
                return []
            if reply.status == 404 and "MANIFEST_UNKNOWN" in codes:
                return [R.MANIFEST_UNKNOWN.finding(f"{source}: {registry}/{repo}:{ident}: manifest unknown", ev)]
            if reply.status == 429:
                return [self._rate(registry, reply, ev)]
            if reply.status in (401, 403, 404):
                return [R.PULL_DENIED.finding(f"{source}: {registry}/{repo}:{ident} cannot be pulled with {creds.source} "
                                              f"({reply.status} {codes[0] if codes else reply.reason})", ev)]
            return []
