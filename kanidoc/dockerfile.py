"""Find the images a Dockerfile pulls (``FROM`` and ``COPY --from=<image>``).

Follows BuildKit/kaniko semantics closely enough to name registries: parser directives
(``# escape=``), line continuations, comments, global ``ARG`` defaults before the first
``FROM`` overridden by ``--build-arg``, ``$VAR``/``${VAR}``/``${VAR:-default}``/
``${VAR:+alt}``, stage names (``FROM base AS build`` then ``FROM build``), ``scratch``.
kaniko resolves FROM through ``instructions.Parse`` and ``dockerfile.ResolveStages``
(GoogleContainerTools/kaniko ``pkg/dockerfile/dockerfile.go``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import field

from kanidoc.record import record

MAX_BYTES = 4 * 1024 * 1024

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_VAR = re.compile(r"\$(?:\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+])(?P<word>[^}]*))?\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")


@record
class BaseImage:
    line: int
    instruction: str  # "FROM" or "COPY --from"
    written: str  # as written in the Dockerfile
    image: str | None  # after ARG substitution; None when it could not be resolved
    unresolved: tuple[str, ...] = ()  # variables with no value


@record
class Dockerfile:
    images: tuple[BaseImage, ...] = ()
    stages: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    escape = "\\"
    lines = text.splitlines()
    # Parser directives come first, before any other line (comments included).
    for raw in lines:
        m = _DIRECTIVE.match(raw.strip())
        if not m:
            break
        if m.group(1).lower() == "escape" and m.group(2) in ("\\", "`"):
            escape = m.group(2)
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for number, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if stripped.startswith("#"):
            continue  # comments, also inside continuations
        if not buf:
            start = number
            if not stripped:
                continue
        if raw.rstrip().endswith(escape):
            buf.append(raw.rstrip()[:-1])
            continue
        buf.append(raw)
        out.append((start, " ".join(part.strip() for part in buf)))
        buf = []
    if buf:
        out.append((start, " ".join(part.strip() for part in buf)))
    return out


def substitute(word: str, values: Mapping[str, str | None]) -> tuple[str, list[str]]:
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        name = m.group("name") or m.group("plain")
        value = values.get(name)
        op = m.group("op")
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                return m.group("word") or ""
            return value
        if op in (":+", "+"):
            if value is None or (op == ":+" and value == ""):
                return ""
            return m.group("word") or ""
        if value is None:
            missing.append(name)
            return ""
        return value

    return _VAR.sub(sub, word), missing


def _strip_quotes(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse(text: str, build_args: Mapping[str, str | None] | None = None) -> Dockerfile:
    build_args = dict(build_args or {})
    global_args: dict[str, str | None] = {}
    seen_from = False
    stages: list[str] = []
    images: list[BaseImage] = []
    problems: list[str] = []
    for number, line in _logical_lines(text):
        parts = line.split(None, 1)
        if not parts:
            continue
        instruction = parts[0].upper()
        rest = parts[1] if len(parts) > 1 else ""
        if instruction == "ARG" and not seen_from:
            for item in rest.split():
                name, eq, default = item.partition("=")
                value: str | None = _strip_quotes(default) if eq else None
                if name in build_args:
                    value = build_args[name]
                global_args[name] = value
        elif instruction == "FROM":
            seen_from = True
            words = [w for w in rest.split() if not w.startswith("--")]
            if not words:
                problems.append(f"line {number}: FROM without an image")
                continue
            written = words[0]
            resolved, missing = substitute(written, global_args)
            earlier = list(stages)
            if len(words) >= 3 and words[1].lower() == "as":
                stages.append(words[2].lower())
            if resolved.lower() in earlier or resolved.lower() == "scratch":
                continue  # FROM <an earlier stage> or FROM scratch pulls nothing
            images.append(BaseImage(number, "FROM", written, None if missing or not resolved else resolved, tuple(missing)))
        elif instruction == "COPY" and seen_from:
            for word in rest.split():
                if word.startswith("--from="):
                    source = word[len("--from=") :]
                    if source.isdigit() or source.lower() in stages:
                        continue
                    resolved, missing = substitute(source, global_args)
                    images.append(BaseImage(number, "COPY --from", source, None if missing else resolved, tuple(missing)))
    return Dockerfile(tuple(images), tuple(stages), tuple(problems))
