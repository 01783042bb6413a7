"""docker/cli config.json loading and go-containerregistry key lookup, as kaniko does them.

Sources mirrored (cite when changing):
- docker/cli ``cli/config/configfile/file.go`` ``LoadFromReader`` and ``decodeAuth``: the
  file is decoded with encoding/json (field names match case-insensitively), then *every*
  ``auths`` entry's ``auth`` is base64-decoded; one bad entry fails the whole load.
- docker/cli ``cli/config/credentials/file_store.go`` ``Get`` and ``ConvertToHostname``:
  exact key first, then any key whose hostname form equals the lookup key (port kept,
  case-sensitive; Go map order, so two such keys make the choice random).
- docker/cli ``file.go`` ``getConfiguredCredentialStore``: ``credHelpers[key]`` (exact)
  wins over ``credsStore``, which wins over the file.
- go-containerregistry ``pkg/authn/keychain.go`` ``Resolve``: keys ``target.String()``
  then ``target.RegistryStr()``, ``index.docker.io`` looked up as
  ``https://index.docker.io/v1/``; the first non-empty AuthConfig wins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from kanidoc.gosem import gobase64, gojson
from kanidoc.record import record

DOCKER_HUB_REGISTRY = "index.docker.io"
DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/"
DOCKER_HUB_ALIASES = frozenset(
    {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "hub.docker.com"}
)
_UNEXPANDED = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


@record
class AuthEntry:
    """One ``auths`` entry after docker/cli's load (``auth`` decoded into user/password)."""

    key: str
    username: str = ""
    password: str = ""
    identitytoken: str = ""
    registrytoken: str = ""
    had_auth: bool = False  # the entry carried an ``auth`` field (which overrides user/password)
    raw_auth: str = ""
    auth_error: str | None = None  # Go's error decoding ``auth``
    fields: tuple[str, ...] = ()  # JSON field names as written

    email: str = ""

    @property
    def empty(self) -> bool:
        """ggcr keychain.go stops at the first AuthConfig that is not the zero value (after
        clearing ServerAddress): any field, ``email`` included, ends the lookup, even when
        nothing usable is sent (then kaniko is anonymous and no later keychain is asked)."""
        return not (self.username or self.password or self.identitytoken or self.registrytoken or self.email)

    @property
    def kind(self) -> str:
        """What ggcr will do with it: bearer token, identity token, basic, or anonymous."""
        if self.registrytoken:
            return "registrytoken"
        if self.identitytoken:
            return "identitytoken"
        # ggcr sends Basic only when both are non-empty (pkg/v1/remote/transport/basic.go)
        if self.username and self.password:
            return "basic"
        return "anonymous"

    def secrets(self) -> list[str]:
        out = [self.password, self.identitytoken, self.registrytoken, self.raw_auth]
        if self.username and self.password:
            out.append(f"{self.username}:{self.password}")
        return [s for s in out if s]


@record
class DockerConfig:
    path: str
    auths: Mapping[str, AuthEntry] = field(default_factory=dict)
    creds_store: str = ""
    cred_helpers: Mapping[str, str] = field(default_factory=dict)
    has_proxies: bool = False
    syntax_error: gojson.GoJSONError | None = None
    type_error: str | None = None  # json: cannot unmarshal ...
    duplicate_auths_keys: tuple[str, ...] = ()

    @property
    def load_error(self) -> str | None:
        """The error docker/cli returns for the whole file (kaniko then fails every lookup)."""
        if self.syntax_error is not None:
            return self.syntax_error.message
        if self.type_error is not None:
            return self.type_error
        for entry in self.auths.values():
            if entry.auth_error:
                return entry.auth_error
        return None

    def secrets(self) -> list[str]:
        return [s for e in self.auths.values() for s in e.secrets()]


