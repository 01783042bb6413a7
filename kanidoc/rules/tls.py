"""Finding codes of the ``tls`` check."""

from kanidoc.model import Severity
from kanidoc.rules import Rule, RuleBook

INTRO = (
    "The `tls` check verifies the chain each registry presented (published by `reachability`) against the "
    "trust store kaniko's Go binary would assemble: SSL_CERT_FILE or Go's default bundle files, SSL_CERT_DIR "
    "(the kaniko image sets `/kaniko/ssl/certs`) and `--registry-certificate` for that registry. Like Go, it "
    "never fetches missing intermediates."
)
E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

UNKNOWN_AUTHORITY = Rule("KD-TLS-001", E, "certificate signed by unknown authority",
    "The chain does not lead to any certificate in kaniko's trust store: a private CA, or an intercepting proxy. "
    "kaniko: `x509: certificate signed by unknown authority`.",
    "Add the CA that issued the chain to /kaniko/ssl/certs/ca-certificates.crt in before_script, or pass "
    "`--registry-certificate <host>=<ca.pem>`.",
    "x509: certificate signed by unknown authority")
MISSING_INTERMEDIATE = Rule("KD-TLS-002", E, "the server does not send its intermediate certificate",
    "The store has the root, but the server presented only the leaf. Browsers fetch the missing intermediate "
    "(AIA), Go does not (golang/go#31773): kaniko fails with `unknown authority` while a browser is happy.",
    "Fix the server to send the full chain (leaf + intermediates); meanwhile add the intermediate to kaniko's bundle.",
    "chain: leaf only; issuer 'Example Intermediate CA' is not in the store, its issuer is")
HOSTNAME = Rule("KD-TLS-003", E, "certificate not valid for this host name",
    "The leaf's subject alternative names do not include the registry host. kaniko: `x509: certificate is valid "
    "for a, b, not c`.",
    "Use the host name the certificate was issued for, or reissue the certificate with that name as a SAN.",
    "x509: certificate is valid for registry.example.com, not registry.internal")
CN_ONLY = Rule("KD-TLS-004", E, "certificate has no SAN, only a Common Name",
    "Go >= 1.15 (kaniko >= v1.5.0) ignores the Common Name: `x509: certificate relies on legacy Common Name "
    "field, use SANs instead`.", "Reissue the certificate with the host name in subjectAltName.",
    "x509: certificate relies on legacy Common Name field, use SANs instead")
EXPIRED = Rule("KD-TLS-005", E, "certificate expired",
    "A certificate in the chain is past its notAfter. If the dates look right, the job's clock may be wrong.",
    "Renew the certificate (and check the runner's clock).",
    "x509: certificate has expired or is not yet valid: current time 2026-11-26T21:30:00Z is after 2026-01-01T00:00:00Z")
NOT_YET_VALID = Rule("KD-TLS-006", E, "certificate not yet valid",
    "A certificate's notBefore is in the future: freshly issued with a clock ahead, or the runner's clock is behind.",
    "Check the clocks (NTP) of the runner and the CA.",
    "x509: certificate has expired or is not yet valid: current time ... is before ...")
SELF_SIGNED = Rule("KD-TLS-007", E, "self-signed leaf certificate",
    "The server presents a certificate that signed itself and is not in the store.",
    "Add that certificate to kaniko's store (--registry-certificate host=cert.pem), or use a CA-issued certificate.",
    "x509: certificate signed by unknown authority (self-signed)")
INTERCEPTION = Rule("KD-TLS-008", E, "TLS interception by a proxy",
    "The chain seen through the proxy differs from the registry's own, or is issued by a known inspection "
    "product: the proxy re-signs TLS. Adding the registry's CA does not help; the proxy's CA is needed.",
    "Add the proxy's (inspection) CA to /kaniko/ssl/certs, or exempt the registry from inspection / add it to NO_PROXY.",
    "issuer 'Zscaler Intermediate Root CA' via proxy, 'Let's Encrypt R11' direct")
REGISTRY_CERT = Rule("KD-TLS-009", E, "--registry-certificate does not fit",
    "The file given for a registry cannot be read, holds no PEM certificate (Go ignores it silently), or is "
    "for another host (kaniko matches the host[:port] string exactly).",
    "Give the registry's host[:port] exactly as in the image reference, and a PEM CA certificate.",
    "--registry-certificate registry.example.com=/certs/ca.pem: no certificate for registry.example.com:5050")
VERIFIED = Rule("KD-TLS-010", INFO, "chain verifies",
    "The presented chain verifies against kaniko's store for this host.", "Nothing to do.",
    "registry.example.com: verified via 'Example Root CA' (3 certificates)")
EMPTY_FILE = Rule("KD-TLS-011", W, "a trust file contributes no certificate",
    "Go reads PEM blocks only and ignores anything else without a word, so a file with no PEM certificate "
    "(empty, DER, a private key) adds nothing to the store: the fix silently does nothing.",
    "Convert DER to PEM (`openssl x509 -inform der -in ca.der -out ca.pem`) and check the file is not empty.",
    "/kaniko/ssl/certs/corp.crt: 0 PEM certificates (DER?)")
