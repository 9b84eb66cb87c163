"""`toolkit fleet eval` as a library call: evaluate many projects on a pluggable executor.

`evaluate_one` is the unit of work: a plain function of picklable arguments, run by a
thread, a process or a Dask worker alike. It writes the project's own reports (what
`toolkit eval` writes) and returns a small `ProjectOutcome`; a project that fails to load or
run comes back with its error, and the others go on. Each case's outcome carries a digest
of what the agent did (answer, tool calls, retrieval, compliance, token counts), so runs on
different executors can be compared case by case.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from toolkit import __version__
from toolkit.config import ProjectConfig
from toolkit.errors import ToolkitError
from toolkit.evals.report import load_report
from toolkit.evals.scoring import CaseResult
from toolkit.evals.summary import EvalReport
from toolkit.evals.thresholds import check_thresholds
from toolkit.fleet.discover import PROVENANCE_FILE, ScanProblem, find_projects
from toolkit.fleet.executors import open_executor
from toolkit.fleet.records import LastEval
from toolkit.fleet.resume import fresh_report, input_fingerprint, mark_fresh

__all__ = [
    "CaseOutcome",
    "EvalOptions",
    "FleetEvalReport",
    "ProjectOutcome",
    "eval_fleet",
    "evaluate_one",
]

Status = Literal["passed", "failed", "error"]


@dataclass(frozen=True)
class EvalOptions:
    """How each project is evaluated (the options of `toolkit eval`)."""

    endpoint: str | None = None
    model: str | None = None
    concurrency: int = 4
    repeats: int = 1

    def identity(self) -> dict[str, object]:
        """The options that change results (concurrency does not)."""
        return {"endpoint": self.endpoint, "model": self.model, "repeats": self.repeats}


class CaseOutcome(BaseModel):
    """One case of one project, reduced to what must match across executors."""

    case_id: str
    passed: bool
    digest: str
    """SHA-256 of every run's answer, tool calls, retrieval, compliance and token counts."""
    failures: list[str] = Field(default_factory=list)


class ProjectOutcome(BaseModel):
    """One project's evaluation in a fleet run."""

    path: str
    name: str = ""
    template: str = ""
    template_version: str = ""
    status: Status
    error: str | None = None
    threshold_failures: list[str] = Field(default_factory=list)
    last_eval: LastEval | None = None
    cases: list[CaseOutcome] = Field(default_factory=list)
    duration_s: float = 0.0
    worker: str = ""
    resumed: bool = False
    """Not run again: its report was fresh for its inputs (``--resume``)."""


class FleetEvalReport(BaseModel):
    """A whole fleet run; serialised as ``fleet-eval.json``."""

    schema_version: int = 1
    toolkit_version: str = __version__
    started_at: str = ""
    executor: str = "threads"
    scheduler: str | None = None
    workers: int | None = None
    duration_s: float = 0.0
    case_runs: int = 0
    cases_per_s: float = 0.0
    projects: list[ProjectOutcome] = Field(default_factory=list)
    problems: list[dict[str, str]] = Field(default_factory=list)

    def count(self, status: Status) -> int:
        """How many projects ended with ``status`` (resumed ones included)."""
        return sum(p.status == status for p in self.projects)

    @property
    def resumed(self) -> int:
        """Projects not run again because their report was fresh."""
        return sum(p.resumed for p in self.projects)

    @property
    def ok(self) -> bool:
        """No project failed its thresholds or errored."""
        return not any(p.status in ("failed", "error") for p in self.projects)


_DIGEST_FIELDS = (
    "passed",
    "failures",
    "violations",
    "rules_fired",
    "answer",
    "refused",
    "tool_calls",
    "retrieved_ids",
    "prompt_tokens",
    "completion_tokens",
    "calls",
    "error",
)


def case_digest(runs: Sequence[CaseResult]) -> str:
    """The digest of what a case's runs did.

    Cached tokens, cost and latency are left out: they depend on what else shared the
    engine's cache at the time, not on the agent.
    """
    payload = [run.model_dump(mode="json", include=set(_DIGEST_FIELDS)) for run in runs]
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _cases(report: EvalReport) -> list[CaseOutcome]:
    return [
        CaseOutcome(
            case_id=case.case_id,
            passed=case.passed,
            digest=case_digest(case.runs),
            failures=sorted({f.expectation for run in case.runs for f in run.failures}),
        )
        for case in report.cases
    ]


def _outcome(path: Path, report: EvalReport, failures: list[str]) -> ProjectOutcome:
    return ProjectOutcome(
        path=str(path),
        name=report.info.project,
        template=report.info.template,
        template_version=report.info.template_version,
        status="failed" if failures else "passed",
        threshold_failures=failures,
        last_eval=LastEval.from_report(report.info, report.aggregates),
        cases=_cases(report),
    )


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


def _identity(config: ProjectConfig, options: EvalOptions) -> dict[str, object]:
    # Beyond the files: the options, and the endpoints as resolved (TOOLKIT_TOKEN_SERVICE_URL
    # and TOOLKIT_MODEL override toolkit.yaml).
    endpoints = [(e.url, e.model) for e in config.token_service.endpoints]
    return {**options.identity(), "endpoints": endpoints}


