"""Turn a job log into a Report: the same model, codes and remediations as ``kanidoc check``.

Report layout (contract: schema kanidoc/report/v1, nothing new):

* one CheckResult per check area the matched codes belong to, with the id of the check that
  owns the code (``auth``, ``reachability``, ``tls``, ``push``, ``engine``) or ``build``/``ci``
  for the codes only a log reveals, titled "... (from the job log)". A report from
  ``explain`` and one from ``check`` therefore group and read the same.
* the verdicts of the explainer itself under id ``explain`` ("Job log"): KD-BUILD-001 (failure
  lines no signature matches; status ``error``, exit 3) or KD-BUILD-002 (no kaniko error;
  status ``pass``, exit 0).
* ``target`` carries what the log reveals: kaniko version and image, destinations,
  registries, whether a proxy was involved, GitLab runner facts, and the log's size.

One finding per distinct cause (code + host/address + request kind + status), with the first
line it appeared on, how often it did, the unwrapped chain, the candidates the log cannot
rule out and the ``kanidoc check`` command that decides them in the job's environment.
"""

from __future__ import annotations

import re
import shlex
import string
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from kanidoc import __version__
from kanidoc.explain import parser, scrub
from kanidoc.explain.signatures import (
    NOISE,
    SIGNATURES,
    STRONG_FAILURE,
    SUCCESS,
    WEAK_FAILURE,
    Signature,
    needles,
)
from kanidoc.gosem import reference
from kanidoc.model import CheckResult, Finding, JSONValue, Report, Severity, Status, status_of
from kanidoc.redact import Redactor
from kanidoc.report import now_utc
from kanidoc.rules import Rule, all_rules
from kanidoc.rules import build as build_rules
from kanidoc.rules import ci as ci_rules

MAX_FINDINGS = 100  # distinct causes kept (a log with more is reported as "causes_not_shown")
MAX_FAILURE_LINES = 12  # unmatched failure lines shown
MAX_TEXT = 600  # characters of a log line kept in evidence
MAX_FACTS = 20  # destinations, registries

# area of a code -> (check id, title)
AREAS = {  # the titles of the checks that own these codes (a test keeps them equal)
    "auth": ("auth", "Registry credentials (config.json)"),
    "reach": ("reachability", "Registry reachability (proxy, DNS, TCP, TLS, /v2/)"),
    "tls": ("tls", "TLS chain trust (kaniko's CA bundle)"),
    "push": ("push", "Push permission (kaniko's check, replayed)"),
    "engine": ("engine", "Container detection (kaniko vs. this host)"),
    "ci": ("ci", "GitLab job definition (--ci-file)"),
    "build": ("build", "Build arguments and context"),  # no check: only a log reveals these
}
OPERATIONS = {
    "push-check": "the push permission check", "push": "the push", "mirror": "a registry mirror",
    "cache": "the layer cache (kaniko went on)", "retry": "a retried request", "build": "the build",
    "pull": "a pull",
}
_SOCKS_SNIPPET = ("variables:\n  # <user>, <password>: masked CI/CD variables, percent-encoded\n"
                  "  HTTPS_PROXY: socks5://<user>:<password>@proxy.example.com:1080")
