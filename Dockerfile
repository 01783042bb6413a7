# kanidoc as a container image: slim, non-root, no build tools in the final stage.
# Builds with kaniko, Docker or Podman alike: plain Dockerfile syntax, no BuildKit-only
# features (no `# syntax=`, no RUN --mount, no heredocs).
#
#   /kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/Dockerfile" \
#     --destination "$CI_REGISTRY_IMAGE/kanidoc:0.1.0"
#
# Pin the base by digest in production (replace the tag with python:3.11-slim@sha256:<digest>,
# e.g. from `skopeo inspect docker://python:3.11-slim`); the build arg keeps both stages equal.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY kanidoc ./kanidoc
COPY checks ./checks
RUN python -m pip wheel --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY --from=build /wheels /wheels
RUN python -m pip install --no-index --find-links=/wheels kanidoc \
 && rm -rf /wheels \
 && useradd --uid 10001 --user-group --no-create-home --home-dir /work --shell /usr/sbin/nologin kanidoc \
 && mkdir -p /work && chown kanidoc:kanidoc /work
WORKDIR /work
USER 10001:10001
# No ENTRYPOINT: GitLab CI runs the job's script in the image without `entrypoint: [""]`.
CMD ["kanidoc", "--help"]
