"""The evaluation report's data model and the aggregation of case results into metrics."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, computed_field, field_validator

from toolkit.evals.scoring import CaseResult
from toolkit.urlsafe import redact_url

__all__ = [
    "SCHEMA_VERSION",
    "Aggregates",
    "CaseSummary",
    "EvalReport",
    "RunInfo",
    "aggregate",
    "percentile",
]

SCHEMA_VERSION = 1


class RunInfo(BaseModel):
    """What was evaluated, with what, and when. Never holds an API key."""

    project: str = ""
    model: str = ""
    endpoint: str = ""
    template: str = ""
    template_version: str = ""
    toolkit_version: str = ""
    started_at: str = ""
    duration_s: float = 0.0
    concurrency: int = 1
    repeats: int = 1

    @field_validator("endpoint")
    @classmethod
    def _no_credentials(cls, value: str) -> str:
        # Azure-style endpoints carry their key in the query string (?api-key=...).
        return redact_url(value)


class CaseSummary(BaseModel):
    """One case over all its repeats."""

    case_id: str
    request: str
    role: str | None = None
    tags: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)
    runs: list[CaseResult]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        """Whether every repeat passed (pass^k for k repeats)."""
        return bool(self.runs) and all(run.passed for run in self.runs)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pass_fraction(self) -> float:
        """Share of repeats that passed."""
        return sum(run.passed for run in self.runs) / len(self.runs) if self.runs else 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def prompt_tokens(self) -> int:
        """Prompt tokens over all repeats."""
        return sum(run.prompt_tokens for run in self.runs)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cached_tokens(self) -> int:
        """Cached prompt tokens over all repeats."""
        return sum(run.cached_tokens for run in self.runs)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def completion_tokens(self) -> int:
        """Completion tokens over all repeats."""
        return sum(run.completion_tokens for run in self.runs)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cost(self) -> float:
        """Cost over all repeats."""
        return sum(run.cost for run in self.runs)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def assumptions(self) -> int:
        """Assumptions the answer stated (defaults standing in for what the user said).

        The most any repeat stated: one run that assumed is enough to look at the case.
        """
        return max((run.assumptions for run in self.runs), default=0)


class Aggregates(BaseModel):
    """The run's metrics. A metric with nothing to measure is None."""

    cases: int = 0
    runs: int = 0
    passed_runs: int = 0
    pass_rate: float = 0.0
    pass_hat_k: float | None = None
    k: int = 1
    tool_selection_accuracy: float | None = None
    argument_accuracy: float | None = None
    retrieval_hit_at_k: float | None = None
    mrr: float | None = None
    refusal_correctness: float | None = None
    escalation_correctness: float | None = None
    violations: int = 0
    violations_by_rule: dict[str, int] = Field(default_factory=dict)
    errors: int = 0
    assumptions: int = 0
    cases_with_assumptions: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    unknown_usage_calls: int = 0
    cost: float = 0.0
    cache_hit_rate: float | None = None
    ideal_hit_tokens: int | None = None
    ideal_cache_hit_rate: float | None = None
    cache_efficiency: float | None = None
    latency_p50_s: float | None = None
    latency_p95_s: float | None = None


class EvalReport(BaseModel):
    """Everything one evaluation run produced; serialised as ``report.json``."""

    schema_version: int = SCHEMA_VERSION
    info: RunInfo = Field(default_factory=RunInfo)
    aggregates: Aggregates = Field(default_factory=Aggregates)
    cases: list[CaseSummary] = Field(default_factory=list)
    uncovered_rules: list[str] = Field(default_factory=list)
    citations: dict[str, str] = Field(default_factory=dict)
    comparison: dict[str, Any] | None = None
    trace: list[dict[str, Any]] = Field(default_factory=list, exclude=True)

    def case(self, case_id: str) -> CaseSummary:
        """The summary of one case.

        Raises:
            KeyError: no such case in the report.
        """
        for summary in self.cases:
            if summary.case_id == case_id:
                return summary
        raise KeyError(case_id)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def aggregate(cases: Sequence[CaseSummary], *, ideal: tuple[int, int] | None = None) -> Aggregates:
    """Compute the run's metrics.

    Args:
        cases: Every case with its runs.
        ideal: ``(ideal_hit_tokens, total_prompt_tokens)`` of the run's own request trace under
            an infinite prefix cache, or None when it could not be computed.
    """
    runs = [run for case in cases for run in case.runs]
    agg = Aggregates(cases=len(cases), runs=len(runs))
    if not runs:
        return agg
    agg.passed_runs = sum(run.passed for run in runs)
    agg.pass_rate = agg.passed_runs / len(runs)
    agg.k = max(len(case.runs) for case in cases)
    if agg.k > 1:
        agg.pass_hat_k = sum(case.passed for case in cases) / len(cases)
    agg.tool_selection_accuracy = _mean(
        [run.tool_selection for run in runs if run.tool_selection is not None]
    )
    args_total = sum(run.args_total for run in runs)
    agg.argument_accuracy = (
        sum(run.args_correct for run in runs) / args_total if args_total else None
    )
    agg.retrieval_hit_at_k = _mean([r.retrieval_hit for r in runs if r.retrieval_hit is not None])
    agg.mrr = _mean([r.retrieval_rr for r in runs if r.retrieval_rr is not None])
    agg.refusal_correctness = _mean(
        [float(r.refusal_correct) for r in runs if r.refusal_correct is not None]
    )
    agg.escalation_correctness = _mean(
        [float(r.escalation_correct) for r in runs if r.escalation_correct is not None]
    )
    by_rule = Counter(v.rule_id for run in runs for v in run.violations)
    agg.violations = sum(by_rule.values())
    agg.violations_by_rule = dict(sorted(by_rule.items()))
    agg.errors = sum(run.error is not None for run in runs)
    agg.assumptions = sum(case.assumptions for case in cases)
    agg.cases_with_assumptions = sum(case.assumptions > 0 for case in cases)
    agg.prompt_tokens = sum(run.prompt_tokens for run in runs)
    agg.cached_tokens = sum(run.cached_tokens for run in runs)
    agg.completion_tokens = sum(run.completion_tokens for run in runs)
    agg.unknown_usage_calls = sum(run.unknown_usage_calls for run in runs)
    agg.cost = sum(run.cost for run in runs)
    if agg.prompt_tokens:
        agg.cache_hit_rate = agg.cached_tokens / agg.prompt_tokens
    if ideal is not None:
        hits, total = ideal
        agg.ideal_hit_tokens = hits
        agg.ideal_cache_hit_rate = hits / total if total else None
        agg.cache_efficiency = agg.cached_tokens / hits if hits else None
    latencies = [run.latency_s for run in runs if run.error is None]
    agg.latency_p50_s = percentile(latencies, 50)
    agg.latency_p95_s = percentile(latencies, 95)
    return agg