_SNIPPETS = {
    "KD-CI-001": ci_rules.IMAGE_SNIPPET,
    "KD-CI-002": ci_rules.IMAGE_SNIPPET,
    "KD-CI-003": ci_rules.IMAGE_SNIPPET,
    "KD-TLS-001": 'before_script:\n  - cat "$REGISTRY_CA_PEM" >> /kaniko/ssl/certs/ca-certificates.crt',
    "KD-TLS-002": 'before_script:\n  - cat "$REGISTRY_INTERMEDIATE_PEM" >> /kaniko/ssl/certs/ca-certificates.crt',
    "KD-ENGINE-001": f"image:\n  name: {ci_rules.JOB_IMAGE}\n  entrypoint: [\"\"]",
    "KD-REACH-014": ("variables:\n  # <user>, <password>: masked CI/CD variables, percent-encoded\n"
                     "  HTTPS_PROXY: http://<user>:<password>@proxy.example.com:3128"),
    # by signature name, before the code's. Placeholders in <>: the report's redaction masks any
    # scheme://user:password@ (a ${VAR} form included), and <> cannot be part of what it masks.
    **dict.fromkeys(("socks-auth-failed", "socks-auth-required", "socks-credentials-invalid"), _SOCKS_SNIPPET),
}
_PROXY_CODES = frozenset({"KD-REACH-004", "KD-REACH-014", "KD-REACH-015", "KD-REACH-016", "KD-REACH-017", "KD-REACH-023", "KD-REACH-024"})
_QUIET_LEVELS = frozenset({"warning", "info", "debug", "trace"})
_QUIET_OPERATIONS = frozenset({"cache", "mirror", "retry"})

_VERSION_LINE = re.compile(r"Kaniko version\s*:\s*(?P<v>v?\d+\.\d+\.\d+[^\s]*)")
_JOB_IMAGE = re.compile(
    r"(?:Using docker image \S+ for |Pulling docker image |Using (?:Kubernetes|Docker|docker) executor with image |Using effective pull policy of \S+ for container \S+ with image )(?P<image>[^\s]+)"
)
_RUNNER = re.compile(r"Running with gitlab-runner (?P<v>\S+)")
_EXECUTOR = re.compile(r'Preparing the "(?P<e>[\w+-]+)" executor')
_DEST_FLAG = re.compile(r"""(?:--destination|(?<!\S)-d)(?:=|\s+)(["']?)(?P<d>[^\s"']+)\1""")
_PUSHING = re.compile(r"(?:Pushing image to|Pushed|failed to push to destination) (?P<d>[^\s@]+?)(?:@sha256:[0-9a-f]{64})?(?=:? |:?$)")
_FROM_REGISTRY = re.compile(r"from registry (?P<r>[^\s]+)")
_PROXY_VAR = re.compile(r"\b(HTTPS_PROXY|https_proxy|HTTP_PROXY|http_proxy|NO_PROXY|no_proxy|ALL_PROXY|all_proxy)=")
_TAG_VERSION = re.compile(r":v?(?P<v>\d+\.\d+\.\d+)")


def _short(text: str, limit: int = MAX_TEXT) -> str:
    if len(text) <= limit:
        return text
    head = limit // 3
    return f"{text[:head]} … {text[-(limit - head - 3):]}"


def _registry_of(ref: str) -> str | None:
    try:
        return reference.parse_reference(ref).registry
    except ValueError:
        return None


def _needle_index() -> tuple[re.Pattern[str], dict[str, tuple[int, ...]]]:
    """One regex finds which signature needles a line has; each needle maps to the signatures that need it."""
    by_needle: dict[str, list[int]] = {}
    for i, sig in enumerate(SIGNATURES):
        for needle in sig.needle.split("|"):
            by_needle.setdefault(needle, []).append(i)
    words = sorted(by_needle, key=len, reverse=True)  # longest first: finditer reports the longest at a position
    # a needle inside a longer one is not reported separately: give the longer one its signatures too
    index = {w: tuple(sorted({i for other in words if other in w for i in by_needle[other]})) for w in words}
    return re.compile("|".join(re.escape(w) for w in words)), index


_NEEDLE_RE, _NEEDLE_SIGS = _needle_index()


class _Blank(string.Formatter):
    """str.format that renders missing or empty fields as nothing."""

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        value = kwargs.get(key) if isinstance(key, str) else None
        return "" if value is None else value


_FMT = _Blank()


