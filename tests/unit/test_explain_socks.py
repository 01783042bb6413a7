"""SOCKS5 proxies (``socks5://`` in HTTPS_PROXY): Go's own wording, mapped to the codes the
reachability check gives the same answers live.

net/http hands its connection to the proxy to the SOCKS dialer it vendors from
golang.org/x/net/internal/socks (src/net/http/socks_bundle.go), which wraps each failure as
``net.OpError{Op: "socks connect", Net: "tcp", Source: <proxy ip:port>, Addr: <host:port>}``;
``OpError.Error()`` writes ``socks connect tcp <proxy>-><target>: <reason>``. A refused
CONNECT is ``"unknown error " + Reply.String()``; the authentication errors are
``no acceptable authentication methods`` (client.go connect), ``username/password
authentication failed``, ``invalid username/password`` and ``unsupported authentication
method N`` (socks.go UsernamePassword.Authenticate). The lines below are those strings behind
kaniko's and skopeo's wrappers (tests/integration/test_explain_lab.py records them from Go).
"""

from __future__ import annotations

import base64
import io
import json
import random
import shutil
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from kanidoc.explain import parser
from kanidoc.explain.explain import Explainer, all_needles, explain_stream
from kanidoc.explain.signatures import SIGNATURES, ere
from kanidoc.render.json import report_dict

KANIKO_PUSH = "error pushing image: "
PUSH_CHECK = ('error checking push permissions -- make sure you entered the correct tag name, and that you are '
              'authenticated correctly, and try again: checking push permission for "registry.example.com/g/app:1": '
              'creating push check transport for registry.example.com failed: Get "https://registry.example.com/v2/": ')
LAB = 'error pushing image: Get "https://registry.lab.test:45631/v2/": '
PROXY, TARGET, HOST = "127.0.0.1:1080", "registry.example.com:443", "registry.example.com"


def socks(reason: str, proxy: str = PROXY, target: str = TARGET) -> str:
    return f"socks connect tcp {proxy}->{target}: {reason}"


# line -> (code, signature)
CASES: dict[str, tuple[str, str]] = {
    # the examples of the request, verbatim
    LAB + "socks connect tcp 127.0.0.1:58289->registry.lab.test:45631: unknown error connection not allowed by ruleset":
        ("KD-REACH-015", "socks-ruleset"),
    PUSH_CHECK + socks("username/password authentication failed"): ("KD-REACH-014", "socks-auth-failed"),
    PUSH_CHECK + socks("no acceptable authentication methods"): ("KD-REACH-014", "socks-auth-required"),
    PUSH_CHECK + socks("unknown error host unreachable"): ("KD-REACH-016", "socks-unreachable"),
    # every other Reply.String() (socks.go): 1, 3, 5, 6 -> could not reach; 7, 8, others -> cannot do this CONNECT
    PUSH_CHECK + socks("unknown error general SOCKS server failure"): ("KD-REACH-016", "socks-unreachable"),
    PUSH_CHECK + socks("unknown error network unreachable"): ("KD-REACH-016", "socks-unreachable"),
    PUSH_CHECK + socks("unknown error connection refused"): ("KD-REACH-016", "socks-unreachable"),
    PUSH_CHECK + socks("unknown error TTL expired"): ("KD-REACH-016", "socks-unreachable"),
    PUSH_CHECK + socks("unknown error command not supported"): ("KD-REACH-016", "socks-unsupported"),
    PUSH_CHECK + socks("unknown error address type not supported"): ("KD-REACH-016", "socks-unsupported"),
    PUSH_CHECK + socks("unknown error unknown code: 9"): ("KD-REACH-016", "socks-unsupported"),
    # the other errors of connect() and Authenticate()
    PUSH_CHECK + socks("invalid username/password"): ("KD-REACH-014", "socks-credentials-invalid"),
    PUSH_CHECK + socks("invalid username/password version"): ("KD-REACH-017", "socks-not-socks"),
    PUSH_CHECK + socks("unsupported authentication method 1"): ("KD-REACH-017", "socks-auth-method"),
    PUSH_CHECK + socks("unexpected protocol version 72"): ("KD-REACH-017", "socks-not-socks"),
    PUSH_CHECK + socks("non-zero reserved field"): ("KD-REACH-017", "socks-not-socks"),
    PUSH_CHECK + socks("unknown address type 7"): ("KD-REACH-017", "socks-not-socks"),
    PUSH_CHECK + socks("EOF"): ("KD-REACH-017", "socks-not-socks"),
    PUSH_CHECK + socks("unexpected EOF"): ("KD-REACH-017", "socks-not-socks"),
    PUSH_CHECK + socks("read tcp 10.0.0.5:40312->127.0.0.1:1080: read: connection reset by peer"): ("KD-REACH-017", "socks-not-socks"),
    # without kaniko's wrappers and without any word like "error": the scanner's needle still finds it
    socks("unknown error TTL expired", proxy="[::1]:1080"): ("KD-REACH-016", "socks-unreachable"),
    # kaniko's logrus prefix, a pull through the proxy
    'ERRO[0001] Error while retrieving image from cache: ' + socks("unknown error connection refused", target="index.docker.io:443"):
        ("KD-REACH-016", "socks-unreachable"),
}


