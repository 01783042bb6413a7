"""The ``auth`` check: is config.json right, for the exact keys kaniko will look up?

Offline. Mirrors docker/cli's loading and go-containerregistry's keychain
(``kanidoc.gosem.dockerconfig``), then kaniko's own fallbacks (``pkg/creds/creds.go``:
Google, ECR, ACR and, from v1.9.0, GitLab's CI_REGISTRY helper).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from kanidoc.context import KANIKO_DOCKER_CONFIG, Context
from kanidoc.credentials import builtin_provider, version_tuple
from kanidoc.gosem import dockerconfig as dc
from kanidoc.gosem import gobase64
from kanidoc.model import CheckResult, Finding, Severity
from kanidoc.plugin import BaseCheck
from kanidoc.record import record
from kanidoc.rules import auth as R
from kanidoc.targets import RegistryUse, Targets, collect, registry_hostname

# Helpers the kaniko image ships in /kaniko (deploy/Dockerfile, v1.24.0).
KANIKO_SHIPPED_HELPERS = ("gcr", "ecr-login", "acr-env")
MAX_CONFIG_BYTES = 8 * 1024 * 1024
_SECRETISH = re.compile(r'"(?:auth|password|identitytoken|registrytoken)"\s*:\s*"([^"\n]*)', re.I)


@record
class Location:
    path: Path  # where we read (host path)
    kaniko_path: str  # what kaniko reads, as kaniko sees it
    given: bool  # --auth-file


def snippet_for(keys: list[str], env: Mapping[str, str], config_path: str) -> str:
    """The GitLab seed doc's config.json line, for these keys, with variable names only."""
    parts = []
    ci_registry = env.get("CI_REGISTRY")
    dep_proxy = (env.get("CI_DEPENDENCY_PROXY_SERVER") or "").split(":")[0]
    for key in keys:
        if ci_registry and key == ci_registry:
            key_expr, user, password = "${CI_REGISTRY}", "CI_REGISTRY_USER", "CI_REGISTRY_PASSWORD"
        elif dep_proxy and registry_hostname(key) == dep_proxy:
            key_expr, user, password = key, "CI_DEPENDENCY_PROXY_USER", "CI_DEPENDENCY_PROXY_PASSWORD"
        elif key == dc.DOCKER_HUB_AUTH_KEY:
            key_expr, user, password = key, "DOCKERHUB_USER", "DOCKERHUB_TOKEN"
        else:
            key_expr, user, password = key, "REGISTRY_USER", "REGISTRY_PASSWORD"
        parts.append(
            f'\\"{key_expr}\\":{{\\"auth\\":\\"$(printf "%s:%s" "${{{user}}}" "${{{password}}}" | base64 | tr -d \'\\n\')\\"}}'
        )
    directory = config_path.rsplit("/", 1)[0] or "/"
    return f'- mkdir -p {directory}\n- echo "{{\\"auths\\":{{{",".join(parts)}}}}}" > {config_path}'


