"""The scan's HTML page: summary lines per template and version, then one row per project."""

from __future__ import annotations

from toolkit.fleet.html import Cell, Column, Table, render_page
from toolkit.fleet.records import ProjectRecord
from toolkit.fleet.scan import FleetScan

__all__ = ["health", "render_scan_html"]

_COLUMNS = (
    Column("project", "project"),
    Column("template", "template", filter=True),
    Column("version", "version", filter=True),
    Column("drift", "drift", filter=True),
    Column("customized", "customized files", numeric=True),
    Column("conflicts", "update conflicts", numeric=True),
    Column("health", "last evaluation", filter=True),
    Column("pass_rate", "pass rate", numeric=True),
    Column("violations", "violations", numeric=True),
    Column("cache", "cache efficiency", numeric=True),
    Column("tokens", "eval tokens (prompt)", numeric=True),
    Column("cost", "eval cost", numeric=True),
    Column("when", "evaluated at"),
    Column("calls", "ledger calls", numeric=True),
    Column("ledger_cost", "ledger cost", numeric=True),
    Column("problems", "problems"),
    Column("path", "path"),
)


def health(row: ProjectRecord) -> str:
    """``passing``, ``failing`` or ``not evaluated``: the project's last evaluation."""
    last = row.last_eval
    if last is None:
        return "not evaluated"
    if last.pass_rate < 1.0 or last.violations or last.errors:
        return "failing"
    return "passing"


def _pct(value: float | None) -> Cell:
    return Cell("n/a", "") if value is None else Cell(f"{value:.1%}", value)


def _count(value: int | None, unknown: str = "unknown") -> Cell:
    return Cell(unknown, "") if value is None else Cell(f"{value:,}", value)


def _row(row: ProjectRecord) -> dict[str, Cell]:
    last, ledger, drift = row.last_eval, row.ledger, row.drift
    state = health(row)
    cells = {
        "project": Cell(row.name or "(unnamed)"),
        "template": Cell(row.template or "(unknown)"),
        "version": Cell(row.template_version or "?"),
        "drift": Cell(drift.status, css="warn" if drift.status == "behind" else ""),
        "customized": _count(drift.customized_files),
        "conflicts": _count(drift.update_conflicts),
        "health": Cell(state, css={"passing": "good", "failing": "bad"}.get(state, "")),
        "problems": Cell("; ".join(row.problems)),
        "path": Cell(row.path),
    }
    if last is not None:
        cells |= {
            "pass_rate": _pct(last.pass_rate),
            "violations": _count(last.violations),
            "cache": _pct(last.cache_efficiency),
            "tokens": _count(last.prompt_tokens),
            "cost": Cell(f"{last.cost:.4f}", last.cost),
            "when": Cell(last.when),
        }
    if ledger is not None:
        cells |= {
            "calls": _count(ledger.calls),
            "ledger_cost": Cell(f"{ledger.cost:.4f}", ledger.cost),
        }
    return cells


def render_scan_html(scan: FleetScan) -> str:
    """The scan as one self-contained page with sorting and filters."""
    templates = Table(
        "Templates",
        (
            "template",
            "shipped",
            "projects",
            "behind",
            "customized",
            "evaluated",
            "failing",
            "mean pass rate",
            "violations",
            "ledger cost",
        ),
        [
            (
                t.template,
                t.shipped_version or "-",
                str(t.projects),
                str(t.behind),
                str(t.customized),
                str(t.evaluated),
                str(t.failing),
                "n/a" if t.mean_pass_rate is None else f"{t.mean_pass_rate:.1%}",
                str(t.violations),
                f"{t.cost:.4f}",
            )
            for t in scan.templates
        ],
    )
    versions = Table(
        "Template versions",
        ("template", "version", "projects", "evaluated", "mean pass rate"),
        [
            (
                v.template,
                v.version,
                str(v.projects),
                str(v.evaluated),
                "n/a" if v.mean_pass_rate is None else f"{v.mean_pass_rate:.1%}",
            )
            for v in scan.versions
        ],
        numeric_from=2,
    )
    summaries = [templates, versions]
    if scan.problems:
        summaries.append(
            Table(
                "Folders not scanned",
                ("path", "problem", "detail"),
                [(p.path, p.kind, p.detail) for p in scan.problems],
                numeric_from=3,
            )
        )
    return render_page(
        title="Fleet scan",
        intro=[
            f"{len(scan.projects)} projects under {', '.join(scan.roots)}, "
            f"scanned {scan.scanned_at} by toolkit {scan.toolkit_version}.",
            "Update conflicts come from `toolkit update`'s dry run (unknown without a merge "
            "base); customized files are counted where the project recorded its files' hashes.",
        ],
        columns=_COLUMNS,
        rows=[_row(row) for row in scan.projects],
        summaries=summaries,
        noun="projects",
    )
