from __future__ import annotations

import os
from pathlib import Path

import pytest

from toolkit.fleet.discover import PROVENANCE_FILE, find_projects


def _project(folder: Path) -> Path:
    (folder / PROVENANCE_FILE).parent.mkdir(parents=True)
    (folder / PROVENANCE_FILE).write_text("template: finance\n", encoding="utf-8")
    return folder


def test_finds_projects_at_any_depth_in_path_order(tmp_path: Path) -> None:
    b = _project(tmp_path / "customers" / "beta" / "desk")
    a = _project(tmp_path / "customers" / "alpha")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "toolkit.yaml").write_text("not a project: no provenance\n")
    found = find_projects([tmp_path])
    assert found.projects == [a, b]
    assert found.problems == []


def test_a_root_may_itself_be_a_project(tmp_path: Path) -> None:
    project = _project(tmp_path / "one")
    assert find_projects([project]).projects == [project]


def test_does_not_descend_into_a_project_or_hidden_folders(tmp_path: Path) -> None:
    outer = _project(tmp_path / "outer")
    _project(outer / "examples" / "inner")
    _project(tmp_path / ".cache" / "copy")
    assert find_projects([tmp_path]).projects == [outer]


def test_reports_a_symlink_loop_and_goes_on(tmp_path: Path) -> None:
    project = _project(tmp_path / "a" / "project")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    found = find_projects([tmp_path])
    assert found.projects == [project]
    assert [(p.kind, Path(p.path).name) for p in found.problems] == [("symlink-loop", "loop")]
    assert str(tmp_path) in found.problems[0].detail


def test_a_self_referencing_link_is_reported(tmp_path: Path) -> None:
    (tmp_path / "self").symlink_to(tmp_path / "self")
    project = _project(tmp_path / "p")
    found = find_projects([tmp_path])
    assert found.projects == [project]
    assert [p.kind for p in found.problems] == ["symlink-loop"]


def test_a_second_link_to_a_project_lists_it_once(tmp_path: Path) -> None:
    project = _project(tmp_path / "real")
    (tmp_path / "alias").symlink_to(project, target_is_directory=True)
    found = find_projects([tmp_path])
    assert len(found.projects) == 1
    assert found.projects[0].resolve() == project.resolve()
    assert found.problems == []


def test_unreadable_folders_are_reported_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    project = _project(tmp_path / "open")
    real_scandir = os.scandir

    # The tests run as root on CI, where chmod cannot make a folder unreadable.
    def scandir(path: object) -> object:
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)
    found = find_projects([tmp_path])
    assert found.projects == [project]
    assert [(p.kind, p.path, p.detail) for p in found.problems] == [
        ("unreadable", str(locked), "Permission denied")
    ]


def test_a_missing_root_is_reported(tmp_path: Path) -> None:
    found = find_projects([tmp_path / "nowhere"])
    assert found.projects == []
    assert [p.kind for p in found.problems] == ["missing-root"]
