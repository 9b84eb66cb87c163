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


def test_without_file_hashes_customization_and_conflicts_are_unknown(tmp_path: Path) -> None:
    drift = project_drift(
        tmp_path, {"template": "finance", "template_version": "0.2.0"}, {"finance": "0.2.0"}
    )
    assert drift.customized_files is None
    assert drift.update_conflicts is None


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