def explain_one(line: str) -> dict[str, Any]:
    doc = report_dict(explain_stream(io.BytesIO(line.encode() + b"\n"), "job.log", {}))
    return doc


def findings(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for c in doc["checks"] for f in c["findings"] if f["code"] != "KD-BUILD-002"]


@pytest.mark.parametrize("line", sorted(CASES), ids=[f"{CASES[k][1]}-{i}" for i, k in enumerate(sorted(CASES))])
def test_socks_line_maps_to_the_checks_code(line: str) -> None:
    code, name = CASES[line]
    doc = explain_one(line)
    (f,) = findings(doc)
    assert (f["code"], f["evidence"]["signature"]) == (code, name)
    proxy, _, rest = line.partition("socks connect tcp ")[2].partition("->")
    target = rest.partition(": ")[0]
    ev = f["evidence"]
    assert ev["proxy"] == proxy and ev["target"] == target and ev["via_proxy"] is True
    fix = f["remediation"]["text"]
    assert proxy in fix, fix  # the fix names the proxy the line names...
    if name not in ("socks-auth-failed", "socks-credentials-invalid", "socks-not-socks"):
        assert target.rpartition(":")[0] in fix, fix  # ...and the registry, where the fix is about it
    assert "{" not in fix and "}" not in fix  # every placeholder was filled
    assert "kanidoc check --only reachability" in ev["decide_with"]
    assert doc["target"]["proxy_involved"] is True
    # kaniko goes on without its layer cache: a warning there, the build's failure elsewhere
    assert doc["status"] == ("warn" if "from cache" in line else "fail")


def test_remediations_say_what_to_change() -> None:
    def fix_of(reason: str) -> str:
        return str(findings(explain_one(PUSH_CHECK + socks(reason)))[0]["remediation"]["text"])

    ruleset = fix_of("unknown error connection not allowed by ruleset")
    assert "NO_PROXY" in ruleset and f"'{HOST}'" in ruleset and "proxy's operators" in ruleset
    assert "not a registry permission problem" in ruleset
    for reason in ("username/password authentication failed", "no acceptable authentication methods", "invalid username/password"):
        text = fix_of(reason)
        assert "`socks5://<user>:<password>@<host>:<port>`" in text and "HTTPS_PROXY" in text, reason
        assert "[REDACTED]" not in text, reason  # the placeholder form survives the report's URL redaction
    for reason in ("unknown error host unreachable", "unknown error connection refused", "unknown error TTL expired",
                   "unknown error general SOCKS server failure", "unknown error network unreachable"):
        text = fix_of(reason)
        assert TARGET in text and f"'{HOST}' if it is reachable without the proxy" in text and reason[14:] in text, reason
    assert "scheme and port" in fix_of("unexpected protocol version 72")
    method = findings(explain_one(PUSH_CHECK + socks("unsupported authentication method 1")))[0]
    assert method["evidence"]["alternatives"] == ["KD-REACH-014"] and "GSSAPI" in method["remediation"]["text"]


