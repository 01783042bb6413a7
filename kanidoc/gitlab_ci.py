"""Read a GitLab CI job definition as far as one file (and its local includes) allows.

``kanidoc check --ci-file .gitlab-ci.yml --job build`` (support engineers get a customer's
file, not their runner): find the kaniko job, resolve what GitLab resolves before the job
runs, and hand the executor line to the checks as if it had been pasted after ``--``.

Resolved: anchors, aliases and ``<<`` merge keys (YAML itself); ``include`` of local files
(string or ``local:`` form, globs; relative to the CI file's directory, a leading ``/`` to
the same directory); ``extends`` (string or list, multi-level, deep-merged like GitLab:
hashes merge, everything else is replaced); ``!reference [job, key, ...]``; ``default:``
and the old top-level ``image``/``before_script``, with ``inherit:``; global and job
``variables:`` (plain, ``value:`` form, ``expand: false``). Everything else that GitLab
would fetch (``include: project/remote/template/component``) or compute (``rules``,
``$[[ inputs ]]``) is reported as unresolved, never guessed and never a crash.
"""

from __future__ import annotations

import copy
import glob
import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kanidoc.context import InputError
from kanidoc.record import record

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_INCLUDES = 150  # GitLab's default limit of included files
MAX_EXTENDS_DEPTH = 11  # GitLab: "extends" nesting up to 11 levels
MAX_REFERENCE_DEPTH = 10
GLOBAL_KEYWORDS = frozenset({
    "stages", "variables", "include", "default", "workflow", "image", "services", "cache", "before_script",
    "after_script", "types", "spec",
})
DEFAULT_KEYS = ("image", "before_script", "after_script", "tags", "services", "cache", "timeout", "retry",
                "interruptible", "artifacts", "hooks", "id_tokens")
_VAR = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")
_EXECUTOR = re.compile(r"(?:^|(?<=[\s;&|(]))(?:/kaniko/executor|executor)(?=\s|$)")
_OPERATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", ";;", ">", ">>", "<", "|&", ">&", "<&"})


class CiFileError(InputError):
    """The CI file cannot be read at all, or the job does not exist: one line, exit 2."""


@record
class Reference:
    """A ``!reference [job, key, ...]`` tag, resolved after includes are merged."""

    path: tuple[str, ...]


class _Tagged(str):
    """A scalar with an unknown local tag (kept as its text)."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that tolerates GitLab's ``!reference`` and any other ``!tag``."""

    unknown_tags: list[str]


def _reference(loader: _Loader, node: yaml.Node) -> Reference:
    if isinstance(node, yaml.SequenceNode):
        items = loader.construct_sequence(node, deep=True)
        return Reference(tuple(str(i) for i in items))
    return Reference((str(loader.construct_scalar(node)),) if isinstance(node, yaml.ScalarNode) else ())


def _any_tag(loader: _Loader, suffix: str, node: yaml.Node) -> Any:
    loader.unknown_tags.append("!" + suffix)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    return _Tagged(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("!reference", _reference)
_Loader.add_multi_constructor("!", _any_tag)


@record
class ScriptLine:
    section: str  # before_script, script
    index: int
    text: str


@dataclass
class CiJob:
    file: str
    name: str
    image: str | None = None
    image_source: str | None = None  # "job", "default", "top-level image", "extends .x"
    entrypoint: list[str] | None = None  # None: not overridden
    variables: dict[str, str] = field(default_factory=dict)  # global + job, expanded, as GitLab exports them
    yaml_variables: tuple[str, ...] = ()  # names defined in the file (vs. the environment)
    script: tuple[ScriptLine, ...] = ()
    executor_line: ScriptLine | None = None
    executor_words: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)  # what could not be resolved, one line each
    other_kaniko_jobs: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        return {
            "file": self.file, "job": self.name, "image": self.image, "entrypoint": self.entrypoint,
            "executor_line": self.executor_line.text if self.executor_line else None,
            "unresolved": list(self.problems),
        }


# ---------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------


