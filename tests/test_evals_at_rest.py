"""Nothing at rest in clear: report.json, junit.xml, report.html and trace.jsonl."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from toolkit.engine.analyze import analyze_trace, read_trace
from toolkit.evals import run_suite, write_reports
from toolkit.evals._result import AgentResult, ToolCallRecord
from toolkit.evals.pii import find_unmasked_pii
from toolkit.evals.testing import ScriptedAsk, write_project

SHAPES = [
    s["text"]
    for s in json.loads(
        (Path(__file__).parent / "data" / "pii_shapes.json").read_text(encoding="utf-8")
    )
]
SYSTEM = "You are a careful assistant for a bank's service desk. " * 20


def _cases() -> str:
    lines = ["cases:"]
    for n, text in enumerate(SHAPES):
        lines += [f"  - id: c{n}", f"    request: {json.dumps(text, ensure_ascii=False)}"]
        lines += [f"    expect: {{answer_contains: [{json.dumps(text, ensure_ascii=False)}]}}"]
    return "\n".join(lines) + "\n"


def _body(text: str) -> dict[str, Any]:
    return {
        "model": "m",
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}],
    }


def _result(text: str) -> AgentResult:
    return AgentResult(
        answer=f"Noted: {text}",
        tool_calls=[
            ToolCallRecord(
                name="log_note",
                args={"items": [{"memo": text}]},
                status="executed",
                result={"echo": text},
            )
        ],
        trace=[_body(text)],
    )


def test_no_artifact_holds_an_identifier_in_clear(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", cases=_cases())
    ask = ScriptedAsk({f"c{n}": _result(text) for n, text in enumerate(SHAPES)})
    report = run_suite(root, ask=ask, concurrency=1, cache_bound=lambda b: (0, 10))
    raw_trace = [dict(b) for b in report.trace]
    paths = write_reports(report, tmp_path / "out")
    for kind, path in paths.items():
        text = path.read_text(encoding="utf-8")
        if kind in ("html", "junit"):
            text = html.unescape(text)
        leaks = find_unmasked_pii(text)
        assert leaks == [], (kind, [v.entity for v in leaks])
    # The masked trace still replays through the prefix-cache analysis, with the
    # structure of the original: one request per case, the system prompt shared.
    masked = analyze_trace(read_trace(paths["trace"]))
    original = analyze_trace(raw_trace)
    assert masked.requests == original.requests == len(SHAPES)
    assert masked.ideal_hit_tokens == original.ideal_hit_tokens
    assert masked.ratio == original.ratio
    # Only the masked values tokenize differently (full-width digits cost the most).
    assert abs(masked.prompt_tokens - original.prompt_tokens) <= 0.05 * original.prompt_tokens
