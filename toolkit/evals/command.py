"""What `toolkit eval` does, as a library call: load, run, compare, write, check thresholds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.agent.tracing_setup import command_tracing
from toolkit.config import ProjectConfig, resolve_endpoint
from toolkit.evals.cases import EvalSuite
from toolkit.evals.compare import compare_reports
from toolkit.evals.report import load_report, write_reports
from toolkit.evals.runner import AskFn, CacheBoundFn, run_suite
from toolkit.evals.scoring import CaseResult
from toolkit.evals.summary import EvalReport
from toolkit.evals.thresholds import check_thresholds
from toolkit.observability import write_metrics_file

__all__ = ["EvalOutcome", "evaluate_project", "resolve_endpoint"]


@dataclass
class EvalOutcome:
    """The result of `evaluate_project`."""

    report: EvalReport
    paths: dict[str, Path] = field(default_factory=dict)
    threshold_failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every threshold held."""
        return not self.threshold_failures


def evaluate_project(
    project_dir: Path,
    *,
    report_dir: Path | None = None,
    concurrency: int = 8,
    repeats: int = 1,
    endpoint_url: str | None = None,
    model: str | None = None,
    compare: Path | None = None,
    ask: AskFn | None = None,
    cache_bound: CacheBoundFn | None = None,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
    response_cache: bool = False,
    trace_otel: Path | None = None,
    metrics_file: Path | None = None,
) -> EvalOutcome:
    """Run the project's evaluation and write its reports.

    Args:
        project_dir: The generated project's folder.
        report_dir: Where to write the reports (default: ``evaluation.report_dir``).
        concurrency: Cases run at once.
        repeats: Runs per case.
        endpoint_url: Use this endpoint instead of the project's (``local`` or a URL).
        model: Use this model id.
        compare: An earlier ``report.json``; deltas are recorded in the new report.
        ask: Answers a case instead of the agent harness (tests).
        cache_bound: The ideal prefix-cache bound of the run's trace (the CLI passes
            `toolkit.tokens.ideal_cache_bound`); without it, cache efficiency is not reported.
        on_start: Called once with the number of case runs about to start.
        on_result: Called after each case run.
        response_cache: Answer exact repeats from the response cache (zero billed tokens).
        trace_otel: Also write the run's OpenTelemetry spans to this JSON-lines file (spans
            go to OTLP/HTTP whenever ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set).
        metrics_file: Write the token client's Prometheus metrics here when the run ends
            (node_exporter's textfile format).

    Raises:
        ConfigError: the project, its cases or its rules are invalid.
        ReportError: ``compare`` is not a readable report.
        UsageError: a bad endpoint, concurrency or repeats.
    """
    config = ProjectConfig.load(project_dir)
    endpoint = resolve_endpoint(config, endpoint_url, model)
    baseline = load_report(compare) if compare is not None else None
    suite = EvalSuite.load(config.path(project_dir, config.evaluation.cases))
    if on_start is not None:
        on_start(sum(max(repeats, case.repeats or 1) for case in suite))
    with command_tracing(trace_otel):
        report = run_suite(
            project_dir,
            concurrency=concurrency,
            repeats=repeats,
            endpoint=endpoint,
            ask=ask,
            suite=suite,
            cache_bound=cache_bound,
            on_result=on_result,
            response_cache=response_cache,
        )
    if metrics_file is not None:
        write_metrics_file(metrics_file)
    if baseline is not None:
        report.comparison = compare_reports(baseline, report)
    target = (
        report_dir
        if report_dir is not None
        else config.path(project_dir, config.evaluation.report_dir)
    )
    paths = write_reports(report, target)
    return EvalOutcome(
        report=report,
        paths=paths,
        threshold_failures=check_thresholds(report, config.evaluation.thresholds),
    )
