"""`toolkit cache analyze`: replaying a trace against the ideal, per routing policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.engine.analyze import analyze_trace, read_trace
from toolkit.errors import TraceError


def trace_bodies(sessions: int = 4, turns: int = 5) -> list[dict[str, Any]]:
    bodies = []
    for turn in range(turns):
        for session in range(sessions):
            history: list[dict[str, str]] = [
                {
                    "role": "system",
                    "content": f"Session {session} assistant. " + "Policy text. " * 40,
                }
            ]
            for t in range(turn + 1):
                history.append({"role": "user", "content": f"Question {t} of session {session}?"})
                if t < turn:
                    history.append({"role": "assistant", "content": f"Answer {t}."})
            bodies.append({"model": "m", "messages": history})
    return bodies


def test_affinity_beats_round_robin_and_never_beats_ideal() -> None:
    bodies = trace_bodies()
    affinity = analyze_trace(bodies, workers=4, routing="affinity")
    round_robin = analyze_trace(bodies, workers=3, routing="round-robin")
    single = analyze_trace(bodies, workers=1)
    assert single.hit_tokens == single.ideal_hit_tokens > 0
    assert round_robin.hit_tokens < affinity.hit_tokens <= affinity.ideal_hit_tokens
    assert affinity.ratio <= 1.0 and sum(affinity.per_worker_requests) == len(bodies)


def test_cli_reports_json(tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    trace.write_text("\n".join(json.dumps({"body": b}) for b in trace_bodies(2, 3)) + "\n")
    result = CliRunner().invoke(app, ["cache", "analyze", str(trace), "--workers", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["requests"] == 6 and 0 < report["ratio"] <= 1


@pytest.mark.parametrize(
    ("content", "problem"), [("{oops\n", ":1: invalid JSON"), ('{"a": 1}\n', "no request body")]
)
def test_bad_trace_names_file_and_line(tmp_path: Path, content: str, problem: str) -> None:
    trace = tmp_path / "t.jsonl"
    trace.write_text(content)
    with pytest.raises(TraceError, match=problem):
        read_trace(trace)