@dataclass
class Facts:
    """What the log reveals about the job, bounded."""

    kaniko_version: str | None = None
    kaniko_image: str | None = None
    runner_version: str | None = None
    executor: str | None = None
    destinations: dict[str, None] = field(default_factory=dict)
    registries: dict[str, None] = field(default_factory=dict)
    proxy_variables: set[str] = field(default_factory=set)
    proxy_involved: bool = False
    succeeded: bool = False

    def add(self, bucket: dict[str, None], value: str | None) -> None:
        if value and "$" not in value and len(bucket) < MAX_FACTS and len(value) < 300:
            bucket[value] = None

    def destination(self, ref: str | None) -> None:
        if not ref or "$" in ref or "[" in ref:
            return
        self.add(self.destinations, ref)
        self.add(self.registries, _registry_of(ref))

    def feed(self, text: str) -> None:
        if "ersion" in text:
            m = _VERSION_LINE.search(text)
            if m:
                self.kaniko_version = m.group("v")
        if "image" in text:
            m = _JOB_IMAGE.search(text)
            if m and "kaniko" in m.group("image"):
                self.kaniko_image = m.group("image")
                v = _TAG_VERSION.search(m.group("image"))
                if v and not self.kaniko_version:
                    self.kaniko_version = "v" + v.group("v")
        if "gitlab-runner" in text:
            m = _RUNNER.search(text)
            if m:
                self.runner_version = m.group("v")
        if "executor" in text:
            m = _EXECUTOR.search(text)
            if m:
                self.executor = m.group("e")
            if "-d" in text:
                for m in _DEST_FLAG.finditer(text):
                    self.destination(m.group("d"))
        if "ush" in text or "destination" in text:
            for m in _PUSHING.finditer(text):
                self.destination(m.group("d"))
        if "from registry" in text:
            m = _FROM_REGISTRY.search(text)
            if m:
                self.add(self.registries, m.group("r"))
        if "roxy" in text or "PROXY" in text:
            self.proxy_variables.update(m.group(1).upper() for m in _PROXY_VAR.finditer(text))
        if SUCCESS.search(text):
            self.succeeded = True

    def target(self, name: str, stats: parser.ScanStats) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {
            "source": "job log",
            "destinations": list(self.destinations),
            "registries": list(self.registries),
            "proxy_involved": self.proxy_involved,
            "log": {"name": name, "lines": stats.lines, "bytes": stats.bytes, "lines_examined": stats.candidates,
                    "lines_cut": stats.cut_lines},
        }
        if self.proxy_variables:
            out["proxy_variables"] = sorted(self.proxy_variables)
        if self.kaniko_version:
            out["kaniko_version"] = self.kaniko_version
        if self.kaniko_image:
            out["kaniko_image"] = self.kaniko_image
        gitlab = {k: v for k, v in (("runner_version", self.runner_version), ("executor", self.executor)) if v}
        if gitlab:
            out["gitlab_ci"] = gitlab
        return out


@dataclass
class _Found:
    signature: Signature
    number: int
    text: str
    context: tuple[str, ...]
    chain: parser.Chain
    groups: dict[str, str]
    level: str | None
    severity: Severity
    occurrences: int = 1
    last: int = 0


