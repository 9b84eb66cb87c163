"""`toolkit fleet scan` as a library call: find the projects, read each one's row, summarise."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from toolkit import __version__
from toolkit.fleet.discover import find_projects
from toolkit.fleet.records import ProjectRecord, read_project
from toolkit.fleet.summary import TemplateSummary, VersionSummary, summarize

__all__ = ["FLEET_SCHEMA_VERSION", "FleetProblem", "FleetScan", "scan_fleet", "shipped_versions"]

FLEET_SCHEMA_VERSION = 1
ProgressFn = Callable[[int, int], None]


class FleetProblem(BaseModel):
    """A folder the scan could not walk."""

    path: str
    kind: str
    detail: str


class FleetScan(BaseModel):
    """The fleet as one scan saw it; serialised as the scan's JSON file."""

    schema_version: int = FLEET_SCHEMA_VERSION
    toolkit_version: str = __version__
    scanned_at: str = ""
    roots: list[str] = Field(default_factory=list)
    shipped: dict[str, str] = Field(default_factory=dict)
    projects: list[ProjectRecord] = Field(default_factory=list)
    problems: list[FleetProblem] = Field(default_factory=list)
    templates: list[TemplateSummary] = Field(default_factory=list)
    versions: list[VersionSummary] = Field(default_factory=list)


def shipped_versions() -> dict[str, str]:
    """Template name -> the version this toolkit ships (``cookiecutter.json``)."""
    from toolkit.scaffold.catalog import list_templates

    return {info.name: info.version for info in list_templates()}


def scan_fleet(
    roots: Sequence[Path],
    *,
    shipped: dict[str, str] | None = None,
    progress: ProgressFn | None = None,
    workers: int = 4,
) -> FleetScan:
    """Find every generated project under ``roots`` and read its row.

    Args:
        roots: Folders to search.
        shipped: Template versions to measure drift against (default: the shipped templates).
        progress: Called with (projects read, projects found) as rows are read.
        workers: Threads reading rows (the work is file reads and small parses).

    Returns:
        The scan; unreadable folders and files are recorded in it, never raised.
    """
    versions = shipped_versions() if shipped is None else dict(shipped)
    discovery = find_projects(roots)
    total = len(discovery.projects)
    if progress is not None:
        progress(0, total)
    rows = _read_all(discovery.projects, versions, progress, workers)
    return FleetScan(
        scanned_at=datetime.now(UTC).isoformat(timespec="seconds"),
        roots=[str(root) for root in roots],
        shipped=versions,
        projects=rows,
        problems=[
            FleetProblem(path=p.path, kind=p.kind, detail=p.detail) for p in discovery.problems
        ],
        **summarize(rows),
    )


def _read_all(
    projects: Iterable[Path], shipped: dict[str, str], progress: ProgressFn | None, workers: int
) -> list[ProjectRecord]:
    projects = list(projects)
    total = len(projects)
    rows: list[ProjectRecord] = []
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="scan") as pool:
        for done, row in enumerate(pool.map(lambda p: read_project(p, shipped), projects), 1):
            rows.append(row)
            if progress is not None:
                progress(done, total)
    return rows