class AuthCheck(BaseCheck):
    id = "auth"
    title = "Registry credentials (config.json)"
    description = "Is config.json right, for the exact keys kaniko will look up?"
    requires = ()

    def run(self, ctx: Context, deps: Mapping[str, CheckResult]) -> CheckResult:
        findings: list[Finding] = []
        targets = collect(ctx)
        version = version_tuple(ctx.kaniko_version)
        cli_major = dc.docker_cli_major_for(version)
        for inv in targets.invalid:
            findings.append(R.INVALID_REFERENCE.finding(
                f"{inv.source} '{inv.ref}': {inv.error}", {"reference": inv.ref, "source": inv.source, "go_error": inv.error}))
        for image in targets.unresolved:
            findings.append(R.UNRESOLVED_FROM.finding(
                f"line {image.line}: {image.instruction} {image.written}: no value for {', '.join(image.unresolved)}",
                {"line": image.line, "variables": list(image.unresolved)}))
        if targets.dockerfile_note:
            findings.append(R.UNRESOLVED_FROM.finding(targets.dockerfile_note, {"dockerfile": str(ctx.dockerfile)}))

        location, cfg, loc_findings = self._load(ctx, targets, cli_major)
        findings += loc_findings
        if cfg is not None:
            findings += self._entry_findings(ctx, cfg, targets)
        if cfg is not None and cfg.load_error is None:
            findings += self._lookup_findings(ctx, cfg, targets, version, cli_major, location)
        elif cfg is None and not any(f.code in (R.UNREADABLE.code, R.DOCKER_CONFIG_FILE.code) for f in loc_findings):
            findings += self._no_config_findings(ctx, targets, version, location)
        if not targets.uses and not targets.invalid:
            findings.append(R.NO_REGISTRIES.finding("no registry to check: give --destination or the kaniko command line after --"))
        facts = {"config": cfg, "config_path": location.kaniko_path, "targets": targets}
        return self.result(findings, facts)

    # -- which file, and can it be loaded --------------------------------------------------
    def _locate(self, ctx: Context) -> Location:
        kaniko_path = ctx.docker_config_dir.rstrip("/") + "/config.json"
        if ctx.auth_file is not None:
            return Location(ctx.auth_file, kaniko_path, True)
        return Location(ctx.host_path(kaniko_path), kaniko_path, False)

    def _load(self, ctx: Context, targets: Targets, cli_major: int) -> tuple[Location, dc.DockerConfig | None, list[Finding]]:
        loc = self._locate(ctx)
        findings: list[Finding] = []
        docker_config = ctx.env.get("DOCKER_CONFIG")
        if not loc.given and docker_config and ctx.host_path(docker_config).is_file():
            findings.append(R.DOCKER_CONFIG_FILE.finding(
                f"DOCKER_CONFIG={docker_config} is a file; kaniko reads {loc.kaniko_path}, which cannot exist, and is anonymous",
                {"DOCKER_CONFIG": docker_config},
                snippet=f"variables:\n  DOCKER_CONFIG: {docker_config.rsplit('/', 1)[0] or KANIKO_DOCKER_CONFIG}"))
            return loc, None, findings
        if not loc.given:
            home = ctx.env.get("HOME") or "/root"
            home_cfg = home.rstrip("/") + "/.docker/config.json"
            if home_cfg != loc.kaniko_path and ctx.host_path(home_cfg).is_file():
                exists = ctx.host_path(loc.kaniko_path).is_file()
                findings.append(R.WRONG_LOCATION.finding(
                    f"{home_cfg} exists, but kaniko reads only {loc.kaniko_path}"
                    + ("" if exists else ", which does not exist: every registry is anonymous"),
                    {"ignored_file": home_cfg, "kaniko_reads": loc.kaniko_path, "DOCKER_CONFIG": ctx.docker_config_dir},
                    severity=Severity.WARNING if exists else Severity.ERROR,
                    snippet=f"- mkdir -p {loc.kaniko_path.rsplit('/', 1)[0]}\n- cp {home_cfg} {loc.kaniko_path}"))
            elif not ctx.host_path(loc.kaniko_path).is_file():
                # ggcr keychain.go (v0.19.2+, kaniko >= v1.23.2): with no docker config at all,
                # $REGISTRY_AUTH_FILE, then $XDG_RUNTIME_DIR/containers/auth.json (Podman's).
                version = version_tuple(ctx.kaniko_version)
                candidates = [ctx.env.get("REGISTRY_AUTH_FILE", "")]
                if ctx.env.get("XDG_RUNTIME_DIR"):
                    candidates.append(ctx.env["XDG_RUNTIME_DIR"].rstrip("/") + "/containers/auth.json")
                for path in candidates:
                    if path and ctx.host_path(path).is_file() and (version is None or version >= (1, 23, 2)):
                        loc = Location(ctx.host_path(path), path, False)
                        break
        try:
            with open(loc.path, "rb") as fh:
                raw = fh.read(MAX_CONFIG_BYTES + 1)
        except FileNotFoundError:
            return loc, None, findings
        except OSError as exc:
            findings.append(R.UNREADABLE.finding(
                f"{loc.path}: {exc.strerror or exc}: docker/cli fails every lookup with 'loading config file'",
                {"path": str(loc.path)}))
            return loc, None, findings
        if len(raw) > MAX_CONFIG_BYTES:
            findings.append(R.UNREADABLE.finding(f"{loc.path} is larger than {MAX_CONFIG_BYTES} bytes", {"path": str(loc.path)}))
            return loc, None, findings
        text = raw.decode("utf-8", "replace")
        # Mask anything that looks like a credential before we know whether the file parses.
        ctx.redactor.add(*(m.group(1) for m in _SECRETISH.finditer(text)))
        cfg = dc.load(raw, str(loc.path), docker_cli_major=cli_major)
        ctx.redactor.add(*cfg.secrets())
        for entry in cfg.auths.values():
            if entry.raw_auth:
                try:
                    ctx.redactor.add(gobase64.std_decode(entry.raw_auth).decode("utf-8", "replace"))
                except ValueError:
                    pass
        shown = loc.kaniko_path if not loc.given else str(loc.path)
        if cfg.syntax_error is not None:
            err = cfg.syntax_error
            findings.append(R.INVALID_JSON.finding(
                f"{shown} line {err.line}, column {err.column}: {err.message}",
                {"path": shown, "line": err.line, "column": err.column, "offset": err.offset, "go_error": err.message,
                 "kaniko_error": f"parsing config file ({loc.kaniko_path}): {err.message}"},
                snippet=snippet_for(self._wanted_keys(ctx, targets), ctx.env, loc.kaniko_path)))
        elif cfg.type_error is not None:
            findings.append(R.CONFIG_TYPE.finding(f"{shown}: {cfg.type_error}", {"path": shown, "go_error": cfg.type_error}))
        if cfg.has_proxies:
            findings.append(R.PROXIES_IGNORED.finding(f"{shown} has a `proxies` section, which kaniko never reads", {"path": shown}))
        for key in cfg.duplicate_auths_keys:
            findings.append(R.DUPLICATE_KEY.finding(f"auths key '{key}' appears more than once; Go keeps the last", {"key": key}))
        return loc, cfg, findings

    def _wanted_keys(self, ctx: Context, targets: Targets) -> list[str]:
        keys = [dc.auth_key_for(r) for r in targets.registries("push")]
        return keys or [dc.auth_key_for(r) for r in targets.registries()] or [ctx.env.get("CI_REGISTRY") or "registry.example.com"]

    # -- each entry's values ---------------------------------------------------------------
    def _entry_findings(self, ctx: Context, cfg: dc.DockerConfig, targets: Targets) -> list[Finding]:
        findings: list[Finding] = []
        push_keys = {dc.auth_key_for(r) for r in targets.registries("push")}
        used_keys = {dc.auth_key_for(r) for r in targets.registries()}
        for key, entry in cfg.auths.items():
            host = dc.convert_to_hostname(key)
            used_for_push = key in push_keys or host in push_keys
            used = used_for_push or key in used_keys or host in used_keys
            ev: dict[str, object] = {"key": key, "fields": list(entry.fields)}
            if entry.auth_error:
                if entry.auth_error.startswith("illegal base64"):
                    offset = int(entry.auth_error.rsplit(" ", 1)[-1])
                    char = entry.raw_auth[offset] if offset < len(entry.raw_auth) else ""
                    what = {" ": "a space", '"': "a quote", "\t": "a tab", "-": "'-' (URL-safe base64)", "_": "'_' (URL-safe base64)", "=": "'=' padding in the wrong place", "": "the end: padding is missing"}.get(char, "a character outside the base64 alphabet")
                    ev.update({"go_error": entry.auth_error, "byte_offset": offset, "found": what, "length": len(entry.raw_auth)})
                    findings.append(R.BAD_BASE64.finding(
                        f"auths['{key}'].auth: {entry.auth_error} ({what}); docker/cli then fails the whole file, for every registry",
                        ev, snippet=snippet_for([key], ctx.env, "/kaniko/.docker/config.json")))
                else:
                    findings.append(R.BAD_AUTH_FORMAT.finding(
                        f"auths['{key}'].auth decodes to a value without 'user:' ({entry.auth_error}); the whole file fails",
                        {**ev, "go_error": entry.auth_error}, snippet=snippet_for([key], ctx.env, "/kaniko/.docker/config.json")))
                continue
            literal = dc.unexpanded_variables(
                entry.username, entry.password, entry.identitytoken, entry.registrytoken,
                known=dc.WELL_KNOWN_VARIABLES | set(ctx.env))
            if literal:
                findings.append(R.UNEXPANDED.finding(
                    f"auths['{key}'] contains the literal text {', '.join(literal)}: the shell did not expand it",
                    {**ev, "variables": literal}, severity=Severity.ERROR if used else Severity.WARNING))
                continue
            if entry.kind == "anonymous" and (entry.had_auth or entry.username or entry.password):
                missing = "password" if entry.username else "user name"
                findings.append(R.EMPTY_SECRET.finding(
                    f"auths['{key}']: the {missing} is empty, so go-containerregistry sends no credentials (anonymous)",
                    {**ev, "empty": missing}, severity=Severity.ERROR if used_for_push else Severity.WARNING))
            if entry.password.endswith(("\n", "\r")):
                findings.append(R.TRAILING_NEWLINE.finding(
                    f"auths['{key}']: the password ends with a newline (echo without -n before base64)",
                    ev, severity=Severity.ERROR if used else Severity.WARNING))
        for name, source in [(cfg.creds_store, "credsStore")] + [(h, f"credHelpers['{k}']") for k, h in cfg.cred_helpers.items()]:
            if not name:
                continue
            binary = f"docker-credential-{name}"
            if name in KANIKO_SHIPPED_HELPERS:
                continue
            if self._on_path(ctx, binary):
                continue
            scope = "every registry" if source == "credsStore" else source.split("'")[1]
            findings.append(R.HELPER_MISSING.finding(
                f"{source} '{name}': {binary} is not on PATH or in /kaniko; lookups for {scope} fail and abort kaniko's keychain",
                {"helper": name, "binary": binary, "setting": source, "kaniko_ships": [f"docker-credential-{h}" for h in KANIKO_SHIPPED_HELPERS]}))
        return findings

    def _on_path(self, ctx: Context, binary: str) -> bool:
        path = ctx.env.get("PATH", "")
        for directory in [*path.split(os.pathsep), "/kaniko"]:
            if directory and os.access(ctx.host_path(Path(directory) / binary), os.X_OK):
                return True
        return False

    # -- the lookups kaniko will make --------------------------------------------------------
    def _lookup_findings(
        self, ctx: Context, cfg: dc.DockerConfig, targets: Targets, version: tuple[int, int, int] | None,
        cli_major: int, location: Location,
    ) -> list[Finding]:
        findings: list[Finding] = []
        seen: set[tuple[str, str | None, str]] = set()
        for use in targets.uses:
            repo = use.repository if use.purpose == "pull" else None
            if (use.registry, repo, use.purpose) in seen:
                continue
            seen.add((use.registry, repo, use.purpose))
            findings += self._one_lookup(ctx, cfg, use, repo, version, cli_major, location)
        return findings

    def _one_lookup(
        self, ctx: Context, cfg: dc.DockerConfig, use: RegistryUse, repo: str | None,
        version: tuple[int, int, int] | None, cli_major: int, location: Location,
    ) -> list[Finding]:
        res = dc.resolve(cfg, use.registry, repo, docker_cli_major=cli_major)
        what = f"{use.purpose} {use.registry}" + (f"/{repo}" if repo else "")
        ev: dict[str, object] = {"registry": use.registry, "purpose": use.purpose, "source": use.source, "lookup_keys": list(res.keys)}
        if res.kind == "helper":
            assert res.lookup is not None
            ev["store"] = res.lookup.store
            return [R.CREDENTIALS_FOUND.finding(f"{what}: credentials come from {res.lookup.store.replace('helper:', 'docker-credential-')} (key '{res.lookup.key}')", ev)]
        if res.found:
            assert res.lookup is not None and res.lookup.entry is not None
            entry = res.lookup.entry
            ev.update({"config_key": res.lookup.matched_key, "matched": "exact key" if res.lookup.exact else "by hostname", "credential": entry.kind})
            if entry.kind == "basic":
                ev["username"] = entry.username
            out = [R.CREDENTIALS_FOUND.finding(f"{what}: {entry.kind} credentials from config.json key '{res.lookup.matched_key}'", ev)]
            if len(res.lookup.candidates) > 1:
                out.append(R.AMBIGUOUS.finding(
                    f"{use.registry}: keys {', '.join(repr(c) for c in res.lookup.candidates)} all match; Go picks one at random",
                    {"registry": use.registry, "keys": list(res.lookup.candidates)}))
            return out
        if res.stopped and res.lookup is not None and res.lookup.entry is not None:
            # An entry Go counts as non-empty (an email, a user without password) ends the
            # keychain: kaniko sends nothing and never asks its GitLab/ECR/... fallbacks.
            ev["config_key"] = res.lookup.matched_key
            return [R.EMPTY_SECRET.finding(
                f"{what}: config.json key '{res.lookup.matched_key}' ends the lookup but sends no credentials; "
                "kaniko's built-in fallbacks are not asked", ev,
                severity=Severity.ERROR if use.purpose == "push" else Severity.WARNING)]
        # Anonymous from config.json: kaniko's built-in providers come next.
        provider = builtin_provider(use.registry, ctx.env, version)
        if provider:
            ev["provider"] = provider
            return [R.BUILTIN_HELPER.finding(f"{what}: no config.json entry; kaniko falls back to the {provider}", ev)]
        lookup_key = dc.auth_key_for(use.registry)
        misses = dc.near_misses(cfg, lookup_key, docker_cli_major=cli_major)
        severity = Severity.ERROR if use.purpose == "push" else Severity.WARNING
        snippet = snippet_for([lookup_key], ctx.env, location.kaniko_path)
        if misses:
            rule = R.HUB_KEY if lookup_key == dc.DOCKER_HUB_AUTH_KEY else R.NO_MATCH
            dep_proxy = (ctx.env.get("CI_DEPENDENCY_PROXY_SERVER") or "").split(":")[0]
            if dep_proxy and registry_hostname(use.registry) == dep_proxy and use.purpose == "pull":
                rule = R.DEPENDENCY_PROXY_KEY
            ev["near_misses"] = [{"config_key": m.config_key, "why": m.reason} for m in misses]
            return [rule.finding(f"{what}: {misses[0].reason}", ev, severity=severity, snippet=snippet)]
        if use.purpose == "push":
            extra = ""
            if ctx.env.get("DOCKER_AUTH_CONFIG"):
                return [R.AUTH_CONFIG_ENV.finding(f"{what}: no config.json entry; DOCKER_AUTH_CONFIG is set but kaniko does not read it", ev, severity=Severity.ERROR)]
            return [R.NO_MATCH.finding(f"{what}: no config.json entry for '{lookup_key}'; kaniko will push anonymously{extra}", ev, snippet=snippet)]
        return [R.ANONYMOUS.finding(f"{what}: anonymous (fine for public images)", ev, severity=Severity.INFO)]

    def _no_config_findings(self, ctx: Context, targets: Targets, version: tuple[int, int, int] | None, location: Location) -> list[Finding]:
        push = targets.registries("push")
        uncovered = [r for r in push if not builtin_provider(r, ctx.env, version)]
        ev = {"kaniko_reads": location.kaniko_path, "push_registries": push}
        snippet = snippet_for([dc.auth_key_for(r) for r in uncovered] or self._wanted_keys(ctx, targets), ctx.env, location.kaniko_path)
        findings = []
        if ctx.env.get("DOCKER_AUTH_CONFIG"):
            findings.append(R.AUTH_CONFIG_ENV.finding(
                "DOCKER_AUTH_CONFIG is set, but kaniko reads only config.json", ev,
                snippet=f'- echo "$DOCKER_AUTH_CONFIG" > {location.kaniko_path}',
                severity=Severity.ERROR if uncovered else Severity.WARNING))
        severity = Severity.ERROR if uncovered else Severity.WARNING if push else Severity.INFO
        findings.append(R.NO_CONFIG.finding(
            f"{location.path if location.given else location.kaniko_path} does not exist: kaniko is anonymous"
            + (f" for {', '.join(uncovered)}" if uncovered else ""), ev, severity=severity, snippet=snippet))
        for r in push:
            provider = builtin_provider(r, ctx.env, version)
            if provider:
                findings.append(R.BUILTIN_HELPER.finding(f"push {r}: kaniko falls back to the {provider}", {"registry": r, "provider": provider}))
        return findings
