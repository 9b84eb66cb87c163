from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from toolkit.fleet.drift import project_drift, version_key


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("0.1.0", "0.2.0"),
        ("0.9.0", "0.10.0"),
        ("1.0", "1.0.1"),
        ("1.0.0rc1", "1.0.0"),
        ("1.0.0rc1", "1.0.1"),
    ],
)
def test_versions_compare_part_by_part(older: str, newer: str) -> None:
    assert version_key(older) < version_key(newer)


@pytest.mark.parametrize(
    ("recorded", "status"), [("0.1.0", "behind"), ("0.2.0", "current"), ("0.3.0", "ahead")]
)
def test_status_against_the_shipped_version(tmp_path: Path, recorded: str, status: str) -> None:
    drift = project_drift(
        tmp_path, {"template": "finance", "template_version": recorded}, {"finance": "0.2.0"}
    )
    assert drift.status == status
    assert (drift.recorded_version, drift.shipped_version) == (recorded, "0.2.0")


def test_a_template_not_shipped_is_unknown(tmp_path: Path) -> None:
    drift = project_drift(
        tmp_path, {"template": "retail", "template_version": "0.1.0"}, {"finance": "0.2.0"}
    )
    assert drift.status == "unknown"
    assert drift.shipped_version == ""


def test_without_file_hashes_customization_is_unknown(tmp_path: Path) -> None:
    drift = project_drift(
        tmp_path, {"template": "finance", "template_version": "0.2.0"}, {"finance": "0.2.0"}
    )
    assert drift.customized_files is None
    assert drift.update_conflicts == 0  # current: nothing to update, nothing to conflict


def test_counts_edited_and_deleted_files_from_recorded_hashes(tmp_path: Path) -> None:
    (tmp_path / "kept.md").write_bytes(b"as rendered\n")
    (tmp_path / "edited.md").write_bytes(b"the customer's words\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "tools.py").write_bytes(b"x = 1\n")
    files = {
        "kept.md": _sha(b"as rendered\n"),
        "edited.md": _sha(b"as rendered\n"),
        "deleted.md": _sha(b"gone\n"),
        "src/tools.py": _sha(b"x = 1\n"),
    }
    provenance = {"template": "finance", "template_version": "0.2.0", "files": files}
    drift = project_drift(tmp_path, provenance, {"finance": "0.2.0"})
    assert drift.customized_files == 2


def test_hashes_in_an_unknown_form_count_as_unknown(tmp_path: Path) -> None:
    provenance = {"template": "finance", "template_version": "0.2.0", "files": {"a": "md5:00"}}
    assert project_drift(tmp_path, provenance, {"finance": "0.2.0"}).customized_files is None


def test_update_conflicts_come_from_the_update_dry_run(tmp_path: Path) -> None:
    """A finance project at the 0.1.0 release: no conflict untouched; one file the customer
    rewrote where the template also changed it is counted as one conflict."""
    import yaml

    from toolkit.scaffold import get_template, render_project, resolve_answers
    from toolkit.scaffold.provenance import ANSWERS_FILE
    from toolkit.update import Outcome, TemplateShelf, plan_update

    template = TemplateShelf().checkout("finance", "0.1.0", tmp_path / "shelf")
    project = render_project(template, resolve_answers(template, {}), tmp_path / "out").project_dir
    shipped = {"finance": get_template("finance").version}
    provenance = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert project_drift(project, provenance, shipped).update_conflicts == 0

    taken = [
        change.path
        for change in plan_update(project).changes
        if change.outcome is Outcome.TAKEN
        and (project / change.path).is_file()
        and change.path.endswith((".py", ".md", ".yaml"))
    ]
    assert taken, "the template changed no text file between 0.1.0 and today"
    edited = project / taken[0]
    lines = edited.read_text(encoding="utf-8").splitlines()
    edited.write_text("".join(f"{line}  # customer\n" for line in lines), encoding="utf-8")
    drift = project_drift(project, provenance, shipped)
    assert (drift.status, drift.update_conflicts) == ("behind", 1)
