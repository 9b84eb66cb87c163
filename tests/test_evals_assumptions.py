"""Evaluation counts the assumptions an answer states, per case and in total."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from toolkit.evals import render_html, run_suite
from toolkit.evals._result import AgentResult
from toolkit.evals.assumptions import count_assumptions
from toolkit.evals.console import print_summary
from toolkit.evals.testing import ScriptedAsk, write_project


@pytest.mark.parametrize(
    ("answer", "count"),
    [
        ("Result of growth:\n- Value: 31,929.14.", 0),
        (
            "Result of growth:\n- Value: 31,929.14.\n"
            "Assumed compounds_per_year = 12 (the default): could not read 'quarterly'.",
            1,
        ),
        (
            "Assumed a = 1 (the default): could not read 'x'.\n"
            "假设 b = 2（默认值）：无法读取“按季度”。",  # noqa: RUF001
            2,
        ),
        ("We assumed nothing. Assumed that it works.", 0),  # not the fixed form
        ("The answer says: Assumed x = 1 inline.", 0),  # only at the start of a line
    ],
)
def test_count_assumptions(answer: str, count: int) -> None:
    assert count_assumptions(answer) == count


def test_the_count_reaches_report_json_html_and_console(tmp_path: Path) -> None:
    cases = "cases:\n  - id: plain\n    request: hello\n  - id: assumed\n    request: grow\n"
    ask = ScriptedAsk(
        {
            "plain": AgentResult(answer="ok"),
            "assumed": AgentResult(
                answer="Result.\nAssumed periods = 12 (the default): could not read 'quarterly'."
            ),
        }
    )
    root = write_project(tmp_path / "p", cases=cases)
    report = run_suite(root, ask=ask, concurrency=1, cache_bound=lambda b: None)
    data = json.loads(report.model_dump_json())
    by_case = {c["case_id"]: c for c in data["cases"]}
    assert by_case["assumed"]["assumptions"] == 1 and by_case["plain"]["assumptions"] == 0
    assert by_case["assumed"]["runs"][0]["assumptions"] == 1
    assert data["aggregates"]["assumptions"] == 1
    assert data["aggregates"]["cases_with_assumptions"] == 1
    assert "1 assumption stated" in render_html(report)
    console = Console(record=True, width=120)
    print_summary(console, report, [])
    assert "assumptions stated (cases)" in console.export_text()
