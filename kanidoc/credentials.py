"""kaniko's credential providers after config.json, shared by the auth and push checks.

kaniko's keychain (``pkg/creds/creds.go``, v1.8.0+) is a MultiKeychain: the docker config
first, then Google, ECR and ACR in-process helpers and, from v1.9.0, a GitLab one for
``$CI_REGISTRY``'s host. The first authenticator that is not anonymous wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kanidoc.targets import gitlab_helper_registry, registry_hostname

_ECR = re.compile(r"^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.(amazonaws\.com(\.cn)?|sc2s\.sgov\.gov|c2s\.ic\.gov)$")


def version_tuple(text: str | None) -> tuple[int, int, int] | None:
    if not text:
        return None
    m = re.search(r"v?(\d+)\.(\d+)\.(\d+)", text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def builtin_provider(registry: str, env: Mapping[str, str], version: tuple[int, int, int] | None) -> str | None:
    """kaniko's in-process keychains after config.json (pkg/creds/creds.go, v1.8.0+)."""
    host = registry_hostname(registry)
    if gitlab_helper_registry(registry, env) and (version is None or version >= (1, 9, 0)):
        if env.get("CI_REGISTRY_USER") and env.get("CI_REGISTRY_PASSWORD"):
            return "GitLab CI helper (CI_REGISTRY_USER/CI_REGISTRY_PASSWORD, kaniko >= v1.9.0)"
        return None
    if version is not None and version < (1, 8, 0):
        return None
    if host == "gcr.io" or host.endswith((".gcr.io", ".pkg.dev")):
        return "Google keychain (application default credentials)"
    if _ECR.match(host) or host == "public.ecr.aws":
        return "ECR helper (AWS SDK default credential chain)"
    if host.endswith((".azurecr.io", ".azurecr.cn", ".azurecr.de", ".azurecr.us")):
        return "ACR helper (AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID or federated token)"
    return None


