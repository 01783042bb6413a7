"""The ``ci`` check: what the GitLab job definition (``--ci-file``/``--job``) gets wrong.

Offline. Runs only when a CI file was given (``skip`` otherwise). The job is resolved by
``kanidoc.gitlab_ci`` (includes, extends, !reference, variables) before the run; this
check flags the seed documentation's details: a non-debug image with a shell script, an
entrypoint not overridden to ``[""]``, kaniko older than v1.9.0, proxy variables not
passed as ``--build-arg``, and a config.json recipe that produces invalid JSON, a wrong
key or a file kaniko does not read.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from kanidoc.context import KANIKO_DOCKER_CONFIG, Context
from kanidoc.gosem import dockerconfig as dc
from kanidoc.gosem.container import parse_kaniko_version
from kanidoc.gosem.reference import ReferenceError, new_tag
from kanidoc.model import CheckResult, Finding, Severity
from kanidoc.plugin import BaseCheck, SkipCheck
from kanidoc.rules import ci as R

if TYPE_CHECKING:  # gitlab_ci pulls in PyYAML: imported only when a CI file is given
    from kanidoc.gitlab_ci import CiJob, ScriptLine


def expand(value: str, env: Mapping[str, str]) -> str:
    from kanidoc.gitlab_ci import expand as _expand

    return _expand(value, env)


PROXY_NAMES = ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")
_BASE64 = re.compile(r"\bbase64\b(?P<args>[^|;&)]*)")
_NO_WRAP = re.compile(r"""-w\s*0\b|--wrap[= ]0\b|\btr\s+-d\s+(?:'\\n'|"\\n"|\\\\n|'\\r\\n'|"\\r\\n"|'\[:space:\]'|"\[:space:\]")""")
_ECHO_TO_BASE64 = re.compile(r"""\becho\s+(?!-n\b|-en\b|-ne\b)(?P<arg>"[^"]*"|'[^']*'|[^\s|;&]+)\s*\|\s*base64\b(?!\s+-d)""")
_SINGLE_QUOTED_JSON = re.compile(r"""\b(?:echo|printf)\s+(?:-n\s+)?'(?P<body>[^']*)'""")
_KEY = re.compile(
    r"""[{,]\s*\\?"(?P<key>(?:(?!\\?").)+?)\\?"\s*:\s*\{\s*\\?"(?:auth|username|password|identitytoken|registrytoken)\\?"\s*:""",
    re.IGNORECASE | re.DOTALL,
)
_CREDENTIALISH = re.compile(r"PASSWORD|TOKEN|PASSWD|_PASS\b|_USER\b|auth", re.IGNORECASE)
_REDIRECT = re.compile(r"""(?:>>?|\btee(?:\s+-a)?)\s*(?P<q>["']?)(?P<path>[^\s"';|&]*config\.json)(?P=q)""")


def _tag_of(image: str) -> str | None:
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def is_kaniko_image(image: str) -> bool:
    low = image.lower()
    return "kaniko" in low or "/executor" in low


def _image_snippet(job: CiJob) -> str:
    return f"{job.name}:\n  {R.IMAGE_SNIPPET.replace(chr(10), chr(10) + '  ')}"


