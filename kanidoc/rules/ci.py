"""Finding codes about the CI job definition that runs kaniko, as its log reveals them."""

from kanidoc.model import Severity
from kanidoc.rules import Rule, RuleBook

INTRO = (
    "These codes name mistakes in the job definition (`.gitlab-ci.yml`) that keep kaniko from running at all, "
    "as the GitLab seed documentation describes them: GitLab runs the job's `script` with a shell inside the "
    "job image, so the kaniko image must be the `-debug` variant (the only one with a shell, `/busybox/sh`) "
    "and its entrypoint (`/kaniko/executor`) must be overridden with `entrypoint: [\"\"]`. `kanidoc explain` "
    "reports them from the job log. The `ci` check (`kanidoc check --ci-file .gitlab-ci.yml --job NAME`) reports "
    "them, and KD-CI-004 to KD-CI-013, from the job definition itself: the image and entrypoint, the executor line, "
    "the proxy variables and the shell recipe that writes config.json."
)
E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

JOB_IMAGE = "gcr.io/kaniko-project/executor:v1.23.2-debug"
IMAGE_SNIPPET = f'image:\n  name: {JOB_IMAGE}\n  entrypoint: [""]'

NO_SHELL = Rule(
    "KD-CI-001", E, "the job image has no shell",
    "GitLab Runner starts the job's script with a shell (`sh`, `/bin/sh`, `/busybox/sh`) inside the job image. "
    "The kaniko images without `-debug` contain only the executor, so the runner fails before the script runs "
    "(`exec: \"sh\": executable file not found in $PATH`, `stat /bin/sh: no such file or directory`, or on "
    "Kubernetes `unable to upgrade connection: container not found (\"build\")`). Older debug images had only "
    "`/busybox/sh`, no `/bin/sh` (GoogleContainerTools/kaniko#1919).",
    "Use the debug image with the entrypoint overridden (see the snippet).",
    "exec failed: container_linux.go:349: starting container process caused \"exec: \\\"sh\\\": executable file "
    "not found in $PATH\"",
)
EXECUTOR_MISSING = Rule(
    "KD-CI-002", E, "/kaniko/executor does not exist in the job image",
    "The script calls `/kaniko/executor` but the job does not run in a kaniko image: the job's `image:` is "
    "missing (the pipeline's default image is used), names another image, or a `default: image:` overrides it.",
    "Set the job's image to the kaniko debug image (see the snippet).",
    "/kaniko/executor: No such file or directory",
)
ENTRYPOINT = Rule(
    "KD-CI-003", E, "the kaniko image's entrypoint was not overridden",
    "The kaniko images set `ENTRYPOINT [\"/kaniko/executor\"]`. Unless the job sets `entrypoint: [\"\"]`, the "
    "runner's shell command is passed to the executor as arguments, and the executor rejects it "
    "(`Error: unknown command \"sh\" for \"executor\"`) or treats `-c` as its `--context` flag.",
    "Add `entrypoint: [\"\"]` to the job's image (see the snippet).",
    "Error: unknown command \"sh\" for \"executor\"",
)

# -- from the job definition (`kanidoc check --ci-file FILE --job NAME`, the `ci` check) --------------
# KD-CI-001..003 above are also reported by the `ci` check when the job definition shows them.

