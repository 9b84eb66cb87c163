"""Fleets for the fleet benchmarks, generated once and cached under .bench/fleet/.

Each fixture folder carries a stamp (the fixture's recipe version and the toolkit version);
a missing or different stamp rebuilds it.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from toolkit import __version__  # noqa: E402

CACHE = REPO / ".bench" / "fleet"
TEMPLATES = ("auto", "energy", "finance", "manufacturing")


def cached(name: str, recipe: int, build: Callable[[Path], None]) -> Path:
    """The fixture folder ``name``, built by ``build`` unless a matching one is cached."""
    folder = CACHE / name
    stamp = f"{recipe} {__version__}\n"
    marker = folder / ".stamp"
    if marker.is_file() and marker.read_text(encoding="utf-8") == stamp:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    staging = CACHE / f".{name}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    print(f"building the {name} fixture once (cached in {folder}) ...", flush=True)
    build(staging)
    (staging / ".stamp").write_text(stamp, encoding="utf-8")
    staging.rename(folder)
    return folder


def render(template: str, out: Path, name: str) -> Path:
    """A project of ``template`` called ``name`` under ``out``."""
    from toolkit.scaffold import create_project

    return create_project(template, output_dir=out, provided={"project_name": name}).project_dir


def trim_cases(project: Path, keep: int) -> None:
    """Keep the first ``keep`` evaluation cases."""
    cases = project / "evals" / "cases.yaml"
    data = yaml.safe_load(cases.read_text(encoding="utf-8"))
    data["cases"] = data["cases"][:keep]
    cases.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def evaluated_fleet(folder: Path, per_template: int, cases: int | None) -> None:
    """``per_template`` projects of every template (cases trimmed), ingested and evaluated."""
    from toolkit.fleet import EvalOptions, eval_fleet
    from toolkit.retrieval import ingest_project

    for template in TEMPLATES:
        for number in range(per_template):
            project = render(template, folder, f"Customer {number:02d} {template}")
            if cases is not None:
                trim_cases(project, cases)
            ingest_project(project)
    report = eval_fleet([folder], executor="processes", workers=2, options=EvalOptions())
    assert report.ok or all(p.status != "error" for p in report.projects), report.projects
