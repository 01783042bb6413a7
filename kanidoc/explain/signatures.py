"""The signatures of kaniko failures: one table, data only. Adding a signature is one entry.

Each entry names the finding code (a rule in ``kanidoc/rules``: the same codes, causes and
remediations the checks use), the pattern (searched in the cleaned, unwrapped log line), a
real log line it was written from and where that line was seen, a one-line summary, and,
where the log alone cannot decide between causes, the other candidate codes and the exact
``kanidoc check`` command that decides in the job's environment.

Order matters: the first entry whose pattern matches (and whose ``when`` conditions on the
unwrapped error chain hold) explains the line, so the innermost, most specific causes come
first and the wrappers (``resolving authorization ... failed``) last.

Patterns stay inside the subset that converts to POSIX ERE (see :func:`ere`, used by
bench/explain_bench.py to time ``grep -E`` with the same patterns): no lookaround, no
backreferences, no lazy quantifiers, no flags; ``\\d`` ``\\s`` ``\\S`` ``\\w`` ``\\b`` only outside
brackets. ``needle`` is a lower-case literal every matching line contains: the scanner only
looks at lines that contain a needle (a test checks each example contains its needle).
"""

from __future__ import annotations

import re

from kanidoc.record import record

# Check ids (DESIGN.md) used in the commands that decide what a log cannot.
TLS_DECIDE = "kanidoc check --only reachability,tls --destination {destination}"
REACH_DECIDE = "kanidoc check --only reachability --destination {destination}"
PUSH_DECIDE = "kanidoc check --only auth,reachability,push --destination {destination}"
AUTH_DECIDE = "kanidoc check --only auth --destination {destination}"
ENGINE_DECIDE = "kanidoc check --only engine --kaniko-version {kaniko_version}"


@record
class Signature:
    name: str  # stable slug
    code: str  # finding code (kanidoc/rules)
    needle: str  # lower-case literal every matching line contains
    pattern: re.Pattern[str]
    summary: str  # one line; {group} placeholders take the pattern's named groups
    example: str  # a real log line the signature was written from
    source: str  # where that line was seen
    when: tuple[tuple[str, frozenset[str]], ...] = ()  # conditions on the unwrapped chain (parser.Chain.attr)
    alternatives: tuple[str, ...] = ()  # codes the log alone cannot rule out
    decide: str | None = None  # the kanidoc check command that decides ({destination}, {kaniko_version})
    fix: str | None = None  # log-specific advice, replaces the rule's default remediation text


def _when(**conditions: str) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple((k, frozenset(v.split("|"))) for k, v in conditions.items())


_PUSH_OPS = "push-check|push"
_PULL_OPS = "build|pull|mirror|cache|retry"
_SHELLS = r"(sh|/bin/sh|/busybox/sh|bash|/bin/bash)"
# x/net/internal/socks: net.OpError{Op: "socks connect", Net: "tcp", Source: proxy, Addr: target}.Error()
_SOCKS = r"socks connect tcp[46]? (?P<proxy>[^ ]+)->(?P<target>(?P<target_host>[^ ]+):[0-9]+): "

