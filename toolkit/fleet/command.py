"""What the `toolkit fleet` commands do between parsing and printing (the CLI stays thin)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from toolkit.fleet.console import print_scan
from toolkit.fleet.output import write_atomic
from toolkit.fleet.scan import FleetScan, scan_fleet
from toolkit.fleet.scan_page import render_scan_html

__all__ = ["run_scan", "scan_json"]


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
