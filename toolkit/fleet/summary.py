"""Summary lines of a fleet: one per template and one per template version."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from toolkit.fleet.drift import version_key
from toolkit.fleet.records import ProjectRecord

__all__ = ["TemplateSummary", "VersionSummary", "summarize"]


class TemplateSummary(BaseModel):
    """One template across the fleet."""

    template: str
    shipped_version: str = ""
    projects: int = 0
    behind: int = 0
    customized: int = 0
    evaluated: int = 0
    failing: int = 0
    """Evaluated projects whose last run did not pass every case or had violations."""
    mean_pass_rate: float | None = None
    violations: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    cost: float = 0.0
    with_problems: int = 0


class VersionSummary(BaseModel):
    """One template version across the fleet."""

    template: str
    version: str
    projects: int = 0
    evaluated: int = 0
    mean_pass_rate: float | None = None


def _failing(row: ProjectRecord) -> bool:
    last = row.last_eval
    return last is not None and (last.pass_rate < 1.0 or last.violations > 0 or last.errors > 0)


def summarize(rows: Sequence[ProjectRecord]) -> dict[str, Any]:
    """The ``templates`` and ``versions`` summary lines of ``rows``."""
    by_template: dict[str, list[ProjectRecord]] = {}
    by_version: dict[tuple[str, str], list[ProjectRecord]] = {}
    for row in rows:
        name = row.template or "(unknown)"
        by_template.setdefault(name, []).append(row)
        by_version.setdefault((name, row.template_version or "?"), []).append(row)
    templates = []
    for name in sorted(by_template):
        group = by_template[name]
        evaluated = [r.last_eval for r in group if r.last_eval is not None]
        ledgers = [r.ledger for r in group if r.ledger is not None]
        templates.append(
            TemplateSummary(
                template=name,
                shipped_version=next((r.drift.shipped_version for r in group), ""),
                projects=len(group),
                behind=sum(r.drift.status == "behind" for r in group),
                customized=sum(bool(r.drift.customized_files) for r in group),
                evaluated=len(evaluated),
                failing=sum(_failing(r) for r in group),
                mean_pass_rate=(
                    sum(e.pass_rate for e in evaluated) / len(evaluated) if evaluated else None
                ),
                violations=sum(e.violations for e in evaluated),
                prompt_tokens=sum(led.prompt_tokens for led in ledgers),
                cached_tokens=sum(led.cached_tokens for led in ledgers),
                cost=sum(led.cost for led in ledgers),
                with_problems=sum(bool(r.problems) for r in group),
            )
        )
    versions = []
    for name, version in sorted(by_version, key=lambda k: (k[0], version_key(k[1]))):
        group = by_version[(name, version)]
        evaluated = [r.last_eval for r in group if r.last_eval is not None]
        versions.append(
            VersionSummary(
                template=name,
                version=version,
                projects=len(group),
                evaluated=len(evaluated),
                mean_pass_rate=(
                    sum(e.pass_rate for e in evaluated) / len(evaluated) if evaluated else None
                ),
            )
        )
    return {"templates": templates, "versions": versions}