S = Signature
SIGNATURES: tuple[Signature, ...] = (
    # --- the job definition: kaniko never ran ---------------------------------------------
    S("ci-entrypoint-not-overridden", "KD-CI-003", "unknown command",
      re.compile(r'unknown command \\?"' + _SHELLS + r'\\?" for \\?"executor\\?"'),
      "the runner's shell command reached /kaniko/executor: the entrypoint was not overridden",
      'Error: unknown command "sh" for "executor"',
      "representative: spf13/cobra wording (`unknown command %q for %q`) for kaniko's executor; GitLab seed doc on the entrypoint"),
    S("ci-executor-missing", "KD-CI-002", "/kaniko/executor",
      re.compile(r"/kaniko/executor:? (not found|No such file or directory|no such file or directory)"),
      "/kaniko/executor does not exist: the job does not run in a kaniko image",
      "/kaniko/executor: No such file or directory", "GoogleContainerTools/kaniko#2380"),
    S("build-run-program-missing", "KD-BUILD-006", "starting command",
      re.compile(r'starting command: (fork/exec (?P<program>[^ :]+): no such file or directory|exec: \\?"(?P<program2>[^"\\]+)\\?": executable file not found)'),
      "a RUN step needs {program}{program2}, which the image being built does not have",
      "error building image: error building stage: starting command: fork/exec /bin/sh: no such file or directory",
      "GoogleContainerTools/kaniko#1129"),
    S("ci-no-shell", "KD-CI-001", "not found|no such file",
      re.compile(r'exec: \\*"?' + _SHELLS + r'\\*"?: (stat [^ ]+: no such file or directory|executable file not found)'
                 r"|unable to upgrade connection: container not found"
                 r"|^(/busybox/sh|/bin/sh): not found$"),
      "the job image has no shell for the runner's script (a kaniko image without -debug?)",
      'exec failed: container_linux.go:349: starting container process caused "exec: \\"sh\\": executable file not found in $PATH"',
      "GoogleContainerTools/kaniko#1450"),
    # --- the executor refuses to start ------------------------------------------------------
    S("engine-refuses", "KD-ENGINE-001", "inside of a container",
      re.compile(r"kaniko should only be run inside of a container"),
      "kaniko refused to run: its container detection found no container",
      "kaniko should only be run inside of a container, run with the --force flag if you are sure you want to continue",
      "vfarcic/kaniko-demo#2; GoogleContainerTools/kaniko#1542", decide=ENGINE_DECIDE,
      fix="Known incompatibility (GitLab docs): kaniko images older than v1.9.0 on Docker Engine >= 20.10 with cgroup v2 "
          "see no container. Upgrade to gcr.io/kaniko-project/executor:v1.23.2-debug or later; if you cannot, set the job "
          "variable `container: docker`."),
    S("engine-forced", "KD-ENGINE-002", "outside of a container",
      re.compile(r"kaniko is being run outside of a container"),
      "kaniko runs with --force: its container detection found no container",
      "WARN[0000] kaniko is being run outside of a container. This can have dangerous effects on your system",
      "vfarcic/kaniko-demo#2; aevea/action-kaniko#32", decide=ENGINE_DECIDE),
    # --- executor arguments -----------------------------------------------------------------
    S("build-dockerfile-path", "KD-BUILD-003", "dockerfile",
      re.compile(r"please provide a valid path to a Dockerfile within the build context|error resolving dockerfile path"),
      "the Dockerfile is not where --dockerfile says, inside the build context",
      "Error: error resolving dockerfile path: please provide a valid path to a Dockerfile within the build context with --dockerfile",
      "GoogleContainerTools/kaniko#827"),
    S("build-context-missing", "KD-BUILD-004", "no such file",
      re.compile(r"(lstat|stat|open|copying file|copying dir|resolving src|failed to get files used from context)[^:]*: no such file or directory"),
      "a file or directory of the build context does not exist",
      "error building image: error building stage: lstat proc/49/fd/3: no such file or directory",
      "GoogleContainerTools/kaniko#469", when=_when(operation="build")),
    S("build-no-destination", "KD-BUILD-005", "must provide",
      re.compile(r"You must provide --destination"),
      "no --destination (and no --no-push): the destination variable is probably empty",
      "Error: You must provide --destination, or use --no-push", "GoogleContainerTools/kaniko#658"),
    S("push-destination-invalid", "KD-PUSH-016", "getting tag for destination",
      re.compile(r"getting tag for destination: (?P<detail>.*)"),
      "kaniko rejects a destination: {detail}",
      "error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated "
      "correctly, and try again: getting tag for destination: repository can only contain the characters "
      "`abcdefghijklmnopqrstuvwxyz0123456789_-./`: /my.project.com:8080/mypro/test.",
      "GoogleContainerTools/kaniko#2396",
      fix="Lower-case the repository path and make sure the variables in --destination are set in this job (an empty "
          "registry variable leaves a reference starting with '/')."),
    S("auth-reference-invalid", "KD-AUTH-015", "can only contain|could not parse reference|invalid reference format",
      re.compile(r"repository can only contain the (characters|runes) [^:]*: (?P<value>[^ ]+)|could not parse reference|invalid reference format"),
      "an image reference kaniko rejects: {value}",
      "error building image: repository can only contain the runes `abcdefghijklmnopqrstuvwxyz0123456789_-./`: docker-hub.internal.com:5000",
      "GoogleContainerTools/kaniko#1789",
      fix="Lower-case the repository path of the image reference. A host:port value here (as in kaniko v1.7.0 with "
          "--registry-mirror host:port, GoogleContainerTools/kaniko#1789) is a kaniko bug: use another kaniko version."),
    # --- credentials (config.json, helpers) -------------------------------------------------
    S("auth-helper-missing", "KD-AUTH-009", "executable file not found",
      re.compile(r'(?P<helper>docker-credential-[A-Za-z0-9_.-]+)\\?"?: executable file not found'),
      "credential helper {helper} is not in the kaniko image",
      'resolving authorization for **.azurecr.io failed: error getting credentials - err: exec: "docker-credential-acr-linux": executable file not found in $PATH, out: ``',
      "jenkins-x/jenkins-x-boot-config#153", decide=AUTH_DECIDE),
    S("auth-invalid-auth-format", "KD-AUTH-005", "auth configuration file",
      re.compile(r"[Ii]nvalid auth configuration file"),
      "an `auth` value in config.json does not decode to user:password",
      "error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated "
      "correctly, and try again: checking push permission for \"registry.example.com/g/p:1\": resolving authorization "
      "for registry.example.com failed: Invalid auth configuration file",
      "representative: docker/cli decodeAuth wording as wrapped by go-containerregistry", decide=AUTH_DECIDE),
    S("auth-bad-base64", "KD-AUTH-004", "illegal base64",
      re.compile(r"illegal base64 data at input byte (?P<byte>[0-9]+)"),
      "an `auth` value in config.json is not valid base64 (byte {byte})",
      "resolving authorization for registry.gitlab.com failed: /kaniko/.docker/config.json: illegal base64 data at input byte 8",
      "representative: research/kaniko-internals.md section 4 (docker/cli <= v26 wording)", decide=AUTH_DECIDE),
    S("auth-config-shape", "KD-AUTH-014", "cannot unmarshal",
      re.compile(r"json: cannot unmarshal [a-z]+ into Go (struct field|value of type) [^ ]*(ConfigFile|AuthConfig)"),
      "config.json has the wrong shape",
      "json: cannot unmarshal array into Go struct field ConfigFile.auths of type map[string]types.AuthConfig",
      "representative: encoding/json wording for docker/cli's ConfigFile", decide=AUTH_DECIDE),
    S("auth-config-unreadable", "KD-AUTH-018", "permission denied",
      re.compile(r"(loading config file|config\.json)[^ ]*:? .*permission denied"),
      "config.json cannot be read",
      "loading config file: open /kaniko/.docker/config.json: permission denied",
      "representative: docker/cli cli/config/config.go (Load) wording", decide=AUTH_DECIDE),
    S("auth-config-json", "KD-AUTH-001", "config",
      re.compile(r"(parsing config file|Unable to parse \"[^\"]*config\.json\"|config\.json[^ ]*:? |loading config file[^ ]*:? )"
                 r".*(invalid character|unexpected end of JSON input|cannot unmarshal|looking for beginning)"),
      "config.json is not valid JSON",
      '2019/05/06 00:47:39 Unable to parse "/kaniko/.docker/config.json": invalid character \'\\n\' in string literal',
      "banzaicloud/drone-kaniko#6", decide=AUTH_DECIDE),
    # --- TLS ----------------------------------------------------------------------------------
    S("tls-unknown-authority", "KD-TLS-001", "x509",
      re.compile(r"x509: certificate signed by unknown authority"),
      "the registry's certificate chain is not trusted by kaniko",
      'error building image: Get "https://registry:5005/v2/": x509: certificate signed by unknown authority',
      "GoogleContainerTools/kaniko#1154", alternatives=("KD-TLS-002", "KD-TLS-007", "KD-TLS-008"), decide=TLS_DECIDE),
    S("tls-hostname", "KD-TLS-003", "x509",
      re.compile(r"x509: certificate is (valid for (?P<names>.*), not (?P<wanted>[^ ]+)|not valid for any names, but wanted to match (?P<wanted2>[^ ]+))"),
      "the certificate is not valid for {wanted}{wanted2}",
      "x509: certificate is not valid for any names, but wanted to match prod-registry-k8s-io-ap-south-1.s3.dualstack.ap-south-1.amazonaws.com",
      "kubernetes/registry.k8s.io#264", decide=TLS_DECIDE),
    S("tls-cn-only", "KD-TLS-004", "x509",
      re.compile(r"x509: certificate relies on legacy Common Name field"),
      "the certificate names the host only in its Common Name (no SAN)",
      'GET /v2/": x509: certificate relies on legacy Common Name field, use SANs instead', "helm/helm#10658"),
    S("tls-ip-san", "KD-TLS-018", "x509",
      re.compile(r"x509: cannot validate certificate for (?P<ip>[^ ]+) because it doesn't contain any IP SANs"),
      "the registry is addressed by IP {ip}, which is not in the certificate's IP SANs",
      "x509: cannot validate certificate for 10.255.0.1 because it doesn't contain any IP SANs",
      "sighupio/permission-manager#93"),
    S("tls-not-yet-valid", "KD-TLS-006", "x509",
      re.compile(r"x509: certificate has expired or is not yet valid: current time (?P<now>[^ ]+) is before (?P<limit>[^ ]+)"),
      "a certificate is not valid before {limit} (the clock says {now})",
      'time="2026-11-27T00:05:17Z" level=fatal msg="Error parsing image name \\"docker://127.0.0.1:37735/g/app:1\\": pinging container registry 127.0.0.1:37735: Get \\"https://127.0.0.1:37735/v2/\\": x509: certificate has expired or is not yet valid: current time 2026-11-27T00:05:17Z is before 2026-11-28T00:05:17Z"',
      "kanidoc integration lab: skopeo 1.9.3 against a leaf valid from tomorrow"),
    S("tls-expired", "KD-TLS-005", "x509",
      re.compile(r"x509: certificate has expired or is not yet valid: current time (?P<now>[^ ]+) is after (?P<limit>[^ ]+)"),
      "a certificate in the chain expired on {limit} (the clock says {now})",
      'Get "https://gitlab.linphone.org:4567/v2/": x509: certificate has expired or is not yet valid: current time 2023-02-15T12:56:35Z is after 2023-02-12T23:59:59Z',
      "BelledonneCommunications/linphone-sdk#280"),
    S("tls-expired-or-not-yet-valid", "KD-TLS-005", "x509",
      re.compile(r"x509: certificate has expired or is not yet valid"),
      "a certificate in the chain has expired, or is not valid yet",
      "Get https://host:5043/v2/: x509: certificate has expired or is not yet valid",
      "GoogleContainerTools/kaniko#279", alternatives=("KD-TLS-006",), decide=TLS_DECIDE),
    S("tls-key-usage", "KD-TLS-021", "x509",
      re.compile(r"x509: certificate specifies an incompatible key usage"),
      "a certificate in the chain is not allowed for TLS servers",
      'time="2026-11-27T00:05:16Z" level=fatal msg="Error parsing image name \\"docker://127.0.0.1:59369/g/app:1\\": pinging container registry 127.0.0.1:59369: Get \\"https://127.0.0.1:59369/v2/\\": x509: certificate specifies an incompatible key usage"',
      "kanidoc integration lab: skopeo 1.9.3 against a leaf with clientAuth only", decide=TLS_DECIDE),
    S("tls-no-roots", "KD-TLS-019", "x509",
      re.compile(r"x509: failed to load system roots and no roots provided"),
      "kaniko found no CA certificates at all",
      "Error: Get https://storage.googleapis.com/r2d4minikube/context.tar.gz: oauth2: cannot fetch token: Post https://accounts.google.com/o/oauth2/token: x509: failed to load system roots and no roots provided",
      "GoogleContainerTools/kaniko#151"),
    # --- proxies (before DNS/TCP: the same words, another hop) ----------------------------
    S("proxy-value-misparsed", "KD-REACH-004", "proxyconnect",
      re.compile(r"proxyconnect tcp: dial tcp: lookup (?P<lookup>socks5h|socks5|socks4a|socks4|https|http)( on [^ ]+)?: no such host"),
      "the proxy URL was misread: Go looked up the host name '{lookup}'",
      'Failed to retrieve image: node:12: Get "https://index.docker.io/v2/": proxyconnect tcp: dial tcp: lookup socks5h on **dns_server_ip**:53: no such host',
      "GoogleContainerTools/kaniko#1492",
      fix="kaniko's Go does not understand this proxy scheme and took it for a host name. Use an http:// proxy URL "
          "(socks5h:// needs Go >= 1.23 builds of kaniko)."),
    S("proxy-scheme", "KD-REACH-024", "proxy scheme",
      re.compile(r"unsupported proxy scheme"),
      "the proxy URL uses a scheme Go cannot use", 'proxyconnect tcp: unsupported proxy scheme "ftp"',
      "representative: Go net/http wording (transport.go)"),
    S("proxy-cgi", "KD-REACH-023", "cgi",
      re.compile(r"refusing to use HTTP_PROXY value in CGI environment"),
      "Go refuses HTTP_PROXY because REQUEST_METHOD is set",
      "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy", "representative: Go net/http wording"),
    S("proxy-407", "KD-REACH-014", "proxy auth|proxyconnect",
      re.compile(r"Proxy Authentication Required|Proxy authentication required|proxyconnect tcp: [^ ]* ?407"),
      "the proxy wants credentials (407 Proxy Authentication Required)",
      "Error while pulling image: Get https://index.docker.io/v1/repositories/library/hello-world/images: Proxy Authentication Required",
      "docker/hub-feedback#826", decide=REACH_DECIDE),
    S("proxy-malformed", "KD-REACH-017", "proxyconnect|malformed http response",
      re.compile(r"proxyconnect tcp: (tls: first record does not look like a TLS handshake|EOF|unexpected EOF|read: connection reset by peer)|https?://[^ \"]+\"?: malformed HTTP response"),
      "the proxy port did not answer like an HTTP proxy",
      'time="2026-11-27T00:05:31Z" level=fatal msg="Error parsing image name \\"docker://registry.lab.test:5000/g/app:1\\": pinging container registry registry.lab.test:5000: Get \\"https://registry.lab.test:5000/v2/\\": malformed HTTP response \\"SSH-2.0-OpenSSH_9.2\\""',
      "kanidoc integration lab: skopeo 1.9.3 with HTTPS_PROXY naming a port that is no HTTP proxy", decide=REACH_DECIDE),
    S("proxy-refused", "KD-REACH-011", "proxyconnect",
      re.compile(r"proxyconnect tcp: dial tcp (?P<proxy>[^ ]+): (connect|getsockopt): connection refused"),
      "nothing listens at the proxy {proxy}",
      '(HTTP code 500) server error - Get "https://registry-1.docker.io/v2/": proxyconnect tcp: dial tcp 127.0.0.1:1080: connect: connection refused',
      "docker/for-win#14706",
      fix="Check the proxy URL's host and port in HTTPS_PROXY/https_proxy (and that the proxy runs); for a registry "
          "reachable without the proxy, add it to NO_PROXY."),
    S("proxy-timeout", "KD-REACH-012", "proxyconnect",
      re.compile(r"proxyconnect tcp: dial tcp (?P<proxy>[^ ]+): (i/o timeout|connect: connection timed out)"),
      "the proxy {proxy} does not answer",
      'Get "https://registry.example.com/v2/": proxyconnect tcp: dial tcp 10.0.0.9:3128: i/o timeout',
      "representative: Go net/http wording (transport.go)", decide=REACH_DECIDE),
    S("proxy-dns", "KD-REACH-007", "proxyconnect",
      re.compile(r"proxyconnect tcp: dial tcp: lookup (?P<lookup>[^ :]+)( on [^ ]+)?: no such host"),
      "the proxy's host name {lookup} does not resolve",
      'Get "https://registry.example.com/v2/": proxyconnect tcp: dial tcp: lookup proxy.corp.example on 10.0.0.10:53: no such host',
      "representative: Go net/http wording (transport.go)", decide=REACH_DECIDE),
    S("proxy-403", "KD-REACH-015", "forbidden",
      re.compile(r"https?://[^ \"]+\"?: Forbidden *(;|$)"),
      "the proxy refused CONNECT (403 Forbidden): not a registry permission problem",
      "Error response from daemon: Get https://registry-1.docker.io/v2/: Forbidden", "moby/moby#40507",
      decide=REACH_DECIDE,
      fix="Go reports a refused CONNECT as a bare `Forbidden`. Ask the proxy's operators to allow CONNECT to the registry, "
          "or add the registry to NO_PROXY/no_proxy if it is reachable directly. This is not a registry permission "
          "problem, whatever kaniko's 'error checking push permissions' says."),
    S("proxy-5xx", "KD-REACH-016", "bad gateway|service unavailable|gateway timeout|internal server error",
      re.compile(r"https?://[^ \"]+\"?: (Bad Gateway|Service Unavailable|Gateway Timeout|Internal Server Error) *(;|$)"),
      "the proxy could not connect onward to the registry",
      'time="2026-11-27T00:03:32Z" level=fatal msg="Error parsing image name \\"docker://registry.lab.test:46555/g/app:1\\": pinging container registry registry.lab.test:46555: Get \\"https://registry.lab.test:46555/v2/\\": Service Unavailable"',
      "kanidoc integration lab: skopeo 1.9.3 through squid, which cannot connect onward",
      decide=REACH_DECIDE),
    # --- SOCKS5 proxies (socks5:// in HTTPS_PROXY) ----------------------------------------------
    # net/http hands its connection to the proxy to the SOCKS dialer it vendors from
    # golang.org/x/net/internal/socks (socks_bundle.go), which wraps every failure as
    # net.OpError{Op: "socks connect", Net: "tcp", Source: <proxy ip:port>, Addr: <registry host:port>}:
    # "socks connect tcp 127.0.0.1:1080->registry.example.com:443: <reason>", no "proxyconnect" in
    # front. A refused CONNECT is "unknown error " + Reply.String(). Codes as the reachability check
    # classifies the same answers live: reply 2 -> KD-REACH-015, other replies -> KD-REACH-016,
    # authentication -> KD-REACH-014, not SOCKS5 / closed -> KD-REACH-017. The fixes name the
    # addresses the line carries ({proxy}: the proxy's address as dialled, never its URL).
    S("socks-ruleset", "KD-REACH-015", "socks connect",
      re.compile(_SOCKS + r"unknown error connection not allowed by ruleset"),
      "the SOCKS proxy {proxy} refused CONNECT to {target} (connection not allowed by ruleset)",
      'time="2026-11-27T02:38:35Z" level=fatal msg="Error parsing image name \\"docker://registry.lab.test:54015/g/app:1\\": pinging container registry registry.lab.test:54015: Get \\"https://registry.lab.test:54015/v2/\\": socks connect tcp 127.0.0.1:48599->registry.lab.test:54015: unknown error connection not allowed by ruleset"',
      "kanidoc integration lab: skopeo 1.9.3 through a SOCKS5 proxy whose rules deny the registry (tests/lab/socks.py, deny)",
      decide=REACH_DECIDE,
      fix="The SOCKS5 proxy at {proxy} answered CONNECT to {target} with reply 2 (connection not allowed by ruleset): "
          "its rules refuse this destination. Ask the proxy's operators to allow {target}, or, if the registry is "
          "reachable without the proxy, add '{target_host}' to NO_PROXY/no_proxy. This is not a registry permission "
          "problem, whatever kaniko's 'error checking push permissions' says."),
    S("socks-auth-failed", "KD-REACH-014", "socks connect",
      re.compile(_SOCKS + r"username/password authentication failed"),
      "the SOCKS proxy {proxy} rejected the user name and password of the proxy URL",
      'time="2026-11-27T02:38:36Z" level=fatal msg="Error parsing image name \\"docker://registry.lab.test:54015/g/app:1\\": pinging container registry registry.lab.test:54015: Get \\"https://registry.lab.test:54015/v2/\\": socks connect tcp 127.0.0.1:35751->registry.lab.test:54015: username/password authentication failed"',
      "kanidoc integration lab: skopeo 1.9.3 with a wrong password in the socks5:// proxy URL (tests/lab/socks.py, users)",
      decide=REACH_DECIDE,
      fix="The SOCKS5 proxy at {proxy} rejected the user name/password kaniko sent (RFC 1929); they come from the "
          "user:password@ part of the proxy URL. Correct them in HTTPS_PROXY/https_proxy "
          "(`socks5://<user>:<password>@<host>:<port>`, special characters percent-encoded), taken from masked CI variables "
          "that are set in this job."),
    S("socks-auth-required", "KD-REACH-014", "socks connect",
      re.compile(_SOCKS + r"no acceptable authentication methods"),
      "the SOCKS proxy {proxy} accepts none of the authentication methods kaniko offered",
      'time="2026-11-27T02:38:36Z" level=fatal msg="Error parsing image name \\"docker://registry.lab.test:54015/g/app:1\\": pinging container registry registry.lab.test:54015: Get \\"https://registry.lab.test:54015/v2/\\": socks connect tcp 127.0.0.1:35751->registry.lab.test:54015: no acceptable authentication methods"',
      "kanidoc integration lab: skopeo 1.9.3 without credentials in the socks5:// proxy URL, the proxy wants them (tests/lab/socks.py, users)",
      decide=REACH_DECIDE,
      fix="The SOCKS5 proxy at {proxy} wants credentials kaniko did not offer: Go offers username/password only when "
          "the proxy URL carries them. Put them in HTTPS_PROXY/https_proxy as `socks5://<user>:<password>@<host>:<port>` "
          "(special characters percent-encoded, from masked CI variables). If the URL already has them, the proxy "
          "does not accept username/password (RFC 1929) and Go speaks no other method: ask its operators to allow "
          "it for this job, or add '{target_host}' to NO_PROXY/no_proxy if the registry is reachable directly."),
    S("socks-auth-method", "KD-REACH-017", "socks connect",
      re.compile(_SOCKS + r"unsupported authentication method (?P<method>[0-9]+)"),
      "the SOCKS proxy {proxy} chose authentication method {method}, which kaniko did not offer",
      'time="2026-11-27T02:41:38Z" level=fatal msg="Error parsing image name \\"docker://registry.lab.test:5000/g/app:1\\": pinging container registry registry.lab.test:5000: Get \\"https://registry.lab.test:5000/v2/\\": socks connect tcp 127.0.0.1:42465->registry.lab.test:5000: unsupported authentication method 1"',
      "kanidoc integration lab: skopeo 1.9.3 with credentials in the socks5:// proxy URL, the proxy answers method 1 (GSSAPI)",
      alternatives=("KD-REACH-014",), decide=REACH_DECIDE,
      fix="The SOCKS5 proxy at {proxy} answered the greeting with authentication method {method}, which Go did not "
          "offer (it offers 'none' and, with user:password@ in the proxy URL, username/password; method 1 is "
          "GSSAPI, which Go does not speak). Have the proxy accept username/password (RFC 1929) for this job and keep "
          "the credentials in HTTPS_PROXY/https_proxy (`socks5://<user>:<password>@<host>:<port>`), or use an http:// "
          "proxy, or add '{target_host}' to NO_PROXY/no_proxy if the registry is reachable directly."),
    S("socks-not-socks", "KD-REACH-017", "socks connect",
      re.compile(_SOCKS + r"(?P<detail>unexpected protocol version [0-9]+|invalid username/password version|"
                 r"non-zero reserved field|unknown address type [0-9]+|(unexpected )?EOF\b|"
                 r"(read|write) tcp [^ ]+: (read|write): (connection reset by peer|broken pipe))"),
      "{proxy} did not answer like a SOCKS5 proxy ({detail})",
      'time="2026-11-27T02:41:38Z" level=fatal msg="Error parsing image name \\"docker://registry.lab.test:5000/g/app:1\\": pinging container registry registry.lab.test:5000: Get \\"https://registry.lab.test:5000/v2/\\": socks connect tcp 127.0.0.1:60435->registry.lab.test:5000: unexpected protocol version 72"',
      "kanidoc integration lab: skopeo 1.9.3 with a socks5:// proxy URL naming a port that answers HTTP",
      decide=REACH_DECIDE,
      fix="{proxy} is named by a socks5:// proxy URL but did not answer the SOCKS5 handshake ({detail}; version 72 "
          "is the 'H' of an HTTP answer, 4 a SOCKS4-only server) or closed the connection. Check the proxy URL's "
          "scheme and port in HTTPS_PROXY/https_proxy: an HTTP proxy takes `http://host:port`, a SOCKS5 proxy its "
          "SOCKS port."),
    S("socks-credentials-invalid", "KD-REACH-014", "socks connect",
      re.compile(_SOCKS + r"invalid username/password"),
      "the user name/password of the socks5:// proxy URL cannot be sent to {proxy} (empty, or longer than 255 bytes)",
      'time="2026-11-27T02:38:36Z" level=fatal msg="Error parsing image name \\"docker://registry.lab.test:54015/g/app:1\\": pinging container registry registry.lab.test:54015: Get \\"https://registry.lab.test:54015/v2/\\": socks connect tcp 127.0.0.1:35751->registry.lab.test:54015: invalid username/password"',
      "kanidoc integration lab: skopeo 1.9.3 with a user name but no password in the socks5:// proxy URL",
      decide=REACH_DECIDE,
      fix="kaniko did not send the proxy credentials to the SOCKS5 proxy at {proxy}: Go refuses an empty user name, "
          "an empty password or one longer than 255 bytes. Set both in HTTPS_PROXY/https_proxy as "
          "`socks5://<user>:<password>@<host>:<port>` (percent-encoded), and check that the CI variables holding them are "
          "set (and not empty) in this job."),
    S("socks-unreachable", "KD-REACH-016", "socks connect",
      re.compile(_SOCKS + r"unknown error (?P<reply>general SOCKS server failure|network unreachable|host unreachable|"
                 r"connection refused|TTL expired)"),
      "the SOCKS proxy {proxy} could not connect onward to {target} ({reply})",
      'time="2026-11-27T02:38:36Z" level=fatal msg="Error parsing image name \\"docker://registry.lab.test:54015/g/app:1\\": pinging container registry registry.lab.test:54015: Get \\"https://registry.lab.test:54015/v2/\\": socks connect tcp 127.0.0.1:54699->registry.lab.test:54015: unknown error host unreachable"',
      "kanidoc integration lab: skopeo 1.9.3 through a SOCKS5 proxy that cannot resolve the registry (tests/lab/socks.py)",
      decide=REACH_DECIDE,
      fix="The SOCKS5 proxy at {proxy} accepted the request but could not reach {target} ({reply}). Go sends the "
          "registry's host name, so the proxy resolves and connects: check that it can resolve and reach {target} "
          "(its DNS, routes, firewall, the registry's port). An internal registry usually belongs in NO_PROXY/no_proxy: "
          "add '{target_host}' if it is reachable without the proxy."),
    S("socks-unsupported", "KD-REACH-016", "socks connect",
      re.compile(_SOCKS + r"unknown error (?P<reply>command not supported|address type not supported|unknown code: [0-9]+)"),
      "the SOCKS proxy {proxy} cannot make this CONNECT to {target} ({reply})",
      'time="2026-11-27T02:41:37Z" level=fatal msg="Error parsing image name \\"docker://registry.lab.test:5000/g/app:1\\": pinging container registry registry.lab.test:5000: Get \\"https://registry.lab.test:5000/v2/\\": socks connect tcp 127.0.0.1:45661->registry.lab.test:5000: unknown error address type not supported"',
      "kanidoc integration lab: skopeo 1.9.3 through a SOCKS5 proxy that answers reply 8",
      decide=REACH_DECIDE,
      fix="The SOCKS5 proxy at {proxy} refused the request for {target} itself ({reply}). Go always asks for CONNECT "
          "and sends the registry's host name (address type 3), never an address it resolved: the proxy must accept "
          "CONNECT to host names. Change the proxy's configuration, use an http:// proxy, or add '{target_host}' to "
          "NO_PROXY/no_proxy if the registry is reachable directly."),
    # --- DNS ------------------------------------------------------------------------------------
    S("dns-nxdomain", "KD-REACH-007", "lookup",
      re.compile(r"lookup (?P<lookup>[^ :]+)( on (?P<dns>[^ ]+))?: no such host"),
      "the host name {lookup} does not resolve",
      "error pushing image: failed to push to destination us.icr.io/test-pr/xyz01/allinoneappserver:extensions-20200519-1608: "
      "Head https://us.icr.io/v2/test-pr/xyz01/allinoneappserver/blobs/sha256:cb9162bf2ed92694f8f5b8fe9d55809651fe05ef55ae3bd231bde52b78b21fef: "
      "dial tcp: lookup us.icr.io on 172.21.0.10:53: no such host",
      "GoogleContainerTools/kaniko#1290", decide=REACH_DECIDE),
    S("dns-servfail", "KD-REACH-009", "misbehaving",
      re.compile(r"lookup (?P<lookup>[^ :]+)( on (?P<dns>[^ ]+))?: server misbehaving"),
      "the DNS server failed to resolve {lookup}",
      "(HTTP code 500) server error - Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io on 10.0.2.3:53: server misbehaving",
      "docker-archive-public/docker.kitematic#3914"),
    S("dns-resolver-unreachable", "KD-REACH-008", "lookup",
      re.compile(r"lookup (?P<lookup>[^ :]+) on (?P<dns>[^ ]+): (dial udp [^ ]+: connect: [a-z ]+|read udp [^ ]+: read: connection refused)"),
      "the DNS server {dns} cannot be reached",
      "error building image: getting stage builder for stage 0: Get https://index.docker.io/v2/: dial tcp: lookup index.docker.io on 10.96.0.10:53: dial udp 10.96.0.10:53: connect: no route to host",
      "GoogleContainerTools/kaniko#473", decide=REACH_DECIDE),
    S("dns-timeout", "KD-REACH-008", "lookup",
      re.compile(r"lookup (?P<lookup>[^ :]+)( on (?P<dns>[^ ]+))?: (read udp [^ ]+: )?i/o timeout"),
      "no DNS answer for {lookup}",
      "Error response from daemon: Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io on 192.168.65.1:53: read udp 192.168.65.2:45941->192.168.65.1:53: i/o timeout",
      "docker/for-mac#2152", decide=REACH_DECIDE),
    S("dial-timeout-unresolved", "KD-REACH-008", "dial tcp",
      re.compile(r"dial tcp: i/o timeout"),
      "the connection timed out before an address was known (DNS, or TCP to every address)",
      'Get "https://auth.docker.io/token?scope=repository%3Apaketobuildpacks%2Fbuild%3Apull&service=registry.docker.io": dial tcp: i/o timeout',
      "buildpacks-community/kpack#981", alternatives=("KD-REACH-012",), decide=REACH_DECIDE),
    # --- TCP and TLS handshake ---------------------------------------------------------------
    S("tcp-refused", "KD-REACH-011", "refused",
      re.compile(r"dial tcp (?P<addr>[^ ]+): (connect|getsockopt): connection refused"),
      "nothing listens at {addr}",
      'time="2018-06-06T09:59:29Z" level=error msg="Get https://XXX/v2/: dial tcp XXX:443: connect: connection refused"',
      "GoogleContainerTools/kaniko#200", decide=REACH_DECIDE),
    S("tcp-timeout", "KD-REACH-012", "dial tcp",
      re.compile(r"dial tcp (?P<addr>[^ ]+): (i/o timeout|connect: connection timed out)"),
      "no answer from {addr} (firewall, wrong address, or a proxy is needed)",
      'error building image: Get "https://gcr.io/v2/": dial tcp 142.250.157.82:443: i/o timeout',
      "GoogleContainerTools/kaniko#2315", decide=REACH_DECIDE),
    S("tcp-unreachable", "KD-REACH-013", "unreachable|no route",
      re.compile(r"dial tcp (?P<addr>[^ ]+): connect: (no route to host|network is unreachable)"),
      "no route to {addr}",
      'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "xxxxxxxxxx/xxxxxx/new-test-2:v1.2": creating push check transport for xxxxxxx.com failed: Get "https://xxxxxxxxxxxxxxx/v2/": dial tcp 10.82.128.17:443: connect: no route to host',
      "GoogleContainerTools/kaniko#1467", decide=REACH_DECIDE),
    S("tls-handshake-timeout", "KD-REACH-018", "handshake",
      re.compile(r"net/http: TLS handshake timeout"),
      "the TLS handshake timed out",
      "WARN[0010] Error processing base image (alpine:3.7) for ONBUILD triggers: getting remote config: getting image: Get https://index.docker.io/v2/: net/http: TLS handshake timeout. Dependencies may be incomplete.",
      "GoogleContainerTools/kaniko#679", decide=REACH_DECIDE),
    S("plain-http", "KD-REACH-019", "https client",
      re.compile(r"server gave HTTP response to HTTPS client"),
      "the registry speaks plain HTTP",
      "error building image: Get https://nexus/v2/: http: server gave HTTP response to HTTPS client",
      "GoogleContainerTools/kaniko#925"),
    S("tls-handshake-failure", "KD-REACH-018", "tls",
      re.compile(r"remote error: tls: [a-z ]+|tls: first record does not look like a TLS handshake|tls: handshake failure|tls: protocol version not supported"),
      "the TLS handshake failed",
      'Get "https://registry.example.com/v2/": remote error: tls: handshake failure', "representative: Go crypto/tls wording",
      decide=REACH_DECIDE),
    S("connection-closed", "KD-REACH-022", "eof",
      re.compile(r"https?://[^ \"]+\"?: (unexpected )?EOF *(;|$)"),
      "the connection was closed before an HTTP answer came",
      'time="2026-11-27T00:03:32Z" level=fatal msg="Error parsing image name \\"docker://registry.lab.test:42241/g/app:1\\": pinging container registry registry.lab.test:42241: Get \\"https://registry.lab.test:42241/v2/\\": unexpected EOF"',
      "kanidoc integration lab: skopeo 1.9.3 with HTTPS_PROXY naming the registry's TLS port",
      alternatives=("KD-REACH-017",), decide=REACH_DECIDE),
    S("connection-reset", "KD-REACH-022", "reset by peer",
      re.compile(r"(read|write) tcp [^ ]+->(?P<addr>[^ ]+): (read|write): connection reset by peer"),
      "the connection to {addr} was reset mid-transfer",
      "error building image: error building stage: failed to get filesystem from image: read tcp 10.128.0.69:49898->104.18.121.25:443: read: connection reset by peer",
      "GoogleContainerTools/kaniko#1267", decide=REACH_DECIDE),
    # --- registry and token service answers ---------------------------------------------------
    S("rate-limited", "KD-PUSH-013", "toomanyrequests|too many|unexpected status code",
      re.compile(r"TOOMANYREQUESTS|toomanyrequests|unexpected status code 429|429 Too Many Requests"),
      "rate limited (429)",
      "error building image: GET https://index.docker.io/v2/library/golang/manifests/1.16.6: TOOMANYREQUESTS: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit",
      "gardener/cc-utils#636"),
    S("missing-realm", "KD-REACH-026", "realm",
      re.compile(r"malformed www-authenticate, missing realm"),
      "the registry's Bearer challenge names no token realm", "malformed www-authenticate, missing realm",
      "representative: go-containerregistry pkg/v1/remote/transport wording"),
    S("no-token", "KD-PUSH-020", "no token",
      re.compile(r"no token in bearer response"),
      "the token service answered without a token", "no token in bearer response:\n{}",
      "representative: go-containerregistry pkg/v1/remote/transport/bearer.go wording"),
    S("manifest-unknown", "KD-PUSH-024", "manifest_unknown|manifest unknown",
      re.compile(r"MANIFEST_UNKNOWN|manifest unknown: manifest unknown"),
      "a base image tag or digest does not exist",
      "error building image: unable to complete operation after 0 attempts, last error: GET base/manifests/latest: MANIFEST_UNKNOWN: The named manifest is not known to the registry.; map[manifest:library/base]",
      "GoogleContainerTools/kaniko#3427"),
    S("name-unknown", "KD-PUSH-010", "name_unknown",
      re.compile(r"NAME_UNKNOWN"),
      "the registry does not know the repository",
      "WARN[0000] Failed to retrieve image docker-hub/alpine:3.19 from remapped registry <account id>.dkr.ecr.us-west-2.amazonaws.com: unable to complete operation after 0 attempts, last error: GET https://<account id>.dkr.ecr.us-west-2.amazonaws.com/v2/docker-hub/alpine/manifests/3.19: NAME_UNKNOWN: The repository with name 'docker-hub/alpine' does not exist in the registry with id '<account id>'. Will try with the next registry, or fallback to the original registry.",
      "GoogleContainerTools/kaniko#3154"),
    S("name-invalid", "KD-PUSH-011", "invalid",
      re.compile(r"NAME_INVALID|invalid repository name"),
      "the registry rejects the repository name",
      'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "/projectname/imagename:latest": creating push check transport for index.docker.io failed: GET https://auth.docker.io/token?scope=repository%3A%2Fprojectname%2Fimagename%3Apush%2Cpull&service=registry.docker.io: unexpected status code 400 Bad Request: {"details":"invalid repository name"}',
      "GoogleContainerTools/kaniko#702",
      fix="Check the repository path in --destination: lower case, [a-z0-9._-/] only, no leading '/' (an empty variable)."),
    S("token-401", "KD-PUSH-004", "unauthorized|unexpected status code",
      re.compile(r"UNAUTHORIZED|unexpected status code 401|401 Unauthorized"),
      "the token service rejects the credentials (401)",
      'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "gcr.io/_some-repository_": creating push check transport for gcr.io failed: GET https://gcr.io/v2/token?scope=repository%_3Asome-repository%_3Apush%2Cpull&service=gcr.io: UNAUTHORIZED: Not Authorized.',
      "GlobalFishingWatch/frontend#1069", when=_when(url_kind="token"), alternatives=("KD-AUTH-008", "KD-AUTH-006"),
      decide=PUSH_DECIDE),
    S("token-403", "KD-PUSH-005", "denied|forbidden|unexpected status code",
      re.compile(r"DENIED|unexpected status code 403|403 Forbidden"),
      "the token service refuses this scope (403)",
      "GET https://gitlab.example.com/jwt/auth?scope=repository%3Ag%2Fp%3Apush%2Cpull&service=container_registry: DENIED: access forbidden",
      "representative: research/registry-protocol.md section 3.4 (GitLab /jwt/auth)", when=_when(url_kind="token"), decide=PUSH_DECIDE),
    S("not-a-registry", "KD-REACH-021", "unexpected status code|/users/sign_in",
      re.compile(r"unexpected status code (200|30[1278])|/users/sign_in"),
      "something other than a registry answered (a login page or a redirect)",
      'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "registry-example.com:443/me/registry-test:v0.0.14": GET https://example.com/users/sign_in: unexpected status code 200 OK: <!DOCTYPE html>',
      "GoogleContainerTools/kaniko#3146", decide=REACH_DECIDE),
    S("intermediary", "KD-PUSH-014", "unexpected status code",
      re.compile(r"unexpected status code (?P<status>40[13])"),
      "a {status} without a registry error body: a proxy, load balancer or WAF answered",
      'error building image: GET https://registry-proxy.domain.com/v2/rh-osbs/ubi9/manifests/sha256:2ae256a7be38e1d0de200de4f6757da841d0d5fc00048cb4125c8fdb32391e08: unexpected status code 401 Unauthorized: {"error": "Invalid audience"}',
      "google/go-containerregistry#1360", when=_when(body="html|text|json|empty"), decide=REACH_DECIDE),
    S("html-instead-of-json", "KD-PUSH-014", "invalid character",
      re.compile(r"invalid character '<' looking for beginning of value"),
      "an HTML page came back where the registry API answers JSON: something else answered",
      "Error response from daemon: error unmarshalling content: invalid character '<' looking for beginning of value",
      "moby/moby#40507", decide=REACH_DECIDE),
    S("ping-unexpected", "KD-PUSH-003", "unexpected status code",
      re.compile(r"unexpected status code (?P<status>[0-9]+)"),
      "GET /v2/ answered {status}: neither 200 nor a 401 challenge",
      'again: checking push permission for "private.registry.com/repository/imagename:tag": creating push check transport for private.registry.com failed: GET https://private.registry.com/v2/: unexpected status code 404 Not Found:',
      "GoogleContainerTools/kaniko#3099", when=_when(url_kind="ping"), alternatives=("KD-REACH-021",), decide=REACH_DECIDE),
    S("read-only", "KD-PUSH-012", "unexpected status code|method not allowed|unsupported",
      re.compile(r"unexpected status code 405|405 Method Not Allowed|StatusCode: 405|UNSUPPORTED: The operation is unsupported"),
      "the registry refuses writes (405)",
      "writing blob: initiating layer upload to /v2/g/app/blobs/uploads/ in 127.0.0.1:58123: StatusCode: 405, Method not allowed",
      "kanidoc integration lab: skopeo 1.9.3 pushing to the distribution registry in read-only mode", decide=PUSH_DECIDE),
    S("upload-404", "KD-PUSH-011", "unexpected status code",
      re.compile(r"unexpected status code 404"),
      "the registry has no upload endpoint for this repository path (404 without a registry body)",
      'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "docker.pkg.github.com/[some repo]:latest": POST https://docker.pkg.github.com/v2/[some repo]/blobs/uploads/: unexpected status code 404 Not Found: 404 page not found',
      "aevea/action-kaniko#32", when=_when(url_kind="blob-upload"), alternatives=("KD-PUSH-010",), decide=PUSH_DECIDE),
    S("pull-denied", "KD-PUSH-017", "unauthorized|denied",
      re.compile(r"UNAUTHORIZED|DENIED"),
      "an image cannot be pulled with the credentials kaniko has",
      "error building image: GET https://index.docker.io/v2/library/build_base/manifests/latest: UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:library/build_base Type:repository]]",
      "GoogleContainerTools/kaniko#1410", when=_when(url_kind="manifest|blob", method="GET|HEAD"),
      alternatives=("KD-AUTH-010", "KD-AUTH-019"), decide=PUSH_DECIDE,
      fix="Add credentials for the image's registry (or make the image public). Docker Hub also answers 401 for "
          "repositories that do not exist: check the FROM and COPY --from names (a stage name that does not match "
          "is pulled as an image)."),
    S("push-denied", "KD-PUSH-009", "denied",
      re.compile(r"DENIED"),
      "the registry denied the push (403 DENIED)",
      'error pushing image: failed to push to destination gcr.io/*****/*****: DENIED: "Access denied."',
      "tektoncd/pipeline#848", when=_when(operation=_PUSH_OPS), alternatives=("KD-PUSH-005",), decide=PUSH_DECIDE),
    S("push-unauthorized", "KD-PUSH-008", "unauthorized",
      re.compile(r"UNAUTHORIZED"),
      "the registry refused the upload: the credentials kaniko sent do not allow push here (or there were none)",
      'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "my-registry.io/org/team/project": POST https://my-registry.io/v2/org/team/project/blobs/uploads/: UNAUTHORIZED: authentication required; [map[Action:pull Class: Name:org/team/project Type:repository] map[Action:push Class: Name:org/team/project Type:repository]]',
      "GoogleContainerTools/kaniko#1325", when=_when(operation=_PUSH_OPS),
      alternatives=("KD-PUSH-021", "KD-AUTH-002", "KD-AUTH-010"), decide=PUSH_DECIDE,
      fix="The upload was refused with 401: kaniko sent no credentials for this registry, or credentials without push "
          "rights on this repository. Check that /kaniko/.docker/config.json has an entry for the exact registry "
          "host[:port] (see the snippet of the auth check) and that the account may push to this path."),
    S("registry-unauthorized", "KD-PUSH-008", "unauthorized",
      re.compile(r"UNAUTHORIZED|unauthorized: authentication required"),
      "a registry answered UNAUTHORIZED; the log does not say to which request",
      'time="2018-06-21T06:54:42Z" level=error msg="UNAUTHORIZED: \\"authentication required\\""',
      "GoogleContainerTools/kaniko#212", alternatives=("KD-PUSH-017", "KD-PUSH-004", "KD-PUSH-021"), decide=PUSH_DECIDE),
    # --- wrappers, when nothing inside was recognised --------------------------------------
    S("keychain-error", "KD-PUSH-002", "resolving authorization",
      re.compile(r"resolving authorization for (?P<registry>[^ ]+) failed"),
      "kaniko could not resolve credentials for {registry}",
      'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "xyz.azurecr.io/myorg/myrepo:0.0.1": resolving authorization for xyz.azurecr.io failed: error getting credentials - err: exit status 1, out: ``',
      "representative: go-containerregistry pkg/v1/remote/check.go wording", decide=AUTH_DECIDE),
)

