"""`toolkit fleet eval` of 20 projects: one after another, threads, and a Dask LocalCluster.

The fixture (generated once, cached under .bench/fleet/eval-20): five projects of each
template, every suite cut to its first three cases so the three runs fit in minutes, each
project ingested. Every run evaluates a fresh copy on the embedded engine, one case at a
time inside a project, so the executor is the only parallelism: sequential (one thread),
threads (2) and a LocalCluster of 2 worker processes. Results are checked identical case
by case across the three.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleet_fixtures import cached, evaluated_fleet

from toolkit.fleet import EvalOptions, FleetEvalReport, eval_fleet

PER_TEMPLATE = 5
CASES = 3
RECIPE = 1
OPTIONS = EvalOptions(concurrency=1)


def build(folder: Path) -> None:
    evaluated_fleet(folder, PER_TEMPLATE, CASES)


def results(report: FleetEvalReport, root: Path) -> dict[tuple[str, str], str]:
    return {
        (str(Path(p.path).relative_to(root)), case.case_id): case.digest
        for p in report.projects
        for case in p.cases
    }


def run(
    seed: Path, label: str, **how: object
) -> tuple[FleetEvalReport, dict[tuple[str, str], str]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fleet"
        shutil.copytree(seed, root, ignore=shutil.ignore_patterns("reports", ".stamp"))
        report = eval_fleet([root], options=OPTIONS, **how)  # type: ignore[arg-type]
        errors = [p.error for p in report.projects if p.status == "error"]
        assert not errors, errors
        print(
            f"{label:<32}{report.case_runs:>5} case runs in {report.duration_s:6.1f} s: "
            f"{report.cases_per_s:5.2f} cases/s",
            flush=True,
        )
        return report, results(report, root)


def main() -> None:
    seed = cached("eval-20", RECIPE, build)
    base, expected = run(seed, "sequential (1 thread)", executor="threads", workers=1)
    threads, got = run(seed, "threads (2)", executor="threads", workers=2)
    assert got == expected, "threads differ from sequential"
    print(f"threads vs sequential: {threads.cases_per_s / base.cases_per_s:.2f}x")
    if importlib.util.find_spec("distributed") is None:
        print("Dask LocalCluster: skipped (pip install '.[fleet]')")
        return
    dask, got = run(seed, "Dask LocalCluster (2 workers)", executor="dask", workers=2)
    assert got == expected, "Dask differs from sequential"
    print(f"LocalCluster vs sequential: {dask.cases_per_s / base.cases_per_s:.2f}x")


if __name__ == "__main__":
    main()
