"""Finding codes of the ``reachability`` check."""

from kanidoc.model import Severity
from kanidoc.rules import Rule, RuleBook

INTRO = (
    "The `reachability` check walks every registry kaniko will contact hop by hop, through the proxy Go's "
    "`http.ProxyFromEnvironment` would choose: proxy decision, DNS (of the proxy when proxied), TCP, "
    "CONNECT, TLS handshake and `GET /v2/`, then the token realm the registry names. Each hop is timed."
)
E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

DECISION = Rule("KD-REACH-001", INFO, "proxy decision",
    "Which proxy Go would use for this URL, from which variable, or why the connection is direct "
    "(NO_PROXY entry, localhost/loopback, variable unset).",
    "Nothing to do.", "registry.example.com:443: via proxy http://proxy:3128 (HTTPS_PROXY)")
CASE_MISMATCH = Rule("KD-REACH-002", W, "proxy variable set in both cases with different values",
    "Go reads HTTPS_PROXY before https_proxy (and HTTP_PROXY, NO_PROXY likewise) and uses the upper-case one "
    "whenever it is non-empty; curl and Python prefer lower case, so the job's other tools disagree with kaniko.",
    "Set both spellings to the same value, or unset one.", "HTTPS_PROXY and https_proxy differ; Go uses HTTPS_PROXY")
NO_PROXY_ENTRY = Rule("KD-REACH-003", W, "a NO_PROXY entry Go will never match",
    "Go's NO_PROXY matching takes host names, domains (`.example.com` or `example.com`), `host:port`, IPs and CIDRs. "
    "An entry with a scheme (`https://reg`), a path, brackets without a port or a `*.` wildcard in the middle "
    "matches nothing.", "Write the bare host or domain: `registry.example.com` or `.example.com`.",
    "NO_PROXY entry 'https://registry.example.com' has a scheme; Go never matches it")
PROXY_VALUE = Rule("KD-REACH-004", W, "a proxy value Go ignores or misreads",
    "Go silently ignores a proxy URL it cannot parse (the connection goes direct) and prefixes `http://` to a "
    "value without a scheme; a trailing newline or a bad port makes the value unusable.",
    "Write the proxy as `http://host:port` (credentials percent-encoded).", "HTTPS_PROXY 'http://proxy:31 28' cannot be parsed; Go connects directly")
ALL_PROXY = Rule("KD-REACH-005", INFO, "ALL_PROXY is ignored by Go",
    "golang.org/x/net/http/httpproxy reads only HTTP_PROXY, HTTPS_PROXY and NO_PROXY (and their lower-case forms).",
    "Set HTTPS_PROXY (and HTTP_PROXY) instead.", "ALL_PROXY is set; kaniko ignores it")
BUILD_ARGS = Rule("KD-REACH-006", W, "proxy variables not passed to RUN steps",
    "kaniko's own connections use the job's proxy variables, but RUN instructions in the Dockerfile see only "
    "what is passed with --build-arg (GitLab's kaniko-behind-a-proxy recipe).",
    "Add `--build-arg http_proxy=$http_proxy --build-arg https_proxy=$https_proxy --build-arg no_proxy=$no_proxy`.",
    "https_proxy is set for the job but not passed with --build-arg")
DNS_NXDOMAIN = Rule("KD-REACH-007", E, "host name does not exist (NXDOMAIN)",
    "The resolver says the name does not exist. Go reports `lookup <host> on <server>: no such host`.",
    "Check the spelling of the registry (or proxy) host, and the job's DNS (split-horizon names need the "
    "internal resolver).", "lookup registry.example.com on 10.0.0.10:53: no such host")
DNS_TIMEOUT = Rule("KD-REACH-008", E, "DNS did not answer in time",
    "No DNS answer within the timeout: the resolver is unreachable or drops queries (firewall, wrong nameserver).",
    "Check /etc/resolv.conf in the job's container and that UDP/TCP 53 to the resolver is allowed.",
    "lookup registry.example.com on 10.0.0.10:53: i/o timeout")
