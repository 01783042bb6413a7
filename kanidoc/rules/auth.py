"""Finding codes of the ``auth`` check (docs/checks/auth.md is generated from these)."""

from kanidoc.model import Severity
from kanidoc.rules import Rule, RuleBook

INTRO = (
    "The `auth` check reads the config.json kaniko will read and replays, offline, the key lookups "
    "docker/cli and go-containerregistry will make for every registry the build contacts: destinations, "
    "`--cache-repo`, `--registry-mirror` and the images the Dockerfile pulls."
)

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

INVALID_JSON = Rule(
    "KD-AUTH-001", E, "config.json is not valid JSON",
    "docker/cli decodes config.json with Go's encoding/json; any syntax error fails every registry lookup. "
    "The classic cause is `base64` wrapping its output at 76 columns inside an `echo \"{...}\"`, which puts a raw "
    "newline inside a JSON string.",
    "Write config.json with `base64 | tr -d '\\n'` (or `base64 -w0`) and escape the inner quotes; validate it in the job.",
    "config.json line 1, column 87: invalid character '\\n' in string literal",
)
WRONG_LOCATION = Rule(
    "KD-AUTH-002", W, "credentials written where kaniko never reads them",
    "The kaniko image sets DOCKER_CONFIG=/kaniko/.docker/, so go-containerregistry loads only "
    "$DOCKER_CONFIG/config.json. A file in $HOME/.docker/ (e.g. /root/.docker/config.json) is ignored.",
    "Write the file to /kaniko/.docker/config.json (or to $DOCKER_CONFIG/config.json).",
    "credentials in /root/.docker/config.json, but kaniko reads /kaniko/.docker/config.json",
)
NO_CONFIG = Rule(
    "KD-AUTH-003", W, "no config.json: kaniko will be anonymous",
    "No docker config file exists where kaniko looks, so every registry is contacted anonymously "
    "(unless an in-process helper such as the GitLab one supplies credentials).",
    "Create /kaniko/.docker/config.json in the job before running the executor (see the snippet).",
    "no /kaniko/.docker/config.json: kaniko pushes anonymously",
)
BAD_BASE64 = Rule(
    "KD-AUTH-004", E, "`auth` is not valid base64",
    "docker/cli decodes every `auth` with Go's base64.StdEncoding (padding required, CR/LF ignored, anything "
    "else illegal). One bad entry fails the whole file, for every registry.",
    "Produce the value with `printf '%s:%s' \"$USER\" \"$PASSWORD\" | base64 | tr -d '\\n'`.",
    "auths[\"registry.example.com\"].auth: illegal base64 data at input byte 12",
)
BAD_AUTH_FORMAT = Rule(
    "KD-AUTH-005", E, "decoded `auth` is not user:password",
    "docker/cli splits the decoded `auth` at the first colon and rejects a value without one, or (docker/cli "
    ">= 23, kaniko >= v1.9.2) with an empty user name: `Invalid auth configuration file`, failing the whole file.",
    "Encode `user:password` (both non-empty); an empty user name usually means an unset variable.",
    "auths[\"registry.example.com\"].auth decodes to a value without ':'",
)
EMPTY_SECRET = Rule(
    "KD-AUTH-006", E, "credentials with an empty user name or password",
    "go-containerregistry sends Basic credentials only when both user name and password are non-empty, so "
    "this entry makes kaniko anonymous. Usually a variable that is empty in this job: protected variables are "
    "not exported to pipelines on unprotected branches or tags.",
    "Check that the variable is set for this ref (Settings > CI/CD > Variables: 'Protected'), or use "
    "CI_REGISTRY_USER/CI_REGISTRY_PASSWORD for the GitLab registry.",
    "auths[\"registry.example.com\"]: password is empty",
)
UNEXPANDED = Rule(
    "KD-AUTH-007", E, "a `$VARIABLE` was written literally",
    "The shell did not expand the variable (single quotes, or a heredoc with a quoted delimiter), so the "
    "literal text `$CI_REGISTRY_PASSWORD` is sent as the credential.",
    "Use double quotes around the echo, or an unquoted heredoc delimiter, so the shell expands the variables.",
    "auths[\"registry.example.com\"]: password contains the literal text $CI_REGISTRY_PASSWORD",
)
TRAILING_NEWLINE = Rule(
    "KD-AUTH-008", W, "password ends with a newline",
    "`echo user:pass | base64` encodes the newline echo appends; docker/cli trims only NUL bytes, so the "
    "newline becomes part of the password and the registry answers 401/403.",
    "Use `printf '%s:%s'` (or `echo -n`) before `base64`.",
    "auths[\"registry.example.com\"]: decoded password ends with '\\n'",
)
HELPER_MISSING = Rule(
    "KD-AUTH-009", E, "credential helper binary not found",
    "With `credsStore` (every registry) or `credHelpers` (one registry), docker/cli runs "
    "`docker-credential-<name>`. A missing binary is an error, not anonymous, and it aborts kaniko's whole "
    "keychain. The kaniko image ships only docker-credential-gcr, -ecr-login and -acr-env.",
    "Remove `credsStore` (e.g. `desktop` copied from a laptop) or name a helper the kaniko image ships.",
    "credsStore 'desktop': docker-credential-desktop is not on PATH",
)
NO_MATCH = Rule(
    "KD-AUTH-010", E, "no config.json entry for a registry kaniko contacts",
    "go-containerregistry looks up exactly `host[:port]` (Docker Hub: `https://index.docker.io/v1/`), after "
    "docker/cli reduces each `auths` key to its hostname with the port kept. An entry for another port, "
    "another case or a Docker Hub alias is never used.",
    "Add (or rename) the entry under the exact key shown in the evidence.",
    "entry for 'registry.example.com', but kaniko will look up 'registry.example.com:5050'",
)
CREDENTIALS_FOUND = Rule(
    "KD-AUTH-011", INFO, "credentials kaniko will send",
    "Which entry, helper or built-in fallback go-containerregistry/kaniko will use for a registry.",
    "Nothing to do.",
    "push to registry.example.com: Basic credentials from config.json key 'registry.example.com'",
)
HUB_KEY = Rule(
    "KD-AUTH-012", E, "Docker Hub credentials under the wrong key",
    "For Docker Hub, go-containerregistry replaces `index.docker.io` by `https://index.docker.io/v1/` as the "
    "lookup key; `docker.io`, `index.docker.io` and `registry-1.docker.io` keys are never found.",
    "Store Docker Hub credentials under the key `https://index.docker.io/v1/`.",
    "Docker Hub credentials are under 'docker.io'; kaniko looks up 'https://index.docker.io/v1/'",
)
DEPENDENCY_PROXY_KEY = Rule(
    "KD-AUTH-013", W, "dependency proxy key does not match the FROM host",
    "GitLab's recipe strips the port from CI_DEPENDENCY_PROXY_SERVER; the key must equal the host[:port] "
    "written in the FROM lines (usually ${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}), port included or not.",
    "Make the key and the FROM host agree: both with the port or both without.",
    "FROM uses gitlab.example.com:443, config.json has gitlab.example.com",
)
CONFIG_TYPE = Rule(
    "KD-AUTH-014", E, "config.json has the wrong shape",
    "Valid JSON, but Go cannot decode it into docker/cli's ConfigFile (e.g. `auths` is a list), and the whole "
    "load fails.",
    "`auths` must be an object of objects: {\"auths\": {\"host\": {\"auth\": \"...\"}}}.",
    "json: cannot unmarshal array into Go struct field ConfigFile.auths of type map[string]types.AuthConfig",
)
INVALID_REFERENCE = Rule(
    "KD-AUTH-015", E, "an image reference kaniko will reject",
    "kaniko parses destinations with go-containerregistry's name package before any network I/O; upper case "
    "in the repository, a bad tag or an empty reference stops the build.",
    "Lower-case the repository path (GitLab: CI_REGISTRY_IMAGE is already lower case; project names are not).",
    "repository can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`: Group/App",
)
NO_REGISTRIES = Rule(
    "KD-AUTH-016", INFO, "nothing to look up",
    "No destination, cache repository, mirror or base image is known, so there is no registry to match.",
    "Pass --destination, or the kaniko command line after `--`.",
    "no registry to check",
)
PROXIES_IGNORED = Rule(
    "KD-AUTH-017", W, "`proxies` in config.json is ignored by kaniko",
    "The `proxies` section only configures containers started by the docker CLI; kaniko (Go) uses the "
    "HTTP_PROXY/HTTPS_PROXY/NO_PROXY environment variables only.",
    "Set http_proxy/https_proxy/no_proxy as job variables and pass them as --build-arg for RUN steps.",
    "config.json has a `proxies` section",
)
UNREADABLE = Rule(
    "KD-AUTH-018", E, "config.json cannot be read",
    "The file exists but cannot be read (permissions, a directory): docker/cli fails with `loading config "
    "file`, which fails every registry lookup.",
    "Make the file readable by the user kaniko runs as (root in the kaniko image).",
    "/kaniko/.docker/config.json: permission denied",
)
ANONYMOUS = Rule(
    "KD-AUTH-019", W, "anonymous access to a registry",
    "No credentials for this registry: pushes will fail; pulls work only for public images (and count "
    "against anonymous rate limits on Docker Hub).",
    "Add an entry for the registry if its images are private or you push to it.",
    "pull from index.docker.io: anonymous",
)
BUILTIN_HELPER = Rule(
    "KD-AUTH-020", INFO, "a kaniko built-in credential provider applies",
    "kaniko >= v1.8.0 chains in-process keychains after config.json (Google, ECR, ACR) and, from v1.9.0, a "
    "GitLab one that uses CI_REGISTRY_USER/CI_REGISTRY_PASSWORD for $CI_REGISTRY's host. They are used "
    "only when config.json yields no credentials.",
    "Nothing to do, unless the kaniko version predates the provider.",
    "registry.gitlab.example.com: kaniko >= v1.9.0 uses CI_REGISTRY_USER/CI_REGISTRY_PASSWORD",
)
AMBIGUOUS = Rule(
    "KD-AUTH-021", W, "several entries match one registry",
    "docker/cli tries the exact key first, then walks `auths` in Go map order, which is random: with two keys "
    "that reduce to the same host, kaniko may use either from one run to the next.",
    "Keep one entry per registry.",
    "'https://reg.example.com' and 'reg.example.com/v2/' both match reg.example.com",
)
AUTH_CONFIG_ENV = Rule(
    "KD-AUTH-022", W, "DOCKER_AUTH_CONFIG is not read by kaniko",
    "Upstream kaniko (docker/cli <= v28) ignores DOCKER_AUTH_CONFIG; only the osscontainertools fork "
    "(docker/cli v29) honours it, and there it shadows config.json.",
    "Write the same JSON to /kaniko/.docker/config.json: `echo \"$DOCKER_AUTH_CONFIG\" > /kaniko/.docker/config.json`.",
    "DOCKER_AUTH_CONFIG is set, config.json has no entry",
)
DOCKER_CONFIG_FILE = Rule(
    "KD-AUTH-023", E, "DOCKER_CONFIG points at a file",
    "DOCKER_CONFIG names a directory; go-containerregistry reads $DOCKER_CONFIG/config.json, which cannot exist "
    "under a file, so kaniko is anonymous.",
    "Set DOCKER_CONFIG to the directory that contains config.json (or leave kaniko's /kaniko/.docker/).",
    "DOCKER_CONFIG=/kaniko/.docker/config.json is a file",
)
UNRESOLVED_FROM = Rule(
    "KD-AUTH-024", INFO, "a base image could not be resolved",
    "A FROM line uses a build argument with no default and no --build-arg, so its registry is unknown here.",
    "Pass the kaniko command line (with its --build-arg flags) after `--`.",
    "line 3: FROM ${BASE_IMAGE}: BASE_IMAGE has no value",
)
DUPLICATE_KEY = Rule(
    "KD-AUTH-025", W, "the same `auths` key appears twice",
    "Go's decoder keeps the last occurrence of a duplicated key; the first one is silently dropped.",
    "Remove the duplicate key.",
    "auths key 'registry.example.com' appears twice; the last one wins",
)

RULES = RuleBook(
    INVALID_JSON, WRONG_LOCATION, NO_CONFIG, BAD_BASE64, BAD_AUTH_FORMAT, EMPTY_SECRET, UNEXPANDED,
    TRAILING_NEWLINE, HELPER_MISSING, NO_MATCH, CREDENTIALS_FOUND, HUB_KEY, DEPENDENCY_PROXY_KEY,
    CONFIG_TYPE, INVALID_REFERENCE, NO_REGISTRIES, PROXIES_IGNORED, UNREADABLE, ANONYMOUS,
    BUILTIN_HELPER, AMBIGUOUS, AUTH_CONFIG_ENV, DOCKER_CONFIG_FILE, UNRESOLVED_FROM, DUPLICATE_KEY,
)
