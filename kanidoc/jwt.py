"""Read a registry token's claims without verifying it (we are not its audience).

Only the ``access`` claim matters: which actions the token service granted on which
repository (distribution ``registry/auth/token``; GitLab puts the same shape in its JWT).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from kanidoc.record import record

MAX_TOKEN = 64 * 1024


@record
class Claims:
    header: dict[str, Any]
    claims: dict[str, Any]

    def actions(self, repository: str) -> set[str] | None:
        """Granted actions on ``repository`` (None: no access claim at all)."""
        access = self.claims.get("access")
        if not isinstance(access, list):
            return None
        granted: set[str] = set()
        for entry in access:
            if not isinstance(entry, dict) or entry.get("type") != "repository":
                continue
            if entry.get("name") != repository:
                continue
            actions = entry.get("actions")
            if isinstance(actions, list):
                granted |= {str(a) for a in actions}
        return granted

    def public(self) -> dict[str, Any]:
        """Claims safe to show: no signature, no token; access, audience, issuer, subject, times."""
        keep = ("iss", "sub", "aud", "exp", "nbf", "iat", "access", "user", "project_path", "auth_type", "user_type")
        return {k: self.claims[k] for k in keep if k in self.claims}


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def decode_unverified(token: str) -> Claims | None:
    """None for anything that is not a three-part JWT with JSON objects in it."""
    if len(token) > MAX_TOKEN or token.count(".") != 2:
        return None
    head, body, _sig = token.split(".")
    try:
        header = json.loads(_b64url(head))
        claims = json.loads(_b64url(body))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return Claims(header, claims)
