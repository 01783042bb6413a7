"""Read a job log in one streaming pass and unwrap kaniko's error chains.

Memory stays bounded whatever the log: the file is read in blocks of ``BLOCK_SIZE`` bytes cut
at line ends; a physical line longer than ``MAX_LINE`` bytes is cut there and the rest skipped.
Nothing is kept between blocks but the unfinished last line and a few context lines.

Most of a 100 MB log is build output nobody needs to look at. A block is lowered once and
searched for the needles (plain substrings, C speed); only the lines that contain one are
decoded, cleaned and matched against the signatures.

Cleaning undoes what CI systems and kaniko wrap around a message:

* GitLab's timestamps (``FF_TIMESTAMPS``: ``2024-01-01T00:00:00.000000Z 00O ``; a ``+`` after
  the stream marker continues the previous line, which is joined back);
* GitLab's collapsible-section markers (``section_start:1700000000:step_script\\r\\e[0K``);
* ANSI colour and erase sequences, carriage-return overwrites (the last text written wins);
* kaniko's logrus prefixes (``INFO[0000]``, ``ERRO[0001]``, ``time="..." level=error msg="..."``,
  ``--log-format=json``) and Go's ``log`` timestamps (``2019/05/06 00:47:39``), keeping the level.
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from kanidoc.record import record

BLOCK_SIZE = 1 << 20
MAX_LINE = 16 * 1024  # bytes kept of one physical line
MAX_JOINED = 4  # continuation lines joined into one logical line
CONTEXT = 2  # cleaned lines kept before a candidate

_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z [0-9a-fA-F]{2}[OE](\+?) ?")
_TS_BYTES = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z [0-9a-fA-F]{2}[OE]\+ ?")  # a continuation
_SECTION = re.compile(r"section_(?:start|end):\d+:[A-Za-z0-9_.-]*(?:\[[^\]\r\n]*\])?\r?(?:\x1b\[0?K)?")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_GOLOG = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? ")
_LOGRUS = re.compile(r"^(INFO|WARN|WARNING|ERRO|ERROR|FATA|FATAL|DEBU|DEBUG|TRAC|TRACE|PANI|PANIC)\[[^\]]{0,40}\] ?")
_LOGFMT = re.compile(r'^time="[^"]*"\s+level=(\w+)\s+msg="((?:[^"\\]|\\.)*)"')
_LEVELS = {
    "info": "info", "warn": "warning", "warning": "warning", "erro": "error", "error": "error",
    "fata": "fatal", "fatal": "fatal", "debu": "debug", "debug": "debug", "trac": "trace",
    "trace": "trace", "pani": "panic", "panic": "panic",
}


@record
class Candidate:
    """A cleaned log line that contains at least one needle."""

    number: int  # 1-based physical line number where the logical line starts
    text: str
    level: str | None  # logrus level, when kaniko logged one
    raw_context: tuple[bytes, ...] = ()  # the preceding physical lines, oldest first (cleaned on demand)

    @property
    def context(self) -> tuple[str, ...]:
        out = []
        for raw in self.raw_context:
            text = clean_line(_decode(raw))[0]
            if text:
                out.append(text[:300])
        return tuple(out)


@dataclass
class ScanStats:
    lines: int = 0
    bytes: int = 0
    candidates: int = 0
    cut_lines: int = 0  # physical lines longer than MAX_LINE, cut


def clean_line(raw: str) -> tuple[str, str | None, bool]:
    """One (logical) line -> (text, logrus level, continues the previous line)."""
    text = raw.rstrip("\n").rstrip("\r")
    continues = False
    if text[:1].isdigit():
        m = _TS.match(text)
        if m:
            continues = bool(m.group(1))
            text = text[m.end():]
    if "section_" in text:
        text = _SECTION.sub("", text)
    if "\r" in text:
        parts = [p for p in text.split("\r") if _ANSI.sub("", p).strip()]
        text = parts[-1] if parts else ""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if not text.isprintable():
        text = _CONTROL.sub("", text.replace("\t", " "))
    text = text.strip()
    level: str | None = None
    if text[:1].isdigit():
        m = _GOLOG.match(text)
        if m:
            text = text[m.end():]
    if text[:1] in "IWEFDTP":
        m = _LOGRUS.match(text)
        if m:
            level = _LEVELS.get(m.group(1).lower())
            text = text[m.end():].strip()
    elif text.startswith("time=") and "level=" in text:
        m = _LOGFMT.match(text)
        if m:
            level = _LEVELS.get(m.group(1).lower())
            text = m.group(2).replace('\\"', '"').replace("\\\\", "\\")
    elif text.startswith('{"') and '"msg"' in text:
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if isinstance(doc, dict) and isinstance(doc.get("msg"), str):
            level = _LEVELS.get(str(doc.get("level", "")).lower())
            text = doc["msg"]
    return text, level, continues


MAX_PREFILTER_HITS = 500_000  # more matching lines than this: the Python scan is as good


class GrepHits:
    """Byte offsets of the lines that contain a needle, as GNU grep's multi-pattern matcher
    (``-F``) finds them, read *while grep is still scanning*.

    One ``bytes.find`` pass per needle costs about 0.5 ms per MiB each; grep finds all of
    them in one pass, on the other core: the Python pass over the file (line numbers,
    context) runs meanwhile and asks, block by block, whether grep matched anything there
    (``--line-buffered``: an answer as soon as grep has passed the block). The answer only
    says which blocks to look at; the lines themselves are still read, cut, cleaned and
    matched by the Python code below, so verdicts are the same. When grep is missing,
    fails or matches too much, every block is looked at, as without it.
    """

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self._proc = proc
        self._pending: collections.deque[int] = collections.deque()
        self._seen = 0
        self._eof = False
        self._broken = False

    @classmethod
    def start(cls, path: str, needles: Sequence[bytes]) -> GrepHits | None:
        grep = shutil.which("grep")
        if grep is None or not os.path.isfile(path) or not needles:
            return None
        args = [grep, "-a", "-b", "-F", "-i", "--line-buffered"]
        for needle in needles:
            args += ["-e", needle.decode("latin-1")]
        try:
            proc = subprocess.Popen([*args, "--", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
        except OSError:
            return None
        return cls(proc)

    def any_in(self, start: int, end: int) -> bool:
        """Is there a matched line starting in [start, end)? Ranges are asked in file order."""
        stdout = self._proc.stdout
        assert stdout is not None
        while not self._broken:
            while self._pending and self._pending[0] < start:
                self._pending.popleft()
            if self._pending:
                return self._pending[0] < end
            if self._eof:
                return False
            line = stdout.readline()
            if not line:
                self._eof = True
                if self._proc.wait() not in (0, 1):  # 1: no line matched; anything else: no answer
                    self._broken = True
                continue
            number, sep, _rest = line.partition(b":")
            if sep and number.isdigit():
                self._pending.append(int(number))
                self._seen += 1
                if self._seen > MAX_PREFILTER_HITS:
                    self.close()
                    self._broken = True
        return True

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


def grep_offsets(path: str, needles: Sequence[bytes]) -> list[int] | None:
    """Every offset GrepHits would report (tests), or None when grep gives no answer."""
    hits = GrepHits.start(path, needles)
    if hits is None:
        return None
    out: list[int] = []
    try:
        while not hits._broken:
            if not hits.any_in(out[-1] + 1 if out else 0, 1 << 62):
                return out
            out.append(hits._pending.popleft())
        return None
    finally:
        hits.close()


def scan(stream: BinaryIO, needles: Sequence[bytes], stats: ScanStats) -> Iterator[Candidate]:
    """Yield every (cleaned) line that contains one of ``needles`` (lower case bytes)."""
    name = getattr(stream, "name", None)
    hits = None
    if isinstance(name, str) and os.path.isfile(name):
        try:
            at_start = stream.tell() == 0
        except (OSError, ValueError):
            at_start = False
        hits = GrepHits.start(name, needles) if at_start else None
    try:
        yield from _scan(stream, needles, stats, hits)
    finally:
        if hits is not None:
            hits.close()


def _scan(stream: BinaryIO, needles: Sequence[bytes], stats: ScanStats, hits: GrepHits | None) -> Iterator[Candidate]:
    """One pass over the stream in blocks of whole lines. Without grep every block is
    matched as it is read; with grep running on the other core, the pass only counts lines
    and keeps each block's place (offset, line number, context), and the blocks grep
    matched are read again afterwards: the pass never waits for grep, which only reports
    a block once it has found a later match or reached the end."""
    carry = b""
    skipping = False  # inside a physical line longer than MAX_LINE: drop until its end
    tail: tuple[bytes, ...] = ()  # last physical lines of the previous block (context)
    base = 0  # physical lines before the current block
    consumed = 0  # bytes read from the stream so far
    deferred: list[tuple[int, int, bool, int, tuple[bytes, ...]]] = []  # offset, length, cut, base, tail

    def emit(block: bytes, start: int, cut: bool) -> Iterator[Candidate]:
        """``block`` is the file's bytes from ``start`` (plus a newline when a long line was cut)."""
        if hits is None:
            yield from _block(block, base, needles, tail, stats)
        else:
            deferred.append((start, len(block) - cut, cut, base, tail))

    while True:
        data = stream.read(BLOCK_SIZE)
        if not data:
            if carry:
                yield from emit(carry + b"\n", consumed - len(carry), True)
                stats.lines += 1
            break
        consumed += len(data)
        stats.bytes += len(data)
        if skipping:
            nl = data.find(b"\n")
            if nl == -1:
                continue
            data = data[nl + 1:]
            skipping = False
        buf = carry + data
        buf_start = consumed - len(buf)  # buf is contiguous file content
        cut = buf.rfind(b"\n")
        if cut == -1:
            carry = buf
            if len(carry) > MAX_LINE:
                block, carry, skipping = carry[:MAX_LINE] + b"\n", b"", True
                stats.cut_lines += 1
                yield from emit(block, buf_start, True)
                base += 1
                stats.lines += 1
                tail = (block[:-1],)
            continue
        block, carry = buf[: cut + 1], buf[cut + 1:]
        long_line = len(carry) > MAX_LINE
        if long_line:
            block += carry[:MAX_LINE] + b"\n"
            carry, skipping = b"", True
            stats.cut_lines += 1
        yield from emit(block, buf_start, long_line)
        count = block.count(b"\n")
        base += count
        stats.lines += count
        tail = _last_lines(block, CONTEXT)
    if hits is None:
        return
    for start, length, was_cut, block_base, block_tail in deferred:
        if hits.any_in(start, start + length):
            stream.seek(start)
            block = stream.read(length) + (b"\n" if was_cut else b"")
            yield from _block(block, block_base, needles, block_tail, stats)


