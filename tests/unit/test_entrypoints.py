"""kanidoc reads entry points itself (importlib.metadata's imports cost ~45 ms a run)."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

from kanidoc.entrypoints import entry_points


@pytest.mark.parametrize("group", ["kanidoc.checks", "console_scripts", "pytest11"])
def test_same_entry_points_as_importlib_metadata(group: str) -> None:
    want = sorted((e.name, e.value) for e in importlib.metadata.entry_points(group=group))
    got = sorted((e.name, e.value) for e in entry_points(group))
    assert got == want
    if group == "kanidoc.checks":
        assert {"auth", "reachability", "tls", "push", "engine"} <= {name for name, _ in got}


def _dist(site: Path, dirname: str, text: str) -> None:
    (site / dirname).mkdir(parents=True)
    (site / dirname / "entry_points.txt").write_text(text)


def test_first_distribution_on_the_path_wins_like_importlib(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _dist(first, "Kani_Plugin-1.0.dist-info", "# comment\n[kanidoc.checks]\nx = first_mod:Check\n\n[other]\ny = z:w\n")
    _dist(second, "kani.plugin-2.0.dist-info", "[kanidoc.checks]\nx = second_mod:Check\n")
    _dist(second, "legacy.egg-info", "[kanidoc.checks]\n; comment\nold = legacy.mod:Thing [extra]\n")
    paths = [str(first), str(second), str(tmp_path / "missing"), str(tmp_path / "a.zip")]
    got = sorted((e.name, e.value, e.dist) for e in entry_points("kanidoc.checks", paths))
    assert got == [("old", "legacy.mod:Thing [extra]", "legacy"), ("x", "first_mod:Check", "kani-plugin")]


def test_load_walks_module_and_attributes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plug_mod.py").write_text("class Outer:\n    class Inner:\n        pass\n")
    _dist(tmp_path / "site", "plug-1.dist-info", "[kanidoc.checks]\np = plug_mod:Outer.Inner [extra]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    (ep,) = entry_points("kanidoc.checks", [str(tmp_path / "site")])
    assert ep.load() is sys.modules["plug_mod"].Outer.Inner  # type: ignore[attr-defined]
