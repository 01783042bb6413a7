"""Parse a kaniko executor command line the way kaniko's cobra/pflag front end does.

kaniko declares its flags in ``cmd/executor/cmd/root.go`` (GoogleContainerTools/kaniko):
repeatable ``multiArg`` flags (``--destination``, ``--build-arg``, ...), key=value map
flags (``--registry-certificate``, ``--registry-map``), strings and booleans. pflag accepts
``--flag=value``, ``--flag value``, ``-d value``, ``-dvalue`` and ``-d=value``; a boolean
takes its value only in the ``=`` form (``--no-push=false``), never from the next word.
Unknown flags make kaniko exit with "unknown flag"; we keep them and report them instead.
"""

from __future__ import annotations

import enum
import os
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import field

from kanidoc.record import record


class Kind(enum.Enum):
    BOOL = "bool"
    STRING = "string"
    MULTI = "multi"  # kaniko multiArg: every occurrence appends
    KEYVALUE = "keyvalue"  # kaniko keyValueArg: KEY=VALUE, every occurrence adds


@record
class FlagSpec:
    name: str
    kind: Kind
    short: str | None = None


FLAGS: tuple[FlagSpec, ...] = (
    FlagSpec("destination", Kind.MULTI, "d"),
    FlagSpec("dockerfile", Kind.STRING, "f"),
    FlagSpec("context", Kind.STRING, "c"),
    FlagSpec("context-sub-path", Kind.STRING),
    FlagSpec("build-arg", Kind.MULTI),
    FlagSpec("cache", Kind.BOOL),
    FlagSpec("cache-repo", Kind.STRING),
    FlagSpec("cache-dir", Kind.STRING),
    FlagSpec("cache-ttl", Kind.STRING),
    FlagSpec("cache-copy-layers", Kind.BOOL),
    FlagSpec("cache-run-layers", Kind.BOOL),
    FlagSpec("registry-mirror", Kind.MULTI),
    FlagSpec("registry-map", Kind.MULTI),
    FlagSpec("skip-default-registry-fallback", Kind.BOOL),
    FlagSpec("registry-certificate", Kind.KEYVALUE),
    FlagSpec("registry-client-cert", Kind.KEYVALUE),
    FlagSpec("skip-tls-verify", Kind.BOOL),
    FlagSpec("skip-tls-verify-pull", Kind.BOOL),
    FlagSpec("skip-tls-verify-registry", Kind.MULTI),
    FlagSpec("insecure", Kind.BOOL),
    FlagSpec("insecure-pull", Kind.BOOL),
    FlagSpec("insecure-registry", Kind.MULTI),
    FlagSpec("skip-push-permission-check", Kind.BOOL),
    FlagSpec("no-push", Kind.BOOL),
    FlagSpec("no-push-cache", Kind.BOOL),
    FlagSpec("force", Kind.BOOL),
    FlagSpec("target", Kind.STRING),
    FlagSpec("tar-path", Kind.STRING),
    FlagSpec("digest-file", Kind.STRING),
    FlagSpec("image-name-with-digest-file", Kind.STRING),
    FlagSpec("image-name-tag-with-digest-file", Kind.STRING),
    FlagSpec("oci-layout-path", Kind.STRING),
    FlagSpec("kaniko-dir", Kind.STRING),
    FlagSpec("label", Kind.MULTI),
    FlagSpec("ignore-path", Kind.MULTI),
    FlagSpec("ignore-var-run", Kind.BOOL),
    FlagSpec("snapshot-mode", Kind.STRING),
    FlagSpec("single-snapshot", Kind.BOOL),
    FlagSpec("reproducible", Kind.BOOL),
    FlagSpec("cleanup", Kind.BOOL),
    FlagSpec("use-new-run", Kind.BOOL),
    FlagSpec("skip-unused-stages", Kind.BOOL),
    FlagSpec("custom-platform", Kind.STRING),
    FlagSpec("verbosity", Kind.STRING, "v"),
    FlagSpec("log-format", Kind.STRING),
    FlagSpec("log-timestamp", Kind.BOOL),
    FlagSpec("push-retry", Kind.STRING),
    FlagSpec("image-fs-extract-retry", Kind.STRING),
    FlagSpec("image-download-retry", Kind.STRING),
    FlagSpec("compressed-caching", Kind.BOOL),
    FlagSpec("compression", Kind.STRING),
    FlagSpec("compression-level", Kind.STRING),
    FlagSpec("git", Kind.STRING),
)
_BY_LONG = {f.name: f for f in FLAGS}
_BY_SHORT = {f.short: f for f in FLAGS if f.short}
_EXECUTOR = re.compile(r"(^|/)executor$")
_VAR = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")