def _read_yaml(path: Path, problems: list[str], shown: str) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise CiFileError(f"cannot read {shown}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise CiFileError(f"{shown} is larger than {MAX_FILE_BYTES} bytes")
    loader = _Loader(raw.decode("utf-8", "replace"))
    loader.unknown_tags = []
    try:
        docs = []
        while loader.check_data():  # type: ignore[no-untyped-call]
            docs.append(loader.get_data())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CiFileError(f"{shown}{where}: not valid YAML: {what}") from None
    except RecursionError:
        raise CiFileError(f"{shown}: nested too deeply") from None
    finally:
        loader.dispose()
    for tag in dict.fromkeys(loader.unknown_tags):
        problems.append(f"{shown}: unknown tag {tag} read as plain YAML")
    docs = [d for d in docs if d is not None]
    if len(docs) == 2 and isinstance(docs[0], dict) and "spec" in docs[0]:
        problems.append(f"{shown}: has a `spec:` header (inputs); $[[ inputs.* ]] are left as written")
        docs = docs[1:]
    if not docs:
        return {}
    if len(docs) > 1:
        problems.append(f"{shown}: {len(docs)} YAML documents; only the first is read")
    if not isinstance(docs[0], dict):
        raise CiFileError(f"{shown}: the top level is not a mapping of jobs")
    return docs[0]


def _deep_merge(base: Any, over: Any) -> Any:
    """GitLab's merge for extends and includes: hashes merge key by key, the rest is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = _deep_merge(base[key], value) if key in base else value
        return out
    return over


def _include_entries(include: Any) -> list[Any]:
    if include is None:
        return []
    return include if isinstance(include, list) else [include]


def _load_with_includes(path: Path, problems: list[str]) -> dict[str, Any]:
    base_dir = path.parent
    seen: set[Path] = set()
    count = 0

    def load_file(p: Path, shown: str, depth: int) -> dict[str, Any]:
        nonlocal count
        doc = _read_yaml(p, problems, shown) or {}
        merged: dict[str, Any] = {}
        for entry in _include_entries(doc.get("include")):
            local: str | None = None
            if isinstance(entry, str):
                if re.match(r"^[a-z]+://", entry):
                    problems.append(f"{shown}: include {entry!r} (remote) not fetched")
                    continue
                local = entry
            elif isinstance(entry, dict):
                if "local" in entry:
                    local = str(entry["local"])
                    if entry.get("rules") or entry.get("inputs"):
                        problems.append(f"{shown}: include local {local!r}: rules/inputs not evaluated (included as is)")
                else:
                    kind = next((k for k in ("project", "remote", "template", "component") if k in entry), "unknown form")
                    what = entry.get(kind) if kind in entry else entry
                    problems.append(f"{shown}: include {kind} {what!r} not fetched (only local files are read)")
                    continue
            else:
                problems.append(f"{shown}: include entry {entry!r} not understood")
                continue
            if "$" in local:
                problems.append(f"{shown}: include local {local!r} uses variables; not resolved")
                continue
            pattern = str(base_dir / local.lstrip("/"))
            matches = sorted(glob.glob(pattern)) if any(ch in local for ch in "*?[") else [pattern]
            if not matches:
                problems.append(f"{shown}: include local {local!r} matches no file")
            for match in matches:
                target = Path(match)
                if target.resolve() in seen:
                    problems.append(f"{shown}: include local {local!r} included twice or in a cycle; skipped")
                    continue
                count += 1
                if count > MAX_INCLUDES or depth > 100:
                    problems.append(f"{shown}: more than {MAX_INCLUDES} includes; the rest is not read")
                    return _deep_merge(merged, {k: v for k, v in doc.items() if k != "include"})  # type: ignore[no-any-return]
                seen.add(target.resolve())
                rel = posixpath.relpath(match, base_dir)
                if not target.is_file():
                    problems.append(f"{shown}: include local {local!r}: no such file")
                    continue
                try:
                    merged = _deep_merge(merged, load_file(target, rel, depth + 1))
                except CiFileError as exc:
                    problems.append(f"include local {local!r}: {exc}")
        own = {k: v for k, v in doc.items() if k != "include"}
        return _deep_merge(merged, own)  # type: ignore[no-any-return]

    seen.add(path.resolve())
    return load_file(path, path.name, 0)


# ---------------------------------------------------------------------------
# resolution
# ---------------------------------------------------------------------------


def _resolve_extends(doc: Mapping[str, Any], name: str, problems: list[str], stack: tuple[str, ...] = ()) -> dict[str, Any]:
    job = doc.get(name)
    if not isinstance(job, dict):
        return {}
    if name in stack:
        problems.append(f"extends cycle: {' -> '.join((*stack, name))}")
        return {k: v for k, v in job.items() if k != "extends"}
    if len(stack) >= MAX_EXTENDS_DEPTH:
        problems.append(f"{name}: extends nested deeper than {MAX_EXTENDS_DEPTH} levels")
        return {k: v for k, v in job.items() if k != "extends"}
    parents = job.get("extends")
    parent_names = [parents] if isinstance(parents, str) else list(parents) if isinstance(parents, list) else []
    merged: dict[str, Any] = {}
    for parent in parent_names:
        parent = str(parent)
        if parent not in doc or not isinstance(doc[parent], dict):
            problems.append(f"{name}: extends {parent!r}, which is not defined in the file or its local includes")
            continue
        merged = _deep_merge(merged, _resolve_extends(doc, parent, problems, (*stack, name)))
    own = {k: v for k, v in job.items() if k != "extends"}
    return _deep_merge(merged, own)  # type: ignore[no-any-return]


def _resolve_references(value: Any, doc: Mapping[str, Any], problems: list[str], depth: int = 0) -> Any:
    if isinstance(value, Reference):
        if depth >= MAX_REFERENCE_DEPTH:
            problems.append(f"!reference {list(value.path)} nested deeper than {MAX_REFERENCE_DEPTH} levels")
            return None
        if not value.path:
            problems.append("empty !reference")
            return None
        target: Any = _resolve_extends(doc, value.path[0], problems) if isinstance(doc.get(value.path[0]), dict) else doc.get(value.path[0])
        for key in value.path[1:]:
            if not isinstance(target, dict) or key not in target:
                problems.append(f"!reference {list(value.path)} points to nothing")
                return None
            target = target[key]
        if target is None and value.path[0] not in doc:
            problems.append(f"!reference {list(value.path)} points to nothing")
            return None
        return _resolve_references(copy.deepcopy(target), doc, problems, depth + 1)
    if isinstance(value, dict):
        return {k: _resolve_references(v, doc, problems, depth) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_references(v, doc, problems, depth) for v in value]
    return value


def _flatten(value: Any, depth: int = 0) -> list[str]:
    """GitLab flattens nested script arrays (from !reference) up to 10 levels."""
    if value is None:
        return []
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out += _flatten(item, depth + 1) if depth < 10 else [str(item)]
        return out
    return [str(value)]


def expand(text: str, env: Mapping[str, str]) -> str:
    return _VAR.sub(lambda m: env.get(m.group("braced") or m.group("plain") or "", m.group(0)), text)


def _variables(raw: Any, problems: list[str], where: str) -> tuple[dict[str, str], set[str]]:
    out: dict[str, str] = {}
    literal: set[str] = set()
    if raw is None:
        return out, literal
    if not isinstance(raw, dict):
        problems.append(f"{where}: variables is not a mapping; ignored")
        return out, literal
    for name, value in raw.items():
        name = str(name)
        if isinstance(value, dict):
            if value.get("expand") is False:
                literal.add(name)
            value = value.get("value", "")
        if value is None:
            value = ""
        if isinstance(value, bool):
            value = "true" if value else "false"
        if isinstance(value, (list, dict)):
            problems.append(f"{where}: variable {name} is not a string; ignored")
            continue
        out[name] = str(value)
    return out, literal


def _inherit(job: Mapping[str, Any], what: str, key: str) -> bool:
    inherit = job.get("inherit")
    if not isinstance(inherit, dict) or what not in inherit:
        return True
    setting = inherit[what]
    if isinstance(setting, bool):
        return setting
    if isinstance(setting, list):
        return key in [str(s) for s in setting]
    return True


def executor_command(text: str) -> tuple[str | None, list[str], str | None]:
    """The executor command in one script entry: (its text, its words, a problem)."""
    joined = text.replace("\\\r\n", " ").replace("\\\n", " ")
    for line in joined.split("\n"):
        match = _EXECUTOR.search(line)
        if not match:
            continue
        rest = line[match.start():]
        lexer = shlex.shlex(rest, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        words: list[str] = []
        try:
            for token in lexer:
                if token in _OPERATORS:
                    break
                words.append(token)
        except ValueError as exc:
            return rest.strip(), [], f"cannot split the executor line: {exc}"
        if not words:
            continue
        words[0] = "/kaniko/executor"
        return shown_command(words), words, None
    return None, [], None


def shown_command(words: list[str]) -> str:
    """The executor line for reports: literal ``--build-arg`` values (often tokens) withheld,
    ``$VARIABLE`` references kept."""
    out: list[str] = []
    pending = False
    for word in words:
        if pending or word.startswith("--build-arg="):
            prefix = "--build-arg=" if word.startswith("--build-arg=") else ""
            name, sep, value = word[len(prefix):].partition("=")
            if sep and value and not re.fullmatch(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", value):
                word = f"{prefix}{name}=…"
            pending = False
        elif word == "--build-arg":
            pending = True
        out.append(shlex.quote(word) if word and not re.fullmatch(r"[\w@%+=:,./${}…-]+", word) else word)
    return " ".join(out)


def _job_names(doc: Mapping[str, Any]) -> list[str]:
    return [str(k) for k, v in doc.items() if k not in GLOBAL_KEYWORDS and isinstance(v, dict)]


def _runs_executor(job: Mapping[str, Any]) -> bool:
    for key in ("before_script", "script"):
        for entry in _flatten(job.get(key)) if not isinstance(job.get(key), Reference) else []:
            if _EXECUTOR.search(entry.replace("\\\n", " ")):
                return True
    return False


def _image(value: Any) -> tuple[str | None, list[str] | None]:
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict):
        name = value.get("name")
        entry = value.get("entrypoint")
        entrypoint = [str(e) for e in entry] if isinstance(entry, list) else ([str(entry)] if entry is not None else None)
        return (str(name) if name is not None else None), entrypoint
    return None, None


def load(path: str, job_name: str | None, env: Mapping[str, str]) -> CiJob:
    """Resolve one job of a CI file; ``CiFileError`` when the file or the job cannot be had."""
    problems: list[str] = []
    ci_path = Path(path)
    if not ci_path.is_file():
        raise CiFileError(f"cannot read {path}: no such file")
    doc = _load_with_includes(ci_path, problems)
    names = _job_names(doc)
    resolved_all = {n: _resolve_references(_resolve_extends(doc, n, []), doc, []) for n in names if not n.startswith(".")}
    kaniko_jobs = [n for n, j in resolved_all.items() if _runs_executor(j)]
    if job_name is None:
        if len(kaniko_jobs) == 1:
            job_name = kaniko_jobs[0]
        elif not kaniko_jobs:
            raise CiFileError(f"{path}: no job runs /kaniko/executor; name one with --job (jobs: {', '.join(names) or 'none'})")
        else:
            raise CiFileError(f"{path}: several jobs run /kaniko/executor ({', '.join(kaniko_jobs)}); pick one with --job")
    if job_name not in names:
        hint = f"kaniko jobs: {', '.join(kaniko_jobs)}" if kaniko_jobs else f"jobs: {', '.join(names) or 'none'}"
        raise CiFileError(f"{path}: no job {job_name!r} ({hint})")
    job = _resolve_references(_resolve_extends(doc, job_name, problems), doc, problems)
    default = _resolve_references(doc.get("default") or {}, doc, problems)
    if not isinstance(default, dict):
        problems.append("default: is not a mapping; ignored")
        default = {}

    def pick(key: str) -> tuple[Any, str | None]:
        if key in job:
            return job[key], "job"
        if _inherit(job, "default", key):
            if key in default:
                return default[key], "default"
            if key in ("image", "before_script", "after_script") and key in doc:
                return doc[key], f"top-level {key}"
        return None, None

    result = CiJob(file=path, name=job_name)
    image_value, result.image_source = pick("image")
    result.image, result.entrypoint = _image(image_value)

    global_vars, literal_g = _variables(doc.get("variables"), problems, "variables")
    job_vars, literal_j = _variables(job.get("variables"), problems, f"{job_name}: variables")
    if not isinstance(job.get("inherit"), dict) or job["inherit"].get("variables", True) is not False:
        keep = job.get("inherit", {}).get("variables") if isinstance(job.get("inherit"), dict) else None
        if isinstance(keep, list):
            global_vars = {k: v for k, v in global_vars.items() if k in [str(x) for x in keep]}
    else:
        global_vars = {}
    yaml_vars = {**global_vars, **job_vars}
    literal = literal_g | literal_j
    # GitLab expands variables that reference variables (unless expand: false); the
    # environment supplies the predefined CI_* variables (and, on a laptop, overrides).
    scope = {**yaml_vars, **{k: v for k, v in env.items() if k.startswith(("CI_", "GITLAB_"))}}
    expanded: dict[str, str] = {}
    for name, value in yaml_vars.items():
        expanded[name] = value if name in literal else expand(expand(value, scope), scope)
    result.variables = expanded
    result.yaml_variables = tuple(yaml_vars)
    if result.image:
        result.image = expand(result.image, {**env, **expanded})

    before, _ = pick("before_script")
    script = job.get("script")
    lines: list[ScriptLine] = []
    for section, value in (("before_script", before), ("script", script)):
        for i, entry in enumerate(_flatten(value)):
            lines.append(ScriptLine(section, i, entry))
    result.script = tuple(lines)
    if not job.get("script") and not job.get("trigger"):
        problems.append(f"{job_name}: has no script")
    for line in lines:
        text, words, problem = executor_command(line.text)
        if text is None:
            continue
        if problem:
            problems.append(f"{job_name} {line.section}[{line.index}]: {problem}")
        result.executor_line = ScriptLine(line.section, line.index, text)
        result.executor_words = tuple(words)
        break
    tags = job.get("tags")
    result.tags = tuple(str(t) for t in _flatten(tags)) if tags is not None else ()
    result.other_kaniko_jobs = tuple(n for n in kaniko_jobs if n != job_name)
    result.problems = list(dict.fromkeys(problems))
    return result


def job_env(job: CiJob, base: Mapping[str, str], *, base_is_job: bool = False) -> dict[str, str]:
    """The environment the checks see. ``base`` is the laptop's environment, or the job's
    own (from a facts file: ``base_is_job``), which then wins over the file's variables."""
    if base_is_job:
        return {**job.variables, **base}
    predefined = {k: v for k, v in base.items() if k.startswith(("CI_", "GITLAB_"))}
    return {**base, **job.variables, **predefined}
