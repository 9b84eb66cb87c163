"""The console summary of an evaluation run (rich tables)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from toolkit.evals.compare import comparison_lines
from toolkit.evals.summary import EvalReport

__all__ = ["print_summary"]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _secs(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f} s"


def print_summary(console: Console, report: EvalReport, threshold_failures: list[str]) -> None:
    """Print the metrics, the failed cases, uncovered rules, deltas and threshold results."""
    agg = report.aggregates
    table = Table(title=escape(f"Evaluation: {report.info.project} ({report.info.model})"))
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("cases / runs", f"{agg.cases} / {agg.runs}"),
        ("pass rate", _pct(agg.pass_rate)),
        (f"pass^{agg.k}", _pct(agg.pass_hat_k)),
        ("tool selection accuracy", _pct(agg.tool_selection_accuracy)),
        ("argument accuracy", _pct(agg.argument_accuracy)),
        ("retrieval hit@k / MRR", f"{_pct(agg.retrieval_hit_at_k)} / "
         + ("n/a" if agg.mrr is None else f"{agg.mrr:.3f}")),
        ("refusal correctness", _pct(agg.refusal_correctness)),
        ("escalation correctness", _pct(agg.escalation_correctness)),
        ("violations", f"{agg.violations} "
         + " ".join(f"{k}:{v}" for k, v in agg.violations_by_rule.items())),
        ("assumptions stated (cases)", f"{agg.assumptions} ({agg.cases_with_assumptions})"),
        ("tokens prompt / cached / completion",
         f"{agg.prompt_tokens:,} / {agg.cached_tokens:,} / {agg.completion_tokens:,}"),
        ("cache hit rate achieved / ideal",
         f"{_pct(agg.cache_hit_rate)} / {_pct(agg.ideal_cache_hit_rate)}"),
        ("cache efficiency (achieved / ideal)", _pct(agg.cache_efficiency)),
        ("cost", f"{agg.cost:.6f}"),
        ("calls with unknown usage", f"{agg.unknown_usage_calls}"
         + (" (token and cost totals are a floor)" if agg.unknown_usage_calls else "")),
        ("latency p50 / p95", f"{_secs(agg.latency_p50_s)} / {_secs(agg.latency_p95_s)}"),
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(Text(name), Text(value))
    console.print(table)
    failed = [case for case in report.cases if not case.passed]
    if failed:
        cases = Table(title="Failed cases")
        cases.add_column("case")
        cases.add_column("failed expectations")
        for case in failed:
            messages = {f"[{f.expectation}] {f.message}" for run in case.runs for f in run.failures}
            cases.add_row(Text(case.case_id), Text("\n".join(sorted(messages))))
        console.print(cases)
    if report.uncovered_rules:
        console.print(
            "Rules exercised by no case: " + ", ".join(report.uncovered_rules), markup=False
        )
    if report.comparison:
        console.print("Compared with the baseline:", markup=False)
        for line in comparison_lines(report.comparison):
            console.print(f"  {line}", markup=False)
    for failure in threshold_failures:
        console.print(f"threshold failed: {failure}", style="bold red", markup=False)
    if not threshold_failures:
        console.print("All thresholds met.", style="green", markup=False)
