"""Console tables for `toolkit fleet scan` and `toolkit fleet eval`."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from toolkit.fleet.scan import FleetScan
from toolkit.fleet.scan_page import health

__all__ = ["print_scan"]

_ATTENTION_ROWS = 20


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def print_scan(console: Console, scan: FleetScan) -> None:
    """Summary lines per template and per version, then the projects needing attention."""
    table = Table(
        title=f"Fleet: {len(scan.projects)} projects (ledger cost)",
        box=box.SIMPLE_HEAD,
        padding=(0, 0),  # the box's blank column separator is the only gap
        show_edge=False,
    )
    # Short headers: the table must fit an 80-column terminal.
    table.add_column("template", no_wrap=True)
    table.add_column("shipped", no_wrap=True)
    for column in ("projects", "behind", "custom.", "eval'd", "failing", "pass", "viol.", "cost"):
        table.add_column(column, justify="right", no_wrap=True)
    for t in scan.templates:
        table.add_row(
            t.template,
            t.shipped_version or "-",
            str(t.projects),
            str(t.behind),
            str(t.customized),
            str(t.evaluated),
            str(t.failing),
            _pct(t.mean_pass_rate),
            str(t.violations),
            f"{t.cost:.4f}",
        )
    console.print(table)
    versions = Table(title="Template versions")
    for column in ("template", "version", "projects", "evaluated", "mean pass rate"):
        versions.add_column(column)
    for v in scan.versions:
        versions.add_row(
            v.template, v.version, str(v.projects), str(v.evaluated), _pct(v.mean_pass_rate)
        )
    console.print(versions)
    attention = [
        row
        for row in scan.projects
        if row.drift.status != "current" or health(row) != "passing" or row.problems
    ]
    if attention:
        needs = Table(title=f"{len(attention)} projects need attention")
        for column in ("project", "template", "version", "drift", "last evaluation", "problem"):
            needs.add_column(column, overflow="fold")
        for row in attention[:_ATTENTION_ROWS]:
            needs.add_row(
                row.path,
                row.template or "?",
                row.template_version or "?",
                row.drift.status,
                health(row),
                row.problems[0] if row.problems else "",
            )
        console.print(needs)
        if len(attention) > _ATTENTION_ROWS:
            console.print(
                f"... and {len(attention) - _ATTENTION_ROWS} more (see --html or --json)",
                markup=False,
            )
    for problem in scan.problems:
        console.print(
            f"not scanned: {problem.path}: {problem.kind} ({problem.detail})", markup=False
        )
