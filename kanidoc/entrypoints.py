"""One entry point group, read from the files importlib.metadata reads.

``importlib.metadata`` costs about 45 ms of imports (email, zipfile, csv, inspect) on every
run: more than the rest of ``kanidoc list-checks``. The data behind it is small: each
installed distribution's ``*.dist-info/entry_points.txt`` (``*.egg-info/`` for older
installs) in the ``sys.path`` directories, an INI file (PyPA "Entry points specification").
As ``importlib.metadata.entry_points()`` does, distributions are taken in ``sys.path``
order and only the first one of a (normalised) name counts, so a stale second copy of a
plugin cannot shadow the one Python would import. A test holds this reader to
``importlib.metadata`` on the test environment.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from kanidoc.record import record


@record
class EntryPoint:
    name: str
    value: str  # "module.sub:obj.attr [extra]"
    group: str
    dist: str

    def load(self) -> Any:
        """``importlib.metadata.EntryPoint.load``: import the module, walk the attributes."""
        module, _, attrs = self.value.partition("[")[0].partition(":")
        obj: Any = importlib.import_module(module.strip())
        for attr in filter(None, attrs.strip().split(".")):
            obj = getattr(obj, attr)
        return obj


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _metadata_dirs(paths: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(distribution name, metadata directory) in sys.path order."""
    for entry in paths:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue  # a zip file or a missing directory: no plain metadata here
        for name in names:
            stem, dot, suffix = name.rpartition(".")
            if dot and suffix in ("dist-info", "egg-info"):
                yield _normalise(stem.partition("-")[0]), os.path.join(entry or ".", name)


def _parse(text: str, group: str, dist: str) -> Iterator[EntryPoint]:
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section == group and "=" in line:
            name, _, value = line.partition("=")
            yield EntryPoint(name.strip(), value.strip(), group, dist)


def entry_points(group: str, paths: Iterable[str] | None = None) -> list[EntryPoint]:
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for dist, directory in _metadata_dirs(sys.path if paths is None else paths):
        if dist in seen:
            continue
        seen.add(dist)
        try:
            with open(os.path.join(directory, "entry_points.txt"), encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError):
            continue
        found += _parse(text, group, dist)
    return found
