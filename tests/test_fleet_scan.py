"""Scan a fleet of generated projects of every template, with the folders a real disk holds."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from toolkit.evals import run_suite, write_reports
from toolkit.evals.testing import ScriptedAsk
from toolkit.fleet import FleetScan, ProjectRecord, render_scan_html, scan_fleet
from toolkit.fleet.command import scan_json
from toolkit.fleet.discover import PROVENANCE_FILE
from toolkit.scaffold import list_templates
from toolkit.tokens import Ledger, LedgerRow

TEMPLATES = ("auto", "energy", "finance", "manufacturing")


def _copy(rendered: Callable[[str], Path], name: str, dest: Path) -> Path:
    shutil.copytree(rendered(name), dest)
    return dest


def _edit_provenance(project: Path, **changes: object) -> None:
    path = project / PROVENANCE_FILE
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record.update(changes)
    path.write_text(yaml.safe_dump(record), encoding="utf-8")


def _hashes(project: Path) -> dict[str, str]:
    return {
        p.relative_to(project).as_posix(): "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(project.rglob("*"))
        if p.is_file() and ".toolkit" not in p.parts
    }


@pytest.fixture(scope="module")
def fleet(
    rendered_template: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    root = tmp_path_factory.mktemp("fleet")
    for name in TEMPLATES:
        _copy(rendered_template, name, root / "current" / name)
    # Evaluated (on a scripted agent) with a ledger: the report's and ledger's figures.
    evaluated = root / "current" / "finance"
    report = run_suite(evaluated, concurrency=1, ask=ScriptedAsk({}), cache_bound=lambda b: None)
    write_reports(report, evaluated / "reports")
    ledger = Ledger(evaluated / ".toolkit" / "ledger.sqlite")
    ledger.record(LedgerRow("local", "m", "ok", prompt_tokens=100, cached_tokens=40, cost=0.5))
    ledger.record(LedgerRow("local", "m", "EndpointUnavailableError", prompt_tokens=7))
    ledger.close()
    # Stale: made by an older template release.
    _edit_provenance(
        _copy(rendered_template, "energy", root / "stale" / "energy"), template_version="0.0.1"
    )
    # Customized: provenance holds file hashes; the customer edited one file, deleted another.
    custom = _copy(rendered_template, "auto", root / "custom" / "auto")
    _edit_provenance(custom, files=_hashes(custom))
    (custom / "README.md").write_text("Our own README\n", encoding="utf-8")
    next(iter(sorted((custom / "knowledge").iterdir()))).unlink()
    # Broken: toolkit.yaml does not parse; and a project whose report is corrupt.
    broken = _copy(rendered_template, "manufacturing", root / "broken" / "manufacturing")
    (broken / "toolkit.yaml").write_text("project: [unclosed\n", encoding="utf-8")
    corrupt = _copy(rendered_template, "finance", root / "broken" / "corrupt-report")
    (corrupt / "reports").mkdir()
    (corrupt / "reports" / "report.json").write_text("{not json", encoding="utf-8")
    # Foreign folders: files, a toolkit.yaml without provenance, a link back to the root.
    (root / "foreign" / "notes").mkdir(parents=True)
    (root / "foreign" / "notes" / "todo.txt").write_text("buy milk\n")
    (root / "foreign" / "lookalike").mkdir()
    (root / "foreign" / "lookalike" / "toolkit.yaml").write_text("project: {}\n")
    (root / "foreign" / "back").symlink_to(root, target_is_directory=True)
    return root


def _snapshot(root: Path) -> list[tuple[str, int, int]]:
    return sorted(
        (str(p), p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if not p.is_symlink()
    )


@pytest.fixture(scope="module")
def scan(fleet: Path) -> FleetScan:
    before = _snapshot(fleet)
    result = scan_fleet([fleet])
    assert _snapshot(fleet) == before, "a scan must not write into the projects"
    return result


def _row(scan: FleetScan, relative: str) -> ProjectRecord:
    rows = [r for r in scan.projects if r.path.endswith(relative)]
    assert len(rows) == 1, [r.path for r in scan.projects]
    return rows[0]


def test_finds_every_generated_project_and_nothing_else(scan: FleetScan, fleet: Path) -> None:
    found = sorted(Path(r.path).relative_to(fleet).as_posix() for r in scan.projects)
    assert found == [
        "broken/corrupt-report",
        "broken/manufacturing",
        "current/auto",
        "current/energy",
        "current/finance",
        "current/manufacturing",
        "custom/auto",
        "stale/energy",
    ]
    assert [(p.kind, Path(p.path).name) for p in scan.problems] == [("symlink-loop", "back")]


def test_rows_carry_template_and_drift(scan: FleetScan) -> None:
    shipped = {t.name: t.version for t in list_templates()}
    for name in TEMPLATES:
        row = _row(scan, f"current/{name}")
        assert (row.template, row.template_version) == (name, shipped[name])
        assert row.drift.status == "current"
        assert row.drift.customized_files == 0  # provenance records every file's hash
        assert row.drift.update_conflicts == 0  # nothing to update
    stale = _row(scan, "stale/energy")
    assert (stale.drift.status, stale.drift.recorded_version) == ("behind", "0.0.1")
    assert stale.drift.shipped_version == shipped["energy"]
    assert stale.drift.update_conflicts is None  # 0.0.1 was never shipped: no merge base
    assert _row(scan, "custom/auto").drift.customized_files == 2


def test_last_evaluation_and_ledger_totals(scan: FleetScan, fleet: Path) -> None:
    report = json.loads((fleet / "current/finance/reports/report.json").read_text())
    row = _row(scan, "current/finance")
    assert row.last_eval is not None
    assert row.last_eval.cases == report["aggregates"]["cases"] > 0
    assert row.last_eval.pass_rate == report["aggregates"]["pass_rate"]
    assert row.last_eval.when == report["info"]["started_at"]
    assert row.ledger is not None
    assert (row.ledger.calls, row.ledger.errors) == (2, 1)
    assert (row.ledger.prompt_tokens, row.ledger.cached_tokens, row.ledger.cost) == (107, 40, 0.5)
    assert row.problems == []


def test_broken_projects_are_rows_with_their_problem(scan: FleetScan) -> None:
    broken = _row(scan, "broken/manufacturing")
    assert broken.template == "manufacturing"
    assert any("toolkit.yaml" in p for p in broken.problems), broken.problems
    corrupt = _row(scan, "broken/corrupt-report")
    assert corrupt.last_eval is None
    assert any("report.json: unreadable report" in p for p in corrupt.problems)
    missing = _row(scan, "current/energy")
    assert missing.last_eval is None
    assert any("no evaluation report yet" in p for p in missing.problems)


def test_summaries_per_template_and_version(scan: FleetScan) -> None:
    by_template = {t.template: t for t in scan.templates}
    assert sorted(by_template) == sorted(TEMPLATES)
    assert (by_template["energy"].projects, by_template["energy"].behind) == (2, 1)
    assert by_template["auto"].customized == 1
    assert by_template["finance"].evaluated == 1
    assert by_template["finance"].cost == 0.5
    versions = {(v.template, v.version): v.projects for v in scan.versions}
    assert versions[("energy", "0.0.1")] == 1
    assert sum(versions.values()) == len(scan.projects)


def test_json_round_trips_and_html_escapes(scan: FleetScan) -> None:
    again = FleetScan.model_validate_json(scan_json(scan))
    assert again == scan
    hostile = scan.model_copy(deep=True)
    hostile.projects[0].name = "<script>alert(1)</script>"
    page = render_scan_html(hostile)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "http://" not in page and "https://" not in page  # nothing to fetch
