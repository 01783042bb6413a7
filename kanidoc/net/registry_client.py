"""An HTTP client for replaying kaniko's registry requests, configured the way kaniko's
transport is: the proxy Go picked (never httpx's own environment rules), kaniko's trust
store (or none with --skip-tls-verify*), bounded timeouts and bounded bodies.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # httpx is imported when a request is replayed (start-up cost)
    import httpx

from kanidoc import __version__
from kanidoc.gosem.proxy import ProxyURL
from kanidoc.net.httpwire import body_kind

MAX_BODY = 64 * 1024
USER_AGENT = f"kanidoc/{__version__} (replaying go-containerregistry)"


@dataclass(frozen=True)
class Reply:
    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes
    url: str
    www_authenticate: tuple[str, ...] = ()
    error: str | None = None  # transport error (no reply)

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8", "replace"))
        except ValueError:
            return None

    @property
    def registry_errors(self) -> list[dict[str, Any]]:
        doc = self.json
        if isinstance(doc, dict) and isinstance(doc.get("errors"), list):
            return [e for e in doc["errors"] if isinstance(e, dict)]
        return []

    @property
    def from_registry(self) -> bool:
        """A registry's answer carries the distribution header or a JSON ``errors`` body
        (research/registry-protocol.md 1.6); a proxy, load balancer or WAF's does not."""
        return "docker-distribution-api-version" in self.headers or bool(self.registry_errors)

    @property
    def body_kind(self) -> str:
        return body_kind(self.body, self.headers.get("content-type"))

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "body": self.body_kind,
                               "content_type": self.headers.get("content-type"), "server": self.headers.get("server"),
                               "docker_distribution_api_version": self.headers.get("docker-distribution-api-version")}
        codes = [str(e.get("code")) for e in self.registry_errors]
        if codes:
            out["registry_error_codes"] = codes
            out["registry_messages"] = [str(e.get("message", ""))[:200] for e in self.registry_errors]
        return {k: v for k, v in out.items() if v is not None}


@dataclass
class RegistryClient:
    proxy: ProxyURL | None
    verify: ssl.SSLContext | bool
    connect_timeout: float
    read_timeout: float
    _client: httpx.Client | None = field(default=None, init=False, repr=False)

    def __enter__(self) -> RegistryClient:
        import httpx

        proxy = None
        if self.proxy is not None:
            auth = ""
            if self.proxy.username is not None:
                auth = urllib.parse.quote(self.proxy.username, safe="") + ":" + urllib.parse.quote(self.proxy.password or "", safe="") + "@"
            host = f"[{self.proxy.host}]" if ":" in self.proxy.host else self.proxy.host
            proxy = f"{self.proxy.scheme}://{auth}{host}:{self.proxy.port}"
        self._client = httpx.Client(
            proxy=proxy, verify=self.verify, trust_env=False, follow_redirects=False,
            timeout=httpx.Timeout(self.read_timeout, connect=self.connect_timeout),
            headers={"User-Agent": USER_AGENT},
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()

    def request(self, method: str, url: str, headers: Mapping[str, str] | None = None,
                data: Mapping[str, str] | None = None) -> Reply:
        """One request under a *total* deadline, whatever the server does.

        httpx's timeouts are per read: a server dripping its *headers* a byte at a time never
        trips them, and nothing can be closed before the headers arrive. So the exchange runs
        in a daemon thread; past the deadline it is abandoned (its client closed, a fresh one
        used from then on) and the caller gets a "no complete answer" reply in time."""
        total = self.connect_timeout + self.read_timeout
        box: list[Reply] = []
        worker = threading.Thread(target=lambda: box.append(self._request(method, url, headers, data)), daemon=True)
        worker.start()
        worker.join(total + 0.5)
        if box:
            return box[0]
        stuck = self._client
        self.__enter__()  # a new httpx client: the old one may still be in use by the stuck thread
        if stuck is not None:
            with contextlib.suppress(Exception):
                stuck.close()
        return Reply(0, "", {}, b"", url, error=f"no complete answer within {total:g} s")

    def _request(self, method: str, url: str, headers: Mapping[str, str] | None = None,
                 data: Mapping[str, str] | None = None) -> Reply:
        """The exchange itself; a watchdog closes the response if its body outlives the deadline."""
        import httpx

        assert self._client is not None
        total = self.connect_timeout + self.read_timeout
        expired = threading.Event()
        streams: list[httpx.Response] = []

        def kill() -> None:
            expired.set()
            for resp in streams:
                with contextlib.suppress(Exception):
                    resp.close()

        watchdog = threading.Timer(total, kill)
        watchdog.daemon = True
        watchdog.start()
        start = time.monotonic()
        try:
            with self._client.stream(method, url, headers=dict(headers or {}), data=data) as resp:
                streams.append(resp)
                body = b""
                for chunk in resp.iter_bytes():
                    body += chunk
                    if len(body) >= MAX_BODY or time.monotonic() - start > total:
                        break
                return Reply(resp.status_code, resp.reason_phrase, {k.lower(): v for k, v in resp.headers.items()},
                             body[:MAX_BODY], url, tuple(resp.headers.get_list("www-authenticate")))
        except (httpx.HTTPError, httpx.StreamError, ssl.SSLError, OSError, ValueError, RuntimeError) as exc:
            if expired.is_set():
                return Reply(0, "", {}, b"", url, error=f"no complete answer within {total:g} s")
            return Reply(0, "", {}, b"", url, error=f"{type(exc).__name__}: {exc}")
        finally:
            watchdog.cancel()
