"""The trust kaniko's transport uses for one registry, loaded once per run.

kaniko loads Go's system pool once (``pkg/util/transport_util.go`` ``init``) and appends
every ``--registry-certificate`` to one shared copy of it, which a registry uses when it
has an entry of its own. The tls and push checks both ask here, so they agree and the
files are read once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kanidoc.context import Context
from kanidoc.gosem import truststore as ts

if TYPE_CHECKING:
    from cryptography import x509

Loaded = list[tuple[str, ts.SourceFile, tuple["x509.Certificate", ...]]]


def kaniko_store(ctx: Context) -> ts.TrustStore:
    """Go's root pool as kaniko would load it."""
    return ctx.memo.get("truststore", lambda: ts.load(ctx.env, ctx.host_path, ca_bundle=ctx.ca_bundle))


def registry_certificates(ctx: Context) -> Loaded:
    """Every ``--registry-certificate HOST=PATH``, each file parsed like Go does."""
    return ctx.memo.get(
        "registry-certificates",
        lambda: ts.load_extra([(h, ctx.host_path(p)) for h, p in ctx.registry_certificates]),
    )


def pool_for(ctx: Context, registry: str) -> list[x509.Certificate]:
    """The roots kaniko verifies ``registry`` (and its token realm) against."""
    pool = list(kaniko_store(ctx).roots)
    if any(host == registry for host, _path in ctx.registry_certificates):
        pool += [c for _h, _sf, certs in registry_certificates(ctx) for c in certs]
    return pool


def transport_roots(ctx: Context, registry: str) -> list[x509.Certificate] | None:
    """What kaniko's transport for ``registry`` verifies servers with: the registry, its
    token realm, and an https:// proxy on the way all share its TLS config. None when
    kaniko skips verification for it (--skip-tls-verify, --skip-tls-verify-registry)."""
    if ctx.skip_tls_verify or registry in ctx.kaniko.all("skip-tls-verify-registry"):
        return None
    return pool_for(ctx, registry)
