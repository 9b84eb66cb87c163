from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from update_fixture import write_v1

from toolkit.errors import UpdateError
from toolkit.scaffold import get_template, template_at, templates_root
from toolkit.update import TemplateShelf, freeze_release


def test_freezing_is_deterministic(tmp_path: Path) -> None:
    template = template_at(write_v1(tmp_path / "t"))
    first = freeze_release(template, tmp_path / "a").read_bytes()
    second = freeze_release(template, tmp_path / "b").read_bytes()
    assert first == second


def test_an_archived_version_checks_out_with_its_partials(tmp_path: Path) -> None:
    shelf = TemplateShelf()
    template = shelf.checkout("finance", "0.1.0", tmp_path)
    assert template.version == "0.1.0"
    # The shared partials were a link in the checkout; the archive holds a real copy.
    assert (template.path / "templates" / "base" / "Makefile").is_file()
    assert not (template.path / "templates").is_symlink()


def test_every_template_lists_its_current_version() -> None:
    shelf = TemplateShelf()
    for name in ("finance", "energy", "auto", "manufacturing"):
        assert shelf.versions(name)[-1] == get_template(name).version
    assert shelf.versions("finance")[:1] == ["0.1.0"]


def test_archives_are_named_for_the_version_they_hold(tmp_path: Path) -> None:
    releases = templates_root() / "_releases"
    for archive in releases.glob("*.tar.gz"):
        name, version = archive.name.removesuffix(".tar.gz").split("-", 1)
        template = TemplateShelf().checkout(name, version, tmp_path)
        assert template.version == version


def test_an_archive_holding_another_version_is_refused(tmp_path: Path) -> None:
    template = template_at(write_v1(tmp_path / "t"))
    archive = freeze_release(template, tmp_path / "rel")
    shutil.copy(archive, tmp_path / "rel" / "demo-0.9.0.tar.gz")
    current = tmp_path / "cur"
    shutil.copytree(template.path, current / "demo")
    shelf = TemplateShelf(current, tmp_path / "rel")
    with pytest.raises(Exception, match=r"holds version 1\.0\.0"):
        shelf.checkout("demo", "0.9.0", tmp_path / "x")
    with pytest.raises(UpdateError, match="not available"):
        shelf.checkout("demo", "0.1.0", tmp_path / "x")
