from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.errors import ReportError
from toolkit.evals import SCHEMA_VERSION, EvalReport, load_report, run_suite, write_reports
from toolkit.evals._result import AgentResult
from toolkit.evals.testing import ScriptedAsk, write_project

CASES = """\
cases:
  - id: ok
    request: hello
    expect: {answer_contains: [hi], rules: [F-C2]}
  - id: bad
    request: how much will I earn?
    expect: {answer_contains: ["projection"]}
"""
RULES = """\
rules:
  - {id: F-C2, regulation: "FINRA Rule 2210(d)(1)", kind: phrase, params: {phrases: [guaranteed]}}
"""


def make_report(tmp_path: Path) -> EvalReport:
    root = write_project(tmp_path / "p", cases=CASES, rules=RULES)
    ask = ScriptedAsk(
        {
            "ok": AgentResult(answer="hi", trace=[{"model": "m", "messages": [{"content": "é"}]}]),
            "bad": AgentResult(
                answer="It is guaranteed",
                trace=[{"model": "m", "messages": [{"content": "second"}]}],
            ),
        }
    )
    return run_suite(root, ask=ask, concurrency=1, cache_bound=lambda b: (0, 10))


def test_write_and_load_roundtrip(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    paths = write_reports(report, tmp_path / "out")
    assert sorted(p.name for p in paths.values()) == [
        "junit.xml",
        "report.html",
        "report.json",
        "trace.jsonl",
    ]
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION == 1
    assert {"model", "endpoint", "template", "toolkit_version"} <= set(data["info"])
    assert "trace" not in data
    assert data["cases"][0]["passed"] is True and data["cases"][1]["passed"] is False
    assert data["cases"][1]["runs"][0]["failures"][0]["expectation"] == "answer_contains"
    assert data["aggregates"]["violations_by_rule"] == {"F-C2": 1}
    loaded = load_report(paths["json"])
    assert loaded.aggregates == report.aggregates
    assert [c.passed for c in loaded.cases] == [True, False]


def test_trace_holds_the_exact_bodies_in_order(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    paths = write_reports(report, tmp_path / "out")
    lines = paths["trace"].read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == report.trace
    assert json.loads(lines[0])["messages"][0]["content"] == "é"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not JSON"),
        ("[]", "not a JSON object"),
        ('{"schema_version": 99}', "schema_version 99"),
        ('{"schema_version": 1, "cases": [{"case_id": 3}]}', "field"),
    ],
)
def test_load_report_errors(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "old.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReportError, match=words) as err:
        load_report(path)
    assert str(path) in str(err.value)


def test_load_missing_report(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="cannot be read"):
        load_report(tmp_path / "missing.json")
