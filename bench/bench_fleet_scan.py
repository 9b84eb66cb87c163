"""`toolkit fleet scan` over 1,000 projects, against walking the tree and reading provenance.

The fixture (generated once, cached under .bench/fleet/scan-1000): ten customer folders of
100 projects each, every project holding a real rendered project's toolkit.yaml and
.toolkit/answers.yaml (the four templates in turn; every tenth made by an older release) and
a real evaluation's report.json and token ledger. The baseline is the least a scan must do:
`os.walk` the tree and read and parse each provenance file. Both are timed in this run.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleet_fixtures import TEMPLATES, cached, render

from toolkit.fleet import scan_fleet

PROJECTS = 1000
RECIPE = 1
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def build(folder: Path) -> None:
    from toolkit.fleet import EvalOptions, evaluate_one
    from toolkit.retrieval import ingest_project

    with tempfile.TemporaryDirectory() as tmp:
        sources = {t: render(t, Path(tmp), f"Seed {t}") for t in TEMPLATES}
        evaluated = sources["finance"]
        ingest_project(evaluated)
        outcome = evaluate_one(str(evaluated), EvalOptions())
        assert outcome.status != "error", outcome.error
        for number in range(PROJECTS):
            template = TEMPLATES[number % len(TEMPLATES)]
            source = sources[template]
            project = folder / f"customer-{number // 100:02d}" / f"project-{number:04d}"
            (project / ".toolkit").mkdir(parents=True)
            (project / "reports").mkdir()
            shutil.copy2(source / "toolkit.yaml", project / "toolkit.yaml")
            answers = (source / ".toolkit" / "answers.yaml").read_text(encoding="utf-8")
            if number % 10 == 0:
                answers = answers.replace("template_version: ", "template_version: 0.0.")
            (project / ".toolkit" / "answers.yaml").write_text(answers, encoding="utf-8")
            shutil.copy2(evaluated / "reports" / "report.json", project / "reports")
            shutil.copy2(evaluated / ".toolkit" / "ledger.sqlite", project / ".toolkit")


def walk_baseline(root: Path) -> int:
    found = 0
    for folder, dirs, files in os.walk(root):
        if "answers.yaml" in files and folder.endswith(".toolkit"):
            text = (Path(folder) / "answers.yaml").read_text(encoding="utf-8")
            found += isinstance(yaml.load(text, Loader=_Loader), dict)
            dirs[:] = []
    return found


def best_of(runs: int, action: object) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    root = cached("scan-1000", RECIPE, build)
    scan = scan_fleet([root])
    assert len(scan.projects) == PROJECTS, len(scan.projects)
    assert sum(row.drift.status == "behind" for row in scan.projects) == PROJECTS // 10
    assert walk_baseline(root) == PROJECTS
    baseline = best_of(3, lambda: walk_baseline(root))
    threaded = best_of(3, lambda: scan_fleet([root]))
    sequential = best_of(1, lambda: scan_fleet([root], workers=1))
    print(f"os.walk + read and parse {PROJECTS} provenance files: {baseline:.2f} s")
    print(
        f"fleet scan of {PROJECTS} projects (4 threads): {threaded:.2f} s "
        f"({threaded / baseline:.1f}x the walk; {threaded / PROJECTS * 1000:.2f} ms per project)"
    )
    print(f"fleet scan, one thread: {sequential:.2f} s ({sequential / baseline:.1f}x the walk)")


if __name__ == "__main__":
    main()
