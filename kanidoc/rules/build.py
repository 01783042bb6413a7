"""Finding codes only a job log reveals about the build itself (``kanidoc explain``)."""

from kanidoc.model import Severity
from kanidoc.rules import Rule, RuleBook

INTRO = (
    "These codes come from `kanidoc explain`, which reads a failed job's log: what kaniko reported about the "
    "build itself (Dockerfile, build context, destinations), and the two verdicts of the explainer: no "
    "signature matched, or no kaniko error at all. Errors about registries, credentials, TLS, proxies and the "
    "container detection reuse the codes of the checks, so a report from `explain` reads like one from `check`. "
    "The signatures are listed in [docs/explain.md](../explain.md)."
)
E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

UNMATCHED = Rule(
    "KD-BUILD-001", W, "the log shows a failure no signature matches",
    "The log has lines that look like the failure (kaniko's `error ...` chains, `ERRO`/`FATA` levels, cobra's "
    "`Error:`, GitLab's `ERROR: Job failed`), but none matches a known signature, so kanidoc cannot name the "
    "cause. The lines are reported (redacted) as evidence.",
    "Run `kanidoc check` in the job's environment with the job's destination, and read the lines shown. If the "
    "error is a kaniko error kanidoc should know, report it with the (redacted) lines so a signature can be added.",
    "no signature matched; 2 failure lines, last: error building image: ...",
)
NO_ERROR = Rule(
    "KD-BUILD-002", INFO, "no kaniko error in the log",
    "No line of the log looks like a kaniko failure: the build succeeded, the log is not the job's log, or it "
    "was cut before kaniko ran.",
    "Nothing to do, unless the job failed: then pass the complete raw job log (GitLab: Job > Show complete raw).",
    "no kaniko error in 1234 lines",
)
DOCKERFILE_PATH = Rule(
    "KD-BUILD-003", E, "the Dockerfile is not in the build context",
    "kaniko resolves `--dockerfile` against the build context (`--context`, default `/workspace/`) and fails "
    "before building with \"please provide a valid path to a Dockerfile within the build context with "
    "--dockerfile\" when the file does not exist there: a relative path resolved against the wrong directory, a "
    "context that is not the checkout, or a Dockerfile name with other capitalisation.",
    "Pass absolute paths: `--context \"${CI_PROJECT_DIR}\" --dockerfile \"${CI_PROJECT_DIR}/Dockerfile\"` "
    "(or the path of the Dockerfile inside the repository).",
    "Error: error resolving dockerfile path: please provide a valid path to a Dockerfile within the build "
    "context with --dockerfile",
)
CONTEXT_PATH = Rule(
    "KD-BUILD-004", E, "a path the build needs does not exist",
    "kaniko could not find a file or directory of the build context (a COPY/ADD source, or the context "
    "directory itself). Common causes: `--context` pointing somewhere else than the checkout, a relative "
    "context resolved against kaniko's working directory, or files excluded by `.dockerignore`.",
    "Pass `--context \"${CI_PROJECT_DIR}\"` (absolute), and check the COPY sources exist in the repository and are "
    "not excluded by .dockerignore.",
    "error building image: error building stage: lstat proc/49/fd/3: no such file or directory",
)
NO_DESTINATION = Rule(
    "KD-BUILD-005", E, "no destination and no --no-push",
    "kaniko needs at least one `--destination`, or `--no-push`; the variable used for the destination is often "
    "empty in this job (an unset or protected variable).",
    "Pass `--destination \"${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHORT_SHA}\"` (check the variable is set for this ref), "
    "or `--no-push` for a build-only job.",
    "Error: You must provide --destination, or use --no-push",
)
RUN_PROGRAM = Rule(
    "KD-BUILD-006", E, "a RUN step's program is missing from the image being built",
    "kaniko runs RUN instructions inside the image being built: `RUN cmd` needs `/bin/sh` in the base image "
    "(distroless and scratch images have none), and `RUN [\"prog\", ...]` needs `prog` on that image's PATH. "
    "This is about the Dockerfile's base image, not the kaniko image.",
    "Use a base image that contains the shell or program (or a multi-stage build that runs it in a builder "
    "stage), or use the exec form with an absolute path.",
    "error building image: error building stage: starting command: fork/exec /bin/sh: no such file or directory",
)

RULES = RuleBook(UNMATCHED, NO_ERROR, DOCKERFILE_PATH, CONTEXT_PATH, NO_DESTINATION, RUN_PROGRAM)
