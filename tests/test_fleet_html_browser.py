"""Open the fleet pages in headless Chromium: rows sort and filter as the fragment asks."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit.fleet import (
    Drift,
    FleetEvalReport,
    FleetScan,
    LastEval,
    ProjectOutcome,
    ProjectRecord,
    render_eval_html,
    render_scan_html,
)
from toolkit.fleet.drift import DriftStatus
from toolkit.fleet.summary import summarize

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not installed: `apt-get install chromium` (Debian) enables this test; "
    ".ci/run installs it",
)


def _record(
    name: str, template: str, status: DriftStatus, pass_rate: float | None
) -> ProjectRecord:
    return ProjectRecord(
        path=f"/fleet/{name}",
        name=name,
        template=template,
        template_version="0.1.0",
        drift=Drift(status=status, recorded_version="0.1.0", shipped_version="0.2.0"),
        last_eval=None if pass_rate is None else LastEval(cases=4, runs=4, pass_rate=pass_rate),
    )


@pytest.fixture
def scan_page(tmp_path: Path) -> Path:
    rows = [
        _record("alpha-bank", "finance", "behind", 0.5),
        _record("beta-grid", "energy", "current", 1.0),
        _record("gamma-bank", "finance", "current", 0.75),
        _record("delta-grid", "energy", "behind", None),
    ]
    scan = FleetScan(roots=["/fleet"], projects=rows, **summarize(rows))
    page = tmp_path / "scan.html"
    page.write_text(render_scan_html(scan), encoding="utf-8")
    return page


def _dom(page: Path, fragment: str, cwd: Path) -> str:
    assert CHROMIUM is not None
    result = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={cwd / 'profile'}",
            "--dump-dom",
            page.as_uri() + fragment,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _rows(dom: str) -> list[tuple[str, bool]]:
    """(project name, shown) for each body row, in document order."""
    body = dom.split("<tbody>")[-1]
    rows = re.findall(r"<tr( hidden=\"\")?>(.*?)</tr>", body, flags=re.S)
    names = []
    for hidden, cells in rows:
        name = re.search(r'data-key="project"[^>]*>([^<]*)<', cells)
        assert name is not None
        names.append((name.group(1), not hidden))
    return names


def test_sorts_by_the_fragment_column(scan_page: Path, tmp_path: Path) -> None:
    dom = _dom(scan_page, "#sort=pass_rate:desc", tmp_path)
    assert [name for name, _ in _rows(dom)] == [
        "beta-grid",
        "gamma-bank",
        "alpha-bank",
        "delta-grid",  # not evaluated sorts last
    ]
    assert 'aria-sort="descending"' in dom
    dom = _dom(scan_page, "#sort=project:asc", tmp_path)
    assert [name for name, _ in _rows(dom)] == [
        "alpha-bank",
        "beta-grid",
        "delta-grid",
        "gamma-bank",
    ]


def test_filters_hide_rows_and_count_what_is_shown(scan_page: Path, tmp_path: Path) -> None:
    dom = _dom(scan_page, "#template=finance&drift=behind", tmp_path)
    assert [name for name, shown in _rows(dom) if shown] == ["alpha-bank"]
    assert re.search(r'<span id="shown">1 of 4</span>', dom)
    dom = _dom(scan_page, "#q=GRID", tmp_path)
    assert [name for name, shown in _rows(dom) if shown] == ["beta-grid", "delta-grid"]
    dom = _dom(scan_page, "#health=not%20evaluated", tmp_path)
    assert [name for name, shown in _rows(dom) if shown] == ["delta-grid"]


def test_fleet_eval_page_renders(tmp_path: Path) -> None:
    report = FleetEvalReport(
        executor="dask",
        projects=[
            ProjectOutcome(path="/fleet/a", name="a-desk", status="passed"),
            ProjectOutcome(path="/fleet/b", name="b-desk", status="error", error="boom <b>"),
        ],
    )
    page = tmp_path / "eval.html"
    page.write_text(render_eval_html(report), encoding="utf-8")
    dom = _dom(page, "#status=error", tmp_path)
    assert [name for name, shown in _rows(dom) if shown] == ["b-desk"]
    assert "boom &lt;b&gt;" in dom
