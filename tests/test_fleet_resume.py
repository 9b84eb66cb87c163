from __future__ import annotations

from pathlib import Path

from toolkit.evals.testing import write_project
from toolkit.fleet.resume import fresh_report, input_fingerprint, mark_fresh

CASES = "cases:\n  - {id: a, request: hi, expect: {answer_contains: [hi]}}\n"
OPTIONS = {"endpoint": None, "model": None, "repeats": 1}


def _project(tmp_path: Path) -> Path:
    project = write_project(tmp_path / "p", cases=CASES, extra={"knowledge/a.md": "# A\ntext\n"})
    (project / ".toolkit").mkdir()
    (project / ".toolkit" / "answers.yaml").write_text("template: energy\n")
    (project / "reports").mkdir()
    (project / "reports" / "report.json").write_text('{"schema_version": 1}')
    return project


def test_outputs_do_not_change_the_fingerprint_inputs_do(tmp_path: Path) -> None:
    project = _project(tmp_path)
    reports = project / "reports"
    first = input_fingerprint(project, reports, OPTIONS)
    (reports / "report.json").write_text('{"schema_version": 1, "other": true}')
    (project / ".toolkit" / "ledger.sqlite").write_bytes(b"rows")
    (project / "src" / "__pycache__").mkdir(parents=True)
    (project / "src" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert input_fingerprint(project, reports, OPTIONS) == first
    (project / "knowledge" / "a.md").write_text("# A\nnew text\n")
    second = input_fingerprint(project, reports, OPTIONS)
    assert second != first
    (project / ".toolkit" / "answers.yaml").write_text("template: energy\ntemplate_version: 2\n")
    third = input_fingerprint(project, reports, OPTIONS)
    assert third != second
    assert input_fingerprint(project, reports, {**OPTIONS, "repeats": 3}) != third


def test_a_report_is_fresh_only_for_its_inputs_and_as_written(tmp_path: Path) -> None:
    project = _project(tmp_path)
    reports = project / "reports"
    assert fresh_report(reports, "abc") is None  # never marked
    mark_fresh(reports, "abc")
    assert fresh_report(reports, "abc") == reports / "report.json"
    assert fresh_report(reports, "def") is None
    (reports / "report.json").write_text('{"schema_version": 1, "rewritten": true}')
    assert fresh_report(reports, "abc") is None
    (reports / "fleet-inputs.json").write_text("{truncated")
    assert fresh_report(reports, "abc") is None
