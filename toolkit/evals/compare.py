"""Deltas between two evaluation reports, per metric and per case."""

from __future__ import annotations

from typing import Any

from toolkit.evals.summary import Aggregates, EvalReport

__all__ = ["COMPARED_METRICS", "compare_reports", "comparison_lines"]

COMPARED_METRICS = tuple(
    name
    for name, info in Aggregates.model_fields.items()
    if info.annotation in (int, float, int | None, float | None)
)
"""The numeric aggregates compared (every int or float metric of `Aggregates`)."""


def _delta(old: Any, new: Any) -> float | int | None:
    if isinstance(old, int | float) and isinstance(new, int | float):
        delta = new - old
        return round(delta, 12) if isinstance(delta, float) else delta
    return None


def compare_reports(old: EvalReport, new: EvalReport) -> dict[str, Any]:
    """The comparison recorded in the new report's ``comparison`` field.

    Returns:
        ``baseline`` (the old run's info), ``metrics`` (name -> old, new, delta) and ``cases``
        (one entry per case id in either report: old and new pass state, ``change`` one of
        ``same``, ``fixed``, ``regressed``, ``added``, ``removed``, and token deltas).
    """
    metrics: dict[str, dict[str, Any]] = {}
    for name in COMPARED_METRICS:
        before, after = getattr(old.aggregates, name), getattr(new.aggregates, name)
        metrics[name] = {"old": before, "new": after, "delta": _delta(before, after)}
    old_cases = {c.case_id: c for c in old.cases}
    new_cases = {c.case_id: c for c in new.cases}
    cases: list[dict[str, Any]] = []
    for case_id in dict.fromkeys([*new_cases, *old_cases]):
        before_case, after_case = old_cases.get(case_id), new_cases.get(case_id)
        if before_case is None:
            change = "added"
        elif after_case is None:
            change = "removed"
        elif before_case.passed == after_case.passed:
            change = "same"
        else:
            change = "fixed" if after_case.passed else "regressed"
        entry: dict[str, Any] = {
            "case_id": case_id,
            "old": None if before_case is None else before_case.passed,
            "new": None if after_case is None else after_case.passed,
            "change": change,
        }
        if before_case is not None and after_case is not None:
            for field in ("prompt_tokens", "cached_tokens", "completion_tokens"):
                entry[f"{field}_delta"] = getattr(after_case, field) - getattr(before_case, field)
        cases.append(entry)
    return {
        "baseline": old.info.model_dump(mode="json"),
        "metrics": metrics,
        "cases": cases,
    }


def comparison_lines(comparison: dict[str, Any]) -> list[str]:
    """Human-readable lines: changed metrics, then changed cases."""
    lines = []
    for name, m in comparison["metrics"].items():
        if m["old"] != m["new"]:
            delta = m["delta"]
            shown = f"{delta:+.4g}" if isinstance(delta, int | float) else "n/a"
            lines.append(f"{name}: {m['old']} -> {m['new']} ({shown})")
    lines.extend(
        f"case {c['case_id']}: {c['change']}" for c in comparison["cases"] if c["change"] != "same"
    )
    return lines or ["no metric and no case changed"]
