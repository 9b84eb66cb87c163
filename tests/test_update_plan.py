from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from update_fixture import BINARY_V1, BINARY_V2, generate, make_shelves

from toolkit.errors import ConfigError, UpdateError
from toolkit.scaffold.provenance import ANSWERS_FILE, hash_bytes, read_provenance
from toolkit.update import Outcome, TemplateShelf, plan_update, revert_update, update_project
from toolkit.update.command import run_update
from toolkit.update.journal import Journal

Shelves = tuple[TemplateShelf, TemplateShelf]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def shelves(tmp_path: Path) -> Shelves:
    return make_shelves(tmp_path / "templates")


@pytest.fixture
def customized(tmp_path: Path, shelves: Shelves) -> Path:
    project = generate(shelves[0], tmp_path / "out")
    (project / "notes.txt").write_text(
        "line one\nline two\nline three\nline four\nline five\nline six, mine\nline seven\n",
        encoding="utf-8",
    )
    (project / "config.txt").write_text(
        "name = Demo Desk\nmodel = my-model\n# end\n", encoding="utf-8"
    )
    (project / "dropped_edited.txt").write_text("obsolete too\nbut I use it\n", encoding="utf-8")
    (project / "old_name.txt").write_text(
        "alpha\nbeta, mine\ngamma\ndelta\nepsilon\n", encoding="utf-8"
    )
    (project / "logo.bin").write_bytes(b"\x89PNG\x00mine")
    (project / "removed_by_customer.txt").unlink()
    (project / "src/demo_desk/mod.py").write_text("X = 10\n", encoding="utf-8")
    (project / "mine.txt").write_text("my own file\n", encoding="utf-8")
    return project


def test_new_records_a_hash_for_every_rendered_file(tmp_path: Path, shelves: Shelves) -> None:
    project = generate(shelves[0], tmp_path / "fresh")
    record = read_provenance(project)
    rendered = {k: v for k, v in _tree(project).items() if not k.startswith(".toolkit/")}
    assert record.files == {k: hash_bytes(v) for k, v in rendered.items()}
    assert record.template_version == "1.0.0"


def test_plan_decides_each_kind_of_file(customized: Path, shelves: Shelves) -> None:
    before = _tree(customized)
    plan = plan_update(customized, shelf=shelves[1])
    assert _tree(customized) == before  # planning has no side effects
    outcomes = {c.path: c.outcome for c in plan.changes}
    assert outcomes == {
        "added.txt": Outcome.TAKEN,
        "config.txt": Outcome.MERGED,
        "docs/new_name.txt": Outcome.MERGED,
        "dropped.txt": Outcome.REMOVED,
        "dropped_edited.txt": Outcome.KEPT_DROPPED,
        "logo.bin": Outcome.BINARY,
        "notes.txt": Outcome.MERGED,
        "removed_by_customer.txt": Outcome.DELETED,
        "src/demo_desk/mod.py": Outcome.CONFLICTED,
    }
    assert plan.conflicts == ["src/demo_desk/mod.py"]
    assert plan.new_answers == {"region": "demo-desk-eu"}
    assert plan.from_version == "1.0.0" and plan.to_version == "1.1.0"
    assert next(c for c in plan.changes if c.path == "docs/new_name.txt").renamed_from == (
        "old_name.txt"
    )


