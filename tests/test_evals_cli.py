from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from toolkit.cli import app, main
from toolkit.evals._result import AgentResult
from toolkit.evals.testing import write_project

CASES = """\
cases:
  - id: hello
    request: say hello
    expect: {answer_contains: [hello], rules: [F-C2]}
  - id: bye
    request: say bye
    expect: {answer_contains: [bye]}
"""
RULES = """\
rules:
  - {id: F-C2, regulation: "FINRA Rule 2210(d)(1)", kind: phrase, params: {phrases: [guaranteed]}}
"""


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """A stand-in harness: answers 'say X' with 'X', records each session's arguments."""
    made: list[dict[str, Any]] = []
    agent = types.ModuleType("toolkit.agent")

    class Session:
        def __init__(
            self, project: Any, *, role: str | None = None, endpoint: Any = None, **options: Any
        ) -> None:
            made.append({"role": role, "endpoint": endpoint, **options})

        def close(self) -> None:
            pass

        def ask(self, text: str) -> AgentResult:
            return AgentResult.model_validate(
                {
                    "answer": text.removeprefix("say "),
                    "usage": {"prompt_tokens": 100, "cached_tokens": 0, "completion_tokens": 3},
                    "trace": [{"model": "m", "messages": [{"role": "user", "content": text}]}],
                }
            )

    agent.Session = Session  # type: ignore[attr-defined]
    agent.load_project = lambda path: path  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "toolkit.agent", agent)
    monkeypatch.setitem(sys.modules, "toolkit.engine", None)
    return made


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, ["eval", *args], env={"COLUMNS": "200"})


def test_eval_passes_writes_reports_and_prints_summary(
    tmp_path: Path, sessions: list[dict[str, Any]]
) -> None:
    project = write_project(tmp_path / "p", cases=CASES, rules=RULES)
    result = invoke(str(project), "--concurrency", "2")
    assert result.exit_code == 0, result.output
    assert "pass rate" in result.output and "100.0%" in result.output
    assert "All thresholds met." in result.output
    reports = project / "reports"
    assert {p.name for p in reports.iterdir()} == {
        "report.json",
        "junit.xml",
        "report.html",
        "trace.jsonl",
        "manifest.json",
    }
    assert len((reports / "trace.jsonl").read_text(encoding="utf-8").splitlines()) == 2
    assert [s["role"] for s in sessions] == ["customer_service"] * 2
    assert sessions[0]["endpoint"] is None


def test_threshold_failure_exits_1(tmp_path: Path, sessions: list[dict[str, Any]]) -> None:
    cases = CASES.replace("answer_contains: [bye]", "answer_contains: [farewell]")
    project = write_project(tmp_path / "p", cases=cases, rules=RULES)
    result = invoke(str(project), "--report-dir", str(tmp_path / "r"))
    assert result.exit_code == 1
    assert "threshold failed: pass rate 50.0% is below the threshold 100.0%" in result.output
    assert "[answer_contains] the answer does not contain 'farewell'" in result.output
    assert (tmp_path / "r" / "report.json").is_file()


def test_compare_records_deltas(tmp_path: Path, sessions: list[dict[str, Any]]) -> None:
    project = write_project(tmp_path / "p", cases=CASES, rules=RULES, pass_rate=0.0)
    assert invoke(str(project), "--report-dir", str(tmp_path / "old")).exit_code == 0
    (project / "evals" / "cases.yaml").write_text(
        CASES.replace("[bye]", "[farewell]"), encoding="utf-8"
    )
    result = invoke(str(project), "--compare", str(tmp_path / "old" / "report.json"))
    assert result.exit_code == 0, result.output
    assert "Compared with the baseline:" in result.output
    assert "case bye: regressed" in result.output
    data = json.loads((project / "reports" / "report.json").read_text(encoding="utf-8"))
    assert data["comparison"]["metrics"]["pass_rate"]["delta"] == -0.5


def test_endpoint_and_model_reach_the_session(
    tmp_path: Path, sessions: list[dict[str, Any]]
) -> None:
    project = write_project(tmp_path / "p", cases=CASES, rules=RULES)
    result = invoke(
        str(project), "--endpoint", "http://127.0.0.1:9/v1", "--model", "qwen3-8b", "--repeats", "2"
    )
    assert result.exit_code == 0, result.output
    endpoint = sessions[0]["endpoint"]
    assert (endpoint.url, endpoint.model) == ("http://127.0.0.1:9/v1", "qwen3-8b")
    assert len(sessions) == 4
    assert "pass^2" in result.output
    data = json.loads((project / "reports" / "report.json").read_text(encoding="utf-8"))
    assert data["info"]["model"] == "qwen3-8b"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--endpoint", "ftp://x"], "--endpoint/--model"),
        (["--compare", "missing.json"], "missing.json: cannot be read"),
    ],
)
def test_errors_exit_1_without_traceback(
    tmp_path: Path,
    sessions: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    needle: str,
) -> None:
    project = write_project(tmp_path / "p", cases=CASES, rules=RULES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["toolkit", "eval", str(project), *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_not_a_project(tmp_path: Path, sessions: list[dict[str, Any]]) -> None:
    result = invoke(str(tmp_path))
    assert result.exit_code == 1
    assert "toolkit.yaml" in str(result.exception)


def test_eval_injects_the_token_layer_cache_bound(
    tmp_path: Path, sessions: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `toolkit eval` measures cache efficiency against the bound `toolkit.tokens` computes
    # with the embedded engine's tokens; the evaluation runner itself never imports the engine.
    seen: list[list[dict[str, Any]]] = []

    def ideal_cache_bound(bodies: Any) -> tuple[int, int]:
        seen.append(list(bodies))
        return 100, 200

    monkeypatch.setattr("toolkit.tokens.ideal_cache_bound", ideal_cache_bound)
    project = write_project(tmp_path / "p", cases=CASES, rules=RULES)
    result = invoke(str(project), "--concurrency", "1")
    assert result.exit_code == 0, result.output
    assert [[b["messages"][0]["content"] for b in bodies] for bodies in seen] == [
        ["say hello", "say bye"]
    ]
    data = json.loads((project / "reports" / "report.json").read_text(encoding="utf-8"))
    assert data["aggregates"]["ideal_hit_tokens"] == 100
    assert data["aggregates"]["cache_efficiency"] == 0.0  # the stand-in reports no cached tokens
