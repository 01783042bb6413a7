"""A small Docker token server of our own (loopback only) for the registry's bearer auth.

Issues ES256 JWTs that distribution 2.8 accepts: ``kid`` is the libtrust fingerprint of
the signing key (SHA-256 of the SPKI DER, first 30 bytes, base32, ':' every 4 chars),
the signature is raw r||s, ``aud`` a single string (registry-protocol.md 5.3).
Users get per-repository actions; modes reproduce a token service that answers 403.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import http.server
import json
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

ISSUER = "kanidoc-lab-issuer"
SERVICE = "kanidoc-lab-registry"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_kid(key: ec.EllipticCurvePublicKey) -> str:
    spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = base64.b32encode(hashlib.sha256(spki).digest()[:30]).decode().rstrip("=")
    return ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))


@dataclass
class User:
    password: str
    actions: tuple[str, ...] = ("pull",)
    token_status: int = 200  # 403: the token service refuses this user


@dataclass
class TokenServer:
    port: int
    cert_path: Path
    issued: list[str] = field(default_factory=list)  # tokens handed out (canary checks)
    requests: list[str] = field(default_factory=list)

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def registry_auth(self) -> dict[str, str]:
        return {"realm": self.realm, "service": SERVICE, "issuer": ISSUER, "rootcertbundle": str(self.cert_path)}


def _signing_material(workdir: Path) -> tuple[ec.EllipticCurvePrivateKey, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kanidoc lab token signer")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    path = workdir / "token-signer.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, path


def make_jwt(key: ec.EllipticCurvePrivateKey, subject: str, access: list[dict[str, object]]) -> str:
    now = int(time.time())
    header = {"typ": "JWT", "alg": "ES256", "kid": libtrust_kid(key.public_key())}
    claims = {"iss": ISSUER, "sub": subject, "aud": SERVICE, "exp": now + 300, "nbf": now - 10, "iat": now,
              "jti": uuid.uuid4().hex, "access": access}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    der = key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


@contextlib.contextmanager
def token_server(workdir: Path, users: dict[str, User], *, mode: str = "normal", opaque: bool = False) -> Iterator[TokenServer]:
    """mode: normal | deny-all (403 for everyone) | garbage (200 with a non-JSON body)."""
    workdir.mkdir(parents=True, exist_ok=True)
    key, cert_path = _signing_material(workdir)
    state = TokenServer(0, cert_path)

    class Handler(http.server.BaseHTTPRequestHandler):
        def _reply(self, status: int, body: dict[str, object] | bytes) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            state.requests.append(url.query)
            if mode == "deny-all":
                return self._reply(403, {"errors": [{"code": "DENIED", "message": "access forbidden"}]})
            if mode == "garbage":
                return self._reply(200, b"<html>maintenance</html>")
            query = urllib.parse.parse_qs(url.query)
            user_name = ""
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                try:
                    user_name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                except Exception:
                    return self._reply(400, {"details": "bad authorization header"})
                user = users.get(user_name)
                if user is None or user.password != password:
                    return self._reply(401, {"details": "incorrect username or password"})
                if user.token_status != 200:
                    return self._reply(user.token_status, {"details": "access forbidden"})
                granted = set(user.actions)
            else:
                granted = set()  # anonymous: a token that grants nothing, as Docker Hub does
            access = []
            for scope in query.get("scope", []):
                parts = scope.split(":")
                if len(parts) == 3 and parts[0] == "repository":
                    wanted = set(parts[2].split(","))
                    access.append({"type": "repository", "name": parts[1], "actions": sorted(wanted & granted)})
            token = uuid.uuid4().hex + uuid.uuid4().hex if opaque else make_jwt(key, user_name or "anonymous", access)
            state.issued.append(token)
            return self._reply(200, {"token": token, "access_token": token, "expires_in": 300})

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = srv.server_address[1]
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield state
    finally:
        srv.shutdown()
        srv.server_close()
