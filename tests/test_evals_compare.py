from __future__ import annotations

import pytest

from toolkit.evals import (
    Aggregates,
    CaseResult,
    CaseSummary,
    EvalReport,
    compare_reports,
    comparison_lines,
)


def summary(case_id: str, passed: bool, prompt: int = 100) -> CaseSummary:
    run = CaseResult(case_id=case_id, passed=passed, prompt_tokens=prompt)
    return CaseSummary(case_id=case_id, request="r", runs=[run])


def test_metric_and_case_deltas() -> None:
    old = EvalReport(
        aggregates=Aggregates(
            pass_rate=0.5, violations=2, cache_efficiency=None, prompt_tokens=300
        ),
        cases=[summary("a", False), summary("b", True), summary("gone", True)],
    )
    new = EvalReport(
        aggregates=Aggregates(
            pass_rate=0.75, violations=0, cache_efficiency=0.9, prompt_tokens=250
        ),
        cases=[summary("a", True, 80), summary("b", False), summary("fresh", True)],
    )
    comparison = compare_reports(old, new)
    metrics = comparison["metrics"]
    assert metrics["pass_rate"] == {"old": 0.5, "new": 0.75, "delta": 0.25}
    assert metrics["violations"]["delta"] == -2
    assert metrics["prompt_tokens"]["delta"] == -50
    assert metrics["cache_efficiency"] == {"old": None, "new": 0.9, "delta": None}
    changes = {c["case_id"]: c["change"] for c in comparison["cases"]}
    assert changes == {"a": "fixed", "b": "regressed", "fresh": "added", "gone": "removed"}
    a = next(c for c in comparison["cases"] if c["case_id"] == "a")
    assert a["prompt_tokens_delta"] == -20
    lines = comparison_lines(comparison)
    assert "pass_rate: 0.5 -> 0.75 (+0.25)" in lines
    assert "case b: regressed" in lines and "case a: fixed" in lines


def test_identical_reports() -> None:
    report = EvalReport(cases=[summary("a", True)])
    assert comparison_lines(compare_reports(report, report)) == ["no metric and no case changed"]


@pytest.mark.parametrize("name", ["pass_rate", "cache_efficiency", "latency_p95_s", "cost"])
def test_compared_metrics_include(name: str) -> None:
    comparison = compare_reports(EvalReport(), EvalReport())
    assert name in comparison["metrics"]
