"""The fleet: see and evaluate many generated projects, on one machine or a Dask cluster."""

from toolkit.fleet.discover import Discovery, ScanProblem, find_projects
from toolkit.fleet.drift import Drift, project_drift
from toolkit.fleet.records import LastEval, LedgerTotals, ProjectRecord, read_project
from toolkit.fleet.scan import FleetScan, scan_fleet, shipped_versions
from toolkit.fleet.scan_page import render_scan_html

__all__ = [
    "Discovery",
    "Drift",
    "FleetScan",
    "LastEval",
    "LedgerTotals",
    "ProjectRecord",
    "ScanProblem",
    "find_projects",
    "project_drift",
    "read_project",
    "render_scan_html",
    "scan_fleet",
    "shipped_versions",
]
