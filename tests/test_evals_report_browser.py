"""Open a real evaluation report in headless Chromium: a report people look at must render."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit.agent import AgentResult
from toolkit.evals import run_suite, write_reports
from toolkit.evals.testing import ScriptedAsk, write_project

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


@pytest.fixture
def report_html(tmp_path: Path) -> Path:
    cases = (
        "cases:\n"
        "  - id: greets\n    request: say hello\n    expect: {answer_contains: [hello]}\n"
        "  - id: fails\n    request: say bye\n    expect: {answer_contains: [hello]}\n"
    )
    project = write_project(tmp_path / "proj", cases=cases)
    script = {
        "greets": AgentResult(answer="hello there"),
        "fails": AgentResult(answer="goodbye"),
    }
    ask = ScriptedAsk(script)
    report = run_suite(project, concurrency=1, ask=ask, cache_bound=lambda b: None)
    return write_reports(report, tmp_path / "reports")["html"]


def _chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={cwd / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


def test_report_renders_its_summary_in_chromium(report_html: Path, tmp_path: Path) -> None:
    dom = _chromium("--dump-dom", report_html.as_uri(), cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "greets" in dom.stdout and "fails" in dom.stdout
    assert "pass rate" in dom.stdout.lower()
    assert "<svg" in dom.stdout
    shot = tmp_path / "report.png"
    result = _chromium(
        f"--screenshot={shot}", "--window-size=1280,1600", report_html.as_uri(), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000  # a blank page compresses to far less