def test_update_keeps_every_customer_change_and_takes_the_template_s(
    customized: Path, shelves: Shelves
) -> None:
    result = update_project(customized, shelf=shelves[1])
    assert result.applied
    text = (customized / "notes.txt").read_text(encoding="utf-8")
    assert "line two, fixed" in text and "line six, mine" in text
    assert (customized / "config.txt").read_text(encoding="utf-8") == (
        "name = Demo Desk\nmodel = my-model\n# end\nregion = demo-desk-eu\n"
    )
    assert not (customized / "old_name.txt").exists()
    assert (customized / "docs/new_name.txt").read_text(encoding="utf-8") == (
        "alpha\nbeta, mine\ngamma\ndelta\nepsilon, revised\n"
    )
    assert not (customized / "dropped.txt").exists()
    assert "but I use it" in (customized / "dropped_edited.txt").read_text(encoding="utf-8")
    assert (customized / "logo.bin").read_bytes() == b"\x89PNG\x00mine"
    assert (customized / "logo.bin.new").read_bytes() == BINARY_V2
    assert not (customized / "removed_by_customer.txt").exists()
    assert (customized / "added.txt").is_file()
    assert (customized / "mine.txt").read_text(encoding="utf-8") == "my own file\n"
    assert (customized / "src/demo_desk/mod.py").read_text(encoding="utf-8") == (
        "<<<<<<< yours\nX = 10\n||||||| base (template 1.0.0)\nX = 1\n=======\nX = 2\n"
        ">>>>>>> template 1.1.0\n"
    )
    record = read_provenance(customized)
    assert record.template_version == "1.1.0"
    assert record.answers["region"] == "demo-desk-eu"
    # The recorded hashes are the new version's pristine render: the next update's base.
    assert record.files["notes.txt"] == hash_bytes(
        (shelves[1].current("demo").path / "{{cookiecutter.project_slug}}/notes.txt").read_bytes()
    )


def test_a_second_update_to_the_same_version_is_a_noop(customized: Path, shelves: Shelves) -> None:
    update_project(customized, shelf=shelves[1])
    after_first = _tree(customized)
    again = update_project(customized, shelf=shelves[1])
    assert again.plan.is_noop and not again.applied
    assert _tree(customized) == after_first


def test_dry_run_changes_nothing(customized: Path, shelves: Shelves) -> None:
    before = _tree(customized)
    result = update_project(customized, dry_run=True, shelf=shelves[1])
    assert not result.applied and result.plan.conflicts == ["src/demo_desk/mod.py"]
    assert _tree(customized) == before


def test_an_untouched_project_takes_every_template_change(tmp_path: Path, shelves: Shelves) -> None:
    project = generate(shelves[0], tmp_path / "plain")
    update_project(project, shelf=shelves[1])
    fresh = generate(shelves[1], tmp_path / "fresh")
    ours = {k: v for k, v in _tree(project).items() if not k.startswith(".toolkit/")}
    theirs = {k: v for k, v in _tree(fresh).items() if not k.startswith(".toolkit/")}
    assert ours == theirs
    assert read_provenance(project).files == read_provenance(fresh).files


def test_a_failure_midway_leaves_the_project_as_it_was(
    customized: Path, shelves: Shelves, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _tree(customized)
    calls = {"n": 0}
    real_replace = Path.replace

    def flaky(self: Path, target: Path) -> Path:
        calls["n"] += 1
        if calls["n"] == 6:
            raise OSError("disk gone")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", flaky)
    with pytest.raises(OSError, match="disk gone"):
        update_project(customized, shelf=shelves[1])
    monkeypatch.undo()
    assert _tree(customized) == before


def test_a_killed_update_is_rolled_back_by_the_next_run(
    customized: Path, shelves: Shelves, monkeypatch: pytest.MonkeyPatch
) -> None:
    import toolkit.update.apply as apply_module

    before = _tree(customized)
    real_swap = apply_module._swap

    def die_halfway(
        project: Path, staging: Path, journal: Journal, writes: dict[str, bytes]
    ) -> None:
        first = dict(list(writes.items())[:2])
        real_swap(project, staging, journal, first)
        raise SystemExit("killed")

    monkeypatch.setattr(apply_module, "_swap", die_halfway)
    monkeypatch.setattr(apply_module, "_abort", lambda *a: None)  # the process died
    with pytest.raises(SystemExit):
        update_project(customized, shelf=shelves[1])
    monkeypatch.undo()
    assert _tree(customized) != before
    with pytest.raises(UpdateError, match="interrupted"):
        plan_update(customized, shelf=shelves[1])
    from toolkit.update import recover

    assert recover(customized)
    assert _tree(customized) == before


def test_revert_undoes_the_last_update(customized: Path, shelves: Shelves) -> None:
    before = _tree(customized)
    update_project(customized, shelf=shelves[1])
    journal = revert_update(customized)
    assert (journal.from_version, journal.to_version) == ("1.0.0", "1.1.0")
    after = {k: v for k, v in _tree(customized).items() if not k.startswith(".toolkit/backup")}
    assert after == before


def test_customer_edit_between_plan_and_apply_aborts(customized: Path, shelves: Shelves) -> None:
    from toolkit.update import apply_update

    plan = plan_update(customized, shelf=shelves[1])
    (customized / "notes.txt").write_text("rewritten meanwhile\n", encoding="utf-8")
    before = _tree(customized)
    with pytest.raises(UpdateError, match="changed while"):
        apply_update(plan)
    assert _tree(customized) == before


def test_the_recorded_hash_detects_an_untouched_file_when_the_base_drifted(
    tmp_path: Path, shelves: Shelves
) -> None:
    project = generate(shelves[0], tmp_path / "drift")
    # The 1.0.0 template changes after generation without a version bump.
    v1_notes = shelves[0].current("demo").path / "{{cookiecutter.project_slug}}" / "notes.txt"
    v1_notes.write_text("something else\n", encoding="utf-8")
    from toolkit.update import freeze_release

    freeze_release(shelves[0].current("demo"), shelves[1].releases_root)
    plan = plan_update(project, shelf=shelves[1])
    assert plan.base_drift == ["notes.txt"]
    notes = next(c for c in plan.changes if c.path == "notes.txt")
    assert notes.outcome is Outcome.TAKEN


def test_missing_provenance_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"answers\.yaml"):
        plan_update(tmp_path)


