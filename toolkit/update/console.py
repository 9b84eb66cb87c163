"""The update report: a console table for people, JSON for machines."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from toolkit.update.apply import UpdateResult
from toolkit.update.gate import GateResult
from toolkit.update.plan import Outcome

__all__ = ["print_update", "update_json"]

_SHOWN = (
    Outcome.TAKEN,
    Outcome.KEPT,
    Outcome.MERGED,
    Outcome.CONFLICTED,
    Outcome.BINARY,
    Outcome.REMOVED,
    Outcome.KEPT_DROPPED,
    Outcome.DELETED,
)


def update_json(
    result: UpdateResult, *, dry_run: bool = False, gate: GateResult | None = None
) -> dict[str, Any]:
    """The machine-readable report of an update (``--json``)."""
    data = result.plan.to_json()
    data["dry_run"] = dry_run
    data["applied"] = result.applied
    data["backup_dir"] = str(result.backup_dir) if result.backup_dir else None
    data["recovered"] = result.recovered
    if gate is not None:
        data["eval"] = gate.to_json()
    return data


def _fmt(value: float | int | None, name: str) -> str:
    if value is None:
        return "-"
    if name == "pass_rate":
        return f"{value:.1%}"
    if name == "cost":
        return f"{value:.6f}"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def print_update(
    console: Console, result: UpdateResult, *, dry_run: bool = False, gate: GateResult | None = None
) -> None:
    """Print the update report: versions, one row per file that changes, totals, next steps."""
    plan = result.plan
    if result.recovered:
        console.print(
            f"Rolled back an interrupted update first ({len(result.recovered)} file(s) restored).",
            markup=False,
        )
    head = f"{plan.template} {plan.from_version} -> {plan.to_version}"
    if plan.is_noop:
        console.print(f"{head}: already up to date, nothing to do.", markup=False)
        return
    table = Table(title=head + (" (dry run: nothing written)" if dry_run else ""))
    for column in ("file", "outcome", "detail"):
        table.add_column(column)
    for change in plan.changes:
        if change.outcome in _SHOWN or change.renamed_from:
            detail = change.note
            if change.renamed_from:
                detail = f"renamed from {change.renamed_from}" + (f"; {detail}" if detail else "")
            if change.conflicts:
                detail = f"{change.conflicts} conflict block(s)" + (f"; {detail}" if detail else "")
            table.add_row(change.path, str(change.outcome), detail)
    console.print(table)
    counts = plan.counts()
    console.print(
        ", ".join(f"{name} {counts[str(name)]}" for name in _SHOWN if counts[str(name)])
        or "no file changes",
        markup=False,
    )
    if plan.new_answers:
        console.print(f"New answers derived: {plan.new_answers}", markup=False)
    if plan.dropped_answers:
        console.print(f"Answers no longer asked: {', '.join(plan.dropped_answers)}", markup=False)
    if plan.base_drift:
        console.print(
            f"{len(plan.base_drift)} file(s) of the rebuilt base differ from what was generated "
            "(the template changed without a version bump); your edits were detected by hash.",
            markup=False,
        )
    if plan.conflicts:
        console.print(
            "Resolve the conflict blocks (<<<<<<< yours / ||||||| base / ======= / >>>>>>> "
            f"template) in: {', '.join(plan.conflicts)}",
            markup=False,
        )
    if result.backup_dir is not None:
        console.print(
            f"Replaced files are backed up in {result.backup_dir}; "
            f"`toolkit update {plan.project_dir} --revert` undoes this update.",
            markup=False,
        )
    if gate is not None:
        _print_gate(console, gate, plan.project_dir)


def _print_gate(console: Console, gate: GateResult, project: object) -> None:
    table = Table(title="Evaluation before and after the update")
    for column in ("metric", "before", "after", "change"):
        table.add_column(column)
    for name, row in gate.deltas().items():
        table.add_row(
            name.replace("_", " "),
            _fmt(row["before"], name),
            _fmt(row["after"], name),
            _fmt(row["change"], name) if row["change"] is not None else "-",
        )
    console.print(table)
    if gate.ok:
        console.print("No regression.", markup=False)
        return
    for regression in gate.regressions:
        console.print(f"REGRESSION: {regression}", markup=False)
    console.print(
        f"The files stay updated. To go back: `toolkit update {project} --revert`. "
        f"Reports: {gate.report_dir}",
        markup=False,
    )