class CICheck(BaseCheck):
    id = "ci"
    title = "GitLab job definition (--ci-file)"
    description = "What the kaniko job in .gitlab-ci.yml gets wrong: image, entrypoint, proxy build args, config.json recipe."
    requires = ()

    def run(self, ctx: Context, deps: Mapping[str, CheckResult]) -> CheckResult:
        job = ctx.ci_job
        if job is None:
            raise SkipCheck("no --ci-file given")
        findings: list[Finding] = []
        for problem in job.problems:
            findings.append(R.UNRESOLVED.finding(problem, {"file": job.file, "job": job.name}))
        findings += self._image(job)
        if job.executor_line is None:
            findings.append(R.NO_EXECUTOR_LINE.finding(
                f"job '{job.name}' has no /kaniko/executor line in before_script or script",
                {"job": job.name, "other_kaniko_jobs": list(job.other_kaniko_jobs)}))
        else:
            findings += self._proxies(ctx, job)
        findings += self._recipes(ctx, job)
        findings.append(R.JOB.finding(
            f"job '{job.name}' (image {job.image or 'none'}): {job.executor_line.text if job.executor_line else 'no executor line'}",
            {"file": job.file, "job": job.name, "image": job.image, "image_from": job.image_source,
             "entrypoint": job.entrypoint, "tags": list(job.tags),
             "executor_line": f"{job.executor_line.section}[{job.executor_line.index}]" if job.executor_line else None,
             "variables_from_file": list(job.yaml_variables)}))
        return self.result(findings, {"job": job})

    # -- image and entrypoint ---------------------------------------------------------------
    def _image(self, job: CiJob) -> list[Finding]:
        out: list[Finding] = []
        ev: dict[str, object] = {"job": job.name, "image": job.image, "image_from": job.image_source}
        if job.image is None:
            if job.executor_line is not None:
                out.append(R.EXECUTOR_MISSING.finding(
                    f"job '{job.name}' runs /kaniko/executor but sets no image: the runner's default image is used",
                    ev, severity=Severity.WARNING, snippet=_image_snippet(job)))
            return out
        if not is_kaniko_image(job.image):
            if job.executor_line is not None:
                out.append(R.EXECUTOR_MISSING.finding(
                    f"job '{job.name}' runs /kaniko/executor in {job.image}, which is not named like a kaniko image",
                    ev, severity=Severity.WARNING, snippet=_image_snippet(job)))
            return out
        tag = _tag_of(job.image)
        if tag is None and "@" in job.image:
            out.append(R.NO_SHELL.finding(
                f"{job.image}: pinned by digest only, so kanidoc cannot tell whether it is the -debug variant",
                ev, severity=Severity.WARNING, snippet=_image_snippet(job)))
        elif tag is None or "debug" not in tag:
            out.append(R.NO_SHELL.finding(
                f"{job.image} is not a -debug image: it has no shell, and GitLab runs the job's script with one",
                {**ev, "tag": tag or "(none: latest)"}, snippet=_image_snippet(job)))
        if job.entrypoint is None:
            out.append(R.ENTRYPOINT.finding(
                f"job '{job.name}' does not override the entrypoint of {job.image} (needs entrypoint: [\"\"])",
                {**ev, "note": "the Kubernetes executor ignores image entrypoints unless FF_KUBERNETES_HONOR_ENTRYPOINT is on"},
                snippet=_image_snippet(job)))
        elif [e for e in job.entrypoint if e] != []:
            out.append(R.ENTRYPOINT.finding(
                f"job '{job.name}' sets entrypoint {job.entrypoint}; the documented override is [\"\"]",
                {**ev, "entrypoint": job.entrypoint}, severity=Severity.WARNING, snippet=_image_snippet(job)))
        version = parse_kaniko_version(job.image)
        if version is not None and version.fork is None and version.triple < (1, 9, 0):
            out.append(R.OLD_KANIKO.finding(
                f"{job.image} is kaniko {version}, older than v1.9.0: with Docker Engine >= 20.10 on the host it may "
                "refuse to run (see the engine check)", {**ev, "kaniko_version": str(version)},
                snippet=_image_snippet(job)))
        return out

    # -- proxies ------------------------------------------------------------------------------
    def _proxies(self, ctx: Context, job: CiJob) -> list[Finding]:
        source = dict(job.variables)
        from_facts = any(k.startswith("facts.") for k in ctx.extra)
        if from_facts:  # the job's real environment is known
            source.update({k: v for k, v in ctx.env.items() if k in PROXY_NAMES})
        set_names = [n for n in PROXY_NAMES if source.get(n) and n.lower() != "no_proxy"]
        if not set_names:
            return []
        passed = {item.partition("=")[0] for item in ctx.kaniko.all("build-arg")}
        passed_lower = {p.lower() for p in passed}
        missing = [n for n in set_names if n.lower() not in passed_lower]
        if not missing:
            return []
        names = list(dict.fromkeys([*missing, *(n for n in ("no_proxy", "NO_PROXY") if source.get(n) and n.lower() not in passed_lower)]))
        snippet = "\n".join(f"  --build-arg {n}=${n}" for n in names)
        return [R.PROXY_BUILD_ARGS.finding(
            f"{', '.join(missing)} set for job '{job.name}' but not passed to the build with --build-arg",
            {"job": job.name, "set": set_names, "build_args": sorted(passed),
             "source": "variables: and the job's environment (facts)" if from_facts else "variables:"},
            snippet=f"- /kaniko/executor ...\n{snippet}")]

    # -- config.json recipes ----------------------------------------------------------------
    def _recipes(self, ctx: Context, job: CiJob) -> list[Finding]:
        out: list[Finding] = []
        env = {**ctx.env, **job.variables}
        # The job's own DOCKER_CONFIG/HOME: from its variables, or its real environment (facts);
        # never this laptop's.
        job_side = dict(ctx.env) if any(k.startswith("facts.") for k in ctx.extra) else {}
        job_side.update(job.variables)
        docker_config = job_side.get("DOCKER_CONFIG") or KANIKO_DOCKER_CONFIG
        home = job_side.get("HOME") or "/root"
        expected = posixpath.normpath(docker_config.rstrip("/") + "/config.json")
        registries = self._push_registries(ctx)
        keys: list[tuple[str, ScriptLine]] = []
        for line in job.script:
            text = line.text.replace("\\\n", " ")
            writes_config = "config.json" in text
            if not writes_config and not (re.search(r"\bbase64\b", text) and _CREDENTIALISH.search(text)):
                continue
            where = f"{line.section}[{line.index}]"
            ev: dict[str, object] = {"job": job.name, "line": where}
            for m in _BASE64.finditer(text):
                if re.match(r"\s*(-d|--decode)\b", m.group("args")):
                    continue
                tail = text[m.start():]
                if not _NO_WRAP.search(tail.split(")", 1)[0]) and not _NO_WRAP.search(m.group(0)):
                    out.append(R.RECIPE_WRAPS.finding(
                        f"{where}: `base64` without `tr -d '\\n'` or `-w0` in the config.json recipe: long credentials "
                        "wrap and make config.json invalid JSON", ev,
                        snippet="- echo \"{\\\"auths\\\":{\\\"${CI_REGISTRY}\\\":{\\\"auth\\\":\\\"$(printf \"%s:%s\" "
                                "\"${CI_REGISTRY_USER}\" \"${CI_REGISTRY_PASSWORD}\" | base64 | tr -d '\\n')\\\"}}}\" "
                                "> /kaniko/.docker/config.json"))
                    break
            if _ECHO_TO_BASE64.search(text):
                out.append(R.RECIPE_ECHO_NEWLINE.finding(
                    f"{where}: `echo ... | base64` encodes echo's newline into the password", ev,
                    snippet="$(printf \"%s:%s\" \"${CI_REGISTRY_USER}\" \"${CI_REGISTRY_PASSWORD}\" | base64 | tr -d '\\n')"))
            for m in _SINGLE_QUOTED_JSON.finditer(text):
                if "auths" in m.group("body") and "$" in m.group("body"):
                    out.append(R.RECIPE_SINGLE_QUOTES.finding(
                        f"{where}: the JSON is in single quotes, so its $variables reach config.json literally", ev))
                    break
            for m in _REDIRECT.finditer(text):
                written = expand(m.group("path"), {**env, "HOME": home})
                if written.startswith("~/"):
                    written = home.rstrip("/") + written[1:]
                if "$" in written:
                    continue
                if not written.startswith("/"):
                    written = posixpath.join(env.get("CI_PROJECT_DIR") or "/builds/project", written)
                if posixpath.normpath(written) != expected:
                    out.append(R.RECIPE_PATH.finding(
                        f"{where}: config.json written to {written}; kaniko reads {expected}",
                        {**ev, "written": written, "kaniko_reads": expected},
                        snippet=f"- mkdir -p {posixpath.dirname(expected)}\n- ... > {expected}"))
            for m in _KEY.finditer(text):
                keys.append((m.group("key"), line))
        out += self._key_findings(keys, registries, env, job)
        return out

    def _push_registries(self, ctx: Context) -> list[str]:
        out: list[str] = []
        if ctx.kaniko.flag("no-push"):
            return out
        for dest in ctx.destinations:
            try:
                out.append(new_tag(dest.ref).registry)
            except ReferenceError:
                continue
        return list(dict.fromkeys(out))

    def _key_findings(self, keys: list[tuple[str, ScriptLine]], registries: list[str], env: Mapping[str, str], job: CiJob) -> list[Finding]:
        if not keys or not registries:
            return []
        resolved: list[tuple[str, str, ScriptLine]] = []
        unknown: list[str] = []
        for raw, line in keys:
            if "$(" in raw or "`" in raw:
                unknown.append(raw)
                continue
            value = expand(raw, env)
            if "$" in value:
                unknown.append(raw)
                continue
            resolved.append((raw, value, line))
        out: list[Finding] = []
        for registry in registries:
            lookup = dc.auth_key_for(registry)
            if any(v == lookup or dc.convert_to_hostname(v) == lookup for _, v, _ in resolved):
                continue
            if unknown and not resolved:
                continue  # cannot tell: every key is computed at run time
            host = lookup.split(":", 1)[0] if "://" not in lookup else lookup
            near = [(r, v, ln) for r, v, ln in resolved if dc.convert_to_hostname(v).split(":", 1)[0].lower() == host.lower()]
            ev: dict[str, object] = {"job": job.name, "registry": registry, "lookup_key": lookup,
                                     "keys_written": [v for _, v, _ in resolved], "keys_not_evaluated": unknown}
            snippet = f'\\"{lookup}\\":{{\\"auth\\":\\"$(printf "%s:%s" "$USER" "$PASSWORD" | base64 | tr -d \'\\n\')\\"}}'
            if near:
                raw, value, line = near[0]
                out.append(R.RECIPE_KEY.finding(
                    f"{line.section}[{line.index}]: config.json key '{value}'{f' (written as {raw})' if raw != value else ''} does not match "
                    f"'{lookup}', the key kaniko looks up for {registry}", {**ev, "near_miss": value}, snippet=snippet))
            else:
                out.append(R.RECIPE_KEY.finding(
                    f"the config.json recipe writes no key for {registry} (keys: {', '.join(v for _, v, _ in resolved)})",
                    ev, severity=Severity.WARNING, snippet=snippet))
        return out