def _last_lines(block: bytes, n: int) -> tuple[bytes, ...]:
    end = len(block) - 1  # block ends with "\n"
    out: list[bytes] = []
    while len(out) < n and end > 0:
        start = block.rfind(b"\n", 0, end) + 1
        out.append(block[start:end])
        end = start - 1
    return tuple(reversed(out))


def _decode(raw: bytes) -> str:
    return raw[:MAX_LINE].decode("utf-8", "replace")


def _block(block: bytes, base: int, needles: Sequence[bytes], tail: tuple[bytes, ...], stats: ScanStats) -> Iterator[Candidate]:
    low = block.lower()
    starts: set[int] = set()
    for needle in needles:
        pos = low.find(needle)
        while pos != -1:
            start = low.rfind(b"\n", 0, pos) + 1
            starts.add(start)
            end = low.find(b"\n", pos)
            pos = low.find(needle, end) if end != -1 else -1
    if not starts:
        return
    seen: set[int] = set()
    line_no, counted_to = base, 0
    for start in sorted(starts):
        # a continuation line ("...Z 00O+") belongs to the logical line before it
        first = start
        for _ in range(MAX_JOINED):
            if first == 0 or not _TS_BYTES.match(block, first):
                break
            first = block.rfind(b"\n", 0, first - 1) + 1
        if first in seen:
            continue
        seen.add(first)
        line_no += block.count(b"\n", counted_to, first)
        counted_to = first
        end = block.find(b"\n", first)
        raw = block[first:end].rstrip(b"\r")
        for _ in range(MAX_JOINED):  # join the continuation lines that follow, before cleaning
            nxt = end + 1
            m = _TS_BYTES.match(block, nxt) if nxt < len(block) else None
            if m is None:
                break
            end = block.find(b"\n", nxt)
            if len(raw) < MAX_LINE:
                raw += block[m.end():end].rstrip(b"\r")
            seen.add(nxt)
        text, level, _ = clean_line(_decode(raw))
        if not text:
            continue
        stats.candidates += 1
        yield Candidate(line_no + 1, text, level, _context(block, first, tail))


