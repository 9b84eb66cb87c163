"""What the `toolkit fleet` commands do between parsing and printing (the CLI stays thin)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from toolkit.errors import UsageError
from toolkit.fleet.console import print_scan
from toolkit.fleet.discover import find_projects
from toolkit.fleet.eval_page import print_fleet_eval, render_eval_html
from toolkit.fleet.evaluate import EvalOptions, FleetEvalReport, eval_fleet
from toolkit.fleet.output import write_atomic
from toolkit.fleet.scan import FleetScan, scan_fleet
from toolkit.fleet.scan_page import render_scan_html

if TYPE_CHECKING:
    from toolkit.fleet.cache_reuse import ReuseResult

__all__ = ["eval_json", "parse_counts", "run_cache", "run_eval", "run_scan", "scan_json"]


def scan_json(scan: FleetScan) -> str:
    """The scan's JSON file text."""
    return json.dumps(scan.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def run_scan(
    roots: Sequence[Path], *, json_out: Path | None = None, html_out: Path | None = None
) -> FleetScan:
    """Scan, print the summary, write the requested files; a progress bar on stderr."""
    err = Console(stderr=True, highlight=False)
    with _progress(err) as bar:
        task = bar.add_task("reading projects", total=None)
        scan = scan_fleet(
            roots, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
    console = Console(highlight=False)
    print_scan(console, scan)
    if json_out is not None:
        console.print(f"JSON: {write_atomic(json_out, scan_json(scan))}", markup=False)
    if html_out is not None:
        page = write_atomic(html_out, render_scan_html(scan))
        console.print(f"HTML: {page.resolve()}", markup=False)
    return scan


def eval_json(report: FleetEvalReport) -> str:
    """The fleet evaluation's JSON file text."""
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def run_eval(
    roots: Sequence[Path],
    *,
    out_dir: Path,
    executor: str = "threads",
    scheduler: str | None = None,
    workers: int | None = None,
    options: EvalOptions | None = None,
    resume: bool = False,
) -> FleetEvalReport:
    """Evaluate the fleet with a progress bar, print the totals, write the fleet report."""
    err = Console(stderr=True, highlight=False)
    with _progress(err) as bar:
        task = bar.add_task("evaluating projects", total=None)
        report = eval_fleet(
            roots,
            executor=executor,
            scheduler=scheduler,
            workers=workers,
            options=options,
            resume=resume,
            on_start=lambda total: bar.update(task, total=total),
            on_done=lambda _outcome: bar.advance(task),
        )
    console = Console(highlight=False)
    print_fleet_eval(console, report)
    json_path = write_atomic(out_dir / "fleet-eval.json", eval_json(report))
    html_path = write_atomic(out_dir / "fleet-eval.html", render_eval_html(report))
    console.print(f"Fleet report: {json_path}", markup=False)
    console.print(f"HTML: {html_path.resolve()}", markup=False)
    return report


def parse_counts(text: str) -> list[int]:
    """``"1,4,16"`` -> ``[1, 4, 16]``.

    Raises:
        UsageError: a part is not a whole number of at least 1.
    """
    counts = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise UsageError(f"--endpoints takes counts like 1,4,16; {part!r} is not one")
        counts.append(int(part))
    return counts


def run_cache(
    roots: Sequence[Path],
    *,
    endpoints: str = "1,4,16",
    block_size: int = 16,
    capacity_tokens: int = 1_048_576,
    as_json: bool = False,
) -> list[ReuseResult]:
    """Simulate fleet-level cache reuse and print it as a table or JSON."""
    from toolkit.fleet.cache_reuse import fleet_requests, simulate_reuse

    counts = parse_counts(endpoints)
    discovery = find_projects(roots)
    requests = fleet_requests(discovery.projects)
    results = simulate_reuse(
        requests, endpoints=counts, block_size=block_size, capacity_tokens=capacity_tokens
    )
    console = Console(highlight=False)
    if as_json:
        console.print_json(json.dumps([r.as_dict() for r in results]))
        return results
    table = Table(
        title=f"Prefix-cache reuse: {len(requests)} requests, {len(discovery.projects)} projects"
    )
    for column in ("endpoints", "routing", "achieved hit rate", "ideal", "achieved / ideal"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            str(r.endpoints),
            r.routing,
            f"{r.hit_rate:.1%}",
            f"{r.ideal_rate:.1%}",
            f"{r.ratio:.3f}",
        )
    console.print(table)
    if not requests:
        console.print("No traces found: run `toolkit fleet eval` first.", markup=False)
    return results
