"""One project's row in the fleet: provenance, drift, last evaluation and ledger totals.

Everything is read, nothing is run or written: a scan of a fleet changes no project. A file
that cannot be read becomes a problem on the project's row, never an exception.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from toolkit.config import CONFIG_FILE, ProjectConfig
from toolkit.errors import ToolkitError
from toolkit.evals.summary import SCHEMA_VERSION, Aggregates, RunInfo
from toolkit.fleet.discover import PROVENANCE_FILE
from toolkit.fleet.drift import Drift, project_drift

__all__ = ["LastEval", "LedgerTotals", "ProjectRecord", "read_ledger_totals", "read_project"]


class LastEval(BaseModel):
    """The figures of a project's latest ``report.json``."""

    when: str = ""
    model: str = ""
    endpoint: str = ""
    template_version: str = ""
    cases: int = 0
    runs: int = 0
    pass_rate: float = 0.0
    violations: int = 0
    errors: int = 0
    cache_efficiency: float | None = None
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0

    @classmethod
    def from_report(cls, info: RunInfo, agg: Aggregates) -> LastEval:
        """The row's figures from a report's run info and aggregates."""
        return cls(
            when=info.started_at,
            model=info.model,
            endpoint=info.endpoint,
            template_version=info.template_version,
            cases=agg.cases,
            runs=agg.runs,
            pass_rate=agg.pass_rate,
            violations=agg.violations,
            errors=agg.errors,
            cache_efficiency=agg.cache_efficiency,
            prompt_tokens=agg.prompt_tokens,
            cached_tokens=agg.cached_tokens,
            completion_tokens=agg.completion_tokens,
            cost=agg.cost,
        )


class LedgerTotals(BaseModel):
    """Sums over every call in a project's token ledger."""

    calls: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0


class ProjectRecord(BaseModel):
    """What the fleet knows about one generated project."""

    path: str
    name: str = ""
    template: str = ""
    template_version: str = ""
    toolkit_version: str = ""
    drift: Drift = Field(default_factory=lambda: Drift(status="unknown"))
    last_eval: LastEval | None = None
    ledger: LedgerTotals | None = None
    problems: list[str] = Field(default_factory=list)


def _read_provenance(project: Path, record: ProjectRecord) -> dict[str, Any]:
    path = project / PROVENANCE_FILE
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        record.problems.append(f"{path}: unreadable provenance ({type(exc).__name__})")
        return {}
    if not isinstance(data, dict):
        record.problems.append(f"{path}: provenance is not a mapping")
        return {}
    record.template = str(data.get("template", ""))
    record.template_version = str(data.get("template_version", ""))
    record.toolkit_version = str(data.get("toolkit_version", ""))
    answers = data.get("answers")
    if isinstance(answers, dict):
        record.name = str(answers.get("project_name", ""))
    return data


def _read_report(path: Path, record: ProjectRecord) -> None:
    if not path.is_file():
        record.problems.append(f"{path}: no evaluation report yet (run `toolkit eval`)")
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
            record.problems.append(f"{path}: not a report of schema {SCHEMA_VERSION}")
            return
        # Only the header: validating every case of a thousand reports would dominate a scan.
        info = RunInfo.model_validate(data.get("info", {}))
        agg = Aggregates.model_validate(data.get("aggregates", {}))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
        record.problems.append(f"{path}: unreadable report ({type(exc).__name__})")
        return
    record.last_eval = LastEval.from_report(info, agg)


def read_ledger_totals(path: Path) -> LedgerTotals:
    """Totals of a ledger, opened read-only (the file, its journal and WAL are left as found).

    Raises:
        sqlite3.Error: the file is not a ledger.
    """
    # Without a write-ahead log beside it the file holds every committed row, and
    # `immutable` reads it without creating the -wal/-shm files a read-only open would add.
    wal = path.with_name(path.name + "-wal").exists()
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("" if wal else "&immutable=1")
    with sqlite3.connect(uri, uri=True) as conn:
        row = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(status NOT IN ('ok', 'cache_hit')), 0),"
            " COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(cached_tokens), 0),"
            " COALESCE(SUM(completion_tokens), 0), TOTAL(cost) FROM calls"
        ).fetchone()
    conn.close()
    return LedgerTotals(
        calls=row[0],
        errors=row[1],
        prompt_tokens=row[2],
        cached_tokens=row[3],
        completion_tokens=row[4],
        cost=float(row[5]),
    )


def _load_config(project: Path) -> ProjectConfig:
    """The project's configuration, parsed by LibYAML when it is valid.

    `ProjectConfig.load` composes the file twice in pure Python to give line numbers, about
    60 ms a project; a fleet of a thousand would spend a minute on it. Only an invalid file
    takes that path, for its precise message (file, key and line).
    """
    try:
        data = yaml.load((project / CONFIG_FILE).read_text(encoding="utf-8"), Loader=_Loader)
        return ProjectConfig.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError):
        return ProjectConfig.load(project, environ={})


def read_project(project: Path, shipped: Mapping[str, str]) -> ProjectRecord:
    """Read one project's row; problems are recorded on the row, never raised.

    Args:
        project: The project's folder (holding ``.toolkit/answers.yaml``).
        shipped: Template name -> version shipped with this toolkit.
    """
    record = ProjectRecord(path=str(project))
    provenance = _read_provenance(project, record)
    record.drift = project_drift(project, provenance, shipped)
    try:
        config: ProjectConfig | None = _load_config(project)
    except ToolkitError as exc:
        record.problems.append(str(exc))
        config = None
    report_dir = config.evaluation.report_dir if config is not None else "reports"
    _read_report(project / report_dir / "report.json", record)
    if config is not None:
        record.name = config.project.name
        ledger = config.token_service.ledger
        if ledger is not None and (project / ledger).is_file():
            try:
                record.ledger = read_ledger_totals(project / ledger)
            except sqlite3.Error as exc:
                record.problems.append(f"{project / ledger}: unreadable ledger ({exc})")
    return record


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