def _context(block: bytes, start: int, tail: tuple[bytes, ...]) -> tuple[bytes, ...]:
    raws: list[bytes] = []
    end = start - 1
    while len(raws) < CONTEXT and end >= 0:
        begin = block.rfind(b"\n", 0, end) + 1
        raws.append(block[begin:end][:MAX_LINE])
        end = begin - 1
    if len(raws) < CONTEXT:
        raws.extend(reversed(tail[-(CONTEXT - len(raws)):] if tail else ()))
    return tuple(reversed(raws))


# --- error chains --------------------------------------------------------------------------

_REQUEST = re.compile(
    r'\b(?P<method>GET|HEAD|POST|PUT|PATCH|DELETE|Get|Head|Post|Put|Patch|Delete) (?P<q>"?)(?P<url>https?://(?:[^\s"\[]|\[[^\]\s]*(?: [^\]\s]*)*\])+?)(?P=q)(?=: |;|,|\s|$)'
)
_STATUS = re.compile(r"(?:unexpected status code|status code|status:?) (?P<status>[1-5]\d\d)\b|\b(?P<status2>[45]\d\d) (?:Unauthorized|Forbidden|Not Found|Too Many Requests|Method Not Allowed|Bad Request|Bad Gateway|Service Unavailable|Gateway Timeout|Proxy Authentication Required|Internal Server Error)\b")
_REGISTRY_CODE = re.compile(
    r"\b(UNAUTHORIZED|DENIED|NAME_UNKNOWN|NAME_INVALID|MANIFEST_UNKNOWN|MANIFEST_INVALID|MANIFEST_BLOB_UNKNOWN|"
    r"MANIFEST_UNVERIFIED|BLOB_UNKNOWN|BLOB_UPLOAD_UNKNOWN|BLOB_UPLOAD_INVALID|TAG_INVALID|DIGEST_INVALID|"
    r"SIZE_INVALID|UNSUPPORTED|TOOMANYREQUESTS|UNKNOWN)(?=:|\s|$)"
)
_REF = re.compile(
    r'checking push permission for ["“](?P<ref>[^"”]+)["”]|failed to push to destination (?P<ref2>\S+?): '
    r"|Failed to retrieve image (?P<ref3>\S+) from|initializing source docker://(?P<ref4>\S+?): "
    r"|getting tag for destination: .*?: (?P<ref5>\S+)$"
)
_DIAL = re.compile(r"dial tcp (?P<addr>\[[0-9a-fA-F:.]+\]:\d+|[^\s:]+:\d+)")
_LOOKUP = re.compile(r"lookup (?P<lookup>[^\s:]+)(?: on (?P<dns>\S+?))?: ")
_BODY = re.compile(r"unexpected status code \d{3}[^:]*: (?P<body>.*)$")
_OPERATIONS = (
    ("push-check", ("error checking push permissions", "checking push permission")),
    ("push", ("failed to push to destination", "error pushing image")),
    ("mirror", ("registry mirror", "remapped registry")),
    ("cache", ("retrieving image from cache",)),
    ("retry", ("Retrying operation",)),
    ("build", ("error building image", "getting stage builder", "Retrieving image", "error while pulling image")),
    ("pull", ("pinging container registry", "pinging docker registry", "Error response from daemon", "initializing source",
              "Error while pulling image", "pull model manifest")),
)


