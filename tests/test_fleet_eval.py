"""Evaluate a small fleet of generated projects of every template on each executor.

The projects are the real packs rendered once per session, each cut to two evaluation
cases (a customer may trim their suite too) and ingested once; every test copies them.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from toolkit.fleet import EvalOptions, FleetEvalReport, eval_fleet, open_executor
from toolkit.fleet.resume import MARKER_FILE

pytestmark = pytest.mark.slow

TEMPLATES = ("auto", "energy", "finance", "manufacturing")
REPO = Path(__file__).resolve().parent.parent
OPTIONS = EvalOptions(concurrency=2)


@pytest.fixture(scope="session")
def seeds(
    rendered_template: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    from toolkit.retrieval import ingest_project

    root = tmp_path_factory.mktemp("fleet-seeds")
    for name in TEMPLATES:
        project = root / name
        shutil.copytree(rendered_template(name), project)
        cases = project / "evals" / "cases.yaml"
        data = yaml.safe_load(cases.read_text(encoding="utf-8"))
        data["cases"] = data["cases"][:2]
        cases.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        ingest_project(project)
    return root


def _fleet(seeds: Path, dest: Path, *, broken: bool = False) -> Path:
    shutil.copytree(seeds, dest, symlinks=True)
    if broken:
        shutil.copytree(seeds / "finance", dest / "broken")
        (dest / "broken" / "toolkit.yaml").write_text("project: [unclosed\n", encoding="utf-8")
    return dest


def _results(report: FleetEvalReport, root: Path) -> dict[tuple[str, str], tuple[bool, str]]:
    return {
        (Path(p.path).relative_to(root).as_posix(), case.case_id): (case.passed, case.digest)
        for p in report.projects
        for case in p.cases
    }


@pytest.fixture(scope="session")
def threads_run(
    seeds: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, FleetEvalReport]:
    root = _fleet(seeds, tmp_path_factory.mktemp("threads") / "fleet", broken=True)
    return root, eval_fleet([root], executor="threads", workers=2, options=OPTIONS)


def test_threads_evaluate_every_project_and_report_the_broken_one(
    threads_run: tuple[Path, FleetEvalReport],
) -> None:
    root, report = threads_run
    by_name = {Path(p.path).name: p for p in report.projects}
    assert sorted(by_name) == ["auto", "broken", "energy", "finance", "manufacturing"]
    broken = by_name.pop("broken")
    assert broken.status == "error"
    assert broken.error is not None and "toolkit.yaml" in broken.error
    assert broken.template == "finance"  # labelled from its provenance all the same
    for name, outcome in by_name.items():
        assert outcome.status in ("passed", "failed"), outcome.error
        assert outcome.template == name
        assert len(outcome.cases) == 2
        assert outcome.last_eval is not None and outcome.last_eval.runs == 2
        assert (root / name / "reports" / "report.json").is_file()
        assert (root / name / "reports" / MARKER_FILE).is_file()
    assert report.case_runs == 8
    assert not report.ok  # the broken project makes the run fail


def test_resume_skips_projects_whose_report_is_fresh(
    threads_run: tuple[Path, FleetEvalReport],
) -> None:
    root, first = threads_run
    # One project's inputs change; another's report is rewritten by someone else.
    cases = root / "energy" / "evals" / "cases.yaml"
    data = yaml.safe_load(cases.read_text(encoding="utf-8"))
    data["cases"] = data["cases"][:1]
    cases.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report_json = root / "auto" / "reports" / "report.json"
    report = json.loads(report_json.read_text(encoding="utf-8"))
    report["info"]["model"] = "another-model"
    report_json.write_text(json.dumps(report), encoding="utf-8")

    again = eval_fleet([root], executor="threads", workers=2, options=OPTIONS, resume=True)
    resumed = {Path(p.path).name: p.resumed for p in again.projects}
    assert resumed == {
        "auto": False,
        "broken": False,
        "energy": False,
        "finance": True,
        "manufacturing": True,
    }
    energy = next(p for p in again.projects if p.path.endswith("energy"))
    assert len(energy.cases) == 1
    kept = _results(again, root)
    for key, value in _results(first, root).items():
        if key[0] in ("finance", "manufacturing"):
            assert kept[key] == value
    assert again.case_runs == 2 + 1  # auto's two cases and energy's one ran again


def test_processes_give_the_same_results_case_by_case(
    seeds: Path, threads_run: tuple[Path, FleetEvalReport], tmp_path: Path
) -> None:
    root = _fleet(seeds, tmp_path / "fleet", broken=True)
    report = eval_fleet([root], executor="processes", workers=2, options=OPTIONS)
    reference_root, reference = threads_run
    assert _results(report, root) == _results(reference, reference_root)
    assert {p.worker.split(":")[1] for p in report.projects} - {str(os.getpid())}


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", *args], stdout=out, stderr=subprocess.STDOUT, env=env
        )


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    pytest.importorskip(
        "distributed", reason="Dask distributed not installed: pip install '.[fleet]'"
    )
    scheduler_file = tmp_path / "scheduler.json"
    processes = [
        _start(
            [
                "distributed.cli.dask_scheduler",
                "--host=127.0.0.1",
                "--port=0",
                "--no-dashboard",
                f"--scheduler-file={scheduler_file}",
            ],
            tmp_path / "scheduler.log",
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert scheduler_file.is_file(), (tmp_path / "scheduler.log").read_text()
        address = json.loads(scheduler_file.read_text())["address"]
        processes.extend(
            _start(
                [
                    "distributed.cli.dask_worker",
                    address,
                    "--host=127.0.0.1",
                    "--nthreads=1",
                    "--no-dashboard",
                    f"--name=worker-{number}",
                    f"--local-directory={tmp_path / f'worker-{number}'}",
                ],
                tmp_path / f"worker-{number}.log",
            )
            for number in range(2)
        )
        _wait_for_workers(address, 2)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_workers(address: str, count: int) -> None:
    distributed: Any = importlib.import_module("distributed")
    with distributed.Client(address, timeout="30s") as client:
        client.wait_for_workers(count, timeout=120)


def test_a_real_dask_cluster_gives_the_same_results_case_by_case(
    seeds: Path, threads_run: tuple[Path, FleetEvalReport], dask_cluster: str, tmp_path: Path
) -> None:
    root = _fleet(seeds, tmp_path / "fleet", broken=True)
    report = eval_fleet([root], scheduler=dask_cluster, executor="dask", options=OPTIONS)
    reference_root, reference = threads_run
    assert _results(report, root) == _results(reference, reference_root)
    assert [p.status for p in report.projects] == [p.status for p in reference.projects]
    assert report.scheduler == dask_cluster
    pids = {p.worker.split(":")[1] for p in report.projects}
    assert str(os.getpid()) not in pids  # run by the cluster's workers, not here


def test_a_local_dask_cluster_runs_work_in_worker_processes() -> None:
    pytest.importorskip(
        "distributed", reason="Dask distributed not installed: pip install '.[fleet]'"
    )
    with open_executor("dask", workers=1) as pool:
        assert pool.submit(os.getpid).result(timeout=120) != os.getpid()