def evaluate_one(path: str, options: EvalOptions) -> ProjectOutcome:
    """Evaluate one project and write its reports (the unit of work on every executor).

    Args:
        path: The project folder (as the worker sees it).
        options: Endpoint, model, concurrency and repeats.

    Returns:
        The outcome; an error in the project is returned as ``status="error"``, not raised.
    """
    from toolkit.evals.command import evaluate_project
    from toolkit.tokens import ideal_cache_bound

    start = time.perf_counter()
    project = Path(path)
    try:
        config = ProjectConfig.load(project)
        report_dir = config.path(project, config.evaluation.report_dir)
        fingerprint = input_fingerprint(project, report_dir, _identity(config, options))
        result = evaluate_project(
            project,
            concurrency=options.concurrency,
            repeats=options.repeats,
            endpoint_url=options.endpoint,
            model=options.model,
            cache_bound=ideal_cache_bound,
        )
        mark_fresh(result.paths["json"].parent, fingerprint)
        outcome = _outcome(project, result.report, result.threshold_failures)
    except ToolkitError as exc:
        outcome = ProjectOutcome(path=path, status="error", error=str(exc))
    except Exception as exc:  # one broken project must not stop the fleet
        outcome = ProjectOutcome(path=path, status="error", error=f"{type(exc).__name__}: {exc}")
    outcome.duration_s = time.perf_counter() - start
    outcome.worker = _worker_name()
    return outcome


def _resumable(path: Path, options: EvalOptions) -> ProjectOutcome | None:
    """The outcome recorded by an earlier run, when the project's report is still fresh."""
    try:
        config = ProjectConfig.load(path)
        report_dir = config.path(path, config.evaluation.report_dir)
        report_path = fresh_report(
            report_dir, input_fingerprint(path, report_dir, _identity(config, options))
        )
        if report_path is None:
            return None
        report = load_report(report_path)
    except (ToolkitError, OSError):
        return None
    failures = check_thresholds(report, config.evaluation.thresholds)
    outcome = _outcome(path, report, failures)
    outcome.resumed = True
    return outcome


def eval_fleet(
    roots: Sequence[Path],
    *,
    executor: str = "threads",
    scheduler: str | None = None,
    workers: int | None = None,
    options: EvalOptions | None = None,
    resume: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[ProjectOutcome], None] | None = None,
) -> FleetEvalReport:
    """Evaluate every generated project under ``roots``.

    Args:
        roots: Folders holding projects (found as `toolkit fleet scan` finds them).
        executor: ``threads``, ``processes`` or ``dask`` (see `open_executor`).
        scheduler: A Dask scheduler address; without one ``dask`` starts a LocalCluster.
        workers: Parallel workers (default: the CPUs available).
        options: How each project is evaluated.
        resume: Skip projects whose report is fresh for their current inputs.
        on_start: Called with the number of projects to evaluate.
        on_done: Called (in this thread) as each project finishes or is skipped.

    Returns:
        The fleet report, projects sorted by path.

    Raises:
        UsageError: a bad executor, worker count or unreachable scheduler.
    """
    options = options or EvalOptions()
    discovery = find_projects(roots)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    outcomes: list[ProjectOutcome] = []
    pending: list[Path] = []
    for project in discovery.projects:
        kept = _resumable(project, options) if resume else None
        if kept is None:
            pending.append(project)
        else:
            outcomes.append(kept)
    if on_start is not None:
        on_start(len(discovery.projects))
    for kept in outcomes:
        if on_done is not None:
            on_done(kept)
    t0 = time.perf_counter()
    if pending:
        with open_executor(executor, workers=workers, scheduler=scheduler) as pool:
            futures: dict[Future[ProjectOutcome], Path] = {
                pool.submit(evaluate_one, str(project), options): project for project in pending
            }
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as exc:  # a lost worker, a pickling failure: still reported
                    outcome = ProjectOutcome(
                        path=str(futures[future]),
                        status="error",
                        error=f"the executor lost this project: {type(exc).__name__}: {exc}",
                    )
                outcomes.append(outcome)
                if on_done is not None:
                    on_done(outcome)
    duration = time.perf_counter() - t0
    ran = [o for o in outcomes if not o.resumed and o.last_eval is not None]
    runs = sum(o.last_eval.runs for o in ran if o.last_eval is not None)
    return FleetEvalReport(
        started_at=started,
        executor=executor,
        scheduler=scheduler,
        workers=workers,
        duration_s=duration,
        case_runs=runs,
        cases_per_s=runs / duration if duration > 0 else 0.0,
        projects=sorted((_label(o) for o in outcomes), key=lambda o: o.path),
        problems=[_problem(p) for p in discovery.problems],
    )


def _label(outcome: ProjectOutcome) -> ProjectOutcome:
    """Fill an errored project's template and name from its provenance record."""
    if outcome.template:
        return outcome
    try:
        data = yaml.safe_load((Path(outcome.path) / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return outcome
    if isinstance(data, dict):
        outcome.template = str(data.get("template", ""))
        outcome.template_version = str(data.get("template_version", ""))
        answers = data.get("answers")
        if isinstance(answers, dict):
            outcome.name = str(answers.get("project_name", ""))
    return outcome


def _problem(problem: ScanProblem) -> dict[str, str]:
    return asdict(problem)