class Explainer:
    """Feed it candidates (parser.scan); ask it for the Report."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.scrubber = scrub.LogScrubber(redactor)
        self.facts = Facts()
        self.rules: dict[str, Rule] = {r.code: r for r in all_rules()}
        self.found: dict[tuple[str, ...], _Found] = {}
        self.dropped = 0  # distinct causes beyond MAX_FINDINGS
        self.strong_first: list[tuple[int, str]] = []
        self.strong_last: deque[tuple[int, str]] = deque(maxlen=MAX_FAILURE_LINES - 3)
        self.weak: deque[tuple[int, str]] = deque(maxlen=MAX_FAILURE_LINES)
        self.strong_total = 0
        self.noise_total = 0
        self.job_failed = False  # GitLab said so

    # --- per line ----------------------------------------------------------------------
    def feed(self, cand: parser.Candidate) -> None:
        text = cand.text
        low = text.lower()
        if any(n in low for n in scrub.NEEDLES):
            self.scrubber.scrub(text)  # learn the secrets this line reveals, before anything is kept
        self.facts.feed(text)
        hit = self.match(text, low)
        if hit is not None:
            self._record(cand, *hit)
            return
        if NOISE.search(text):
            self.noise_total += 1
            self.job_failed = self.job_failed or text.startswith("ERROR: Job failed")
        elif STRONG_FAILURE.search(text) or cand.level in ("error", "fatal", "panic"):
            self.strong_total += 1
            item = (cand.number, _short(text, 400))  # scrubbed when reported (bounded: a few lines)
            if len(self.strong_first) < 3:
                self.strong_first.append(item)
            else:
                self.strong_last.append(item)
        elif WEAK_FAILURE.search(low):
            self.weak.append((cand.number, _short(text, 400)))

    @staticmethod
    def match(text: str, low: str | None = None) -> tuple[Signature, re.Match[str], parser.Chain] | None:
        low = text.lower() if low is None else low
        chain: parser.Chain | None = None
        present: set[int] = set()
        for hit in _NEEDLE_RE.finditer(low):
            present.update(_NEEDLE_SIGS[hit.group(0)])
        for i in sorted(present):
            sig = SIGNATURES[i]
            m = sig.pattern.search(text)
            if m is None:
                continue
            if chain is None:
                chain = parser.unwrap(text)
            if sig.when and not all(chain.attr(name) in allowed for name, allowed in sig.when):
                continue
            return sig, m, chain
        return None

    def _record(self, cand: parser.Candidate, sig: Signature, m: re.Match[str], chain: parser.Chain) -> None:
        rule = self.rules[sig.code]
        groups = {k: v for k, v in m.groupdict().items() if v}
        req = chain.request
        subject = (req.host if req else None) or chain.addr or chain.lookup or groups.get("helper") or groups.get("target") or ""
        key = (sig.code, subject, req.kind if req else "", str(chain.status or ""))
        severity = rule.severity
        quiet = cand.level in _QUIET_LEVELS or chain.operation in _QUIET_OPERATIONS
        if severity is Severity.ERROR and quiet:
            severity = Severity.WARNING
        elif severity is Severity.WARNING and not quiet and (cand.level in ("error", "fatal") or STRONG_FAILURE.search(cand.text)):
            severity = Severity.ERROR  # a warning-level cause that did fail this build
        if chain.via_proxy or sig.code in _PROXY_CODES:
            self.facts.proxy_involved = True
        if req:
            self.facts.add(self.facts.registries, req.host)
        if chain.operation in ("push-check", "push"):
            self.facts.destination(chain.ref)
        found = self.found.get(key)
        if found is not None:
            found.occurrences += 1
            found.last = cand.number
            if severity is Severity.ERROR and found.severity is not Severity.ERROR:
                found.severity, found.level = Severity.ERROR, cand.level
            return
        if len(self.found) >= MAX_FINDINGS:
            self.dropped += 1
            return
        self.found[key] = _Found(
            sig, cand.number, _short(self.scrubber.scrub(cand.text)),
            tuple(_short(self.scrubber.scrub(c), 300) for c in cand.context),
            chain, {k: self.scrubber.scrub(v) for k, v in groups.items()}, cand.level, severity, last=cand.number,
        )

    # --- the report ----------------------------------------------------------------------
    def decide_command(self, template: str, chain: parser.Chain) -> str:
        destination = next(iter(self.facts.destinations), None) or chain.ref
        if not destination and chain.request:
            path = chain.request.url.split(chain.request.host, 1)[-1]
            repo = re.match(r"/v2/(?P<repo>.+?)/(?:manifests|blobs|tags)/", path)
            destination = f"{chain.request.host}/{repo.group('repo') if repo else 'GROUP/IMAGE'}:TAG"
        if not destination:
            destination = "REGISTRY/GROUP/IMAGE:TAG"
        version = self.facts.kaniko_image or self.facts.kaniko_version or "KANIKO_IMAGE"
        return template.format(destination=shlex.quote(destination), kaniko_version=shlex.quote(version))

    def _finding(self, f: _Found) -> Finding:
        sig, chain = f.signature, f.chain
        rule = self.rules[sig.code]
        summary = _FMT.format(sig.summary, **f.groups)
        where = []
        req = chain.request
        if req:
            where.append(f"{req.method.upper()} {req.url.split('?', 1)[0]} ({req.label})")
        elif chain.addr:
            where.append(chain.addr)
        if chain.via_proxy and sig.code not in _PROXY_CODES:
            where.append("through the proxy")
        if chain.operation:
            where.append(f"during {OPERATIONS[chain.operation]}")
        message = summary + (f": {', '.join(where)}" if where else "")
        if sig.code == "KD-ENGINE-001" and self.facts.kaniko_version:
            message += f" (kaniko {self.facts.kaniko_version})"
        evidence: dict[str, JSONValue] = {"line": f.number, "log": f.text, "signature": sig.name}
        if f.occurrences > 1:
            evidence.update(occurrences=f.occurrences, last_line=f.last)
        if f.level:
            evidence["level"] = f.level
        if len(chain.stages) > 1:
            evidence["stages"] = [self.scrubber.scrub(_short(s, 200)) for s in chain.stages[:10]]
        if req:
            evidence.update(method=req.method.upper(), url=self.scrubber.scrub(_short(req.url, 300)), host=req.host, url_kind=req.kind)
        for name in ("operation", "ref", "status", "registry_code", "body", "addr", "lookup", "dns_server"):
            value = getattr(chain, name)
            if value is not None:
                evidence[name] = self.scrubber.scrub(value) if isinstance(value, str) else value
        if chain.via_proxy:
            evidence["via_proxy"] = True
        for k, v in f.groups.items():
            evidence.setdefault(k, v)
        if f.context:
            evidence["context"] = list(f.context)
        # a signature's fix may name what the line captured ({proxy}, {target}): the groups, already scrubbed
        fix = _FMT.format(sig.fix, **f.groups) if sig.fix else rule.fix
        if sig.decide:
            command = self.decide_command(sig.decide, chain)
            evidence["decide_with"] = command
            if sig.alternatives:
                names = "; ".join(f"{c} ({self.rules[c].title})" for c in sig.alternatives if c in self.rules)
                evidence["alternatives"] = list(sig.alternatives)
                fix += f" The log alone cannot rule out: {names}. To decide, run in the job's environment: `{command}`."
            else:
                fix += f" To confirm, run in the job's environment: `{command}`."
        if self.facts.succeeded and f.severity is Severity.ERROR:
            f.severity = Severity.WARNING
            message += " (the job still succeeded)"
        snippet = _SNIPPETS.get(sig.name, _SNIPPETS.get(sig.code))
        return rule.finding(message, evidence, fix=fix, snippet=snippet, severity=f.severity)

    def report(self, name: str, stats: parser.ScanStats) -> Report:
        by_area: dict[str, list[tuple[int, Finding]]] = {}
        for f in self.found.values():
            finding = self._finding(f)
            by_area.setdefault(self.rules[f.signature.code].area, []).append((f.number, finding))
        checks: list[CheckResult] = []
        for area, items in sorted(by_area.items(), key=lambda kv: min(n for n, _ in kv[1])):
            items.sort(key=lambda item: item[0])
            check_id, title = AREAS.get(area, (area, area))
            findings = tuple(f for _, f in items)
            checks.append(CheckResult(check_id, f"{title} (from the job log)", status_of(list(findings)), findings))
        errors = any(f.severity is Severity.ERROR for c in checks for f in c.findings)
        verdict = self._verdict(stats, errors)
        if verdict is not None and verdict.status is Status.ERROR:
            checks.insert(0, verdict)
        elif verdict is not None:
            checks.append(verdict)
        target = self.facts.target(name, stats)
        if self.dropped:
            target["causes_not_shown"] = self.dropped
        report = Report(__version__, now_utc(), target, tuple(checks))
        return self.redactor.redact_obj(report)

    def _verdict(self, stats: parser.ScanStats, errors: bool) -> CheckResult | None:
        title = "Job log"
        failure_lines = [(n, self.scrubber.scrub(t)) for n, t in [*self.strong_first, *self.strong_last] or list(self.weak)]
        if errors:
            return None
        if (self.strong_total or self.job_failed) and not self.facts.succeeded:
            evidence: dict[str, JSONValue] = {
                "failure_lines": [{"line": n, "text": t} for n, t in failure_lines],
                "failure_lines_total": self.strong_total or len(failure_lines),
                "lines": stats.lines,
            }
            last = failure_lines[-1][1] if failure_lines else ""
            count = self.strong_total or len(failure_lines)
            finding = build_rules.UNMATCHED.finding(
                f"no signature matched; {count} failure line(s)" + (f", last: {_short(last, 200)}" if last else ""), evidence)
            reason = f"the job failed, but no signature matched its {count} failure line(s): could not decide"
            return CheckResult("explain", title, Status.ERROR, (finding,), reason=reason)
        evidence = {"lines": stats.lines}
        if self.found:
            evidence["warnings"] = len(self.found)
        if self.facts.succeeded:
            evidence["job_succeeded"] = True
        if self.weak and not self.found:
            evidence["lines_mentioning_errors"] = len(self.weak)
        message = f"no kaniko error in {stats.lines} line(s)" + ("; the job succeeded" if self.facts.succeeded else "")
        return CheckResult("explain", title, Status.PASS, (build_rules.NO_ERROR.finding(message, evidence),))


def explain_stream(stream: BinaryIO, name: str, env: Mapping[str, str]) -> Report:
    """Read ``stream`` once and explain it. Secrets of ``env`` are masked too."""
    redactor = Redactor()
    redactor.add_from_environment(env)
    explainer = Explainer(redactor)
    stats = parser.ScanStats()
    for cand in parser.scan(stream, all_needles(), stats):
        explainer.feed(cand)
    return explainer.report(name, stats)


_FACT_NEEDLES = ("kaniko version", "executor", "destination", "push", "gitlab-runner", "proxy", "from registry")
# Broad words first: each find() costs a pass over the block, so fewer needles is faster; a signature's
# own needle is added only when none of these already finds its lines (a unit test checks the cover).
_BROAD = ("erro", "fail", "unknown", "of a container", "tls", "x509")


def all_needles() -> tuple[bytes, ...]:
    words = [*_BROAD, *(w.decode() for w in needles()), *scrub.NEEDLES, *_FACT_NEEDLES]
    out: list[str] = []
    for word in sorted(dict.fromkeys(words), key=len):
        if not any(shorter in word for shorter in out):
            out.append(word)
    return tuple(w.encode() for w in out)


def exit_code(report: Report) -> int:
    """1: a kaniko failure was explained; 3: failures no signature matched; 0: no kaniko error."""
    if report.status is Status.FAIL:
        return 1
    if report.status is Status.ERROR:
        return 3
    return 0


def explain_path(path: str, env: Mapping[str, str]) -> Report:
    """``-`` is stdin. An unreadable file is bad local input (one line, exit 2)."""
    import os
    import sys

    from kanidoc.context import InputError

    if path == "-":
        return explain_stream(sys.stdin.buffer, "-", env)
    try:
        with open(path, "rb") as fh:
            return explain_stream(fh, os.path.basename(path), env)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
