"""The fleet: see and evaluate many generated projects, on one machine or a Dask cluster.

- `scan_fleet` finds every generated project under some folders and reads, without running
  or writing anything, its template and drift, its last evaluation and its ledger totals.
- `eval_fleet` evaluates them on a pluggable `concurrent.futures` executor (threads,
  processes, or Dask ``distributed``), resumable, with one fleet report.
- `simulate_reuse` replays the fleet's recorded traces over several endpoints to compare the
  token client's affinity routing with round robin against the ideal prefix cache.
"""

from toolkit.fleet.cache_reuse import ReuseResult, fleet_requests, simulate_reuse
from toolkit.fleet.discover import Discovery, ScanProblem, find_projects
from toolkit.fleet.drift import Drift, project_drift
from toolkit.fleet.eval_page import render_eval_html
from toolkit.fleet.evaluate import (
    CaseOutcome,
    EvalOptions,
    FleetEvalReport,
    ProjectOutcome,
    eval_fleet,
    evaluate_one,
)
from toolkit.fleet.executors import EXECUTORS, open_executor
from toolkit.fleet.records import LastEval, LedgerTotals, ProjectRecord, read_project
from toolkit.fleet.scan import FleetScan, scan_fleet, shipped_versions
from toolkit.fleet.scan_page import render_scan_html

__all__ = [
    "EXECUTORS",
    "CaseOutcome",
    "Discovery",
    "Drift",
    "EvalOptions",
    "FleetEvalReport",
    "FleetScan",
    "LastEval",
    "LedgerTotals",
    "ProjectOutcome",
    "ProjectRecord",
    "ReuseResult",
    "ScanProblem",
    "eval_fleet",
    "evaluate_one",
    "find_projects",
    "fleet_requests",
    "open_executor",
    "project_drift",
    "read_project",
    "render_eval_html",
    "render_scan_html",
    "scan_fleet",
    "shipped_versions",
    "simulate_reuse",
]
