"""One redactor per run: every secret the Context knows is masked in every output.

Secrets come from the environment (CI_REGISTRY_PASSWORD, CI_JOB_TOKEN, anything whose
name looks secret), from config.json (``auth`` values and their decoded
``user:password``, passwords, identity and registry tokens), from proxy URLs
(``user:pass@``) and, during a run, from tokens a token server hands out. Each secret is
masked in its literal, base64 and URL-encoded forms, because that is how they leak.
"""

from __future__ import annotations

import base64
import enum
import re
import threading
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar

MASK = "[REDACTED]"
# Shorter values are not masked: hiding "ab" everywhere would make every report unreadable
# and such a value is no secret worth the name. A test pins this boundary.
MIN_SECRET_LEN = 4

SECRET_VARIABLES = frozenset(
    {
        "CI_REGISTRY_PASSWORD",
        "CI_JOB_TOKEN",
        "CI_DEPENDENCY_PROXY_PASSWORD",
        "CI_DEPLOY_PASSWORD",
        "CI_BUILD_TOKEN",
        "DOCKER_AUTH_CONFIG",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN",
        "GOOGLE_APPLICATION_CREDENTIALS_JSON",
    }
)
_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|PASS$|SECRET|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY|AUTH$)", re.I)
# Names that match the pattern above but hold no secret.
_NOT_SECRET = frozenset({"CI_JOB_TOKEN_SCOPE", "GOOGLE_APPLICATION_CREDENTIALS", "AZURE_FEDERATED_TOKEN_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE"})
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "NO_PROXY", "no_proxy")
# user:pass@ in any URL-ish string, also for secrets we were never told about.
# Up to the *last* @ of the token: a password may hold / ? # (over-masking a path is fine).
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^\s\"'<>]+)@")
_AUTH_HEADER = re.compile(r"(?i)\b(authorization|proxy-authorization)(\s*[:=]\s*)(basic|bearer)?\s*[A-Za-z0-9._~+/=-]+")


def is_secret_variable(name: str) -> bool:
    if name in _NOT_SECRET:
        return False
    return name in SECRET_VARIABLES or bool(_SECRET_NAME.search(name))


def _forms(secret: str) -> set[str]:
    forms = {secret}
    raw = secret.encode("utf-8", "surrogateescape")
    b64 = base64.b64encode(raw).decode()
    forms.add(b64)
    forms.add(b64.rstrip("="))
    forms.add(base64.urlsafe_b64encode(raw).decode().rstrip("="))
    forms.add(urllib.parse.quote(secret, safe=""))
    forms.add(urllib.parse.quote_plus(secret, safe=""))
    forms.add(urllib.parse.quote(secret))
    return {f for f in forms if len(f) >= MIN_SECRET_LEN}


T = TypeVar("T")


class Redactor:
    """Masks known secrets. Per run, never global; safe to feed from several threads."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._forms: set[str] = set()
        self._ordered: tuple[str, ...] = ()  # longest first: a form inside a longer one goes with it
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        new: set[str] = set()
        for secret in secrets:
            if not secret or len(secret) < MIN_SECRET_LEN:
                continue
            new |= _forms(secret)
            # user:password pairs leak as their parts too.
            if ":" in secret:
                _user, _, password = secret.partition(":")
                if len(password) >= MIN_SECRET_LEN:
                    new |= _forms(password)
        with self._lock:
            if new - self._forms:
                self._forms |= new
                # Plain substring replacement, not one alternation regex: compiling that
                # regex took ~25 ms per added token (a JWT and its encodings are long).
                self._ordered = tuple(sorted(self._forms, key=len, reverse=True))

    def add_from_environment(self, env: Mapping[str, str]) -> None:
        for name, value in env.items():
            if is_secret_variable(name):
                self.add(value)
        for name in _PROXY_VARIABLES:
            value = env.get(name, "")
            scheme_end = value.find("://")
            token = value[scheme_end + 3 if scheme_end >= 0 else 0 :].split()[0] if value.strip() else ""
            if "@" in token:  # with or without a scheme; up to the last @
                raw = token.rpartition("@")[0]
                userinfo = urllib.parse.unquote(raw)
                self.add(raw, userinfo, raw.partition(":")[2], userinfo.partition(":")[2])

    def redact(self, text: str) -> str:
        with self._lock:
            ordered = self._ordered
        for form in ordered:
            if form in text:
                text = text.replace(form, MASK)
        text = _USERINFO.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)
        return _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)

    def redact_obj(self, obj: T) -> T:
        """Deep-redact strings in dataclasses, mappings, sequences (keys included)."""
        return self._walk(obj)  # type: ignore[no-any-return]

    def _walk(self, obj: Any) -> Any:
        if isinstance(obj, enum.Enum):
            return obj
        if isinstance(obj, str):
            return self.redact(obj)
        if isinstance(obj, Mapping):
            return {self._walk(k): self._walk(v) for k, v in obj.items()}
        if isinstance(obj, tuple):
            return tuple(self._walk(v) for v in obj)
        if isinstance(obj, list):
            return [self._walk(v) for v in obj]
        if is_dataclass(obj) and not isinstance(obj, type):
            changes = {f.name: self._walk(getattr(obj, f.name)) for f in fields(obj) if f.init}
            return replace(obj, **changes)
        return obj
