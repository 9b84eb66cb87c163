"""Reports are written as one set with a manifest; a torn or truncated trace is refused."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import TraceError
from toolkit.evals import EvalReport, write_reports
from toolkit.evals.artifacts import MANIFEST, check_member, write_set
from toolkit.evals.summary import RunInfo


def body(n: int) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": f"question number {n}"}]}


def report_with(requests: int, **info: Any) -> EvalReport:
    return EvalReport(info=RunInfo(**info), trace=[body(n) for n in range(requests)])


def test_the_set_carries_a_manifest_that_matches_every_file(tmp_path: Path) -> None:
    paths = write_reports(report_with(34), tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {"report.json", "junit.xml", "report.html", "trace.jsonl"}
    assert manifest["files"]["trace.jsonl"]["lines"] == 34
    for path in paths.values():
        check_member(path)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".writing-")]


def test_a_truncated_trace_is_refused_by_cache_analyze(tmp_path: Path) -> None:
    paths = write_reports(report_with(34), tmp_path)
    lines = paths["trace"].read_text(encoding="utf-8").splitlines(keepends=True)
    paths["trace"].write_text("".join(lines[:20]), encoding="utf-8")
    with pytest.raises(TraceError, match=r"20 line\(s\).*records 34"):
        check_member(paths["trace"])
    result = CliRunner().invoke(app, ["cache", "analyze", str(paths["trace"])])
    assert result.exit_code == 1  # main() prints the TraceError's message, no traceback
    assert isinstance(result.exception, TraceError) and "incomplete" in str(result.exception)


def test_a_set_torn_by_a_kill_is_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_reports(report_with(3), tmp_path)
    original = Path.replace
    moved: list[str] = []

    def killed_after_two(self: Path, target: Any) -> Path:
        if len(moved) == 2:  # the manifest and report.json are in place, then the process dies
            raise KeyboardInterrupt
        moved.append(Path(target).name)
        return original(self, target)

    monkeypatch.setattr(Path, "replace", killed_after_two)
    with pytest.raises(KeyboardInterrupt):
        write_reports(report_with(34), tmp_path)
    monkeypatch.setattr(Path, "replace", original)
    assert moved == [MANIFEST, "report.json"]
    # The old 3-request trace is still there, beside a new report: refused, not mixed.
    with pytest.raises(TraceError, match="interrupted"):
        check_member(tmp_path / "trace.jsonl")
    check_member(tmp_path / "report.json")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".writing-")]


def test_a_trace_without_a_manifest_is_read_as_it_is(tmp_path: Path) -> None:
    trace = tmp_path / "recorded.jsonl"
    trace.write_text(json.dumps(body(1)) + "\n", encoding="utf-8")
    check_member(trace)
    result = CliRunner().invoke(app, ["cache", "analyze", str(trace)])
    assert result.exit_code == 0, result.output


def test_an_unreadable_manifest_is_a_clean_error(tmp_path: Path) -> None:
    write_set({"trace.jsonl": b"{}\n"}, tmp_path)
    (tmp_path / MANIFEST).write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(TraceError, match="manifest is unreadable"):
        check_member(tmp_path / "trace.jsonl")


def test_query_string_credentials_never_reach_the_reports(tmp_path: Path) -> None:
    secret = "k3y-SECRET-0042"
    url = (
        f"https://res.openai.azure.com/openai/deployments/d?api-version=2024-06-01&api-key={secret}"
    )
    paths = write_reports(report_with(1, endpoint=url, model="gpt"), tmp_path)
    for path in paths.values():
        text = path.read_text(encoding="utf-8")
        assert secret not in text, path.name
    assert "api-version=2024-06-01" in paths["json"].read_text(encoding="utf-8")


def test_calls_with_unknown_usage_are_counted_in_every_report(tmp_path: Path) -> None:
    from toolkit.evals import run_suite
    from toolkit.evals._result import AgentResult
    from toolkit.evals.testing import write_project

    project = write_project(
        tmp_path / "p", cases="cases:\n  - id: hi\n    request: say hi\n    expect: {}\n"
    )

    def ask(case: Any) -> AgentResult:
        return AgentResult.model_validate(
            {"answer": "hi", "usage": {"calls": 3, "unknown_usage_calls": 2}}
        )

    report = run_suite(project, ask=ask)
    assert report.aggregates.unknown_usage_calls == 2
    paths = write_reports(report, tmp_path / "out")
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["aggregates"]["unknown_usage_calls"] == 2
    assert "Calls with unknown usage</th><td>2" in paths["html"].read_text(encoding="utf-8")


def test_a_killed_writers_staging_folder_is_cleared_later(tmp_path: Path) -> None:
    import os

    left = tmp_path / ".writing-abandoned"
    left.mkdir()
    (left / "trace.jsonl").write_text("{}\n", encoding="utf-8")
    os.utime(left, (1, 1))
    fresh = tmp_path / ".writing-busy"  # another writer, still at work
    fresh.mkdir()
    write_reports(report_with(1), tmp_path)
    assert not left.exists() and fresh.exists()