@pytest.mark.parametrize("reason", ["no acceptable authentication methods", "username/password authentication failed",
                                    "invalid username/password"])
def test_auth_findings_show_a_socks5_snippet_with_placeholders(reason: str) -> None:
    f = findings(explain_one(PUSH_CHECK + socks(reason)))[0]
    assert f["remediation"]["snippet"] == ("variables:\n  # <user>, <password>: masked CI/CD variables, percent-encoded\n"
                                           "  HTTPS_PROXY: socks5://<user>:<password>@proxy.example.com:1080")
    http = findings(explain_one("Get https://index.docker.io/v2/: Proxy Authentication Required"))[0]
    assert http["remediation"]["snippet"].endswith("HTTPS_PROXY: http://<user>:<password>@proxy.example.com:3128")  # its own


def test_every_signature_fix_formats_with_its_own_groups() -> None:
    """Fixes are str.format templates over the pattern's named groups: no stray braces, no unknown names."""
    import string

    for sig in SIGNATURES:
        if not sig.fix:
            continue
        names = {field for _, field, _, _ in string.Formatter().parse(sig.fix) if field is not None}
        assert names <= set(sig.pattern.groupindex), (sig.name, names - set(sig.pattern.groupindex))


def test_repeated_socks_failures_are_one_finding_per_target() -> None:
    log = "\n".join([
        socks("unknown error host unreachable"),
        socks("unknown error host unreachable"),
        socks("unknown error host unreachable", target="mirror.example.com:443"),
    ]) + "\n"
    doc = report_dict(explain_stream(io.BytesIO(log.encode()), "job.log", {}))
    got = sorted((f["evidence"]["target"], f["evidence"].get("occurrences", 1)) for f in findings(doc))
    assert got == [("mirror.example.com:443", 1), (TARGET, 2)]


# --- secrets: a proxy URL with user:password@ elsewhere in the log --------------------------------

PROXY_PW = "CANARY-s0cks/Pw@4711"  # '/' and '@' must be percent-encoded in a URL
PROXY_URL = f"socks5://proxyuser:{urllib.parse.quote(PROXY_PW, safe='')}@proxy.corp.example:1080"


def secret_forms(secret: str) -> list[str]:
    raw = secret.encode()
    return [secret, urllib.parse.quote(secret, safe=""), base64.b64encode(raw).decode().rstrip("="),
            base64.b64encode(b"proxyuser:" + raw).decode().rstrip("="), "s0cks/Pw", "s0cks%2FPw"]


