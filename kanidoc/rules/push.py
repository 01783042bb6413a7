"""Finding codes of the ``push`` check."""

from kanidoc.model import Severity
from kanidoc.rules import Rule, RuleBook

INTRO = (
    "The `push` check replays go-containerregistry's `remote.CheckPushPermission`, which kaniko runs before "
    "building and which folds many causes into `error checking push permissions`: credentials, `GET /v2/`, the "
    "token request for `repository:<name>:push,pull` (the JWT `access` claim decoded, not verified), then "
    "`POST /v2/<name>/blobs/uploads/`, cancelled at once so the registry keeps nothing. It also checks pull "
    "permission for each base image."
)
E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

CREDENTIALS = Rule("KD-PUSH-001", INFO, "credentials kaniko will send",
    "Which config.json entry, credential helper or built-in provider supplies credentials, or anonymous.",
    "Nothing to do.", "registry.example.com: Basic from config.json key 'registry.example.com'")
KEYCHAIN_ERROR = Rule("KD-PUSH-002", E, "credentials cannot be resolved",
    "The keychain itself fails (broken config.json, missing credential helper): go-containerregistry stops with "
    "`resolving authorization for <registry> failed`.", "Fix the problem the auth check reports.",
    "resolving authorization for registry.example.com failed: ... illegal base64 data at input byte 12")
PING = Rule("KD-PUSH-003", E, "GET /v2/ did not give 200 or 401",
    "go-containerregistry accepts only 200 or a 401 challenge from the ping; anything else stops the check.",
    "See the reachability check for who answered.", "GET https://registry.example.com/v2/: unexpected status code 404 Not Found")
TOKEN_401 = Rule("KD-PUSH-004", E, "token service rejects the credentials (401)",
    "The token realm answered 401: wrong user name or password/token, an expired token, or a revoked deploy token.",
    "Check the credentials in the entry named in the evidence (never printed); for GitLab use "
    "CI_REGISTRY_USER/CI_REGISTRY_PASSWORD of this job.", "GET https://gitlab.example.com/jwt/auth?scope=...: 401 Unauthorized")
TOKEN_403 = Rule("KD-PUSH-005", E, "credentials without registry rights (403)",
    "The token realm authenticated the user but refused the scope: e.g. a GitLab deploy token without "
    "write_registry, a password that is empty, or a user without access to the project.",
    "Give the account push rights (GitLab: deploy token with write_registry / Developer role).",
    "GET https://gitlab.example.com/jwt/auth?scope=repository:g/p:push,pull: 403 Forbidden")
NO_PUSH_SCOPE = Rule("KD-PUSH-006", E, "token grants no push on this repository",
    "The token's `access` claim lacks `push` for the repository: the account may not push to this path "
    "(GitLab: CI_JOB_TOKEN pushing to another project, a destination outside $CI_REGISTRY_IMAGE, more than "
    "project + 2 path levels, a protected path or tag).",
    "Push to $CI_REGISTRY_IMAGE (or below it, at most 2 levels deeper), or use credentials allowed to push there.",
    "token for repository:other/project:push,pull grants [pull]")
OPAQUE_TOKEN = Rule("KD-PUSH-007", INFO, "the token is not a JWT",
    "Some registries issue opaque tokens; nothing can be read from it, which is fine.", "Nothing to do.",
    "token is opaque (not a JWT)")
INSUFFICIENT_SCOPE = Rule("KD-PUSH-008", E, "upload refused: insufficient scope (401)",
    "The registry answered the upload POST with 401 `insufficient_scope`: the token does not allow push here. "
    "kaniko: `UNAUTHORIZED: authentication required; [map[Action:push ...]]`.",
    "Use credentials with push rights on this repository.", "POST /v2/g/p/blobs/uploads/: 401 insufficient_scope")
DENIED = Rule("KD-PUSH-009", E, "upload denied (403 DENIED)",
    "The registry itself refused the upload: the account lacks push permission, or a policy (protected "
    "repository, immutable tags) denies it.", "Grant push permission on the repository to this account.",
    "POST /v2/g/p/blobs/uploads/: 403 DENIED: requested access to the resource is denied")
NAME_UNKNOWN = Rule("KD-PUSH-010", E, "repository unknown (404 NAME_UNKNOWN)",
    "The registry does not know the repository and will not create it on push (e.g. GitLab path outside an "
    "existing project, Harbor/Nexus project missing).", "Create the repository/project first, or fix the path.",
    "POST /v2/g/p/blobs/uploads/: 404 NAME_UNKNOWN")
NAME_INVALID = Rule("KD-PUSH-011", E, "repository name invalid",
    "The registry rejects the repository name (NAME_INVALID), or a 404 without a registry body for an unroutable name.",
    "Use lower case, [a-z0-9._-/] only, within the registry's path depth rules.", "NAME_INVALID: invalid repository name")