OLD_KANIKO = Rule(
    "KD-CI-004", W, "the job pins a kaniko older than v1.9.0",
    "The seed documentation: with Docker Engine 20.10 or newer on the runner's host, kaniko images older than "
    "v1.9.0 fail with \"kaniko should only be run inside of a container\" (their container detection misses the "
    "private cgroup namespace). Whether this host is affected is the `engine` check's verdict; this finding only "
    "says the job's image is in the affected range.",
    "Use `gcr.io/kaniko-project/executor:v1.23.2-debug` or later (or the maintained fork).",
    "image gcr.io/kaniko-project/executor:v1.8.0-debug is older than v1.9.0",
)
PROXY_BUILD_ARGS = Rule(
    "KD-CI-005", W, "proxy variables are set but not passed as --build-arg",
    "kaniko itself uses `http_proxy`/`https_proxy`/`no_proxy` from the job's environment, but the Dockerfile's "
    "`RUN` instructions do not see them unless they are passed as build arguments (the seed documentation's "
    "\"building an image with kaniko behind a proxy\"). Package managers in `RUN` then time out.",
    "Pass each proxy variable as a build argument (see the snippet).",
    "http_proxy, https_proxy are set in variables: but the executor line has no --build-arg for them",
)
RECIPE_WRAPS = Rule(
    "KD-CI-006", E, "the config.json recipe lets base64 wrap its output",
    "`base64` (GNU coreutils and busybox) inserts a newline every 76 output characters. For credentials longer "
    "than 57 bytes (a job token with its user name already is) the newline lands inside the JSON string and "
    "docker/cli fails with \"invalid character '\\n' in string literal\" for every registry.",
    "Pipe through `tr -d '\\n'` (or use `base64 -w0`), as the seed documentation does.",
    "printf ... | base64 > has no tr -d '\\n' and no -w0",
)
RECIPE_ECHO_NEWLINE = Rule(
    "KD-CI-007", E, "the config.json recipe encodes a trailing newline",
    "`echo \"$USER:$PASSWORD\" | base64` encodes the newline `echo` adds, so the decoded password ends with "
    "`\\n` and the registry rejects it (401).",
    "Use `printf \"%s:%s\" \"$USER\" \"$PASSWORD\" | base64 | tr -d '\\n'` (or `echo -n`).",
    "echo \"${CI_REGISTRY_USER}:${CI_REGISTRY_PASSWORD}\" | base64",
)
RECIPE_SINGLE_QUOTES = Rule(
    "KD-CI-008", E, "the config.json recipe is single-quoted: variables are not expanded",
    "Inside single quotes the shell expands nothing, so config.json receives the literal text "
    "`$CI_REGISTRY_PASSWORD` (or `$(...)`), which is not a credential.",
    "Use double quotes and escape the inner quotes (`\\\"`), as in the seed documentation's recipe.",
    "echo '{\"auths\":{\"$CI_REGISTRY\":...}}' > /kaniko/.docker/config.json",
)
RECIPE_KEY = Rule(
    "KD-CI-009", E, "the config.json recipe's key does not match the destination's registry",
    "go-containerregistry looks credentials up under the registry exactly as the destination names it, port "
    "included (`registry.example.com:5050`); docker/cli then also tries keys whose host name form matches. "
    "A key without the port, with another port or another spelling is never used, and kaniko pushes "
    "anonymously.",
    "Write the key exactly as the destination's registry (host and port), e.g. with `${CI_REGISTRY}`.",
    "key 'registry.example.com' written, destination registry is 'registry.example.com:5050'",
)
RECIPE_PATH = Rule(
    "KD-CI-010", E, "the config.json recipe writes where kaniko does not read",
    "kaniko reads `$DOCKER_CONFIG/config.json`, which the kaniko image sets to `/kaniko/.docker/config.json`. A "
    "file written to `~/.docker/config.json` or any other path is ignored.",
    "Write the file to /kaniko/.docker/config.json (or to $DOCKER_CONFIG/config.json).",
    "config.json written to /root/.docker/config.json; kaniko reads /kaniko/.docker/config.json",
)
NO_EXECUTOR_LINE = Rule(
    "KD-CI-011", W, "no executor command line in the job's script",
    "The job's `before_script`/`script` (after `extends`, `!reference` and `default:`) has no line running "
    "`/kaniko/executor`, so there is nothing to diagnose: the wrong job was named, or the line comes from a file "
    "or variable the job reads at run time.",
    "Name the kaniko job with --job, or paste the executor line after `--`.",
    "job 'build' has no /kaniko/executor line",
)
UNRESOLVED = Rule(
    "KD-CI-012", W, "part of the CI file could not be resolved",
    "kanidoc reads the file and its local includes only; `include:` of projects, remote URLs, templates and "
    "components, `rules:`, `$[[ inputs ]]`, unknown YAML tags and `extends`/`!reference` targets defined elsewhere "
    "are not resolved, so the job as seen here may differ from the job GitLab runs.",
    "Pass the missing parts (e.g. a local copy of the included file), or paste the executor line after `--`.",
    "include project 'group/ci-templates' not fetched (only local files are read)",
)
JOB = Rule(
    "KD-CI-013", INFO, "the job as read from the CI file",
    "What kanidoc took from the CI file: the job, its image and entrypoint, and the executor line it feeds to "
    "the other checks as if it had been pasted after `--`.",
    "Nothing to do.",
    "job 'build' (image gcr.io/kaniko-project/executor:v1.23.2-debug): /kaniko/executor --context ...",
)

RULES = RuleBook(
    NO_SHELL, EXECUTOR_MISSING, ENTRYPOINT, OLD_KANIKO, PROXY_BUILD_ARGS, RECIPE_WRAPS, RECIPE_ECHO_NEWLINE,
    RECIPE_SINGLE_QUOTES, RECIPE_KEY, RECIPE_PATH, NO_EXECUTOR_LINE, UNRESOLVED, JOB,
)
