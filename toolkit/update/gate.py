"""Evaluation-gated update: run the project's evaluation before and after the update.

The change in pass rate, violations, prefix-cache efficiency and cost is reported. A lower
pass rate, more violations, lower cache efficiency (by more than `CACHE_TOLERANCE`), or an
evaluation that no longer runs (e.g. conflict blocks left in a Python file) is a regression;
the files stay updated and the report says how to go back (`toolkit update --revert`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError
from toolkit.evals.command import evaluate_project
from toolkit.evals.runner import AskFn, CacheBoundFn
from toolkit.evals.summary import Aggregates
from toolkit.update.apply import UpdateResult

__all__ = ["CACHE_TOLERANCE", "EVAL_DIR", "GateResult", "gated_update"]

CACHE_TOLERANCE = 0.02
"""Cache efficiency may drop by this much (absolute) before it counts as a regression."""
EVAL_DIR = Path(".toolkit") / "update-eval"


@dataclass
class GateResult:
    """The evaluation before and after an update.

    Attributes:
        before: the metrics before the update.
        after: the metrics after it (``None`` when the evaluation failed to run).
        after_error: why the evaluation after the update failed to run.
        regressions: what got worse; non-empty means the gate failed.
        report_dir: where both runs' reports are.
    """

    before: Aggregates
    after: Aggregates | None
    report_dir: Path
    after_error: str = ""
    regressions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing regressed."""
        return not self.regressions

    def deltas(self) -> dict[str, dict[str, float | int | None]]:
        """Each gated metric before, after and its change."""
        rows: dict[str, dict[str, float | int | None]] = {}
        for name in ("pass_rate", "violations", "cache_efficiency", "cost"):
            old = getattr(self.before, name)
            new = getattr(self.after, name) if self.after is not None else None
            change = new - old if old is not None and new is not None else None
            rows[name] = {"before": old, "after": new, "change": change}
        return rows

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "ok": self.ok,
            "metrics": self.deltas(),
            "regressions": self.regressions,
            "after_error": self.after_error,
            "report_dir": str(self.report_dir),
        }


def _regressions(before: Aggregates, after: Aggregates) -> list[str]:
    found = []
    if after.pass_rate < before.pass_rate:
        found.append(f"pass rate fell from {before.pass_rate:.1%} to {after.pass_rate:.1%}")
    if after.violations > before.violations:
        found.append(f"violations rose from {before.violations} to {after.violations}")
    if (
        before.cache_efficiency is not None
        and after.cache_efficiency is not None
        and after.cache_efficiency < before.cache_efficiency - CACHE_TOLERANCE
    ):
        found.append(
            f"cache efficiency fell from {before.cache_efficiency:.2f} "
            f"to {after.cache_efficiency:.2f}"
        )
    return found


def gated_update(
    project_dir: Path,
    run_update: Callable[[], UpdateResult],
    *,
    ask: AskFn | None = None,
    cache_bound: CacheBoundFn | None = None,
    concurrency: int = 4,
) -> tuple[UpdateResult, GateResult]:
    """Evaluate the project, run ``run_update``, evaluate again, and compare.

    Args:
        project_dir: the project.
        run_update: applies the update (e.g. a `update_project` call).
        ask: answers a case instead of the agent harness (tests).
        cache_bound: the ideal prefix-cache bound (the CLI passes the token client's).
        concurrency: cases run at once.

    Raises:
        ToolkitError: the evaluation before the update fails to run (nothing was updated).
    """
    project = Path(project_dir).resolve()
    report_dir = project / EVAL_DIR
    before = evaluate_project(
        project,
        report_dir=report_dir / "before",
        ask=ask,
        cache_bound=cache_bound,
        concurrency=concurrency,
    ).report.aggregates
    result = run_update()
    gate = GateResult(before=before, after=None, report_dir=report_dir)
    try:
        gate.after = evaluate_project(
            project,
            report_dir=report_dir / "after",
            ask=ask,
            cache_bound=cache_bound,
            concurrency=concurrency,
            compare=report_dir / "before" / "report.json",
        ).report.aggregates
    except (ToolkitError, SyntaxError, ImportError) as exc:
        gate.after_error = f"{type(exc).__name__}: {exc}"
        gate.regressions.append(f"the evaluation no longer runs ({gate.after_error})")
        return result, gate
    gate.regressions = _regressions(before, gate.after)
    return result, gate