@record
class Request:
    method: str
    url: str
    host: str
    kind: str  # ping | token | blob-upload | blob | manifest | v1 | other

    @property
    def label(self) -> str:
        return {
            "ping": "registry ping", "token": "token request", "blob-upload": "blob upload",
            "blob": "blob", "manifest": "manifest", "v1": "v1 API", "other": "request",
        }[self.kind]


@record
class Chain:
    """What one error line says, stage by stage (outermost first)."""

    stages: tuple[str, ...]
    requests: tuple[Request, ...] = ()
    operation: str | None = None
    ref: str | None = None
    status: int | None = None
    registry_code: str | None = None
    body: str | None = None  # registry-json | json | html | text | empty (for unexpected status codes)
    addr: str | None = None
    lookup: str | None = None
    dns_server: str | None = None
    via_proxy: bool = False
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def request(self) -> Request | None:
        """The innermost request: the one whose answer is the cause."""
        return self.requests[-1] if self.requests else None

    def attr(self, name: str) -> str | None:
        """Chain attributes a signature may require (see ``Signature.when``)."""
        req = self.request
        value: object = {
            "url_kind": req.kind if req else None,
            "method": req.method.upper() if req else None,
            "operation": self.operation,
            "status": self.status,
            "registry_code": self.registry_code,
            "body": self.body,
            "via_proxy": "yes" if self.via_proxy else "no",
        }.get(name)
        return None if value is None else str(value)


