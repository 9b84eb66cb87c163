"""Evaluation of a project's agent: cases, scoring, runs, reports, thresholds and rule coverage.

No LLM judge: a case passes when the expected tools were called with the
expected arguments, the answer contains (and excludes) the expected text, the
refusal or escalation happened as expected, the expected documents were
retrieved, and no compliance rule was violated.

The plugin module (`toolkit.evals.plugin`) loads in every pytest run, so this
package imports its modules lazily, on first use of a name.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from toolkit.evals.cases import (
        EvalCase,
        EvalSuite,
        Expectation,
        ExpectedRetrieval,
        ExpectedTool,
        TextPattern,
        Tolerance,
    )
    from toolkit.evals.compare import compare_reports, comparison_lines
    from toolkit.evals.coverage import uncovered_rules
    from toolkit.evals.html import render_html
    from toolkit.evals.junit import render_junit
    from toolkit.evals.report import load_report, report_json, write_reports, write_trace
    from toolkit.evals.rules import RuleInfo, citations, load_rules
    from toolkit.evals.runner import AskFn, run_suite
    from toolkit.evals.scoring import CaseResult, Failure, Violation, score_case
    from toolkit.evals.summary import (
        SCHEMA_VERSION,
        Aggregates,
        CaseSummary,
        EvalReport,
        RunInfo,
        aggregate,
    )
    from toolkit.evals.thresholds import check_thresholds

__all__ = [
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

_WHERE = {
    "Aggregates": "toolkit.evals.summary",
    "AskFn": "toolkit.evals.runner",
    "CaseResult": "toolkit.evals.scoring",
    "CaseSummary": "toolkit.evals.summary",
    "EvalCase": "toolkit.evals.cases",
    "EvalReport": "toolkit.evals.summary",
    "EvalSuite": "toolkit.evals.cases",
    "Expectation": "toolkit.evals.cases",
    "ExpectedRetrieval": "toolkit.evals.cases",
    "ExpectedTool": "toolkit.evals.cases",
    "Failure": "toolkit.evals.scoring",
    "RuleInfo": "toolkit.evals.rules",
    "RunInfo": "toolkit.evals.summary",
    "SCHEMA_VERSION": "toolkit.evals.summary",
    "TextPattern": "toolkit.evals.cases",
    "Tolerance": "toolkit.evals.cases",
    "Violation": "toolkit.evals.scoring",
    "aggregate": "toolkit.evals.summary",
    "check_thresholds": "toolkit.evals.thresholds",
    "citations": "toolkit.evals.rules",
    "compare_reports": "toolkit.evals.compare",
    "comparison_lines": "toolkit.evals.compare",
    "load_report": "toolkit.evals.report",
    "load_rules": "toolkit.evals.rules",
    "render_html": "toolkit.evals.html",
    "render_junit": "toolkit.evals.junit",
    "report_json": "toolkit.evals.report",
    "run_suite": "toolkit.evals.runner",
    "score_case": "toolkit.evals.scoring",
    "uncovered_rules": "toolkit.evals.coverage",
    "write_reports": "toolkit.evals.report",
    "write_trace": "toolkit.evals.report",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