def test_unknown_version_lists_the_available_ones(customized: Path, shelves: Shelves) -> None:
    with pytest.raises(UpdateError, match=r"available: 1\.0\.0, 1\.1\.0"):
        plan_update(customized, "9.9.9", shelf=shelves[1])


def test_downgrade_is_refused(customized: Path, shelves: Shelves) -> None:
    update_project(customized, shelf=shelves[1])
    with pytest.raises(UpdateError, match="Downgrades"):
        plan_update(customized, "1.0.0", shelf=shelves[1])


def test_set_changes_an_answer_on_update(customized: Path, shelves: Shelves) -> None:
    plan = plan_update(customized, provided={"region": "cn-north"}, shelf=shelves[1])
    assert plan.provenance.answers["region"] == "cn-north"
    assert plan.new_answers == {}


def test_json_report_lists_outcomes_and_conflicts(customized: Path, shelves: Shelves) -> None:
    console = Console(record=True, width=200, soft_wrap=True)
    status = run_update(customized, console, dry_run=True, as_json=True, shelf=shelves[1])
    data = json.loads(console.export_text())
    assert status == 0
    assert data["dry_run"] is True and data["applied"] is False
    assert data["from_version"] == "1.0.0" and data["to_version"] == "1.1.0"
    assert data["conflicts"] == ["src/demo_desk/mod.py"]
    assert data["counts"]["binary"] == 1 and data["counts"]["merged"] == 3
    assert {"path": "dropped.txt", "outcome": "removed"} in data["files"]


def test_console_report_names_versions_conflicts_and_the_way_back(
    customized: Path, shelves: Shelves
) -> None:
    console = Console(record=True, width=200)
    run_update(customized, console, shelf=shelves[1])
    text = console.export_text()
    assert "demo 1.0.0 -> 1.1.0" in text
    assert "conflicted" in text and "src/demo_desk/mod.py" in text
    assert "--revert" in text
    console = Console(record=True, width=200)
    run_update(customized, console, shelf=shelves[1])
    assert "already up to date" in console.export_text()


def test_answers_file_keeps_its_format(customized: Path, shelves: Shelves) -> None:
    update_project(customized, shelf=shelves[1])
    record = yaml.safe_load((customized / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert set(record) == {"template", "template_version", "toolkit_version", "answers", "files"}
    assert oct((customized / ANSWERS_FILE).stat().st_mode & 0o777) == oct(0o644)


def test_binary_base_file_is_never_merged(tmp_path: Path, shelves: Shelves) -> None:
    project = generate(shelves[0], tmp_path / "bin")
    assert (project / "logo.bin").read_bytes() == BINARY_V1
    update_project(project, shelf=shelves[1])
    assert (project / "logo.bin").read_bytes() == BINARY_V2  # untouched: taken
    assert not (project / "logo.bin.new").exists()