DNS_SERVFAIL = Rule("KD-REACH-009", E, "DNS server failure (SERVFAIL/REFUSED)",
    "The resolver answered with an error; Go calls this `server misbehaving`. Typical of a broken forwarder or "
    "DNSSEC failure upstream.", "Fix the resolver or its upstream; try the query with `dig @server name`.",
    "lookup registry.example.com on 10.0.0.10:53: server misbehaving")
DNS_SEARCH = Rule("KD-REACH-010", W, "search-domain expansion before the real name",
    "With fewer dots than `ndots` (Kubernetes sets ndots:5), Go tries every search suffix before the name "
    "itself: each miss costs a round trip, and a wildcard record under a search domain answers with the wrong address.",
    "Use a fully qualified name with a trailing dot in NO_PROXY-free contexts, or lower ndots with the pod's dnsConfig.",
    "4 queries before registry.example.com. (ndots:5)")
TCP_REFUSED = Rule("KD-REACH-011", E, "connection refused",
    "The host answered the TCP SYN with a reset: nothing listens on that port.",
    "Check the port in the image reference (and the registry's listen address), or the proxy's port.",
    "dial tcp 10.0.0.5:5050: connect: connection refused")
TCP_TIMEOUT = Rule("KD-REACH-012", E, "TCP connect timed out",
    "No answer to the TCP SYN: a firewall drops the packets, or the address is wrong. Behind a mandatory proxy, "
    "direct connections often look like this: check NO_PROXY.",
    "Allow the connection, or route it through the proxy (remove the host from NO_PROXY).", "dial tcp 10.0.0.5:443: i/o timeout")
TCP_UNREACHABLE = Rule("KD-REACH-013", E, "network unreachable",
    "The kernel has no route to the address (e.g. an IPv6-only answer on an IPv4-only runner).",
    "Check the runner's network and the addresses the name resolves to.", "dial tcp [2001:db8::1]:443: connect: network is unreachable")
CONNECT_407 = Rule("KD-REACH-014", E, "proxy wants credentials (407)",
    "The proxy answered CONNECT with 407 Proxy Authentication Required: the proxy URL carries no credentials, "
    "or wrong ones. kaniko logs `Proxy Authentication Required`.",
    "Put the credentials in the proxy URL: `http://<user>:<password>@proxy:3128` (percent-encode special characters), "
    "from masked CI variables.", "CONNECT registry.example.com:443 -> 407 Proxy Authentication Required")
CONNECT_403 = Rule("KD-REACH-015", E, "proxy refuses this destination (403)",
    "The proxy's ACL denies CONNECT to the registry. kaniko then fails with `Forbidden` or the 403 "
    "`error checking push permissions`; this is the proxy, not the registry's permissions.",
    "Ask the proxy's operators to allow CONNECT to the registry, or add the registry to NO_PROXY if it is reachable directly.",
    "CONNECT registry.example.com:443 -> 403 Forbidden")
CONNECT_ERROR = Rule("KD-REACH-016", E, "proxy could not connect onward",
    "The proxy accepted the request but answered with an error status (502/503/504): it cannot resolve or reach the registry.",
    "Check that the proxy can resolve and reach the registry; an internal registry usually belongs in NO_PROXY.",
    "CONNECT registry.example.com:443 -> 503 Service Unavailable")
CONNECT_MALFORMED = Rule("KD-REACH-017", E, "the proxy's reply is not HTTP",
    "The proxy port answered CONNECT with something that is not an HTTP response, or closed the connection: "
    "wrong port, a SOCKS or TLS port used as an HTTP proxy.", "Check the proxy URL's scheme and port.",
    "proxyconnect tcp: malformed HTTP response")
TLS_HANDSHAKE = Rule("KD-REACH-018", E, "TLS handshake failed",
    "The TLS handshake did not complete (alert, reset, timeout, no TLS >= 1.2). Trust of the certificate is "
    "judged by the `tls` check; this is about the handshake itself.",
    "Check the registry's TLS configuration (protocol versions, SNI) and anything intercepting the connection.",
    "remote error: tls: handshake failure")
PLAIN_HTTP = Rule("KD-REACH-019", E, "the registry speaks plain HTTP",
    "The server answered the TLS hello with HTTP. Go reports `http: server gave HTTP response to HTTPS client`; "
    "kaniko falls back to http only for `--insecure`/`--insecure-registry` and loopback/private names.",
    "Pass `--insecure-registry <host:port>` to kaniko (and accept the risk), or enable TLS on the registry.",
    "http: server gave HTTP response to HTTPS client")
