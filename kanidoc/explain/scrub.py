"""Mask secrets a job log shows about itself before any of its text is kept.

The run's Redactor knows the secrets of kanidoc's own environment; a customer's log carries
its own: a ``set -x`` echo of the config.json line (``"auth":"dXNlcjpwYXNz"``), ``docker
login -p``, ``Authorization: Basic/Bearer`` headers, tokens in URLs (``?token=``,
``access_token=``, signed storage URLs), ``user:pass@`` URLs, JWTs, ``*_TOKEN=...``
assignments. Each secret found is masked where it stands and also fed to the Redactor, so
its other spellings (base64, URL-encoded, the password inside a decoded ``auth``) are masked
wherever they appear later, and a final ``redact_obj`` pass over the report catches the
ones that appeared before the line that revealed them.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse

from kanidoc.redact import MASK, MIN_SECRET_LEN, Redactor, is_secret_variable

# the needles (lower case) that make the scanner hand a line to the scrubber
# (JWTs, Basic/Bearer values, signed URLs and the like are masked in every line kept; these few
# words only decide which other lines are read to learn secrets early.)
NEEDLES = ("auth", "pass", "token", "secret")

_JSON_SECRET = re.compile(
    r"""(?i)(\\*["'](?:auth|password|passwd|pass|token|identitytoken|identity_token|registrytoken|access_token|"""
    r"""refresh_token|secret|client_secret|api_key|apikey|private_key)\\*["']\s*:\s*\\*["'])([^"'\\\s]+)"""
)
_ASSIGNMENT = re.compile(r"""\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s"']+)""")
_QUERY = re.compile(
    r"(?i)([?&;](?:token|access_token|refresh_token|id_token|password|passwd|pass|secret|client_secret|signature|sig|"
    r"x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|ossaccesskeyid|"
    r"accesskeyid|key|apikey|api_key|private_token|job_token|auth|code)=)([^&\s\"'#;:]+)"
)
_SCHEME_TOKEN = re.compile(r"(?i)\b(basic|bearer|token)(\s+)([A-Za-z0-9._~+/-]{6,}=*)")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]*)?")
_VENDOR_TOKEN = re.compile(
    r"\b(?:(?:glpat|gldt|glrt|glcbt|glptt|glft|glimt|glagent|glsoat|gloas)-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{30,}|"
    r"AKIA[0-9A-Z]{16})"
)
_LOGIN_FLAG = re.compile(r"(?:^|\s)(?:-p|--password|--registry-password|--creds|-u)(?:\s+|=)(\S+)")
_USERINFO = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://([^/@\s\"']+)@")


def _looks_secret(value: str) -> bool:
    """A Basic/Bearer/token word that is a credential, not prose ("Basic authentication")."""
    return len(value) >= 24 or any(c.isdigit() or c in "=+/._-" for c in value)


class LogScrubber:
    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor

    def _keep(self, secret: str) -> str:
        secret = secret.strip("\"'")
        if len(secret) >= MIN_SECRET_LEN and MASK not in secret:
            self.redactor.add(secret)
            self._decoded(secret)
        return MASK

    def _decoded(self, value: str) -> None:
        """An ``auth`` value decodes to user:password: its parts leak on their own too."""
        if len(value) < 8 or len(value) % 4 not in (0, 2, 3):
            return
        try:
            raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
        except (binascii.Error, ValueError):
            return
        text = raw.decode("utf-8", "replace")
        if ":" in text and text.isprintable():
            self.redactor.add(text)

    def scrub(self, text: str) -> str:
        """Mask what looks secret in ``text`` (and remember it), then apply the Redactor."""
        if "=" in text or '"' in text or "'" in text:
            text = _JSON_SECRET.sub(lambda m: m.group(1) + self._keep(m.group(2)), text)
            text = _QUERY.sub(lambda m: m.group(1) + self._keep(urllib.parse.unquote(m.group(2))) if m.group(2) != MASK else m.group(0), text)
            text = _ASSIGNMENT.sub(self._assignment, text)
        if "://" in text and "@" in text:
            for m in _USERINFO.finditer(text):
                userinfo = urllib.parse.unquote(m.group(1))
                self.redactor.add(m.group(1), userinfo, userinfo.partition(":")[2])
        text = _SCHEME_TOKEN.sub(self._scheme_token, text)
        text = _JWT.sub(lambda m: self._keep(m.group(0)), text)
        text = _VENDOR_TOKEN.sub(lambda m: self._keep(m.group(0)), text)
        if "login" in text or "--creds" in text or "--password" in text:
            text = _LOGIN_FLAG.sub(self._login_flag, text)
        return self.redactor.redact(text)

    def _assignment(self, m: re.Match[str]) -> str:
        name, value = m.group(1), m.group(2)
        if not is_secret_variable(name.upper()) or value.strip("\"'").startswith("$") or MASK in value:
            return m.group(0)
        return f"{name}={self._keep(value)}"

    def _scheme_token(self, m: re.Match[str]) -> str:
        if not _looks_secret(m.group(3)) or m.group(3).lower().startswith(("realm", "scope", "service")):
            return m.group(0)
        return m.group(1) + m.group(2) + self._keep(m.group(3))

    def _login_flag(self, m: re.Match[str]) -> str:
        flag_text = m.group(0)
        value = m.group(1)
        if value.startswith("$") or MASK in value or flag_text.strip().startswith("-u"):
            if flag_text.strip().startswith("-u") and ":" in value and not value.startswith("$"):  # -u user:pass
                return flag_text.replace(value, self._keep(value))
            return flag_text
        return flag_text.replace(value, self._keep(value))
