from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from toolkit.scaffold import get_template, render_project, resolve_answers
from toolkit.scaffold.provenance import ANSWERS_FILE
from toolkit.update import TemplateShelf


def toolkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, timeout=300
    )


def _finance_0_1_0(tmp_path: Path) -> Path:
    """A project as the release that shipped finance 0.1.0 wrote it (no file hashes)."""
    template = TemplateShelf().checkout("finance", "0.1.0", tmp_path)
    project = render_project(template, resolve_answers(template, {}), tmp_path / "out").project_dir
    record = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))
    del record["files"]
    (project / ANSWERS_FILE).write_text(yaml.safe_dump(record), encoding="utf-8")
    return project


def test_update_from_today_s_finance_release(tmp_path: Path) -> None:
    project = _finance_0_1_0(tmp_path)
    current = get_template("finance").version
    planned = toolkit("update", str(project), "--dry-run", "--json")
    assert planned.returncode == 0, planned.stderr
    data = json.loads(planned.stdout)
    assert (data["from_version"], data["to_version"]) == ("0.1.0", current)
    assert data["conflicts"] == [] and data["counts"]["taken"] >= 1 and not data["applied"]
    assert yaml.safe_load((project / ANSWERS_FILE).read_text())["template_version"] == "0.1.0"

    applied = toolkit("update", str(project))
    assert applied.returncode == 0, applied.stderr
    assert f"finance 0.1.0 -> {current}" in applied.stdout
    assert yaml.safe_load((project / ANSWERS_FILE).read_text())["template_version"] == current
    again = toolkit("update", str(project))
    assert again.returncode == 0 and "already up to date" in again.stdout


def test_bad_input_exits_1_with_a_message(tmp_path: Path) -> None:
    missing = toolkit("update", str(tmp_path))
    assert missing.returncode == 1
    assert "answers.yaml" in missing.stderr.replace("\n", "")  # rich wraps long paths
    assert "Traceback" not in missing.stderr
    both = toolkit("update", str(tmp_path), "--eval", "--dry-run")
    assert both.returncode == 1 and "--dry-run" in both.stderr.replace("\n", " ")
    assert "Traceback" not in both.stderr