def _go_type(value: Any) -> str:
    # encoding/json UnmarshalTypeError.Value wording
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _fold_get(obj: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    """encoding/json matches struct fields exactly or, failing that, case-insensitively;
    with several matches the last one in the document wins (decode.go ``object``)."""
    found, value = False, None
    for key, val in obj.items():
        if key == name or key.lower() == name.lower():
            found, value = True, val
    return found, value


def decode_auth(auth: str, *, docker_cli_major: int = 28) -> tuple[str, str]:
    """docker/cli ``decodeAuth``: std base64 (padding required, CR/LF ignored), split at the
    first ``:``, NUL bytes trimmed from the password (they come from the over-sized decode
    buffer). An empty user name is rejected from docker/cli v23 (kaniko >= v1.9.2) only."""
    decoded = gobase64.std_decode(auth)
    text = decoded.decode("utf-8", "replace")
    user, sep, password = text.partition(":")
    if not sep or (not user and docker_cli_major >= 23):
        raise ValueError("Invalid auth configuration file")
    return user, password.strip("\x00")


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        out[k] = v
    return out


def load(text: str | bytes, path: str, *, docker_cli_major: int = 28) -> DockerConfig:
    """Load config.json text the way kaniko's docker/cli does; never raises."""
    err = gojson.check_syntax(text)
    if err is not None:
        return DockerConfig(path=path, syntax_error=err)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    try:
        seen_keys: list[list[str]] = []

        def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            seen_keys.append([k for k, _ in pairs])
            return _pairs_hook(pairs)

        # docker/cli decodes with json.NewDecoder(r).Decode: the first value only, trailing
        # data is never read (configfile/file.go LoadFromReader).
        doc, _end = json.JSONDecoder(object_pairs_hook=hook).raw_decode(text.lstrip("\ufeff").lstrip(" \t\r\n"))
    except (ValueError, RecursionError) as exc:  # syntax checked above; belt and braces
        return DockerConfig(path=path, type_error=f"invalid JSON: {exc}")
    if doc is None:
        return DockerConfig(path=path)  # `null` decodes into a zero ConfigFile
    if not isinstance(doc, dict):
        return DockerConfig(path=path, type_error=f"json: cannot unmarshal {_go_type(doc)} into Go value of type configfile.ConfigFile")
    found, auths_raw = _fold_get(doc, "auths")
    if found and auths_raw is not None and not isinstance(auths_raw, dict):
        return DockerConfig(path=path, type_error=f"json: cannot unmarshal {_go_type(auths_raw)} into Go struct field ConfigFile.auths of type map[string]types.AuthConfig")
    _, store = _fold_get(doc, "credsStore")
    _, helpers = _fold_get(doc, "credHelpers")
    if store is not None and not isinstance(store, str):
        return DockerConfig(path=path, type_error=f"json: cannot unmarshal {_go_type(store)} into Go struct field ConfigFile.credsStore of type string")
    if helpers is not None and not (isinstance(helpers, dict) and all(isinstance(v, str) for v in helpers.values())):
        return DockerConfig(path=path, type_error=f"json: cannot unmarshal {_go_type(helpers)} into Go struct field ConfigFile.credHelpers of type map[string]string")
    entries: dict[str, AuthEntry] = {}
    for key, raw in (auths_raw or {}).items():
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            return DockerConfig(path=path, type_error=f"json: cannot unmarshal {_go_type(raw)} into Go struct field ConfigFile.auths of type types.AuthConfig")
        values: dict[str, str] = {}
        for name in ("auth", "username", "password", "identitytoken", "registrytoken", "email", "serveraddress"):
            present, value = _fold_get(raw, name)
            if present and value is not None and not isinstance(value, str):
                return DockerConfig(path=path, type_error=f"json: cannot unmarshal {_go_type(value)} into Go struct field AuthConfig.auths.{name} of type string")
            values[name] = value or ""
        entry = AuthEntry(
            key=key,
            username=values["username"],
            password=values["password"],
            identitytoken=values["identitytoken"],
            registrytoken=values["registrytoken"],
            email=values["email"],
            had_auth=bool(values["auth"]),
            raw_auth=values["auth"],
            fields=tuple(raw.keys()),
        )
        if values["auth"]:
            try:
                user, password = decode_auth(values["auth"], docker_cli_major=docker_cli_major)
            except gobase64.GoBase64Error as exc:
                entry = _with(entry, auth_error=str(exc))
            except ValueError as exc:
                entry = _with(entry, auth_error=str(exc))
            else:
                entry = _with(entry, username=user, password=password)
        entries[key] = entry
    dupes = []
    for keys in seen_keys:
        counts: dict[str, int] = {}
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
        dupes += [k for k, n in counts.items() if n > 1 and k in entries]
    _, proxies = _fold_get(doc, "proxies")
    return DockerConfig(
        path=path,
        auths=entries,
        creds_store=store or "",
        cred_helpers=dict(helpers or {}),
        has_proxies=bool(proxies),
        duplicate_auths_keys=tuple(dict.fromkeys(dupes)),
    )


def _with(entry: AuthEntry, **changes: Any) -> AuthEntry:
    from dataclasses import replace

    return replace(entry, **changes)


def convert_to_hostname(key: str, *, docker_cli_major: int = 28) -> str:
    """docker/cli ``credentials.ConvertToHostname``.

    <= v26 (kaniko <= v1.23.2): strip a lower-case ``http://``/``https://``, cut at ``/``.
    >= v28 (kaniko v1.24.0): a key containing ``://`` is URL-parsed and becomes
    ``hostname[:port]``; otherwise cut at ``/``.
    """
    if docker_cli_major >= 28:
        if "://" in key:
            hostport = _go_url_hostport(key)
            if hostport is not None:
                return hostport
        return key.split("/", 1)[0]
    stripped = key
    if key.startswith("http://"):
        stripped = key[len("http://") :]
    elif key.startswith("https://"):
        stripped = key[len("https://") :]
    return stripped.split("/", 1)[0]


def _go_url_hostport(key: str) -> str | None:
    """``net.JoinHostPort(u.Hostname(), u.Port())`` after Go's url.Parse, or None when Go
    would fail or find no host. Go keeps the host's case (Python's urlsplit lowers it)."""
    _scheme, sep, rest = key.partition("://")
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", _scheme):
        return None
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            return None
        host, tail = authority[1:close], authority[close + 1 :]
        if tail and not tail.startswith(":"):
            return None
        port = tail[1:]
    else:
        host, _, port = authority.rpartition(":") if ":" in authority else (authority, "", "")
    if port and not port.isdigit():
        return None  # url.Parse: invalid port
    if not host:
        return None
    if port:
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return host


def docker_cli_major_for(kaniko: tuple[int, int, int] | None) -> int:
    """Which docker/cli a kaniko release vendors (research notes, toolchain table)."""
    if kaniko is None or kaniko >= (1, 24, 0):
        return 28
    if kaniko >= (1, 9, 2):
        return 23
    return 20


def auth_key_for(registry: str) -> str:
    # ggcr pkg/authn/keychain.go: `if key == name.DefaultRegistry { key = authn.DefaultAuthKey }`
    return DOCKER_HUB_AUTH_KEY if registry == DOCKER_HUB_REGISTRY else registry


@record
class Lookup:
    """The answer docker/cli gives ggcr for one key."""

    key: str
    store: str  # "file" or "helper:<name>"
    entry: AuthEntry | None = None  # file store: the matched entry
    matched_key: str | None = None  # the auths key that matched (exact or by hostname)
    exact: bool = False
    candidates: tuple[str, ...] = ()  # several auths keys match by hostname (random pick)


def get_auth_config(cfg: DockerConfig, key: str, *, docker_cli_major: int = 28) -> Lookup:
    helper = cfg.cred_helpers.get(key) if key else None
    if helper is None and cfg.creds_store:
        helper = cfg.creds_store
    if helper:
        return Lookup(key=key, store=f"helper:{helper}")
    if key in cfg.auths:
        return Lookup(key=key, store="file", entry=cfg.auths[key], matched_key=key, exact=True)
    matches = [k for k in cfg.auths if convert_to_hostname(k, docker_cli_major=docker_cli_major) == key]
    if not matches:
        return Lookup(key=key, store="file")
    return Lookup(key=key, store="file", entry=cfg.auths[matches[0]], matched_key=matches[0], candidates=tuple(matches))


def lookup_keys(registry: str, repository: str | None) -> list[str]:
    """ggcr Resolve's keys: the target's String() then RegistryStr()."""
    keys = []
    if repository:
        keys.append(f"{registry}/{repository}")
    keys.append(auth_key_for(registry))
    return list(dict.fromkeys(keys))


@record
class Resolution:
    registry: str
    keys: tuple[str, ...]
    lookup: Lookup | None  # the lookup that produced credentials (or the last one tried)
    kind: str  # basic | identitytoken | registrytoken | anonymous | helper

    @property
    def found(self) -> bool:
        """Credentials will be sent."""
        return self.kind != "anonymous"

    @property
    def stopped(self) -> bool:
        """The keychain stopped here (an entry or helper answered), even if it sends nothing:
        kaniko's later keychains (GitLab, ECR, ...) are then never asked (multikeychain.go)."""
        return self.kind != "anonymous" or (self.lookup is not None and self.lookup.entry is not None and not self.lookup.entry.empty)


def resolve(cfg: DockerConfig, registry: str, repository: str | None = None, *, docker_cli_major: int = 28) -> Resolution:
    keys = lookup_keys(registry, repository)
    last: Lookup | None = None
    for key in keys:
        last = get_auth_config(cfg, key, docker_cli_major=docker_cli_major)
        if last.store.startswith("helper:"):
            return Resolution(registry, tuple(keys), last, "helper")
        if last.entry is not None and not last.entry.empty:
            return Resolution(registry, tuple(keys), last, last.entry.kind)
    return Resolution(registry, tuple(keys), last, "anonymous")


@record
class NearMiss:
    config_key: str
    reason: str


def near_misses(cfg: DockerConfig, lookup_key: str, *, docker_cli_major: int = 28) -> list[NearMiss]:
    """auths keys that look meant for this registry but that kaniko will not match."""
    out: list[NearMiss] = []
    want_host, _, want_port = lookup_key.partition(":") if "://" not in lookup_key else (lookup_key, "", "")
    for key in cfg.auths:
        host = convert_to_hostname(key, docker_cli_major=docker_cli_major)
        if host == lookup_key or key == lookup_key:
            continue
        name, _, port = host.partition(":")
        if lookup_key == DOCKER_HUB_AUTH_KEY:
            if name.lower() in DOCKER_HUB_ALIASES:
                out.append(NearMiss(key, f"Docker Hub credentials are looked up only under '{DOCKER_HUB_AUTH_KEY}', not '{key}'"))
            continue
        if name == want_host and port != want_port:
            out.append(NearMiss(key, f"entry for '{host}', but kaniko will look up '{lookup_key}' (the port must match exactly)"))
        elif host.lower() == lookup_key.lower():
            out.append(NearMiss(key, f"entry for '{host}', but key matching is case-sensitive and kaniko will look up '{lookup_key}'"))
        elif key.split("://", 1)[-1].lower().startswith(lookup_key.lower()) and "://" in key and host != lookup_key:
            out.append(NearMiss(key, f"'{key}' is not reduced to '{lookup_key}' by this docker/cli (v{docker_cli_major}); write the key as '{lookup_key}'"))
        elif "/" in key.split("://", 1)[-1].rstrip("/") and host == lookup_key:
            pass
    return out


# Variables people write into config.json recipes; names outside this set and the job's
# environment are withheld, because the text after a literal `$` is part of a secret.
WELL_KNOWN_VARIABLES = frozenset({
    "CI_REGISTRY", "CI_REGISTRY_USER", "CI_REGISTRY_PASSWORD", "CI_JOB_TOKEN", "CI_DEPLOY_USER",
    "CI_DEPLOY_PASSWORD", "CI_DEPENDENCY_PROXY_USER", "CI_DEPENDENCY_PROXY_PASSWORD",
    "CI_DEPENDENCY_PROXY_SERVER", "CI_REGISTRY_IMAGE", "DOCKER_AUTH_CONFIG", "DOCKERHUB_USER",
    "DOCKERHUB_TOKEN", "DOCKERHUB_PASSWORD", "REGISTRY_USER", "REGISTRY_PASSWORD",
})


def unexpanded_variables(*values: str, known: frozenset[str] | set[str] = WELL_KNOWN_VARIABLES) -> list[str]:
    """``$VAR``/``${VAR}`` left literally in a value: a variable the shell did not expand.

    A real password may contain ``$``: only a known variable name after the ``$`` (the job's
    variables, the usual CI ones), or a value that is nothing but ``$NAME``/``${NAME}``, counts.
    Unknown names are shown as ``$…`` so no secret text leaks.
    """
    found: list[str] = []
    for value in values:
        whole = re.fullmatch(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", value) is not None
        for m in _UNEXPANDED.finditer(value):
            name = m.group(0).lstrip("${").rstrip("}")
            prefix = max((k for k in known if name.startswith(k)), key=len, default=None)
            if prefix:
                found.append(f"${prefix}")
            elif whole:
                found.append("$…")
    return list(dict.fromkeys(found))
