from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from toolkit.evals.summary import Aggregates
from toolkit.scaffold import get_template, render_project, resolve_answers
from toolkit.scaffold.provenance import read_provenance
from toolkit.update import TemplateShelf, freeze_release
from toolkit.update.command import run_update
from toolkit.update.gate import GateResult, _regressions

FAILING_CASE = """
  - id: template-next-impossible
    request: What is the monthly payment on a 100,000 loan at 5% over 10 years?
    role: customer_service
    expect:
      answer_contains: ["this text is never in an answer"]
"""


def test_regressions_are_pass_rate_violations_and_cache_efficiency() -> None:
    before = Aggregates(pass_rate=1.0, violations=0, cache_efficiency=0.99, cost=0.01)
    assert _regressions(before, before) == []
    cheaper = before.model_copy(update={"cost": 0.02, "cache_efficiency": 0.98})
    assert _regressions(before, cheaper) == []  # within tolerance; cost is reported only
    worse = before.model_copy(update={"pass_rate": 0.9, "violations": 2, "cache_efficiency": 0.5})
    found = _regressions(before, worse)
    assert len(found) == 3 and "pass rate fell from 100.0% to 90.0%" in found[0]


def test_gate_deltas_name_each_metric() -> None:
    before = Aggregates(pass_rate=1.0, violations=0, cache_efficiency=1.0, cost=0.5)
    gate = GateResult(
        before=before, after=before.model_copy(update={"cost": 0.75}), report_dir=Path()
    )
    assert gate.deltas()["cost"] == {"before": 0.5, "after": 0.75, "change": 0.25}
    assert gate.ok


@pytest.mark.slow
def test_an_update_that_regresses_exits_1_and_stays_applied(tmp_path: Path) -> None:
    current = get_template("finance")
    root = tmp_path / "templates"
    folder = root / "finance"
    shutil.copytree(current.path, folder, symlinks=False)
    spec = folder / "cookiecutter.json"
    context = json.loads(spec.read_text(encoding="utf-8"))
    major, minor, patch = current.version.split(".")
    newer = f"{major}.{minor}.{int(patch) + 1}"
    context["_toolkit"]["version"] = newer
    spec.write_text(json.dumps(context), encoding="utf-8")
    cases = folder / "{{cookiecutter.project_slug}}" / "evals" / "cases.yaml"
    cases.write_text(cases.read_text(encoding="utf-8").rstrip("\n") + "\n" + FAILING_CASE)
    freeze_release(current, root / "_releases")
    shelf = TemplateShelf(root)
    project = render_project(current, resolve_answers(current, {}), tmp_path / "out").project_dir

    console = Console(record=True, width=160)
    status = run_update(project, console, evaluate=True, shelf=shelf)
    text = console.export_text()
    assert status == 1
    assert "REGRESSION: pass rate fell from 100.0%" in text
    assert "--revert" in text
    assert read_provenance(project).template_version == newer  # stays
    assert "template-next-impossible" in (project / "evals" / "cases.yaml").read_text()
    assert (project / ".toolkit" / "update-eval" / "after" / "report.json").is_file()

    console = Console(record=True, width=160)
    assert run_update(project, console, revert=True) == 0
    assert read_provenance(project).template_version == current.version
