"""Evaluation gates from ``toolkit.yaml`` (`toolkit.config.Thresholds`)."""

from __future__ import annotations

from toolkit.config import Thresholds
from toolkit.evals.summary import EvalReport

__all__ = ["check_thresholds"]


def check_thresholds(report: EvalReport, thresholds: Thresholds) -> list[str]:
    """One message per failed gate; an empty list means the run passes.

    A cache-efficiency gate above zero fails when efficiency could not be measured (no
    ideal bound) unless the run's trace had nothing cacheable at all.
    """
    agg = report.aggregates
    failures: list[str] = []
    if agg.pass_rate < thresholds.pass_rate:
        failures.append(
            f"pass rate {agg.pass_rate:.1%} is below the threshold {thresholds.pass_rate:.1%}"
        )
    if agg.violations > thresholds.max_violations:
        rules = ", ".join(f"{rule} x{n}" for rule, n in agg.violations_by_rule.items())
        failures.append(
            f"{agg.violations} compliance violation(s) ({rules}) exceed the maximum "
            f"{thresholds.max_violations}"
        )
    minimum = thresholds.min_cache_efficiency
    if minimum > 0:
        if agg.cache_efficiency is not None and agg.cache_efficiency < minimum:
            failures.append(
                f"cache efficiency {agg.cache_efficiency:.1%} (achieved / ideal) is below "
                f"the threshold {minimum:.1%}"
            )
        elif agg.cache_efficiency is None and agg.ideal_hit_tokens is None:
            failures.append(
                "cache efficiency could not be measured (the ideal bound needs "
                "toolkit.engine); lower min_cache_efficiency to 0 to skip this gate"
            )
    return failures