def secret_log() -> str:
    return "\n".join([
        "Running with gitlab-runner 16.5.0 (853330f9)",
        f"$ export HTTPS_PROXY={PROXY_URL}",  # far from any failure: never shown
        "INFO[0000] Retrieving image manifest alpine:3.20",
        "INFO[0001] Retrieving image alpine:3.20 from registry index.docker.io",
        f"+ echo using proxy {PROXY_URL}",  # right before the failure: shown as context, masked
        PUSH_CHECK + socks("username/password authentication failed"),
        f'{{"level":"debug","msg":"proxy {PROXY_URL} refused"}}',
        "error pushing image: " + socks("unknown error connection not allowed by ruleset", proxy="10.1.2.3:1080"),
        f"https_proxy={PROXY_URL} failed",
        "ERROR: Job failed: exit code 1",
    ]) + "\n"


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "junit"])
def test_the_proxy_password_is_never_echoed(kanidoc, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "job.log"
    path.write_text(secret_log())
    run = kanidoc("explain", str(path), "--format", fmt)
    assert run.code == 1
    out = run.out + run.err
    for form in secret_forms(PROXY_PW):
        assert form not in out, f"leaked as {form!r}"
    assert "CANARY" not in out
    assert "proxy.corp.example" in out and "[REDACTED]" in out  # the URL was shown, masked: not vacuous
    if fmt == "json":
        codes = sorted(run.codes())
        assert codes == ["KD-REACH-014", "KD-REACH-015"]
        doc = run.json()
        for f in (f for c in doc["checks"] for f in c["findings"]):
            assert PROXY_PW not in json.dumps(f)


def test_the_proxy_password_is_masked_in_the_stream_path_too() -> None:
    doc = report_dict(explain_stream(io.BytesIO(secret_log().encode()), "-", {}))
    text = json.dumps(doc)
    for form in secret_forms(PROXY_PW):
        assert form not in text
    assert "[REDACTED]" in text


# --- the scanner and the bench's grep baseline --------------------------------------------------

def test_the_scanner_needles_find_bare_socks_lines() -> None:
    scanner = [n.decode() for n in all_needles()]
    for line in CASES:
        assert any(n in line.lower() for n in scanner), line
    assert any(n in "socks connect tcp a:1->b:2: unexpected protocol version 72" for n in scanner)


def test_grep_prefilter_and_stream_agree_on_socks_lines(tmp_path: Path) -> None:
    rnd = random.Random(11)
    noise = ["INFO[0001] Taking snapshot of full filesystem...", "Step 3/9 : RUN make", "npm WARN deprecated x@1.0.0"]
    body = "\n".join(rnd.choice(noise) for _ in range(40_000))
    socks_lines = [line for line in sorted(CASES)]
    text = body + "\n" + "\n".join(socks_lines[:8]) + "\n" + body + "\n" + "\n".join(socks_lines[8:]) + "\n" + body + "\n"
    path = tmp_path / "job.log"
    path.write_text(text)
    assert parser.grep_offsets(str(path), all_needles()) is not None  # grep is used for files
    with open(path, "rb") as fh:
        from_file = report_dict(explain_stream(fh, "job.log", {}))
    from_stream = report_dict(explain_stream(io.BytesIO(text.encode()), "job.log", {}))
    for doc in (from_file, from_stream):
        doc.pop("generated_at")
    assert json.dumps(from_file, sort_keys=True) == json.dumps(from_stream, sort_keys=True)
    # one finding per cause (code + host): the lines of one code for one registry are counted in one
    assert {f["code"] for f in findings(from_file)} == {code for code, _ in CASES.values()}
    assert sum(f["evidence"].get("occurrences", 1) for f in findings(from_file)) == len(CASES)


@pytest.mark.skipif(shutil.which("grep") is None, reason="grep not installed")
def test_bench_ere_patterns_find_every_socks_line(tmp_path: Path) -> None:
    """bench/explain_bench.py times `grep -E -f` with the ERE translation: it must find these lines too."""
    patterns = tmp_path / "signatures.ere"
    patterns.write_text("".join(ere(s.pattern.pattern) + "\n" for s in SIGNATURES if s.name.startswith("socks-")))
    lines = "".join(parser.clean_line(line)[0] + "\n" for line in CASES)
    out = subprocess.run(["grep", "-E", "-c", "-f", str(patterns)], input=lines, capture_output=True, text=True)
    assert out.stdout.strip() == str(len(CASES)), out.stderr


def test_socks_lines_do_not_steal_other_signatures() -> None:
    """The socks patterns need the socks wrapper: plain TCP and HTTP-proxy lines keep their signatures."""
    for line, name in [
        ('Get "https://registry.example.com/v2/": dial tcp 10.0.0.5:443: connect: connection refused', "tcp-refused"),
        ("dial tcp 10.82.128.17:443: connect: no route to host", "tcp-unreachable"),
        ('Get "https://registry.example.com/v2/": proxyconnect tcp: dial tcp 127.0.0.1:1080: connect: connection refused', "proxy-refused"),
        ("read tcp 10.128.0.69:49898->104.18.121.25:443: read: connection reset by peer", "connection-reset"),
    ]:
        hit = Explainer.match(line)
        assert hit is not None and hit[0].name == name, (line, hit and hit[0].name)