READ_ONLY = Rule("KD-PUSH-012", E, "registry refuses writes (405)",
    "405 Method Not Allowed on the upload: the registry is read-only (maintenance mode, a pull-through mirror) or "
    "the URL is not the registry's write endpoint.", "Push to the registry's writable endpoint.",
    "POST /v2/g/p/blobs/uploads/: 405 Method Not Allowed")
RATE_LIMITED = Rule("KD-PUSH-013", E, "rate limited (429)",
    "The registry answered 429 TOOMANYREQUESTS; the rate-limit headers say how long.",
    "Authenticate (higher limits), use a mirror or the GitLab dependency proxy, or wait.",
    "429 TOOMANYREQUESTS ratelimit-remaining: 0")
INTERMEDIARY = Rule("KD-PUSH-014", E, "a proxy, load balancer or WAF refused, not the registry",
    "The 401/403 carried no registry JSON error body and no Docker-Distribution-API-Version header: something "
    "in front of the registry answered. Credentials are not the problem.",
    "Find what answered (evidence: headers, body type) and allow the registry API through it.",
    "POST /v2/g/p/blobs/uploads/: 403 text/html from 'AkamaiGHost'")
NOT_CHECKED = Rule("KD-PUSH-015", INFO, "kaniko will not check push permissions",
    "`--skip-push-permission-check` (kaniko >= v1.14.0) or `--no-push` (without a cache repo) skips the check; "
    "a permission problem then shows up only at the final push.", "Nothing to do.",
    "--no-push: kaniko pushes nothing and checks nothing")
INVALID_DESTINATION = Rule("KD-PUSH-016", E, "destination is not a valid reference",
    "kaniko parses destinations with name.NewTag before any request: upper case or bad characters stop it.",
    "Lower-case the repository path.", "getting tag for destination: repository can only contain ...")
PULL_DENIED = Rule("KD-PUSH-017", E, "base image cannot be pulled",
    "The manifest GET for a FROM image was refused (401/403) with the credentials kaniko would use.",
    "Add credentials for the base image's registry (or make the image public).",
    "GET /v2/g/base/manifests/1: 401 UNAUTHORIZED")
CLEAN = Rule("KD-PUSH-018", INFO, "upload started and cancelled",
    "The upload session was opened as kaniko does and cancelled at once (DELETE): nothing stays in the registry.",
    "Nothing to do.", "upload cancelled: 204")
CANCEL_FAILED = Rule("KD-PUSH-019", W, "the cancelled upload may linger",
    "The DELETE of the upload session failed; the registry will garbage-collect it eventually (kaniko itself never "
    "waits for this cancel either).", "Nothing to do; the registry's upload purging removes it.", "DELETE upload: 405")
TOKEN_ERROR = Rule("KD-PUSH-020", E, "token service gave no token",
    "The realm answered without a `token`/`access_token` (or with 5xx): `no token in bearer response`.",
    "Check the token service (GitLab: /jwt/auth) and its logs.", "no token in bearer response")
ANONYMOUS_PUSH = Rule("KD-PUSH-021", E, "push attempted without credentials",
    "No credentials were found for the registry, so kaniko pushes anonymously, which registries refuse.",
    "Create /kaniko/.docker/config.json with an entry for the registry (see the auth check).",
    "registry.example.com: anonymous; upload -> 401")
ALLOWED = Rule("KD-PUSH-022", INFO, "push allowed",
    "Every stage passed: the account may push to this repository.", "Nothing to do.",
    "push to registry.example.com/g/p: allowed")
GITLAB_PATH = Rule("KD-PUSH-023", W, "destination path outside GitLab's rules",
    "GitLab allows images only under the project path ($CI_REGISTRY_IMAGE), at most two levels deeper, all lower case; "
    "CI_JOB_TOKEN may push only to its own project.", "Push to $CI_REGISTRY_IMAGE or $CI_REGISTRY_IMAGE/<name>[/<name>].",
    "registry.gitlab.example.com/other/project is not under $CI_REGISTRY_IMAGE")
MANIFEST_UNKNOWN = Rule("KD-PUSH-024", E, "base image tag does not exist",
    "The manifest GET for a FROM image answered 404 MANIFEST_UNKNOWN: the tag or digest is not in the repository.",
    "Fix the tag in the FROM line (or the build argument that fills it).", "MANIFEST_UNKNOWN: manifest unknown")

RULES = RuleBook(CREDENTIALS, KEYCHAIN_ERROR, PING, TOKEN_401, TOKEN_403, NO_PUSH_SCOPE, OPAQUE_TOKEN,
                 INSUFFICIENT_SCOPE, DENIED, NAME_UNKNOWN, NAME_INVALID, READ_ONLY, RATE_LIMITED, INTERMEDIARY,
                 NOT_CHECKED, INVALID_DESTINATION, PULL_DENIED, CLEAN, CANCEL_FAILED, TOKEN_ERROR, ANONYMOUS_PUSH,
                 ALLOWED, GITLAB_PATH, MANIFEST_UNKNOWN)
