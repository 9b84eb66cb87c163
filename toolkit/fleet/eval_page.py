"""The fleet evaluation's HTML page and console table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable

from toolkit.fleet.evaluate import FleetEvalReport, ProjectOutcome
from toolkit.fleet.html import Cell, Column, Table, render_page

__all__ = ["print_fleet_eval", "render_eval_html"]

_COLUMNS = (
    Column("project", "project"),
    Column("template", "template", filter=True),
    Column("version", "version", filter=True),
    Column("status", "status", filter=True),
    Column("run", "run", filter=True),
    Column("pass_rate", "pass rate", numeric=True),
    Column("cases", "cases", numeric=True),
    Column("violations", "violations", numeric=True),
    Column("cache", "cache efficiency", numeric=True),
    Column("tokens", "prompt tokens", numeric=True),
    Column("cost", "cost", numeric=True),
    Column("duration", "seconds", numeric=True),
    Column("detail", "error or failed thresholds"),
    Column("worker", "worker"),
    Column("path", "path"),
)
_STATUS_CSS = {"passed": "good", "failed": "bad", "error": "bad"}


def _detail(outcome: ProjectOutcome) -> str:
    if outcome.error:
        return outcome.error
    return "; ".join(outcome.threshold_failures)


def _row(outcome: ProjectOutcome) -> dict[str, Cell]:
    cells = {
        "project": Cell(outcome.name or "(unnamed)"),
        "template": Cell(outcome.template or "(unknown)"),
        "version": Cell(outcome.template_version or "?"),
        "status": Cell(outcome.status, css=_STATUS_CSS[outcome.status]),
        "run": Cell("resumed" if outcome.resumed else "evaluated"),
        "duration": Cell(f"{outcome.duration_s:.1f}", outcome.duration_s),
        "detail": Cell(_detail(outcome)),
        "worker": Cell(outcome.worker),
        "path": Cell(outcome.path),
    }
    last = outcome.last_eval
    if last is not None:
        efficiency = last.cache_efficiency
        cells |= {
            "pass_rate": Cell(f"{last.pass_rate:.1%}", last.pass_rate),
            "cases": Cell(str(last.cases), last.cases),
            "violations": Cell(str(last.violations), last.violations),
            "cache": Cell("n/a", "")
            if efficiency is None
            else Cell(f"{efficiency:.1%}", efficiency),
            "tokens": Cell(f"{last.prompt_tokens:,}", last.prompt_tokens),
            "cost": Cell(f"{last.cost:.4f}", last.cost),
        }
    return cells


def _totals(report: FleetEvalReport) -> list[tuple[str, str]]:
    return [
        ("projects", str(len(report.projects))),
        ("passed", str(report.count("passed"))),
        ("failed thresholds", str(report.count("failed"))),
        ("errors", str(report.count("error"))),
        ("resumed (fresh report, not run)", str(report.resumed)),
        ("case runs evaluated", str(report.case_runs)),
        ("wall time", f"{report.duration_s:.1f} s"),
        ("cases per second", f"{report.cases_per_s:.2f}"),
    ]


def render_eval_html(report: FleetEvalReport) -> str:
    """The fleet run as one self-contained page with sorting and filters."""
    where = report.scheduler or ("LocalCluster" if report.executor == "dask" else "this machine")
    summaries = [Table("Run", ("figure", "value"), [(k, v) for k, v in _totals(report)])]
    if report.problems:
        summaries.append(
            Table(
                "Folders not scanned",
                ("path", "problem", "detail"),
                [(p["path"], p["kind"], p["detail"]) for p in report.problems],
                numeric_from=3,
            )
        )
    return render_page(
        title="Fleet evaluation",
        intro=[
            f"Started {report.started_at} by toolkit {report.toolkit_version}; executor "
            f"{report.executor} on {where}.",
            "Each project's own report.html is in its report folder.",
        ],
        columns=_COLUMNS,
        rows=[_row(outcome) for outcome in report.projects],
        summaries=summaries,
        noun="projects",
    )


def print_fleet_eval(console: Console, report: FleetEvalReport) -> None:
    """One line per project that did not pass, then the run's totals."""
    troubled = [p for p in report.projects if p.status in ("failed", "error")]
    if troubled:
        table = RichTable(title=f"{len(troubled)} projects did not pass")
        for column in ("project", "status", "why"):
            table.add_column(column, overflow="fold")
        for outcome in troubled:
            table.add_row(outcome.path, outcome.status, _detail(outcome))
        console.print(table)
    totals = RichTable(title="Fleet evaluation")
    totals.add_column("figure")
    totals.add_column("value", justify="right")
    for key, value in _totals(report):
        totals.add_row(key, value)
    console.print(totals)