# Failure-looking lines, for logs no signature explains (lower-case needles, then the pattern).
FAILURE_NEEDLES = ("error", "fatal", "fail", "panic", "denied", "unauthorized", "forbidden", "refused", "not found",
                   "no such file", "timeout", "cannot", "unable to")
STRONG_FAILURE = re.compile(
    r"^(error [a-z]|Error: |ERROR: |Error response from daemon|Failed to |fatal|FATAL|panic:)|: (error|failed)\b"
)
WEAK_FAILURE = re.compile(  # searched in the lower-cased line
    r"\b(error|fatal|failed|failure|panic|denied|unauthorized|forbidden|refused|not found|no such file|timed? ?out|cannot|unable to)\b"
)
# Lines that mean failure but never name a cause (counted, not shown as the failure).
NOISE = re.compile(r"^(ERROR: Job failed|Cleaning up|Uploading artifacts|WARNING: |ERROR: Uploading artifacts)")
SUCCESS = re.compile(r"^Job succeeded$|^Pushed [^ ]+@sha256:")


def needles() -> tuple[bytes, ...]:
    """Every needle the scanner needs: signatures, failure words (lower-case bytes, deduplicated)."""
    words: list[str] = []
    for sig in SIGNATURES:
        words.extend(sig.needle.split("|"))
    words.extend(FAILURE_NEEDLES)
    words.extend(("job succeeded", "pushed "))
    out: list[str] = []
    for word in sorted(set(words), key=len):
        if not any(shorter in word for shorter in out):  # "error" already finds "errors"
            out.append(word)
    return tuple(w.encode() for w in out)


_ERE_CLASSES = {r"\d": "[0-9]", r"\s": "[[:space:]]", r"\S": "[^[:space:]]", r"\w": "[[:alnum:]_]"}


def ere(pattern: str) -> str:
    """Translate a signature pattern to POSIX ERE (GNU grep -E), for the bench baseline."""
    out = re.sub(r"\(\?P<\w+>", "(", pattern)
    out = out.replace("(?:", "(")
    for py, posix in _ERE_CLASSES.items():
        out = out.replace(py, posix)
    return out
