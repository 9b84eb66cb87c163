from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from toolkit.errors import TraceError
from toolkit.evals.testing import write_project
from toolkit.fleet import ReuseResult, fleet_requests, simulate_reuse
from toolkit.fleet.cache_reuse import TracedRequest
from toolkit.tokens import affinity_key

CASES = "cases:\n  - {id: a, request: hi, expect: {answer_contains: [hi]}}\n"


def _tools(template: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": f"{template}_tool_{n}",
                "description": f"Tool {n} of the {template} pack. " + "It computes a figure. " * 30,
                "parameters": {"type": "object", "properties": {"x": {"type": "number"}}},
            },
        }
        for n in range(3)
    ]


def _bodies(template: str, project: str) -> list[dict[str, Any]]:
    """Two sessions of two turns each: turn two extends turn one (append-only history)."""
    system = {"role": "system", "content": f"You are the {project} assistant. " * 5}
    bodies = []
    for session in range(2):
        first = [system, {"role": "user", "content": f"question {session} " * 12}]
        second = [
            *first,
            {"role": "assistant", "content": "an answer " * 12},
            {"role": "user", "content": "and a follow-up " * 8},
        ]
        for messages in (first, second):
            core = {"model": "m", "tools": _tools(template), "messages": messages}
            bodies.append({**core, "prompt_cache_key": affinity_key(core)})
    return bodies


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("traces")
    projects = []
    for template in ("lending", "grid"):
        for number in range(3):
            name = f"{template}-{number}"
            project = write_project(root / name, cases=CASES, name=name)
            (project / "reports").mkdir()
            with (project / "reports" / "trace.jsonl").open("w", encoding="utf-8") as out:
                for body in _bodies(template, name):
                    out.write(json.dumps(body) + "\n")
            projects.append(project)
    return projects


@pytest.fixture(scope="module")
def requests(fleet: list[Path]) -> list[TracedRequest]:
    return fleet_requests(fleet)


@pytest.fixture(scope="module")
def results(requests: list[TracedRequest]) -> dict[tuple[int, str], ReuseResult]:
    return {(r.endpoints, r.routing): r for r in simulate_reuse(requests)}


def test_requests_interleave_projects_and_keep_each_projects_order(
    requests: list[TracedRequest], fleet: list[Path]
) -> None:
    assert len(requests) == 6 * 4
    first_round = [r.origin for r in requests[:6]]
    assert first_round == [f"{p / 'reports' / 'trace.jsonl'}:1" for p in fleet]
    assert requests[6].origin.endswith(f"{fleet[0].name}/reports/trace.jsonl:2")


def test_one_endpoint_reaches_the_ideal_whatever_the_routing(
    results: dict[tuple[int, str], ReuseResult],
) -> None:
    affinity, robin = results[(1, "affinity")], results[(1, "round-robin")]
    assert affinity.hit_tokens == robin.hit_tokens == affinity.ideal_hit_tokens > 0
    assert affinity.ratio == 1.0


@pytest.mark.parametrize("endpoints", [4, 16])
def test_affinity_keeps_more_of_the_ideal_than_round_robin(
    results: dict[tuple[int, str], ReuseResult], endpoints: int
) -> None:
    affinity, robin = results[(endpoints, "affinity")], results[(endpoints, "round-robin")]
    assert (
        affinity.ideal_hit_tokens
        == robin.ideal_hit_tokens
        == results[(1, "affinity")].ideal_hit_tokens
    )
    assert robin.ratio < affinity.ratio <= 1.0
    assert sum(robin.per_endpoint_requests) == sum(affinity.per_endpoint_requests) == 24
    # Affinity sends every request of a project to one endpoint: at most six are used.
    assert sum(1 for count in affinity.per_endpoint_requests if count) <= 6


def test_a_cache_too_small_for_one_block_hits_nothing(requests: list[TracedRequest]) -> None:
    (result,) = simulate_reuse(requests, endpoints=[4], routings=["affinity"], capacity_tokens=8)
    assert result.hit_tokens == 0
    assert result.ideal_hit_tokens > 0


def test_a_bad_trace_line_names_its_file_and_line(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", cases=CASES)
    (project / "reports").mkdir()
    trace = project / "reports" / "trace.jsonl"
    trace.write_text('{"model": "m", "messages": [{"role": "user", "content": "x"}]}\n{oops\n')
    with pytest.raises(TraceError) as info:
        fleet_requests([project])
    assert f"{trace}:2: invalid JSON" in str(info.value)
    trace.write_text('{"model": "m", "messages": [{"role": "wizard", "content": "x"}]}\n')
    with pytest.raises(TraceError) as info:
        fleet_requests([project])
    assert f"{trace}:1: " in str(info.value) and "role" in str(info.value)


def test_unknown_routing_and_endpoint_counts_are_refused(requests: list[TracedRequest]) -> None:
    with pytest.raises(TraceError, match="unknown routing"):
        simulate_reuse(requests, routings=["random"])
    with pytest.raises(TraceError, match="at least 1"):
        simulate_reuse(requests, endpoints=[0])
