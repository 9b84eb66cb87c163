"""`toolkit new --force` is transactional and never writes through a symbolic link."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from toolkit.errors import RenderError
from toolkit.scaffold import create_project


def _tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root`` (links by target, never followed)."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = f"-> {path.readlink()}"
            elif path.is_file():
                out[rel] = path.read_bytes()
            else:
                out[rel] = "<dir>"
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return create_project("finance", output_dir=tmp_path / "out", provided={}).project_dir


def test_refused_force_changes_nothing(project: Path, tmp_path: Path) -> None:
    # README.md sorts before prompts/: the old file-by-file update replaced it, then refused.
    (project / "README.md").write_text("my own readme", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(project / "prompts")
    (project / "prompts").symlink_to(outside, target_is_directory=True)
    before = _tree(project)
    with pytest.raises(RenderError, match="link"):
        create_project("finance", output_dir=tmp_path / "out", provided={}, force=True)
    assert _tree(project) == before
    assert list(outside.iterdir()) == []
    assert [p.name for p in (tmp_path / "out").iterdir()] == [project.name]


def test_symlinked_backup_folder_is_never_followed(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / ".toolkit" / "backup").symlink_to(elsewhere, target_is_directory=True)
    (project / "README.md").write_text("changed", encoding="utf-8")
    before = _tree(project)
    with pytest.raises(RenderError, match="backup"):
        create_project("finance", output_dir=tmp_path / "out", provided={}, force=True)
    assert list(elsewhere.iterdir()) == []
    assert _tree(project) == before


def test_symlinked_toolkit_folder_is_never_followed(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(project / ".toolkit", elsewhere)
    (project / ".toolkit").symlink_to(elsewhere, target_is_directory=True)
    (project / "README.md").write_text("changed", encoding="utf-8")
    snapshot = _tree(elsewhere)
    with pytest.raises(RenderError, match="link"):
        create_project("finance", output_dir=tmp_path / "out", provided={}, force=True)
    assert _tree(elsewhere) == snapshot


def test_symlinked_file_is_refused(project: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch", encoding="utf-8")
    (project / "Makefile").unlink()
    (project / "Makefile").symlink_to(victim)
    with pytest.raises(RenderError, match="link"):
        create_project("finance", output_dir=tmp_path / "out", provided={}, force=True)
    assert victim.read_text(encoding="utf-8") == "do not touch"


def test_failed_swap_restores_every_file(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "README.md").write_text("my readme", encoding="utf-8")
    (project / "Makefile").write_text("my makefile", encoding="utf-8")
    (project / "prompts" / "system.md").unlink()
    before = _tree(project)
    real_replace = Path.replace
    calls = {"n": 0}

    def flaky_replace(self: Path, target: str | os.PathLike[str]) -> Path:
        calls["n"] += 1
        if calls["n"] == 3:  # after two files were swapped in
            raise PermissionError(13, "Permission denied", str(target))
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", flaky_replace)
    with pytest.raises(RenderError, match="restored"):
        create_project("finance", output_dir=tmp_path / "out", provided={}, force=True)
    assert calls["n"] == 3
    assert _tree(project) == before


def test_successful_force_backs_up_into_the_project(project: Path, tmp_path: Path) -> None:
    (project / "README.md").write_text("my readme", encoding="utf-8")
    first = create_project("finance", output_dir=tmp_path / "out", provided={}, force=True)
    (project / "README.md").write_text("my readme again", encoding="utf-8")
    second = create_project("finance", output_dir=tmp_path / "out", provided={}, force=True)
    assert first.backup_dir is not None and second.backup_dir is not None
    assert first.backup_dir != second.backup_dir  # same second: never overwrites a backup
    assert (first.backup_dir / "README.md").read_text(encoding="utf-8") == "my readme"
    assert (second.backup_dir / "README.md").read_text(encoding="utf-8") == "my readme again"
    assert first.backup_dir.parent == project / ".toolkit" / "backup"
    assert not any(p.name.startswith(".toolkit-render-") for p in (tmp_path / "out").iterdir())