@record
class KanikoArgs:
    """The kaniko flags kanidoc reasons about; values as kaniko would hold them."""

    present: bool = False  # a kaniko command line was given at all
    strings: Mapping[str, str] = field(default_factory=dict)
    multi: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    keyvalue: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    bools: Mapping[str, bool] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()  # flags kaniko would reject ("unknown flag")
    positional: tuple[str, ...] = ()  # words that are no flag (kaniko takes no arguments)
    unexpanded: tuple[str, ...] = ()  # $VARIABLES we could not expand

    def get(self, name: str) -> str | None:
        return self.strings.get(name)

    def all(self, name: str) -> tuple[str, ...]:
        return self.multi.get(name, ())

    def flag(self, name: str) -> bool:
        return self.bools.get(name, False)

    def pairs(self, name: str) -> tuple[tuple[str, str], ...]:
        return self.keyvalue.get(name, ())

    @property
    def build_args(self) -> dict[str, str | None]:
        """``--build-arg K=V`` and ``--build-arg K`` (value from the environment, as docker)."""
        out: dict[str, str | None] = {}
        for item in self.all("build-arg"):
            key, sep, value = item.partition("=")
            out[key] = value if sep else None
        return out


class ArgsError(ValueError):
    """A kaniko command line that kaniko itself would reject before doing anything."""


def _expand(word: str, env: Mapping[str, str], missing: list[str]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group("braced") or m.group("plain")
        if name in env:
            return env[name]
        missing.append(name)
        return m.group(0)

    return _VAR.sub(sub, word)


def split_command_line(words: Sequence[str]) -> list[str]:
    """The words after ``--``; one pasted string is split like a POSIX shell would."""
    if len(words) == 1 and (" " in words[0] or "\n" in words[0]):
        try:
            return shlex.split(words[0].replace("\\\n", " "))
        except ValueError as exc:  # unbalanced quotes
            raise ArgsError(f"cannot split the kaniko command line: {exc}") from None
    return list(words)


def parse(words: Sequence[str], env: Mapping[str, str] | None = None) -> KanikoArgs:
    """Parse executor words (optionally starting with ``/kaniko/executor``)."""
    env = dict(os.environ if env is None else env)
    argv = split_command_line(words)
    if not argv:
        return KanikoArgs()
    if _EXECUTOR.search(argv[0]):
        argv = argv[1:]
    strings: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    keyvalue: dict[str, list[tuple[str, str]]] = {}
    bools: dict[str, bool] = {}
    unknown: list[str] = []
    positional: list[str] = []
    missing: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if word == "--":
            positional.extend(argv[i:])
            break
        spec: FlagSpec | None = None
        value: str | None = None
        if word.startswith("--"):
            name, eq, inline = word[2:].partition("=")
            spec = _BY_LONG.get(name)
            value = inline if eq else None
        elif word.startswith("-") and len(word) > 1:
            spec = _BY_SHORT.get(word[1])
            rest = word[2:]
            if rest:
                value = rest[1:] if rest.startswith("=") else rest
        else:
            positional.append(word)
            continue
        if spec is None:
            unknown.append(word.split("=", 1)[0])
            continue
        if spec.kind is Kind.BOOL:
            if value is None:
                bools[spec.name] = True
            else:
                # strconv.ParseBool, which pflag uses for booleans
                truth = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
                         "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}
                if value not in truth:
                    raise ArgsError(f'invalid argument "{value}" for "--{spec.name}" flag: strconv.ParseBool: parsing "{value}": invalid syntax')
                bools[spec.name] = truth[value]
            continue
        if value is None:
            if i >= len(argv):
                raise ArgsError(f"flag needs an argument: --{spec.name}")
            value = argv[i]
            i += 1
        value = _expand(value, env, missing)
        if spec.kind is Kind.STRING:
            strings[spec.name] = value
        elif spec.kind is Kind.MULTI:
            multi.setdefault(spec.name, []).append(value)
        else:
            key, sep, val = value.partition("=")
            if not sep:
                raise ArgsError(f'invalid argument "{value}" for "--{spec.name}" flag: expected KEY=VALUE')
            keyvalue.setdefault(spec.name, []).append((key, val))
    return KanikoArgs(
        present=True,
        strings=strings,
        multi={k: tuple(v) for k, v in multi.items()},
        keyvalue={k: tuple(v) for k, v in keyvalue.items()},
        bools=bools,
        unknown=tuple(unknown),
        positional=tuple(positional),
        unexpanded=tuple(dict.fromkeys(missing)),
    )