DIR_DER = Rule("KD-TLS-012", W, "DER file in a certificate directory",
    "Go's SSL_CERT_DIR loader parses PEM only; a DER-encoded file is skipped.",
    "Convert it to PEM.", "/kaniko/ssl/certs/corp.der is DER: ignored by Go")
UNREADABLE = Rule("KD-TLS-013", W, "a trust file cannot be read",
    "Unreadable files and directories are skipped by Go without an error.", "Fix the permissions.",
    "/kaniko/ssl/certs/private.pem: permission denied")
STORE = Rule("KD-TLS-014", INFO, "the trust store kaniko would use",
    "Where Go takes its roots from and how many each source contributed.", "Nothing to do.",
    "SSL_CERT_DIR=/kaniko/ssl/certs: 140 certificates from 1 file")
STORE_HYGIENE = Rule("KD-TLS-015", INFO, "expired or duplicate roots in the store",
    "Expired roots never verify anything; duplicates are harmless but suggest an appended bundle was appended twice.",
    "Remove expired roots; append a CA once.", "3 expired roots in /kaniko/ssl/certs/ca-certificates.crt")
VERIFY_OFF = Rule("KD-TLS-016", W, "TLS verification is turned off",
    "`--skip-tls-verify` or `--skip-tls-verify-registry` makes kaniko accept any certificate: a man in the middle "
    "can read credentials and alter images.", "Trust the right CA instead and drop the flag.",
    "--skip-tls-verify-registry registry.example.com: certificate not verified")
CERT_DIR_OVERRIDE = Rule("KD-TLS-017", E, "SSL_CERT_DIR drops kaniko's bundle",
    "SSL_CERT_DIR replaces Go's directory list; the kaniko image's roots live in /kaniko/ssl/certs, so a job "
    "setting SSL_CERT_DIR elsewhere (or mounting over it) loses every public root.",
    "List both: SSL_CERT_DIR=/kaniko/ssl/certs:/extra/certs.", "SSL_CERT_DIR=/etc/certs hides /kaniko/ssl/certs")
IP_SAN = Rule("KD-TLS-018", E, "IP address not in the certificate's IP SANs",
    "The registry is addressed by IP, and Go checks IP SANs only: `x509: cannot validate certificate for <ip> "
    "because it doesn't contain any IP SANs`.", "Add the IP as an IP SAN, or use the host name the certificate names.",
    "x509: cannot validate certificate for 10.0.0.5 because it doesn't contain any IP SANs")
EMPTY_STORE = Rule("KD-TLS-019", E, "the trust store is empty",
    "No source contributed a certificate: every TLS connection will fail with `unknown authority`.",
    "Restore /kaniko/ssl/certs (do not mount over it) or point SSL_CERT_FILE at a bundle.", "0 certificates in the store")
NO_CHAIN = Rule("KD-TLS-020", INFO, "no chain to verify",
    "The registry was not reached over TLS (the reachability check failed earlier, or it speaks plain HTTP).",
    "See the reachability check.", "registry.example.com: no TLS handshake")

KEY_USAGE = Rule("KD-TLS-021", E, "certificate not allowed for TLS servers",
    "An extended key usage in the chain does not allow server authentication: `x509: certificate specifies an "
    "incompatible key usage`.", "Reissue the certificate with the serverAuth extended key usage.",
    "x509: certificate specifies an incompatible key usage")
STRICT_PROFILE = Rule("KD-TLS-022", INFO, "a strict RFC 5280 verifier disagrees",
    "Go accepts the chain, but cryptography's RFC 5280 web-PKI verifier rejects it; other clients (browsers, "
    "OpenSSL-based tools) may too. kaniko is not affected.", "Consider reissuing the certificate to the RFC 5280 profile.",
    "EE subjectAltName MUST NOT be critical when subject is nonempty")
UNHANDLED_CRITICAL = Rule("KD-TLS-023", E, "a critical extension Go does not process",
    "A certificate in the chain marks an extension critical that Go's crypto/x509 does not process "
    "(`UnhandledCriticalExtensions`): Go refuses the leaf outright (`x509: unhandled critical extension`) and "
    "skips such an issuing CA as a candidate, which ends in `certificate signed by unknown authority`.",
    "Reissue the certificate without the extension, or with it marked non-critical.",
    "x509: unhandled critical extension")

RULES = RuleBook(UNHANDLED_CRITICAL, KEY_USAGE, STRICT_PROFILE, UNKNOWN_AUTHORITY, MISSING_INTERMEDIATE, HOSTNAME, CN_ONLY, EXPIRED, NOT_YET_VALID, SELF_SIGNED,
                 INTERCEPTION, REGISTRY_CERT, VERIFIED, EMPTY_FILE, DIR_DER, UNREADABLE, STORE, STORE_HYGIENE,
                 VERIFY_OFF, CERT_DIR_OVERRIDE, IP_SAN, EMPTY_STORE, NO_CHAIN)