def url_kind(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    path, query = parts.path, parts.query
    if "scope=" in query or "service=" in query or path.endswith(("/jwt/auth", "/token", "/oauth2/token", "/auth")):
        return "token"
    if "/blobs/uploads" in path:
        return "blob-upload"
    if "/manifests/" in path:
        return "manifest"
    if "/blobs/" in path:
        return "blob"
    if path.rstrip("/") == "/v2":
        return "ping"
    if path.startswith("/v1/"):
        return "v1"
    return "other"


def _host(url: str) -> str:
    netloc = urllib.parse.urlsplit(url).netloc
    return netloc.rpartition("@")[2].lower()


def split_stages(text: str, limit: int = 16) -> tuple[str, ...]:
    """Split at ": " outside quotes and brackets (``[map[Action:push ...]]`` stays whole)."""
    out: list[str] = []
    depth, quote, start = 0, "", 0
    i, n = 0, len(text)
    while i < n and len(out) < limit - 1:
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c == '"':
            quote = c
        elif c in "[{(":
            depth += 1
        elif c in "]})":
            depth = max(0, depth - 1)
        elif c == ":" and depth == 0 and text.startswith(": ", i):
            piece = text[start:i].strip()
            if piece:
                out.append(piece)
            start = i + 2
            i += 1
        i += 1
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return _merge_qualifiers(out)


_QUALIFIER = re.compile(
    r"^(?:[\w./-]+|(?:dial|read|write) (?:tcp|udp)(?: \S+)?|lookup \S+(?: on \S+)?|proxyconnect tcp|socks connect tcp[46]? \S+"
    r"|net/http|remote error)$"
)


def _merge_qualifiers(stages: list[str]) -> tuple[str, ...]:
    """Go prefixes its errors with qualifiers (``x509:``, ``dial tcp 10.0.0.5:443:``, ``lookup h on s:``):
    they belong to the stage they qualify, not on their own."""
    out: list[str] = []
    pending = ""
    for stage in stages:
        if _QUALIFIER.match(stage) and stage is not stages[-1]:
            pending += stage + ": "
            continue
        out.append(pending + stage)
        pending = ""
    return tuple(out)


def unwrap(text: str) -> Chain:
    """Unwrap kaniko's ``a: b: GET https://...: CODE: detail`` into stages and facts."""
    requests = tuple(
        Request(m.group("method"), m.group("url"), _host(m.group("url")), url_kind(m.group("url")))
        for m in _REQUEST.finditer(text)
    )
    operation = None
    for name, markers in _OPERATIONS:
        if any(marker in text for marker in markers):
            operation = name
            break
    ref = None
    m = _REF.search(text)
    if m:
        ref = next((g for g in m.groups() if g), None)
    status = None
    m = _STATUS.search(text)
    if m:
        status = int(m.group("status") or m.group("status2"))
    code = None
    m = _REGISTRY_CODE.search(text)
    if m:
        code = m.group(1)
    body = None
    m = _BODY.search(text)
    if m:
        raw = m.group("body").strip()
        if not raw:
            body = "empty"
        elif raw.startswith("{") and '"errors"' in raw:
            body = "registry-json"
        elif raw.startswith(("{", "[")):
            body = "json"
        elif raw.lstrip().startswith("<"):
            body = "html"
        else:
            body = "text"
    elif re.search(r"unexpected status code \d{3}[^:]*:?$", text):
        body = "empty"
    addr = lookup = dns = None
    m = _DIAL.search(text)
    if m:
        addr = m.group("addr")
    m = _LOOKUP.search(text)
    if m:
        lookup, dns = m.group("lookup"), m.group("dns")
    return Chain(
        stages=split_stages(text), requests=requests, operation=operation, ref=ref, status=status,
        registry_code=code, body=body, addr=addr, lookup=lookup, dns_server=dns,
        via_proxy="proxyconnect" in text or "socks connect" in text,  # socks: net/http's SOCKS5 dialer (no proxyconnect)
    )
