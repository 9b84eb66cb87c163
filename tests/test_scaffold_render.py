from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

from toolkit.errors import RenderError, TargetExistsError
from toolkit.scaffold import ANSWERS_FILE, create_project, get_template
from toolkit.scaffold.catalog import TemplateInfo, _load
from toolkit.scaffold.runtime_wheel import VENDOR_DIR, runtime_wheel_name


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_tree_as_stock_cookiecutter(tmp_path: Path) -> None:
    template = get_template("finance")
    ours = create_project("finance", output_dir=tmp_path / "ours", provided={}).project_dir
    stock = Path(
        cookiecutter(str(template.path), no_input=True, output_dir=str(tmp_path / "stock"))
    )
    ours_tree = _tree(ours)
    ours_tree.pop(str(ANSWERS_FILE))
    ours_tree.pop(str(VENDOR_DIR / runtime_wheel_name()))  # written by toolkit new, not rendered
    assert ours_tree == _tree(stock)


def test_same_tree_with_custom_answers(tmp_path: Path) -> None:
    answers = {"project_name": 'Quote "Bank" & Co', "author": "O'Brien", "model": "qwen-plus"}
    template = get_template("finance")
    ours = create_project("finance", output_dir=tmp_path / "ours", provided=answers).project_dir
    stock = Path(
        cookiecutter(
            str(template.path),
            no_input=True,
            output_dir=str(tmp_path / "stock"),
            extra_context=answers,
        )
    )
    ours_tree = _tree(ours)
    ours_tree.pop(str(ANSWERS_FILE))
    ours_tree.pop(str(VENDOR_DIR / runtime_wheel_name()))  # written by toolkit new, not rendered
    assert ours_tree == _tree(stock)


def test_answers_file_records_template_and_versions(tmp_path: Path) -> None:
    project = create_project("finance", output_dir=tmp_path, provided={"author": "Ops"}).project_dir
    record = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert record["template"] == "finance"
    assert record["template_version"] == get_template("finance").version
    assert record["answers"]["author"] == "Ops"


def test_answer_with_quotes_keeps_toml_and_yaml_valid(tmp_path: Path) -> None:
    import tomllib

    name = 'The "Quoted" \\ Bank'
    project = create_project(
        "finance", output_dir=tmp_path, provided={"project_name": name, "project_slug": "qbank"}
    ).project_dir
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert name in pyproject["project"]["description"]
    config = yaml.safe_load((project / "toolkit.yaml").read_text(encoding="utf-8"))
    assert config["project"]["name"] == name


def test_existing_target_is_refused_without_force(tmp_path: Path) -> None:
    create_project("finance", output_dir=tmp_path, provided={})
    with pytest.raises(TargetExistsError):
        create_project("finance", output_dir=tmp_path, provided={})


def test_force_keeps_user_files_and_backs_up_changed_ones(tmp_path: Path) -> None:
    project = create_project("finance", output_dir=tmp_path, provided={}).project_dir
    (project / "notes.txt").write_text("mine", encoding="utf-8")
    (project / "knowledge" / "extra.md").write_text("# mine", encoding="utf-8")
    prompt = project / "prompts" / "system.md"
    original = prompt.read_bytes()
    prompt.write_text("customised prompt", encoding="utf-8")
    (project / "README.md").unlink()

    result = create_project("finance", output_dir=tmp_path, provided={}, force=True)

    assert (project / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (project / "knowledge" / "extra.md").exists()
    assert prompt.read_bytes() == original
    assert result.backup_dir is not None
    assert (result.backup_dir / "prompts" / "system.md").read_text(
        encoding="utf-8"
    ) == "customised prompt"
    assert Path("README.md") in result.created
    assert Path("prompts/system.md") in result.updated


def test_force_refuses_symlink_out_of_project(tmp_path: Path) -> None:
    project = create_project("finance", output_dir=tmp_path / "out", provided={}).project_dir
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(project / "prompts")
    (project / "prompts").symlink_to(outside, target_is_directory=True)
    with pytest.raises(RenderError, match="link out of the project"):
        create_project("finance", output_dir=tmp_path / "out", provided={}, force=True)
    assert list(outside.iterdir()) == []


def _broken_template(tmp_path: Path) -> TemplateInfo:
    source = get_template("finance").path
    copy = tmp_path / "tpl" / "finance"
    shutil.copytree(source, copy, symlinks=False)
    bad = copy / "{{cookiecutter.project_slug}}" / "zz-broken.txt"
    bad.write_text("{{ cookiecutter.no_such_variable }}", encoding="utf-8")
    return _load(copy)


def test_failed_render_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = _broken_template(tmp_path)
    monkeypatch.setattr("toolkit.scaffold.create.get_template", lambda name: broken)
    out = tmp_path / "out"
    with pytest.raises(RenderError, match="No files were left behind"):
        create_project("finance", output_dir=out, provided={})
    assert list(out.iterdir()) == []


def test_failed_force_update_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = create_project("finance", output_dir=tmp_path / "out", provided={}).project_dir
    before = _tree(project)
    broken = _broken_template(tmp_path)
    monkeypatch.setattr("toolkit.scaffold.create.get_template", lambda name: broken)
    with pytest.raises(RenderError):
        create_project("finance", output_dir=tmp_path / "out", provided={}, force=True)
    assert _tree(project) == before
    assert [p.name for p in (tmp_path / "out").iterdir()] == [project.name]


def test_user_text_is_never_evaluated_even_in_file_contents(tmp_path: Path) -> None:
    # Braces alone are fine text; they are written literally, not rendered.
    project = create_project(
        "finance",
        output_dir=tmp_path,
        provided={"project_name": "Desk {7*7} }{", "project_slug": "desk"},
    ).project_dir
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "# Desk {7\\*7} }{\n" in readme  # Markdown-escaped, so it renders as itself
    assert "49" not in readme
    config = yaml.safe_load((project / "toolkit.yaml").read_text(encoding="utf-8"))
    assert config["project"]["name"] == "Desk {7*7} }{"


def test_copy_without_render_protects_documents() -> None:
    context = json.loads((get_template("finance").path / "cookiecutter.json").read_text())
    assert "knowledge/*" in context["_copy_without_render"]


def test_new_writes_the_runtime_wheel_into_the_project(tmp_path: Path) -> None:
    import zipfile

    project = create_project("finance", output_dir=tmp_path, provided={}).project_dir
    wheel = project / VENDOR_DIR / runtime_wheel_name()
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt")))
    assert "toolkit/cli.py" in names
    assert "toolkit/_templates/finance/cookiecutter.json" in names
    assert "toolkit/_templates/finance/templates/base/Makefile" in names  # partials copied in
    assert not any("__pycache__" in n for n in names)
    assert b"Name: industry-agent-toolkit" in metadata and b"Requires-Dist: pygit2" in metadata
    assert b"toolkit = toolkit.cli:main" in entry_points
    again = create_project("finance", output_dir=tmp_path / "again", provided={}).project_dir
    assert (again / VENDOR_DIR / runtime_wheel_name()).read_bytes() == wheel.read_bytes()