REGISTRY_OK = Rule("KD-REACH-020", INFO, "a registry answered",
    "`GET /v2/` returned 200 or a 401 with a Basic/Bearer challenge and the distribution API header: a registry answered.",
    "Nothing to do.", "GET /v2/ -> 401, Bearer realm https://gitlab.example.com/jwt/auth")
NOT_A_REGISTRY = Rule("KD-REACH-021", E, "something other than a registry answered",
    "`GET /v2/` got a redirect to a login page, an HTML page, or a 403/404 without registry headers: a proxy, load "
    "balancer, WAF or web server in front of (or instead of) the registry answered.",
    "Check the registry URL and port, and what sits in front of it (the evidence shows its headers).",
    "GET /v2/ -> 302 to https://sso.example.com/login (text/html)")
HTTP_FAILED = Rule("KD-REACH-022", E, "no HTTP answer after the handshake",
    "The connection was established but the server did not answer `GET /v2/` in time, or closed the connection.",
    "Check the registry's health and anything between (idle timeouts, inspection proxies).", "GET /v2/: i/o timeout")
CGI = Rule("KD-REACH-023", E, "HTTP_PROXY refused in a CGI environment",
    "REQUEST_METHOD is set, so Go refuses HTTP_PROXY for http:// URLs (golang.org/s/cgihttpproxy).",
    "Unset REQUEST_METHOD in the job.", "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy")
PROXY_SCHEME = Rule("KD-REACH-024", E, "proxy scheme Go cannot use",
    "Go's transport speaks http://, https://, socks5:// (and socks5h:// from Go 1.23) proxies only.",
    "Use an http:// proxy URL.", 'proxyconnect tcp: unsupported proxy scheme "ftp"')
HTTPS_PROXY_UNSET = Rule("KD-REACH-025", W, "HTTP_PROXY set, HTTPS_PROXY not",
    "Since Go 1.16 (kaniko >= v1.8.0) https:// URLs use only HTTPS_PROXY; a job that sets only http_proxy "
    "connects to registries directly.", "Set https_proxy (and HTTPS_PROXY) as well.",
    "http_proxy is set but https_proxy is not: registry traffic goes direct")
MISSING_REALM = Rule("KD-REACH-026", E, "Bearer challenge without a realm",
    "The registry's 401 challenge names no token realm; go-containerregistry fails with "
    "`malformed www-authenticate, missing realm`.", "Fix the registry's token auth configuration (auth.token.realm).",
    "malformed www-authenticate, missing realm")
PROXY_UNTRUSTED = Rule("KD-REACH-027", E, "the https:// proxy's certificate is not trusted",
    "The proxy URL is `https://`: Go opens TLS to the proxy itself before CONNECT, and verifies the proxy's "
    "certificate with the same roots (and skip flags) as the registry it is going to. kaniko fails with "
    "`proxyconnect tcp: tls: failed to verify certificate: x509: ...` before the registry is even asked.",
    "Add the CA that issued the proxy's certificate to kaniko's store (`--registry-certificate <registry>=<ca.pem>`, "
    "or the bundle in /kaniko/ssl/certs), or use an `http://` proxy URL if the proxy also listens in plain text.",
    "proxyconnect tcp: tls: failed to verify certificate: x509: certificate signed by unknown authority")

RULES = RuleBook(DECISION, CASE_MISMATCH, NO_PROXY_ENTRY, PROXY_VALUE, ALL_PROXY, BUILD_ARGS, DNS_NXDOMAIN, DNS_TIMEOUT,
                 DNS_SERVFAIL, DNS_SEARCH, TCP_REFUSED, TCP_TIMEOUT, TCP_UNREACHABLE, CONNECT_407, CONNECT_403,
                 CONNECT_ERROR, CONNECT_MALFORMED, TLS_HANDSHAKE, PLAIN_HTTP, REGISTRY_OK, NOT_A_REGISTRY, HTTP_FAILED,
                 CGI, PROXY_SCHEME, HTTPS_PROXY_UNSET, MISSING_REALM, PROXY_UNTRUSTED)
