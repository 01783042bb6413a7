"""Every registry kaniko will contact for this build, and why (push or pull).

Shared by the auth, reachability and push checks so they agree on the list:
destinations (push, unless --no-push), the cache repository (push and pull), registry
mirrors (pull) and the images the Dockerfile pulls (FROM, COPY --from).
"""

from __future__ import annotations

from collections.abc import Mapping

from kanidoc import dockerfile as dockerfile_mod
from kanidoc.context import Context
from kanidoc.gosem.reference import Reference, ReferenceError, new_tag, parse_reference
from kanidoc.record import record


def registry_hostname(registry: str) -> str:
    """``host`` of ``host[:port]`` (``[v6]:port`` too), as Go's ``url.Hostname()``."""
    registry = registry.split("://", 1)[-1].split("/", 1)[0]
    if registry.startswith("["):
        return registry[1 : registry.find("]")]
    return registry.rsplit(":", 1)[0] if registry.count(":") == 1 else registry


def gitlab_helper_registry(registry: str, env: Mapping[str, str]) -> bool:
    """kaniko >= v1.9.0's GitLab keychain (ePirat/docker-credential-gitlabci) serves this
    registry: its host equals CI_REGISTRY's host; the port is ignored (Hostname())."""
    ci = env.get("CI_REGISTRY", "")
    return bool(ci) and registry_hostname(ci) == registry_hostname(registry)


@record
class RegistryUse:
    registry: str  # host[:port] as go-containerregistry's RegistryStr()
    repository: str | None
    purpose: str  # "push" or "pull"
    source: str  # "--destination", "FROM (line 3)", "--cache-repo", "--registry-mirror"
    ref: str  # the reference as kaniko will use it
    fallback: bool = False  # contacted only when the --registry-mirror fails


@record
class InvalidRef:
    ref: str
    source: str
    error: str


@record
class Targets:
    uses: tuple[RegistryUse, ...]
    invalid: tuple[InvalidRef, ...]
    unresolved: tuple[dockerfile_mod.BaseImage, ...]
    dockerfile_note: str | None

    def registries(self, purpose: str | None = None) -> list[str]:
        return list(dict.fromkeys(u.registry for u in self.uses if purpose in (None, u.purpose)))


def _use(
    raw: str, source: str, purpose: str, uses: list[RegistryUse], invalid: list[InvalidRef], *, tag: bool = False
) -> Reference | None:
    # kaniko parses destinations and the cache repo with name.NewTag(dest, WeakValidation)
    # (pkg/executor/push.go, pkg/cache/cache.go) and FROM images with ParseReference.
    try:
        ref = new_tag(raw) if tag else parse_reference(raw)
    except ReferenceError as exc:
        detail = exc.causes[0] if getattr(exc, "causes", None) else str(exc)
        invalid.append(InvalidRef(raw, source, str(detail)))
        return None
    uses.append(RegistryUse(ref.registry, ref.repository, purpose, source, ref.name()))
    return ref


def collect(ctx: Context) -> Targets:
    """The registries of this run; computed once (auth, reachability, tls all ask)."""
    return ctx.memo.get("targets", lambda: _collect(ctx))


def _collect(ctx: Context) -> Targets:
    uses: list[RegistryUse] = []
    invalid: list[InvalidRef] = []
    no_push = ctx.kaniko.flag("no-push")
    for dest in ctx.destinations:
        if no_push:
            # kaniko never contacts destinations with --no-push (root.go, CheckPushPermissions);
            # an invalid reference is still worth naming, so parse without recording a use.
            _use(dest.ref, dest.source, "push", [], invalid, tag=True)
            continue
        _use(dest.ref, dest.source, "push", uses, invalid, tag=True)
    cache_repo = ctx.kaniko.get("cache-repo")
    if cache_repo and not cache_repo.startswith("oci:"):
        try:
            ref = new_tag(cache_repo)
        except ReferenceError as exc:
            invalid.append(InvalidRef(cache_repo, "--cache-repo", str(exc)))
        else:
            if not ctx.kaniko.flag("no-push-cache"):
                uses.append(RegistryUse(ref.registry, ref.repository, "push", "--cache-repo", ref.context()))
            uses.append(RegistryUse(ref.registry, ref.repository, "pull", "--cache-repo", ref.context()))
    for mirror in ctx.kaniko.all("registry-mirror"):
        host = mirror.split("://", 1)[-1].split("/", 1)[0]
        if host:
            uses.append(RegistryUse(host, None, "pull", "--registry-mirror", mirror))
    note: str | None = None
    unresolved: list[dockerfile_mod.BaseImage] = []
    if ctx.dockerfile is not None:
        path = ctx.host_path(ctx.dockerfile)
        try:
            with open(path, "rb") as fh:
                text = fh.read(dockerfile_mod.MAX_BYTES).decode("utf-8", "replace")
        except OSError as exc:
            note = f"cannot read Dockerfile {ctx.dockerfile}: {exc.strerror or exc}"
        else:
            build_args = {k: (v if v is not None else ctx.env.get(k)) for k, v in ctx.kaniko.build_args.items()}
            parsed = dockerfile_mod.parse(text, build_args)
            mirrors = ctx.kaniko.all("registry-mirror")
            no_fallback = ctx.kaniko.flag("skip-default-registry-fallback")
            for image in parsed.images:
                if image.image is None:
                    unresolved.append(image)
                    continue
                found: list[RegistryUse] = []
                _use(image.image, f"{image.instruction} (line {image.line})", "pull", found, invalid)
                for use in found:
                    # kaniko (pkg/image/remote/remote.go): Docker Hub pulls go to the mirrors
                    # first; the original registry is only a fallback, or not used at all with
                    # --skip-default-registry-fallback.
                    if mirrors and use.registry == "index.docker.io":
                        if no_fallback:
                            continue
                        use = RegistryUse(use.registry, use.repository, use.purpose,
                                          use.source + ", fallback after --registry-mirror", use.ref, fallback=True)
                    uses.append(use)
    return Targets(tuple(uses), tuple(invalid), tuple(unresolved), note)
