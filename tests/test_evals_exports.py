from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import toolkit.evals

PUBLIC = [
    "SCHEMA_VERSION",
    "Aggregates",
    "AskFn",
    "CaseResult",
    "CaseSummary",
    "EvalCase",
    "EvalReport",
    "EvalSuite",
    "Expectation",
    "ExpectedRetrieval",
    "ExpectedTool",
    "Failure",
    "RuleInfo",
    "RunInfo",
    "TextPattern",
    "Tolerance",
    "Violation",
    "aggregate",
    "check_thresholds",
    "citations",
    "compare_reports",
    "comparison_lines",
    "load_report",
    "load_rules",
    "render_html",
    "render_junit",
    "report_json",
    "run_suite",
    "score_case",
    "uncovered_rules",
    "write_reports",
    "write_trace",
]


def test_public_names() -> None:
    assert sorted(toolkit.evals.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(toolkit.evals, name) is not None


def test_unknown_name() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = toolkit.evals.nope


def test_plugin_import_is_light() -> None:
    # The plugin loads in every pytest run: it must not pull in pydantic models or YAML.
    code = (
        "import sys, toolkit.evals.plugin; "
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'yaml', 'toolkit.'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    assert "pydantic" not in out and "yaml" not in out
    assert "toolkit.evals.cases" not in out
