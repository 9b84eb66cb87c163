from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app, main
from toolkit.evals.testing import write_project
from toolkit.fleet import executors
from toolkit.fleet.discover import PROVENANCE_FILE

CASES = "cases:\n  - {id: a, request: hi, expect: {answer_contains: [hi]}}\n"


def _project(root: Path, name: str, version: str = "0.1.0") -> Path:
    project = write_project(root / name, cases=CASES, name=name)
    (project / PROVENANCE_FILE).parent.mkdir()
    (project / PROVENANCE_FILE).write_text(
        f"template: energy\ntemplate_version: {version}\nanswers: {{project_name: {name}}}\n",
        encoding="utf-8",
    )
    return project


def test_scan_prints_summaries_and_writes_json_and_html(tmp_path: Path) -> None:
    _project(tmp_path / "fleet", "grid-a")
    _project(tmp_path / "fleet", "grid-b", version="0.0.1")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "fleet",
            "scan",
            str(tmp_path / "fleet"),
            str(tmp_path / "missing"),
            "--json",
            str(out / "scan.json"),
            "--html",
            str(out / "scan.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Fleet: 2 projects" in result.output
    assert "not scanned" in result.output and "missing-root" in result.output
    data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert sorted(p["name"] for p in data["projects"]) == ["grid-a", "grid-b"]
    assert {p["drift"]["status"] for p in data["projects"]} == {"current", "behind"}
    page = (out / "scan.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "grid-b" in page


def test_eval_reports_a_broken_project_and_exits_1(tmp_path: Path) -> None:
    broken = _project(tmp_path / "fleet", "grid-a")
    (broken / "toolkit.yaml").write_text("project: [unclosed\n", encoding="utf-8")
    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["fleet", "eval", str(tmp_path / "fleet"), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "1 projects did not pass" in result.output
    report = json.loads((out / "fleet-eval.json").read_text(encoding="utf-8"))
    (project,) = report["projects"]
    assert project["status"] == "error" and "toolkit.yaml" in project["error"]
    assert project["name"] == "grid-a"
    assert (out / "fleet-eval.html").is_file()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["eval", "--executor", "fibres"], "--executor must be one of"),
        (
            ["eval", "--executor", "threads", "--scheduler", "tcp://127.0.0.1:1"],
            "--scheduler needs",
        ),
        (["cache", "--endpoints", "4,0"], "--endpoints takes counts"),
    ],
)
def test_bad_options_exit_1_without_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    needle: str,
) -> None:
    _project(tmp_path / "fleet", "grid-a")
    command, *options = args
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        sys, "argv", ["toolkit", "fleet", command, str(tmp_path / "fleet"), *options]
    )
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_an_unreachable_scheduler_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("distributed", reason="Dask distributed not installed")
    _project(tmp_path / "fleet", "grid-a")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT_S", 2.0)
    # Port 9 (discard) on loopback: nothing listens there.
    monkeypatch.setattr(
        sys,
        "argv",
        ["toolkit", "fleet", "eval", str(tmp_path / "fleet"), "--scheduler", "tcp://127.0.0.1:9"],
    )
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert "Traceback" not in err


def test_cache_without_traces_says_what_to_run(tmp_path: Path) -> None:
    _project(tmp_path / "fleet", "grid-a")
    result = CliRunner().invoke(app, ["fleet", "cache", str(tmp_path / "fleet"), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["endpoints"], r["routing"]) for r in rows] == [
        (1, "affinity"),
        (1, "round-robin"),
        (4, "affinity"),
        (4, "round-robin"),
        (16, "affinity"),
        (16, "round-robin"),
    ]
    assert all(r["requests"] == 0 for r in rows)
